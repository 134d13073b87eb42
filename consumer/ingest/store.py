"""Store webhook bodies in Kafka and know when that worked (acks=all, idempotent producer).

The HTTP answer waits on the broker's acknowledgement: a platform retries a webhook that got
no 2xx, so anything not acknowledged in time is answered 503 and comes again. The producer is
made lazily and remade after a failure, so ``ingest`` starts (and answers 503) while Kafka is
down and recovers on its own when Kafka is back. A body acknowledged late after a 503 can
be stored twice; the consumer's event-id de-duplication makes the second one a no-op.
"""

from __future__ import annotations

import threading
import time

from kafka import KafkaProducer
from kafka.errors import KafkaError

from consumer.ingest.records import Record


class StoreUnavailable(RuntimeError):
    """Kafka did not acknowledge in time; the message says what happened."""


class KafkaStore:
    def __init__(self, client_config: dict, topic: str, timeout_seconds: float):
        self.client_config = client_config
        self.topic = topic
        self.timeout_seconds = timeout_seconds
        self._producer: KafkaProducer | None = None
        self._lock = threading.Lock()

    def _get_producer(self) -> KafkaProducer:
        with self._lock:
            if self._producer is None:
                timeout_ms = int(self.timeout_seconds * 1000)
                try:
                    self._producer = KafkaProducer(
                        **self.client_config, acks="all", enable_idempotence=True, linger_ms=0,
                        max_block_ms=timeout_ms, request_timeout_ms=max(1000, timeout_ms // 2),
                        delivery_timeout_ms=max(timeout_ms, 2000), bootstrap_timeout_ms=timeout_ms,
                    )
                except KafkaError as error:
                    raise StoreUnavailable(f"cannot reach Kafka: {type(error).__name__}: {error}") from error
            return self._producer

    def _discard(self, producer: KafkaProducer) -> None:
        with self._lock:
            if self._producer is producer:
                self._producer = None
        try:
            producer.close(timeout=0)
        except Exception:  # noqa: BLE001 - a broken producer may fail to close; it is dropped either way
            pass

    def store(self, records: list[Record]) -> None:
        """Send every record and wait for all acknowledgements; raise StoreUnavailable otherwise."""
        producer = self._get_producer()
        deadline = time.monotonic() + self.timeout_seconds
        try:
            futures = [producer.send(self.topic, key=key, value=value, headers=headers) for key, value, headers in records]
            for future in futures:
                future.get(timeout=max(0.1, deadline - time.monotonic()))
        except KafkaError as error:
            self._discard(producer)
            raise StoreUnavailable(f"Kafka did not acknowledge within {self.timeout_seconds:g} s: {type(error).__name__}") from error

    def ready(self) -> bool:
        """Kafka answers a metadata request for the topic (bounded by the produce timeout)."""
        try:
            return bool(self._get_producer().partitions_for(self.topic))
        except (StoreUnavailable, KafkaError):
            return False

    def close(self) -> None:
        if self._producer is not None:
            self._producer.close(timeout=5)
