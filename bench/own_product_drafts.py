"""Drafts for the 20 products written for this project, through a real `copydesk serve` and broker.

Not a speed benchmark: it prints, for each product of tests/fixtures/own_products.jsonl, its
data, the published draft, its status and any claim the checker rejects, so a person can read
what a model writes for products no catalog has seen (docs/model.md and docs/copy.md).

    python bench/own_product_drafts.py [--model default] [--port 19092] [--out drafts.json] [--unsupported-locale bullets]
"""
import argparse, json, os, subprocess, sys, time
from pathlib import Path
ROOT = Path(__file__).resolve().parent.parent
os.chdir(ROOT)
parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--model", default="default")
parser.add_argument("--port", type=int, default=19092)
parser.add_argument("--out", default=None, help="also write the drafts as JSON here")
parser.add_argument("--unsupported-locale", default="review", choices=("review", "bullets"),
                    help="what serve does for a locale the model does not write")
args = parser.parse_args()
from kafka import KafkaProducer, KafkaConsumer, TopicPartition
sys.path.insert(0, str(ROOT))
from consumer.catalog import event_from_row, read_rows
from consumer.generation.claims.checker import extract_claims
from schemas import Product
PORT = args.port
env = {**os.environ, "HF_HUB_OFFLINE": "1"}
broker = subprocess.Popen([".venv/bin/copydesk", "broker", "--port", str(PORT)], stdout=subprocess.PIPE, text=True, env=env)
print(broker.stdout.readline().strip(), flush=True)
serve = subprocess.Popen([".venv/bin/copydesk", "serve", "--bootstrap-servers", f"127.0.0.1:{PORT}", "--health-port", "0",
                          "--max-batch-size", "10", "--log-level", "warning", "--model", args.model,
                          "--unsupported-locale", args.unsupported_locale], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
rows = read_rows("tests/fixtures/own_products.jsonl")
client = {"bootstrap_servers": [f"127.0.0.1:{PORT}"]}
time.sleep(5)
producer = KafkaProducer(**client, acks="all")
events = {}
for row in rows:
    event = event_from_row(row, source="own-products")
    events[event["event_id"]] = (row, event)
    producer.send("copydesk.product-events", key=event["product_id"].encode(), value=json.dumps(event).encode())
producer.flush()
reader = KafkaConsumer(**client, group_id=None, enable_auto_commit=False)
tps = [TopicPartition("copydesk.descriptions", p) for p in reader.partitions_for_topic("copydesk.descriptions")]
reader.assign(tps); reader.seek_to_beginning(*tps)
found, deadline = {}, time.monotonic() + 900
while len(found) < len(rows) and time.monotonic() < deadline:
    for recs in reader.poll(timeout_ms=500).values():
        for r in recs:
            d = json.loads(r.value); found[d["causation_id"]] = d
serve.terminate(); serve.wait(120); broker.terminate(); broker.wait(30)
out = []
for event_id, (row, event) in events.items():
    d = found.get(event_id)
    product = Product.model_validate(event["product"])
    unsupported = [(c.claim, c.kind) for c in extract_claims(d["description"], product) if not c.supported] if d else None
    out.append({"id": row["id"], "title": row["title"], "attributes": row["attributes"], "status": d and d["status"],
                "description": d and d["description"], "fields": d and d.get("fields"), "unsupported_by_checker": unsupported,
                "reasons": d and [c.get("reason") for c in d["checks"] if not c["passed"] or c["name"] == "lead"]})
if args.out:
    json.dump(out, open(args.out, "w"), indent=1, ensure_ascii=False)
for o in out:
    f = o["fields"] or {}
    print(f"\n## {o['id']} {o['title']} [{o['status']}]\n{json.dumps(o['attributes'], ensure_ascii=False)}\n"
          f"-> lead: {f.get('lead')}\n   bullets: {' · '.join(f.get('bullets') or [])}\n   seo_title: {f.get('seo_title')}\n"
          f"   meta_description: {f.get('meta_description')}\n   unsupported={o['unsupported_by_checker']} reasons={o['reasons']}")
