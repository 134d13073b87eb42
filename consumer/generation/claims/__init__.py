"""Claim-level grounding: which facts a text states, of what kind, and whether the product data supports each."""
