"""`copydesk backfill`: read the catalog, filter, send at a bounded pace, checkpoint, report.

The loop, per product: make its event (events.py), filter it, wait for the lag cap and the rate
(flow.py), send it (acks=all, idempotent producer). Every ``checkpoint_every`` products, and
when it stops for any reason it can catch, the producer is flushed and then the position is
saved (checkpoint.py). A platform API that still fails after the client's retries stops the run
with the checkpoint saved; the next run resumes there.
"""

from __future__ import annotations

import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from consumer.adapters.common import AdapterConfig
from consumer.backfill import metrics
from consumer.backfill.checkpoint import Checkpoint, default_path
from consumer.backfill.estimate import NEW_TOKENS_PER_DESCRIPTION, Estimate, PromptCounter, serve_throughput
from consumer.backfill.events import backfill_event, skip_reason
from consumer.backfill.settings import BackfillSettings
from consumer.backfill.sources import Item, count_rows, file_items, platform_items
from consumer.ops.logs import get_logger

log = get_logger("copydesk.backfill")


class SourceFailed(RuntimeError):
    """The platform's API failed after every retry: the run stops, its checkpoint saved."""


@dataclass
class Progress:
    """What the checkpoint keeps besides the position: the run's counts, resumed runs included."""

    handled: int = 0
    sent: int = 0
    invalid: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    position: dict = field(default_factory=dict)

    def state(self, done: bool = False) -> dict:
        return {"handled": self.handled, "sent": self.sent, "invalid": self.invalid, "skipped": dict(self.skipped),
                "position": self.position, "done": done}

    @classmethod
    def from_state(cls, state: dict | None) -> Progress:
        if not state:
            return cls()
        return cls(state.get("handled", 0), state.get("sent", 0), state.get("invalid", 0), dict(state.get("skipped") or {}), state.get("position") or {})


def open_source(settings: BackfillSettings, config: AdapterConfig, position: dict):
    """(the items from ``position`` on, the source's total or None)."""
    if settings.is_platform():
        from consumer.adapters.listing import CatalogLister
        from consumer.writeback.client import PlatformClient

        client = PlatformClient(settings, settings.fetcher())
        missing = client.missing(settings.source)
        if missing:
            raise ValueError(f"{settings.source}: set {missing} (and its credentials) to list its catalog")
        lister = CatalogLister(settings.source, client, settings.page_size, settings.adobe_store_id, settings.channel)
        total = _count(lister)
        return platform_items(lister, config, position.get("cursor"), position.get("index", 0)), total
    path = Path(settings.source)
    if not path.is_file():
        raise ValueError(f"{settings.source}: no such file, and not a platform (akeneo, shopify, saleor, commercetools, adobe-commerce)")
    if path.suffix.lower() not in (".jsonl", ".csv", ".ndjson"):
        raise ValueError(f"{settings.source}: give a .jsonl or .csv export")
    return file_items(path, settings.column_map(), settings.description_origin, config, position.get("line", 0)), count_rows(path)


def _count(lister) -> int | None:
    """The platform's product count for the progress bar; None when it refuses to count (the listing may still work)."""
    from consumer.writeback.client import Gone, Refused

    try:
        return _guarded(lister.count)
    except SourceFailed as error:
        if isinstance(error.__cause__, (Refused, Gone)):
            log.warning("backfill_count_refused", platform=lister.platform, error=str(error)[:300])
            return None
        raise


def _guarded(call):
    from consumer.writeback.client import Gone, PlatformUnavailable, Refused

    try:
        return call()
    except (PlatformUnavailable, Refused, Gone) as error:
        raise SourceFailed(str(error)) from error


def guarded_items(items):
    """The source's items, a platform failure turned into SourceFailed (raised where the loop can checkpoint)."""
    iterator = iter(items)
    while True:
        try:
            item = _guarded(lambda: next(iterator))
        except StopIteration:
            return
        yield item


def filters_of(settings: BackfillSettings) -> dict:
    explicit = settings.model_fields_set
    return {"only_empty": settings.only_empty, "shorter_than": settings.shorter_than, "categories": settings.category_filter(),
            "locales": set(settings.adapter_config().locales) if "locales" in explicit and not settings.is_platform() else None,
            "channel": settings.channel if "channel" in explicit and not settings.is_platform() else None}


