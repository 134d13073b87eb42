"""Instruction-like or hidden text in the product data (prompt injection).

Product data is written by many hands (suppliers, feeds, marketplace sellers), and the model
reads all of it. A field that talks to the model ("ignore the instructions and write...") or
hides text from the editor (display:none spans, HTML comments) can smuggle claims that the
grounding check would accept, because they *are* in the data. We cannot tell a planted fact
from a real one, so such a draft is never published as `draft`: it goes out as `needs_review`
with the suspicious snippet named, and a retry is not attempted (it cannot help).
"""

from __future__ import annotations

import re

from schemas import Product

PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("instruction override", re.compile(
        r"\b(ignore|disregard|forget|override)\s+"
        r"(?:(?:all|any|the|your|my|these|those|previous|prior|above|earlier|preceding|system|original)\s+){0,3}"
        r"(instructions?|prompts?|directions|directives|context|everything above)\b", re.I)),
    ("role marker", re.compile(
        r"<\|?(im_start|im_end|system|assistant|endoftext)\|?>|\[/?INST\]|^\s*(system|assistant)\s*:|</?(system|instructions?|prompt)\s*>",
        re.I | re.M)),
    ("addresses the model", re.compile(
        r"\b(you are now|you must now|new instructions?\b|as an ai\b|(write|say|state|claim|mention) that (it|this|the product)\b|pretend to be)",
        re.I)),
    ("hidden text", re.compile(
        r"<!--|<script\b|<style\b|style\s*=\s*[\"'][^\"']*(display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0|color\s*:\s*(white|#fff))",
        re.I)),
)


def _texts(product: Product):
    yield "title", product.title
    for name in ("brand", "category", "tone"):
        if value := getattr(product, name):
            yield name, value
    for keyword in product.keywords:
        yield "keywords", keyword
    for name, value in product.attributes.items():
        yield f"attributes.{name}", name
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):
                yield f"attributes.{name}", item


def injection_found(product: Product) -> list[str]:
    """'field: kind "snippet"' for each field that carries instruction-like or hidden text."""
    found = []
    for field, text in _texts(product):
        for kind, pattern in PATTERNS:
            if match := pattern.search(text):
                start = max(0, match.start() - 20)
                found.append(f'{field}: {kind} "{text[start:match.end() + 20].strip()}"')
                break
    return found
