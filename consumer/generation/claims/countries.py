"""Countries as data writes them (ISO codes, names) and as copy does (names, demonyms).

pycountry holds the ISO 3166 codes and names; the demonyms ("Portuguese" for PT) are English
grammar pycountry does not carry, so they are the one table here.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pycountry

from consumer.generation.claims.words import forms

DEMONYMS = {
    "italy": "italian", "france": "french", "germany": "german", "spain": "spanish", "switzerland": "swiss",
    "japan": "japanese", "china": "chinese", "united kingdom": "british", "england": "english", "united states": "american",
    "sweden": "swedish", "denmark": "danish", "greece": "greek", "portugal": "portuguese", "belgium": "belgian",
    "netherlands": "dutch", "poland": "polish", "turkey": "turkish", "türkiye": "turkish", "india": "indian",
    "korea": "korean", "mexico": "mexican", "brazil": "brazilian", "colombia": "colombian", "vietnam": "vietnamese",
    "viet nam": "vietnamese", "ireland": "irish", "austria": "austrian", "norway": "norwegian", "finland": "finnish",
    "czechia": "czech", "hungary": "hungarian", "canada": "canadian", "australia": "australian", "taiwan": "taiwanese",
    "thailand": "thai", "indonesia": "indonesian", "peru": "peruvian", "kenya": "kenyan", "ethiopia": "ethiopian",
    "morocco": "moroccan", "scotland": "scottish", "wales": "welsh", "new zealand": "new zealand", "sri lanka": "sri lankan",
}
"""Country name -> demonym (English grammar, not product data)."""
ORIGIN_NAME = re.compile(r"origin|country|made|manufactur|produced|grown|source", re.I)
SHORT_NAMES = {"GB": "United Kingdom", "UK": "United Kingdom", "US": "United States", "USA": "United States",
               "KR": "Korea", "TW": "Taiwan", "VN": "Vietnam", "CZ": "Czechia", "TR": "Turkey"}


@lru_cache(maxsize=4096)
def _country(text: str, coded: bool):
    text = text.strip()
    if coded and re.fullmatch(r"[A-Za-z]{2,3}", text):
        if text.upper() in SHORT_NAMES:
            return SHORT_NAMES[text.upper()]
        found = pycountry.countries.get(alpha_2=text.upper()) if len(text) == 2 else pycountry.countries.get(alpha_3=text.upper())
        return getattr(found, "common_name", None) or getattr(found, "name", None) if found else None
    if len(text) >= 4 and not re.search(r"\d", text):
        try:
            found = pycountry.countries.lookup(text)
        except LookupError:
            return None
        return getattr(found, "common_name", None) or found.name
    return None


def country_words(text: str, attribute_name: str) -> frozenset[str]:
    """Forms of the country's name and demonym when text names a country ("PT" under an origin attribute)."""
    coded = bool(ORIGIN_NAME.search(attribute_name)) or bool(re.fullmatch(r"[A-Z]{2,3}", text.strip()))
    words: set[str] = set()
    for part in re.split(r"[,;/]| and ", text):
        name = _country(part, coded)
        if not name:
            continue
        official = getattr(pycountry.countries.get(name=name), "official_name", "") if pycountry.countries.get(name=name) else ""
        for phrase in (name, official, DEMONYMS.get(name.lower(), "")):
            for word in re.findall(r"[a-zà-ÿ]+", phrase.lower()):
                words |= forms(word)
    return frozenset(words)