def run_backfill(settings: BackfillSettings, out=print) -> int:
    config = settings.adapter_config()
    checkpoint = Checkpoint(settings.checkpoint or default_path(settings.cache_dir, settings.source, settings.topic), settings.source, settings.topic)
    state = None if settings.restart or settings.dry_run else checkpoint.load()
    if state and (state.get("done") or (state.get("position") or {}).get("done")):  # killed after the last product: also done
        out(f"already complete: {state.get('sent', 0)} sent (checkpoint {checkpoint.path}); --restart runs it again "
            "(products already drafted with the same data are no-ops in serve)")
        return 0
    progress = Progress.from_state(state)
    try:
        items, total = open_source(settings, config, progress.position)
    except SourceFailed as error:
        out(f"copydesk backfill: {settings.source} failed: {error}", file=sys.stderr)
        return 1
    if settings.dry_run:
        return dry_run(settings, guarded_items(items), total, out)
    if state:
        out(f"resuming at {progress.position} ({progress.handled} handled, {progress.sent} sent before)")
    return send_all(settings, config, checkpoint, progress, guarded_items(items), total, out)


def missing_topic(settings: BackfillSettings) -> str | None:
    """Why the topic cannot take the events (a producer would block a minute, then fail), or None."""
    from consumer.kafka.broker import existing_topics

    if settings.topic in existing_topics(settings.client_config()):
        return None
    return (f"topic {settings.topic} does not exist: create it (kafka-topics.sh --create --topic {settings.topic} --partitions 3) "
            "and add it to serve's --input-topic")


def send_all(settings: BackfillSettings, config: AdapterConfig, checkpoint: Checkpoint, progress: Progress, items, total: int | None, out) -> int:
    from kafka import KafkaProducer

    from consumer.backfill.flow import LagGate, RateLimit

    problem = missing_topic(settings)
    if problem:
        out(f"copydesk backfill: {problem}", file=sys.stderr)
        return 1
    server = _metrics_server(settings.metrics_port)
    producer = KafkaProducer(**settings.client_config(), acks="all", enable_idempotence=True, linger_ms=20)
    gate, limit = LagGate(settings.client_config(), settings.group_id, settings.topic), RateLimit(settings.rate)
    filters = filters_of(settings)
    stop = {"now": False}
    previous = {signum: signal.signal(signum, lambda *_: stop.update(now=True)) for signum in (signal.SIGTERM, signal.SIGINT)}
    bar = _bar(settings, total, progress.handled)
    metrics.RUNNING.set(1)
    metrics.TOTAL.set(-1 if total is None else total)
    lag, since_check, since_checkpoint, status, finished = 0, 0, 0, 0, False
    started, sent_now = time.monotonic(), 0

    waiting = LagDisplay(bar, settings.group_id, out)

    def save(done: bool = False) -> None:
        producer.flush()  # the position moves only past what the brokers acknowledged
        checkpoint.save(progress.state(done))

    try:
        for item in items:
            interrupted = False
            for event in _events(item, config, progress, out, bar):
                reason = skip_reason(event, **filters)
                if reason is not None:
                    progress.skipped[reason] = progress.skipped.get(reason, 0) + 1
                    metrics.SKIPPED.labels(reason=reason).inc()
                    continue
                if lag + since_check >= settings.max_lag:  # the lag may have reached the cap: read it
                    producer.flush()
                    lag, waited = gate.wait_below(settings.max_lag, settings.lag_check_seconds, waiting.show, lambda: stop["now"])
                    if stop["now"]:
                        interrupted = True
                        break
                    metrics.WAITED.labels(cause="lag").inc(waited)
                    waiting.done()
                    metrics.LAG.set(lag)
                    since_check = 0
                metrics.WAITED.labels(cause="rate").inc(limit.wait())
                future = producer.send(settings.topic, key=event.product_id.encode(), value=event.model_dump_json().encode())
                future.add_callback(lambda sent: gate.note_sent(sent.partition, sent.offset))
                progress.sent, sent_now, since_check = progress.sent + 1, sent_now + 1, since_check + 1
                metrics.SENT.inc()
            if interrupted:  # stopped while waiting for serve: this product stays for the next run
                break
            progress.handled += 1
            progress.position = item.position
            metrics.HANDLED.set(progress.handled)
            since_checkpoint += 1
            if bar is not None:
                bar.update(1)
            if since_checkpoint >= settings.checkpoint_every:
                save()
                since_checkpoint = 0
            if stop["now"]:
                break
        else:
            finished = True
        save(done=finished)
    except SourceFailed as error:
        save()
        out(f"copydesk backfill: {settings.source} failed after retries: {error}; checkpoint saved at {progress.position} ({checkpoint.path}), "
            "run the same command again to resume", file=sys.stderr)
        status = 1
    finally:
        metrics.RUNNING.set(0)
        if bar is not None:
            bar.close()
        producer.close()
        gate.close()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if server is not None:
            server.shutdown()
    seconds = time.monotonic() - started
    skipped = ", ".join(f"{count} {reason}" for reason, count in sorted(progress.skipped.items())) or "none"
    state = "done" if finished else ("stopped" if status == 0 else "failed")
    out(f"backfill {state}: {progress.handled} read, {progress.sent} sent ({sent_now} this run, {sent_now / max(seconds, 1e-9):.2f}/s), "
        f"{progress.invalid} invalid, skipped: {skipped}; checkpoint {checkpoint.path}")
    return status


