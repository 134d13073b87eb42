"""Follow the models topic: verify, load in the background, hand over for a swap between batches.

The watcher follows the topic and verifies on its own thread; the load itself runs on the
process's model thread (consumer/generation/model_thread.py) between two batches, so the old model serves
until the new one is ready and the batch after the load uses it. A version whose weights don't match the published sha256, or that fails to
load, is refused, logged and counted (copydesk_model_load_failures_total); nothing changes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from kafka import KafkaConsumer
from pydantic import ValidationError

from consumer.ops import metrics
from consumer.kafka.topic_tail import assign_from_beginning, read_to_end
from consumer.ops.logs import get_logger
from consumer.models.store import ModelRefused, verify_artifact
from schemas import ModelPublished

log = get_logger("copydesk.models")


def _parse(value: bytes) -> ModelPublished | None:
    try:
        return ModelPublished.model_validate_json(value)
    except ValidationError:
        log.warning("unreadable_model_event")
        return None


def read_published(consumer: KafkaConsumer, idle_seconds: float = 1.0, timeout_seconds: float = 30.0) -> list[ModelPublished]:
    """Everything on the topic up to its fetch high-water mark."""
    events: list[ModelPublished] = []

    def collect(record) -> None:
        if (event := _parse(record.value)) is not None:
            events.append(event)

    read_to_end(consumer, collect, timeout_seconds=timeout_seconds, idle_seconds=idle_seconds)
    return events


class ModelWatcher:
    """Loads promoted versions as they are announced and offers them to the service."""

    def __init__(self, client_config: dict, topic: str, load: Callable[[Path, str], object], offer: Callable[[object], None]):
        self.consumer = assign_from_beginning(client_config, topic)
        self.load = load
        self.offer = offer
        self.serving_version: str | None = None
        self.refused: list[tuple[str, str]] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def newest_promoted(self) -> ModelPublished | None:
        """Catch up on the topic; the last promoted version is what a (re)started consumer serves."""
        promoted = [event for event in read_published(self.consumer) if event.promoted]
        return promoted[-1] if promoted else None

    def try_load(self, event: ModelPublished):
        """The loaded generator, or None (refused and counted) - the caller keeps its model."""
        started = time.perf_counter()
        try:
            folder = verify_artifact(event.artifact_uri, event.sha256)
            generator = self.load(folder, event.model_version)
        except ModelRefused as refused:
            self._refuse(event, refused.reason, str(refused))
            return None
        except Exception as error:  # noqa: BLE001 - any load failure must leave the old model serving
            self._refuse(event, "load_error", repr(error))
            return None
        metrics.MODEL_LOAD_SECONDS.set(time.perf_counter() - started)
        log.info("model_loaded", model_version=event.model_version, seconds=round(time.perf_counter() - started, 2))
        return generator

    def _refuse(self, event: ModelPublished, reason: str, message: str) -> None:
        self.refused.append((event.model_version, reason))
        metrics.MODEL_LOAD_FAILURES.labels(reason=reason).inc()
        log.error("model_refused", model_version=event.model_version, reason=reason, error=message)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="model-watcher", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            for records in self.consumer.poll(timeout_ms=500).values():
                for record in records:
                    event = _parse(record.value)
                    if event is None or not event.promoted or event.model_version == self.serving_version:
                        continue
                    generator = self.try_load(event)
                    if generator is not None:
                        self.serving_version = event.model_version
                        self.offer(generator)

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=10)
        self.consumer.close()

