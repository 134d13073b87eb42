"""`copydesk backfill`'s metrics (copydesk_backfill_*), served on --metrics-port while it runs."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

SKIP_REASONS = ("human_text", "locked", "not_empty", "long_enough", "category", "locale", "channel")

SENT = Counter("copydesk_backfill_sent_total", "Product events the backfill sent (repeats after a resume included).")
SKIPPED = Counter("copydesk_backfill_skipped_total", "Products the filters (or a person's text) kept out.", ["reason"])
INVALID = Counter("copydesk_backfill_invalid_total", "Rows or products that could not become a valid ProductEvent (reported, skipped).")
WAITED = Counter("copydesk_backfill_wait_seconds_total", "Seconds the backfill held back, by cause: the rate limit or serve's lag.", ["cause"])
HANDLED = Gauge("copydesk_backfill_handled_products", "Rows or products read so far (sent, skipped or invalid), this run and resumed ones.")
TOTAL = Gauge("copydesk_backfill_total_products", "Rows or products the source holds (-1: the platform does not say).")
LAG = Gauge("copydesk_backfill_lag_records", "serve's records left on the topic, up to the backfill's newest event, at the last check.")
RUNNING = Gauge("copydesk_backfill_running", "1 while a backfill runs, 0 once it finished or stopped.")

for _reason in SKIP_REASONS:
    SKIPPED.labels(reason=_reason)
for _cause in ("rate", "lag"):
    WAITED.labels(cause=_cause)
