"""Is one model's copy closer to the human text than another's? A paired bootstrap, per product.

Reads one `copydesk-trainer eval --output` file holding both models (`--compare`), scores each
product's published text against its human description (MiniLM cosine, as eval does), and prints
the mean difference with the trainer gate's 95% percentile bootstrap interval
(trainer/retrain.py:bootstrap_interval). `--field lead` compares the candidate's lead (its prose)
instead of its whole description (lead + bullets).

    python bench/paired_similarity.py OUT.jsonl --candidate PATH_OR_NAME --baseline default [--field lead]
"""
import argparse
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from consumer.models.embedder import cosine_similarities  # noqa: E402
from trainer.retrain import bootstrap_interval  # noqa: E402

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("output")
parser.add_argument("--candidate", required=True)
parser.add_argument("--baseline", required=True)
parser.add_argument("--field", choices=("text", "lead"), default="text", help="the candidate's text to score (baseline: always text)")
args = parser.parse_args()
rows = [json.loads(line) for line in open(args.output) if line.strip()]
by_model = {}
for row in rows:
    by_model.setdefault(row["model"], {})[row["id"]] = row
candidate, baseline = by_model[args.candidate], by_model[args.baseline]
ids = [i for i in candidate if i in baseline and candidate[i].get("reference")]
references = [candidate[i]["reference"] for i in ids]
ours = cosine_similarities([candidate[i].get(args.field) or candidate[i]["text"] or "" for i in ids], references)
theirs = cosine_similarities([baseline[i]["text"] or "" for i in ids], references)
differences = [a - b for a, b in zip(ours, theirs)]
low, high = bootstrap_interval(differences)
print(f"{len(ids)} products: candidate {args.field} {statistics.mean(ours):.3f}, baseline text {statistics.mean(theirs):.3f}, "
      f"difference {statistics.mean(differences):+.4f}, 95% CI [{low:+.4f}, {high:+.4f}]")
