"""The one thread that runs a process's torch work.

Why one: on CPU, torch runs the parallel part of each op on OpenMP, and libgomp gives every
thread that ever entered a parallel region its own team of worker threads, kept until that
thread exits. Once a process holds more OpenMP threads than cores - a second team on two cores -
libgomp cuts the spin-wait of idle workers from ~300,000 iterations to 100, so between two ops
they sleep on a futex and must be woken again. Measured on the 2-core VM (bench/threads.py): the
same batch took 13.3 s with one team and 18.6 s with an idle second team, with ~23,500 more
context switches of the generating thread. A service that loaded the model on the main thread
and generated on a worker thread paid exactly that: its pipeline ran at 68-78% of the generator
alone.

So every function that runs torch kernels is decorated `@on_model_thread`: called from any
thread, it runs on this one daemon thread (inline when already there) and the caller gets its
result or exception. One call at a time also serialises use of the device, which is what a
resident model needs anyway: a hot-swap load waits for the batch in flight and the next batch
waits for the load.
"""

from __future__ import annotations

import functools
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class ModelThread:
    """A single daemon worker that runs submitted calls in order; calls from itself run inline."""

    def __init__(self, name: str = "model"):
        self.name = name
        self._calls: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def is_current(self) -> bool:
        return self._thread is not None and threading.current_thread() is self._thread

    def submit(self, fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> Future[R]:
        """Queue fn; a call made from the model thread itself runs at once (queueing would deadlock)."""
        future: Future[R] = Future()
        if self.is_current():
            _run_into(future, fn, args, kwargs)
            return future
        self._start_once()
        self._calls.put((future, fn, args, kwargs))
        return future

    def run(self, fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
        return self.submit(fn, *args, **kwargs).result()

    def _start_once(self) -> None:
        with self._lock:
            if self._thread is None:
                # Daemon: a stuck generation must not keep the interpreter from exiting on SIGTERM.
                self._thread = threading.Thread(target=self._work, name=self.name, daemon=True)
                self._thread.start()

    def _work(self) -> None:
        while True:
            future, fn, args, kwargs = self._calls.get()
            if future.set_running_or_notify_cancel():
                _run_into(future, fn, args, kwargs)


def _run_into(future: Future, fn: Callable, args: tuple, kwargs: dict) -> None:
    try:
        result = fn(*args, **kwargs)
    except BaseException as error:  # noqa: BLE001 - handed to the caller, who re-raises it
        future.set_exception(error)
    else:
        future.set_result(result)


MODEL_THREAD = ModelThread()


def on_model_thread(fn: Callable[P, R]) -> Callable[P, R]:
    """Run fn on the process's model thread, whichever thread calls it."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        return MODEL_THREAD.run(fn, *args, **kwargs)

    return wrapper
