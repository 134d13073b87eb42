"""`copydesk check`: audit any text against its product's data, one JSON line in, one out.

For the PIM admin as much as for us: run it over existing human or imported copy to see which
sentences state something the data lacks or contradicts. A line that can't be read gets
{"error": ...} on its own output line and the run goes on, so the output always lines up
with the input.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from typing import TextIO

from pydantic import ValidationError

from consumer.generation.claims.checker import extract_claims
from schemas.events import Product

PRODUCT_FIELDS = ("title", "brand", "category", "attributes", "keywords")


def _error(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"invalid product: {where}: {first['msg']}"


def check_line(line: str) -> dict:
    """The verdict on one input line: {"supported", "unsupported": [...], "claims"} or {"error"}.

    ``unsupported`` lists every claim that is not supported, each with its ``verdict``
    (``unsupported`` or ``contradicted``) and the ``attribute`` it aligned to (null when none).
    """
    try:
        row = json.loads(line)
        if not isinstance(row, dict) or not isinstance(row.get("product"), dict) or not isinstance(row.get("text"), str):
            return {"error": 'expected {"product": {"title": ..., "attributes": {...}}, "text": "..."}'}
        product = Product.model_validate({k: v for k, v in row["product"].items() if k in PRODUCT_FIELDS}, strict=False)
    except json.JSONDecodeError as error:
        return {"error": f"invalid JSON: {error}"}
    except ValidationError as error:
        return {"error": _error(error)}
    try:
        claims = extract_claims(row["text"], product)
    except Exception as error:  # noqa: BLE001 - one bad row must not end the audit of the rest
        return {"error": f"could not check this text: {type(error).__name__}: {error}"}
    unsupported = [{"claim": c.claim, "kind": c.kind, "verdict": c.verdict, "attribute": c.attribute, "sentence": c.sentence}
                   for c in claims if not c.supported]
    return {"supported": not unsupported, "unsupported": unsupported, "claims": len(claims)}


def run_check(lines: TextIO, out: TextIO, err: TextIO, summary: bool) -> int:
    counts: Counter[str] = Counter()
    verdicts: Counter[str] = Counter()
    totals = Counter()
    for line in lines:
        if not line.strip():
            continue
        verdict = check_line(line)
        out.write(json.dumps(verdict, ensure_ascii=False) + "\n")
        totals["lines"] += 1
        if "error" in verdict:
            totals["errors"] += 1
            continue
        totals["claims"] += verdict["claims"]
        totals["unsupported_texts"] += not verdict["supported"]
        counts.update(item["kind"] for item in verdict["unsupported"])
        verdicts.update(item["verdict"] for item in verdict["unsupported"])
    if summary:
        print(json.dumps({**totals, "unsupported_by_kind": dict(counts.most_common()), "by_verdict": dict(verdicts)}), file=err)
    return 0


def main_check(path: str, summary: bool) -> int:
    if path == "-":
        return run_check(sys.stdin, sys.stdout, sys.stderr, summary)
    with open(path, encoding="utf-8") as lines:
        return run_check(lines, sys.stdout, sys.stderr, summary)
