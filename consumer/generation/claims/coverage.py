"""Fact coverage: which of a product's key attributes a text states.

A draft with no invented claim can still say nothing ("designed to keep your office tidy").
Coverage is the other half of a good description: the share of the product's key attributes
(the salience rule is in schemas/key_facts.py) whose value the text states. A value counts as
stated when the text gives the same quantity in any unit (pint, as the claim checker does) or,
for words, most of the value's words ("stainless steel", "heather grey"); booleans and yes/no
values count when their name is stated.
"""

from __future__ import annotations

from consumer.generation.claims.facts import normalise, value_texts
from consumer.generation.claims.quantities import is_physical, quantities, same_amount
from schemas.events import Product
from schemas.key_facts import NO, YES, key_attributes


def _value_stated(value, name: str, text_norm: str, text_quantities) -> bool:
    if isinstance(value, bool) or str(value).strip().lower() in YES | NO:  # "Color scanning: yes" is a flag too
        return f" {normalise(name)} " in text_norm
    for item in value_texts(value):
        for quantity in quantities(item):
            for other in text_quantities:
                if quantity.unit and other.unit and is_physical(quantity.unit) and is_physical(other.unit):
                    if any(same_amount(v, quantity.unit, o, other.unit) for v in quantity.values for o in other.values):
                        return True
                elif set(quantity.values) & set(other.values) and (quantity.unit == other.unit or not quantity.unit):
                    return True
        words = [w for w in normalise(item).split() if not w[0].isdigit()]
        if words and sum(f" {w} " in text_norm for w in words) * 2 >= len(words) and not quantities(item):
            return True
    return False


def stated_attributes(text: str, product: Product) -> tuple[list[str], list[str]]:
    """(the key attributes, those the text states)."""
    keys = key_attributes(product)
    text_norm = f" {normalise(text)} "
    text_quantities = quantities(text)
    stated = [name for name in keys if _value_stated(product.attributes[name], name, text_norm, text_quantities)]
    return keys, stated
