"""The claim checker measured: challenge sets, the catalog's human sentences, and its cost per draft.

- challenge sets (tests/fixtures/claims/): the share of invented or contradicted texts caught and
  the share of faithful texts flagged, on the existing set, the developed-against part of the
  paraphrase set and, only with --held-out, the two held-back sets: the first and the fresh one
  written blind on 2026-12-06 (each read after its first measurement, so only that first look
  was blind: docs/pipeline.md keeps it);
- the catalog's human descriptions (train + valid): the share of their sentences flagged, and a
  seeded sample of flagged sentences with the claims named, to read by hand (--sample FILE);
- speed: ms per draft to check published drafts (an `eval --output` file, --drafts FILE), warm,
  against the seconds each took to generate.

    python bench/claim_checker.py [--held-out] [--sample FILE] [--drafts FILE [--descriptions-per-second N]] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import CATALOG, REPO, emit, stamp  # noqa: E402

SETS = REPO / "tests" / "fixtures" / "claims"


def score_set(path: Path) -> dict:
    from consumer.generation.claims.checker import unsupported_claims
    from schemas import Product

    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    bad = [r for r in rows if r["label"] in ("invented", "contradicted")]
    good = [r for r in rows if r["label"] not in ("invented", "contradicted")]

    def flagged(row) -> bool:
        return bool(unsupported_claims(row["text"], Product.model_validate(row["product"], strict=False)))

    def flagged_at_claim(row) -> bool:
        """Caught where the change is: a flag overlapping the row's invented or contradicted span."""
        span = row.get("claim") or row.get("invented_claim")
        if not span or span not in row["text"]:
            return False  # no span to point at: not counted as caught there
        start = row["text"].index(span)
        for claim in unsupported_claims(row["text"], Product.model_validate(row["product"], strict=False)):
            sentence_at = row["text"].find(claim.sentence)
            if sentence_at < 0:
                continue
            at = sentence_at + max(0, claim.sentence.find(claim.claim))
            if at < start + len(span) and start < at + len(claim.claim):
                return True
        return False

    faithful = [r for r in good if r["label"] == "faithful"]
    return {"texts": len(rows), "caught": round(sum(map(flagged, bad)) / len(bad), 4), "invented": len(bad),
            "caught_at_the_claim": round(sum(map(flagged_at_claim, bad)) / len(bad), 4),
            "false_alarms": round(sum(map(flagged, good)) / len(good), 4), "faithful_texts": len(good),
            "false_alarms_faithful_label": round(sum(map(flagged, faithful)) / len(faithful), 4),
            "false_alarms_paraphrase_label": round(sum(map(flagged, [r for r in good if r["label"] == "paraphrase"]))
                                                   / max(1, len(good) - len(faithful)), 4)}


def catalog_sentences(sample_path: Path | None) -> dict:
    from consumer.catalog import product_from_row
    from consumer.generation.claims.checker import extract_claims
    from consumer.generation.sentences import split_sentences

    rows = [json.loads(line) for name in ("train", "valid") for line in (CATALOG.parent / f"{name}.jsonl").open(encoding="utf-8")]
    sentences = flagged = 0
    sample = []
    for row in rows:
        product = product_from_row(row)
        for sentence in split_sentences(row["description"].replace("\n", " ")):
            sentences += 1
            claims = [c for c in extract_claims(sentence, product) if not c.supported]
            if claims:
                flagged += 1
                sample.append({"id": row["id"], "sentence": sentence, "claims": [[c.claim, c.verdict, c.attribute] for c in claims]})
    if sample_path:
        random.Random(30).shuffle(sample)
        sample_path.write_text(json.dumps(sample[:30], indent=1, ensure_ascii=False), encoding="utf-8")
    return {"rows": len(rows), "sentences": sentences, "flagged": flagged, "share": round(flagged / sentences, 4)}


def draft_speed(drafts_path: Path, generation_seconds: float | None = None) -> dict:
    from consumer.catalog import product_from_row
    from consumer.generation.claims.checker import extract_claims
    from consumer.generation.claims.facts import Facts

    drafts = [json.loads(line) for line in drafts_path.open(encoding="utf-8")]
    rows = {json.loads(line)["id"]: json.loads(line) for line in CATALOG.open(encoding="utf-8")}
    pairs = [(d, product_from_row(rows[d["id"]])) for d in drafts if d.get("id") in rows and d.get("text")]
    for draft, product in pairs[:5]:  # warm: lemma tables, pint, the embedder if a binding needs it
        extract_claims(draft["text"], product)
    timings = []
    for draft, product in pairs:
        started = time.perf_counter()
        extract_claims(draft.get("raw_text") or draft["text"], product, Facts(product))
        timings.append((time.perf_counter() - started) * 1000)
    result = {"drafts": len(timings), "ms_per_draft_median": round(statistics.median(timings), 2),
              "ms_per_draft_p95": round(sorted(timings)[int(0.95 * (len(timings) - 1))], 2)}
    seconds = [d["seconds"] for d in drafts if d.get("seconds")]
    generation = statistics.median(seconds) if seconds else generation_seconds
    if generation:  # per-draft seconds when the file has them, else 1 / the eval run's descriptions per second
        result["generation_seconds_per_draft"] = round(generation, 3)
        result["share_of_generation"] = round(result["ms_per_draft_median"] / 1000 / generation, 4)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--held-out", action="store_true", help="also score the held-back sets (both read after their first measurement: only their first-look figures were blind)")
    parser.add_argument("--sample", type=Path, default=None, help="write 30 flagged catalog sentences here")
    parser.add_argument("--drafts", type=Path, default=None, help="an `eval --output` file to time the checker on")
    parser.add_argument("--descriptions-per-second", type=float, default=None,
                        help="the eval run's throughput, when its --output has no per-draft seconds")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    from consumer.generation.claims.framing import vocabulary_sizes

    result = {"existing_challenge_set": score_set(SETS / "challenge.jsonl"),
              "paraphrase_set_developed_against": score_set(SETS / "paraphrase_dev.jsonl"),
              "framing_vocabulary": vocabulary_sizes()}
    if args.held_out:
        result["paraphrase_set_held_back_first_read"] = score_set(SETS / "paraphrase_heldout.jsonl")
        result["paraphrase_set_held_back_fresh"] = score_set(SETS / "paraphrase_heldout_fresh.jsonl")
    if CATALOG.is_file():
        result["catalog_human_sentences"] = catalog_sentences(args.sample)
    if args.drafts:
        result["speed"] = draft_speed(args.drafts, 1 / args.descriptions_per_second if args.descriptions_per_second else None)
    emit(stamp("claim_checker", " ".join(sys.argv), result), args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
