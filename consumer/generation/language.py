"""The shop's language or nothing: which language a field is written in, and whether that is the event's.

py3langid (a maintained fork of langid.py, its model inside a 0.7 MB wheel, no download) is
restricted to the languages shops write in, which is what makes it usable on a sentence or a
bullet list: among 97 languages "Weight: 340 g" is anyone's, among these it is English. A text
too short or too mixed to tell (a title such as "Kodak i1410") is *undetermined*: it fails
nothing by itself, because the same words would be right in every locale.

A model writes only the languages its card lists (``locales``; SmolLM2 and every adapter
trained here: English). An event in another locale is never sent to the model: its draft is
either held for review (``locale_unsupported``) or, when configured, made of bullets built from
the data's own labels and values (schemas/copy_fields.py), which this guard then checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

SHOP_LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "pt", "sv", "da", "no", "fi", "pl", "cs")
MIN_LETTERS = 12
"""Fewer letters than this (after numbers and codes are removed) and no language is claimed."""
MIN_CONFIDENCE = 0.5
"""Normalised probability the top language needs among SHOP_LANGUAGES to count as detected.
On the valid split's English sentences (first three of each description, 438) none was taken
for another language at 0.5 or more (11 were below it: spec lines such as "Tuner type: Analogue
& Digital"); an English bullet list in a German event ("Output power: 30 W; Ports: ...") is
English at 0.55, the same in German labels German at 0.97."""
CODE = re.compile(r"\b\w*\d\w*\b|\b[A-Z]{2,}\b")


@dataclass(frozen=True)
class Detected:
    language: str | None  # None: undetermined
    confidence: float


@lru_cache(maxsize=1)
def _identifier() -> LanguageIdentifier:
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(SHOP_LANGUAGES))
    return identifier


def language_of_locale(locale: str) -> str:
    """"de_DE" -> "de", "pt-BR" -> "pt", "fr" -> "fr"."""
    return re.split(r"[_-]", locale)[0].lower()


def detect(text: str) -> Detected:
    """The text's language among SHOP_LANGUAGES, or undetermined when too short or unsure."""
    words = CODE.sub(" ", text)  # model codes and numbers say nothing about the language
    if sum(c.isalpha() for c in words) < MIN_LETTERS:
        return Detected(None, 0.0)
    language, confidence = _identifier().classify(words)
    return Detected(language if confidence >= MIN_CONFIDENCE else None, float(confidence))


def wrong_language(fields: dict[str, str], locale: str) -> dict[str, str]:
    """Field name -> the language it was detected in, for each field detected in another language than the locale's."""
    wanted = language_of_locale(locale)
    found = {}
    for name, text in fields.items():
        detected = detect(text) if text else Detected(None, 0.0)
        if detected.language and detected.language != wanted:
            found[name] = detected.language
    return found


def writes(locale: str, model_locales: tuple[str, ...] | list[str]) -> bool:
    """Whether a model whose card lists ``model_locales`` (languages or locales) writes this locale."""
    return language_of_locale(locale) in {language_of_locale(item) for item in model_locales}
