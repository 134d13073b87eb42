"""The one prompt builder: the consumer serves with it and the trainer trains with it.

Keeping it here, beside the contracts, is what prevents train/serve skew: a fine-tuned model
only writes well for the exact prompt layout it was trained on.
"""

from __future__ import annotations

import hashlib
import json

from schemas.events import Product
from schemas.key_facts import content_plan, format_value
from schemas.lead_prose import lead_plan

SYSTEM_PROMPT = (
    "You write product descriptions for an online shop. State only facts given in the product "
    "data. Never invent numbers, sizes, materials or specifications. No HTML, links or contact details."
)

PROMPT_STYLES = ("plain", "plan", "lead")
"""How an adapter was trained to be asked (its card says which): "plan" adds the ordered key facts.

The base model and copydesk-default-v1 know "plain"; a model trained with "plan" targets that
state its key facts (trainer/dataset.py) is asked with the same plan when it serves. "lead"
asks for the lead alone (one to three sentences, schemas/lead_prose.py) with the facts it
should weave in; the bullets and SEO fields are built from the data (schemas/copy_fields.py).
"""

DEFAULT_MAX_CHARS = 600
"""Used when the event does not say how long the target field may be."""


def product_facts(product: Product) -> str:
    """The product data block of the prompt, one fact per line, in a stable order."""
    lines = [f"Title: {product.title}"]
    if product.brand:
        lines.append(f"Brand: {product.brand}")
    if product.category:
        lines.append(f"Category: {product.category}")
    for name in sorted(product.attributes):
        lines.append(f"- {name}: {format_value(product.attributes[name])}")
    return "\n".join(lines)


def build_messages(product: Product, locale: str = "en_US", style: str = "plain") -> list[dict[str, str]]:
    """Chat messages for one product; render them with the tokenizer's chat template."""
    if style not in PROMPT_STYLES:
        raise ValueError(f"unknown prompt style {style!r}: one of {', '.join(PROMPT_STYLES)}")
    if style == "lead":
        return _lead_messages(product, locale)
    max_chars = product.max_chars or DEFAULT_MAX_CHARS
    plan = content_plan(product) if style == "plan" else []
    instructions = [f"Language: {locale}.", f"At most {max_chars} characters."]
    if plan:
        instructions.insert(0, "State the key facts in this order: " + "; ".join(plan) + ".")
    if product.tone:
        instructions.append(f"Tone: {product.tone}.")
    if product.keywords:
        instructions.append(f"Mention: {', '.join(product.keywords)}.")
    user = f"{product_facts(product)}\n\nWrite the product description. {' '.join(instructions)}"
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}]


def _lead_messages(product: Product, locale: str) -> list[dict[str, str]]:
    from schemas.copy_fields import limit  # copy_fields reads key_facts too: imported here, not at the top

    plan = lead_plan(product)
    instructions = ["Write the lead: what the product is" + (", with " + "; ".join(plan) if plan else "") + ".",
                    f"Language: {locale}.", f"At most {limit(product, 'lead')} characters."]
    if product.tone:
        instructions.append(f"Tone: {product.tone}.")
    if product.keywords:
        instructions.append(f"Mention: {', '.join(product.keywords)}.")
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": f"{product_facts(product)}\n\n{' '.join(instructions)}"}]


def prompt_inputs(product: Product, locale: str, channel: str) -> dict:
    """Exactly the fields the prompt reads; if none of these changed, a new draft is pointless."""
    return {
        "title": product.title,
        "category": product.category,
        "brand": product.brand,
        "attributes": product.attributes,
        "tone": product.tone,
        "keywords": product.keywords,
        "max_chars": product.max_chars,
        "locale": locale,
        "channel": channel,
        # set only when the event sets them, so an event without them keeps the hash it had before they existed
        **{name: getattr(product, name) for name in ("fields", "field_limits", "labels") if getattr(product, name)},
    }


def input_hash(product: Product, locale: str, channel: str) -> str:
    """sha256 of the canonical JSON of the prompt inputs (stable across key order)."""
    canonical = json.dumps(prompt_inputs(product, locale, channel), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()
