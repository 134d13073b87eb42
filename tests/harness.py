"""Run the real EnrichmentService against the session broker, on topics of its own."""

from __future__ import annotations

import json
import threading
import time
import uuid

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from consumer.kafka.broker import create_topics
from consumer.service.loop import EnrichmentService, ServiceConfig
from tests.conftest import FAST_GROUP


class Harness:
    def __init__(self, broker, partitions: int = 1):
        suffix = uuid.uuid4().hex[:8]
        self.broker = broker
        self.input_topic, self.output_topic, self.dead_letter_topic = (f"in-{suffix}", f"out-{suffix}", f"dlq-{suffix}")
        self.group = f"g-{suffix}"
        create_topics(broker.client_config, {self.input_topic: partitions, self.output_topic: partitions, self.dead_letter_topic: 1})
        self.producer = KafkaProducer(**broker.client_config, acks="all")
        self.services: list[tuple[EnrichmentService, threading.Thread]] = []

    def config(self, **overrides) -> ServiceConfig:
        settings = dict(
            input_topic=self.input_topic, output_topic=self.output_topic, dead_letter_topic=self.dead_letter_topic,
            group_id=self.group, max_batch_size=4, max_wait_ms=100, poll_timeout_ms=200, **FAST_GROUP,
        )
        settings.update(overrides)
        return ServiceConfig(**settings)

    def start(self, generator, fetcher=None, **overrides) -> EnrichmentService:
        service = EnrichmentService(self.config(**overrides), self.broker.client_config, generator, fetcher=fetcher)
        thread = threading.Thread(target=service.run, daemon=True)
        thread.start()
        self.services.append((service, thread))
        return service

    def publish(self, *events: dict) -> None:
        for event in events:
            self.producer.send(self.input_topic, key=event["product_id"].encode(), value=json.dumps(event).encode())
        self.producer.flush()

    def publish_raw(self, key: bytes | None, value: bytes | None, headers=None) -> None:
        self.producer.send(self.input_topic, key=key, value=value, headers=headers or [])
        self.producer.flush()

    def read(self, topic: str, count: int, timeout_s: float = 120.0, settle_s: float = 0.0, event_type: str | None = None) -> list[dict]:
        """Read `count` records (of event_type, if given) from the start of `topic` (then `settle_s` more, to catch extras)."""
        consumer = KafkaConsumer(**self.broker.client_config, group_id=None, enable_auto_commit=False)
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        found, deadline = [], time.monotonic() + timeout_s
        settle_until = None
        while time.monotonic() < (settle_until or deadline):
            for records in consumer.poll(timeout_ms=200).values():
                found.extend(d for d in (json.loads(r.value) for r in records) if event_type is None or d.get("event_type") == event_type)
            if len(found) >= count and settle_until is None:
                settle_until = time.monotonic() + settle_s
        consumer.close()
        return found

    def drafts(self, count: int, **kwargs) -> list[dict]:
        """Only the drafts (description.generated) of the output topic."""
        return self.read(self.output_topic, count, event_type="description.generated", **kwargs)

    def skips(self, count: int, **kwargs) -> list[dict]:
        return self.read(self.output_topic, count, event_type="description.skipped", **kwargs)

    def dead_letters(self, count: int, **kwargs) -> list[dict]:
        return self.read(self.dead_letter_topic, count, **kwargs)

    def wait_accounted(self, service: EnrichmentService, count: int, timeout_s: float = 120.0) -> None:
        deadline = time.monotonic() + timeout_s
        while service.stats.accounted < count and time.monotonic() < deadline:
            time.sleep(0.1)
        assert service.stats.accounted >= count, service.stats

    def stop_all(self) -> None:
        for service, thread in self.services:
            service.stop()
            thread.join(timeout=60)
        self.producer.close()


class ServeProcess:
    """`copydesk serve` as a child process on the harness's topics (for kill -9 and RSS)."""

    def __init__(self, harness: Harness, cache_dir, *extra: str, max_new_tokens: int = 8, max_batch_size: int = 16, env: dict | None = None):
        import os
        import subprocess
        import sys

        environment = {
            **os.environ,
            "COPYDESK_BOOTSTRAP_SERVERS": harness.broker.bootstrap_servers,
            "COPYDESK_INPUT_TOPIC": harness.input_topic,
            "COPYDESK_OUTPUT_TOPIC": harness.output_topic,
            "COPYDESK_DEAD_LETTER_TOPIC": harness.dead_letter_topic,
            "COPYDESK_GROUP_ID": harness.group,
            "COPYDESK_CACHE_DIR": str(cache_dir),
            **(env or {}),
        }
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "consumer.cli", "serve", "--model", "base", "--max-new-tokens", str(max_new_tokens),
             "--max-batch-size", str(max_batch_size), "--health-port", "0", "--no-follow-models",
             "--session-timeout-ms", str(FAST_GROUP["session_timeout_ms"]),
             "--heartbeat-interval-ms", str(FAST_GROUP["heartbeat_interval_ms"]), *extra],
            env=environment, stderr=subprocess.STDOUT, stdout=subprocess.PIPE, text=True,
        )
        self._assigned = threading.Event()
        threading.Thread(target=self._follow, daemon=True).start()

    def _follow(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line)
            if '"partitions_assigned"' in line:
                self._assigned.set()

    def wait_assigned(self, timeout_s: float = 120) -> None:
        assert self._assigned.wait(timeout_s), self.tail()

    def kill9(self) -> None:
        import signal

        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def terminate(self, timeout_s: float = 120) -> int:
        import signal

        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout_s)

    def rss_bytes(self) -> int:
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        raise RuntimeError("no VmRSS")

    def tail(self, lines: int = 30) -> str:
        return "".join(self.lines[-lines:])


def account(events: list[dict], outputs: list[dict], letters: list[dict]) -> dict:
    """Every input accounted for: an output or a dead letter; duplicates must be identical."""
    variants: dict[str, set] = {}
    for output in outputs:
        variants.setdefault(output["causation_id"], set()).add((output["event_id"], output.get("description")))
    lettered = set()
    for letter in letters:
        try:
            lettered.add(json.loads(letter["value"])["event_id"])
        except (ValueError, KeyError, TypeError):
            pass
    wanted = {event["event_id"] for event in events}
    return {
        "inputs": len(wanted),
        "outputs": len(outputs),
        "lost": sorted(wanted - set(variants) - lettered),
        "duplicates": len(outputs) - len(variants),
        "conflicting": sorted(cause for cause, seen in variants.items() if len(seen) > 1),
    }


class TopicTail:
    """Reads a topic from the beginning in the background; `records` grows as outputs arrive."""

    def __init__(self, broker, topic: str):
        self.records: list[dict] = []
        self._stop = threading.Event()
        self._consumer = KafkaConsumer(**broker.client_config, group_id=None, enable_auto_commit=False)
        partitions = [TopicPartition(topic, p) for p in self._consumer.partitions_for_topic(topic)]
        self._consumer.assign(partitions)
        self._consumer.seek_to_beginning(*partitions)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            for records in self._consumer.poll(timeout_ms=200).values():
                self.records.extend(json.loads(r.value) for r in records)
        self._consumer.close()

    def wait_for(self, predicate, timeout_s: float, what: str) -> None:
        deadline = time.monotonic() + timeout_s
        while not predicate() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert predicate(), f"timed out after {timeout_s:.0f}s waiting for {what} ({len(self.records)} records)"

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
