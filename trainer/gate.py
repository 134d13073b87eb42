"""The promotion gate: a candidate replaces the live model only when editors would work less.

What a merchant pays for is editing, so the gate's measure is the editors' effort on the held-out
gate products: the normalised edit distance (rapidfuzz Levenshtein, 0 = the editor kept the draft,
1 = nothing of it survived) between each model's draft and the text the editor approved for that
product. Promotion needs the lower bound of the paired-bootstrap interval of the mean saving
(live distance - candidate distance, one per product) above ``margins.effort``; similarity,
claim-free drafts, key-fact coverage and the publishable share are vetoes (the candidate may
not be worse on them by more than their margins).

An ``approved_unchanged`` approval's text *is* the live model's draft, so the live model would
score a distance of 0 on it by reproducing itself: those products are left out of the effort
measure (they still count for the vetoes) and the reason says how many. The share approved
unchanged is reported (a draft equal to the editor's text, after normalising spacing), with its
interval, but it is not what decides: with one round of edits it is 0 for the live model by
construction on the rest.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from consumer.ops.paired import bootstrap_interval, edit_distance

__all__ = ["Effort", "Margins", "bootstrap_interval", "edit_distance", "effort_report", "gate"]

VETOES = (("similarity_cosine", "similarity"), ("claim_free", "claim_free"), ("key_attribute_coverage", "coverage"),
          ("publishable", "publishable"))


@dataclass(frozen=True)
class Margins:
    """How much the candidate must save editors, and how much worse it may be on each veto."""

    effort: float = 0.0
    similarity: float = 0.0
    claim_free: float = 0.0
    coverage: float = 0.0
    publishable: float = 0.0


@dataclass(frozen=True)
class Effort:
    """The editors' effort on one model's drafts of the gate products whose approval is an edit."""

    distances: list[float]
    unchanged: list[float]  # 1.0 where the draft is the editor's text

    @classmethod
    def of(cls, drafts: list[str], approved: list[str]) -> Effort:
        distances = [edit_distance(d, a) for d, a in zip(drafts, approved)]
        return cls(distances, [float(distance == 0.0) for distance in distances])

    def summary(self) -> dict:
        return {"edit_distance_median": statistics.median(self.distances) if self.distances else None,
                "edit_distance_mean": statistics.fmean(self.distances) if self.distances else None,
                "approved_unchanged": statistics.fmean(self.unchanged) if self.unchanged else None}


def effort_savings(live: Effort, candidate: Effort) -> list[float]:
    """Per product: how much less the editor would change the candidate's draft than the live one's."""
    return [lv - cd for lv, cd in zip(live.distances, candidate.distances)]


def effort_report(live: Effort, candidate: Effort, samples: int = 2000, confidence: float = 0.95) -> dict:
    """Both models' effort, and the paired intervals of the saving and of the unchanged share's gain."""
    saving = effort_savings(live, candidate)
    gained = [cd - lv for lv, cd in zip(live.unchanged, candidate.unchanged)]
    return {
        "live": live.summary(), "candidate": candidate.summary(), "products": len(saving),
        "edit_distance_saving_interval": bootstrap_interval(saving, samples, confidence) if saving else None,
        "approved_unchanged_gain_interval": bootstrap_interval(gained, samples, confidence) if gained else None,
    }


def gate(live: dict, candidate: dict, margins: Margins, savings: list[float] | None = None, min_examples: int = 1,
         samples: int = 2000, confidence: float = 0.95, left_out: int = 0, changes: dict[str, list[float]] | None = None) -> tuple[bool, str]:
    """Promote only when editors would work less, and no veto measure is shown to be worse.

    ``savings``: per gate product, live edit distance - candidate edit distance ("better" is the
    lower bound of their bootstrap interval above the margin, so one lucky product cannot decide);
    None decides on the metrics' point estimates alone (tests of pure logic). A gate set smaller
    than min_examples decides nothing. ``left_out``: gate products approved unchanged (see above).

    ``changes``: per veto metric, the candidate - live change per product. A veto then needs the
    same evidence as a promotion: the upper bound of the change's interval below -margin (the
    candidate is worse, not merely unlucky on a product or two). On point estimates, a candidate
    as good as the live model on all four vetoes would pass only about one time in sixteen.
    Without ``changes`` a veto is a point estimate below -margin.
    """
    deltas = {name: candidate.get(metric, 0.0) - live.get(metric, 0.0) for metric, name in VETOES if metric in live or metric in candidate}
    saving = live.get("edit_distance_mean", 0.0) - candidate.get("edit_distance_mean", 0.0)
    detail = f"edit distance saved {saving:+.4f}, " + ", ".join(f"{name} {delta:+.4f}" for name, delta in deltas.items())
    if left_out:
        detail += f"; {left_out} approved-unchanged products left out of the effort measure"
    if savings is not None:
        if len(savings) < min_examples:
            return False, f"gate set too small to decide: {len(savings)} products < {min_examples}: {detail}"
        low, high = bootstrap_interval(savings, samples, confidence)
        detail += f"; edit distance saving {confidence:.0%} CI [{low:+.4f}, {high:+.4f}] over {len(savings)} products"
        saving = low
    if saving <= margins.effort:
        return False, f"editors would not work less (needs > {margins.effort:+.4f}): {detail}"
    for metric, name in VETOES:
        if name not in deltas:
            continue
        per_product = (changes or {}).get(metric)
        if per_product:
            low, high = bootstrap_interval(per_product, samples, confidence)
            if high < -getattr(margins, name):
                return False, f"worse on {name} ({confidence:.0%} CI of the change [{low:+.4f}, {high:+.4f}]): {detail}"
        elif deltas[name] < -getattr(margins, name):
            return False, f"worse on {name}: {detail}"
    return True, f"editors work less: {detail}"
