"""Paired comparisons of two models on the same products, and how much of a draft an editor changed:
what the trainer's gate, the retrain demo and serve's approval metrics share."""

from __future__ import annotations

import random
import statistics
from collections.abc import Callable

from rapidfuzz.distance import Levenshtein


def edit_distance(draft: str | None, approved: str | None) -> float:
    """How much of a draft an editor changed: normalised Levenshtein distance (0 = kept as is,
    1 = nothing kept), spacing ignored. Texts are plain (approvals strip markup before this)."""
    return Levenshtein.normalized_distance(" ".join((draft or "").split()), " ".join((approved or "").split()))


def bootstrap_interval(differences: list[float], samples: int = 2000, confidence: float = 0.95, seed: int = 0,
                       statistic: Callable[[list[float]], float] = statistics.fmean) -> tuple[float, float]:
    """Percentile bootstrap of a statistic (the mean, by default) of per-product values.

    Given paired differences (candidate - live, one per product) it is the interval of the mean
    gain: resampling products, not drafts, so one lucky product cannot carry a decision."""
    rng = random.Random(seed)
    n = len(differences)
    values = sorted(statistic(rng.choices(differences, k=n)) for _ in range(samples))
    tail = (1 - confidence) / 2
    return values[int(tail * (samples - 1))], values[int((1 - tail) * (samples - 1))]
