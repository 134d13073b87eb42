"""Fact coverage: which of a product's key attributes a text states.

A draft with no invented claim can still say nothing ("designed to keep your office tidy").
Coverage is the other half of a good description: the share of the product's key attributes
(the salience rule is in schemas/key_facts.py) whose value the text states. A value counts as
stated when the text gives the same quantity in any unit (as the claim checker compares them)
or, for words, most of the value's content words in any of their forms ("stainless steel",
"heather grey"); a yes/no value counts when its name is stated.
"""

from __future__ import annotations

from consumer.generation.claims.facts import Attribute, value_texts
from consumer.generation.claims.quantities import agrees, quantities
from consumer.generation.claims.words import forms, tokens
from schemas.events import Product
from schemas.key_facts import key_attributes


def _value_stated(attribute: Attribute, text_forms: set[str], text_quantities) -> bool:
    if attribute.flag is not None:  # "Color scanning: yes" is stated by its name
        return bool(attribute.name_words) and all(forms(w) & text_forms for w in attribute.name_words)
    for quantity in attribute.quantities:  # the same amount in any unit, or the bare number ("cups 1-2")
        if any(agrees(claimed, quantity) or (claimed.unit is None and set(claimed.values) & set(quantity.values))
               for claimed in text_quantities):
            return True
    if attribute.quantities and not attribute.value_words:
        return False
    words = [w for w in attribute.value_words if not any(c.isdigit() for c in w)]
    return bool(words) and sum(bool(forms(w) & text_forms) for w in words) * 2 >= len(words)


def stated_attributes(text: str, product: Product) -> tuple[list[str], list[str]]:
    """(the key attributes, those the text states)."""
    keys = key_attributes(product)
    text_forms = {f for token in tokens(text) if token.kind == "word" for f in forms(token.lower)}
    text_quantities = quantities(text)
    stated = [name for name in keys if _value_stated(Attribute(name, value_texts(product.attributes[name])), text_forms, text_quantities)]
    return keys, stated
