"""A loopback HTTP server that answers like the platforms' documented product APIs.

Each route holds a queue of (status, JSON body) answers, so a test can script "503, then 200"
and see the fetcher retry; every request is recorded (method, path, query, headers, body).
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class PlatformAPI:
    def __init__(self):
        self.routes: dict[tuple[str, str], deque] = defaultdict(deque)
        self.requests: list[dict] = []
        self.delay_s: dict[tuple[str, str], float] = {}
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep pytest output clean
                pass

            def _answer(self, method: str):
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                api.requests.append({"method": method, "path": parts.path, "query": parse_qs(parts.query),
                                     "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
                key = (method, parts.path)
                if key in api.delay_s:
                    threading.Event().wait(api.delay_s[key])
                queue = api.routes.get(key)
                status, payload = (queue.popleft() if len(queue) > 1 else queue[0]) if queue else (404, {"message": "not found"})
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client timed out first, as scripted
                    pass

            def do_GET(self):
                self._answer("GET")

            def do_POST(self):
                self._answer("POST")

            def do_PUT(self):
                self._answer("PUT")

            def do_PATCH(self):
                self._answer("PATCH")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def answer(self, method: str, path: str, *answers: tuple[int, object]) -> None:
        """Script the answers of a route; the last one repeats."""
        self.routes[(method, path)] = deque(answers)

    def calls(self, method: str, path: str) -> list[dict]:
        return [r for r in self.requests if r["method"] == method and r["path"] == path]

    def __enter__(self) -> PlatformAPI:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
