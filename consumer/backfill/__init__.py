"""`copydesk backfill`: turn an existing catalog into product events, without starving live ones.

sources.py reads a JSONL/CSV export or a platform's listing; events.py makes each product the
event serve would get for it (deterministic id, ``source: backfill``, its write-back target) and
applies the filters; flow.py keeps to a rate and to a cap on the consumer group's lag;
checkpoint.py remembers where the run is; estimate.py prices a --dry-run; run.py ties them
together with progress and metrics.
"""
