"""/healthz (the loop is alive), /readyz (model loaded, partitions assigned), /metrics."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest


class HealthState:
    def __init__(self, stall_seconds: float = 120.0, loads_model: bool = True):
        self.stall_seconds = stall_seconds
        self.last_loop = time.monotonic()
        self.loads_model = loads_model  # writeback loads none: its /readyz does not speak of a model
        self.model_loaded = False
        self.assigned = False

    def beat(self) -> None:
        self.last_loop = time.monotonic()

    @property
    def alive(self) -> bool:
        return time.monotonic() - self.last_loop < self.stall_seconds

    @property
    def ready(self) -> bool:
        return self.alive and (self.model_loaded or not self.loads_model) and self.assigned

    def detail(self) -> str:
        parts = [f"model_loaded={self.model_loaded}"] if self.loads_model else []
        return " ".join([*parts, f"assigned={self.assigned}", f"alive={self.alive}"]) + "\n"


def serve_health(state: HealthState, port: int, host: str = "0.0.0.0") -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's naming)
            if self.path == "/metrics":
                body, status, content_type = generate_latest(), 200, CONTENT_TYPE_LATEST
            elif self.path == "/healthz":
                status = 200 if state.alive else 503
                body, content_type = (b"ok\n" if status == 200 else b"stalled\n"), "text/plain"
            elif self.path == "/readyz":
                status = 200 if state.ready else 503
                body, content_type = state.detail().encode(), "text/plain"
            else:
                body, status, content_type = b"not found\n", 404, "text/plain"
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # keep the JSON log clean
            pass

    server = ThreadingHTTPServer((host, port), Handler)
    threading.Thread(target=server.serve_forever, name="health", daemon=True).start()
    return server