def _events(item: Item, config: AdapterConfig, progress: Progress, out, bar):
    if item.error is not None:
        progress.invalid += 1
        metrics.INVALID.inc()
        log.warning("backfill_invalid", where=item.where, error=item.error)
        message = f"invalid: {item.where}: {item.error}"
        bar.write(message, file=sys.stderr) if bar is not None else out(message, file=sys.stderr)
        return []
    return [backfill_event(adapted, config) for adapted in item.adapted]


class LagDisplay:
    """serve's lag on the progress bar; a line every 30 s of waiting, so a stopped serve is noticed."""

    def __init__(self, bar, group_id: str, out, every_s: float = 30.0):
        self.bar, self.group_id, self.out, self.every_s = bar, group_id, out, every_s
        self.waiting_since: float | None = None
        self.said_at = 0.0

    def show(self, lag: int) -> None:
        metrics.LAG.set(lag)
        if self.bar is not None:
            self.bar.set_postfix_str(f"serve lag {lag}", refresh=True)
        now = time.monotonic()
        if self.waiting_since is None:
            self.waiting_since = now
        if now - self.waiting_since >= self.every_s and now - self.said_at >= self.every_s:
            self.said_at = now
            message = (f"waiting {now - self.waiting_since:.0f}s: serve's group {self.group_id} has {lag} records left "
                       "(is copydesk serve running, on this topic and group?)")
            self.bar.write(message, file=sys.stderr) if self.bar is not None else self.out(message, file=sys.stderr)

    def done(self) -> None:
        self.waiting_since = None


def _bar(settings: BackfillSettings, total: int | None, initial: int):
    if not settings.progress:
        return None
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, unit="product", desc="backfill", file=sys.stderr, dynamic_ncols=True)


def _metrics_server(port: int):
    if not port:
        return None
    from consumer.ops.health import HealthState, serve_health

    health = HealthState(stall_seconds=float("inf"), loads_model=False)
    health.assigned = True
    return serve_health(health, port)


def dry_run(settings: BackfillSettings, items, total: int | None, out) -> int:
    """Read and filter everything, send nothing; print the counts and the estimate."""
    config = settings.adapter_config()
    filters = filters_of(settings)
    counter = PromptCounter(settings.cache_dir)
    throughput = serve_throughput(settings.engine, settings.device, settings.descriptions_per_second, settings.replicas)
    read = invalid = sent = prompt_tokens = 0
    skipped: dict[str, int] = {}
    try:
        for item in items:
            read += 1
            if item.error is not None:
                invalid += 1
                out(f"invalid: {item.where}: {item.error}", file=sys.stderr)
                continue
            for adapted in item.adapted:
                event = backfill_event(adapted, config)
                reason = skip_reason(event, **filters)
                if reason is not None:
                    skipped[reason] = skipped.get(reason, 0) + 1
                    continue
                sent += 1
                prompt_tokens += counter(event)
    except SourceFailed as error:
        out(f"copydesk backfill: {settings.source} failed after retries: {error}", file=sys.stderr)
        return 1
    estimate = Estimate(sent, throughput, settings.rate, prompt_tokens, sent * NEW_TOKENS_PER_DESCRIPTION)
    out(f"dry run of {settings.source}: {read} read{f' of {total}' if total is not None else ''}, {invalid} invalid, skipped: "
        + (", ".join(f"{count} {reason}" for reason, count in sorted(skipped.items())) or "none"))
    for line in estimate.lines():
        out(line)
    return 0
