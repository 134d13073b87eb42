"""`copydesk ingest`'s app on a real uvicorn server on loopback, for tests (started in a thread)."""

from __future__ import annotations

import threading
import time

import uvicorn

from consumer.ingest.app import create_app
from consumer.ingest.settings import IngestSettings
from consumer.kafka.broker import free_port


class IngestServer:
    def __init__(self, settings: IngestSettings):
        self.port = free_port()
        self.app = create_app(settings)
        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> IngestServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert self.server.started, "ingest did not start"
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
