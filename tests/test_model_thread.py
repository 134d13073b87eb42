"""The model thread: whoever calls, torch work runs on one thread (pure logic, no torch)."""

from __future__ import annotations

import threading

import pytest

from consumer.generation.model_thread import ModelThread, on_model_thread


def test_calls_from_any_thread_run_on_the_one_model_thread_in_order():
    model = ModelThread(name="test-model")
    seen: list[tuple[str, int]] = []

    def work(index: int) -> str:
        seen.append((threading.current_thread().name, index))
        return f"done {index}"

    results: dict[int, str] = {}
    callers = [threading.Thread(target=lambda i=i: results.update({i: model.run(work, i)})) for i in range(4)]
    results[-1] = model.run(work, -1)  # from the main thread too
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join()
    assert results == {i: f"done {i}" for i in range(-1, 4)}
    assert {name for name, _ in seen} == {"test-model"}
    assert len(seen) == 5


def test_exceptions_reach_the_caller_and_the_thread_keeps_serving():
    model = ModelThread(name="test-model-errors")

    def fail():
        raise ValueError("bad batch")

    with pytest.raises(ValueError, match="bad batch"):
        model.run(fail)
    assert model.run(lambda: threading.current_thread().name) == "test-model-errors"


def test_a_call_made_on_the_model_thread_runs_inline_instead_of_deadlocking():
    model = ModelThread(name="test-model-nested")

    def outer() -> str:
        future = model.submit(lambda: threading.current_thread().name)
        assert future.done()  # ran at once: queueing behind ourselves would wait forever
        return future.result()

    assert model.run(outer) == "test-model-nested"


def test_the_decorator_moves_the_call_to_the_process_model_thread():
    @on_model_thread
    def where() -> str:
        return threading.current_thread().name

    from_main = where()
    from_worker: list[str] = []
    worker = threading.Thread(target=lambda: from_worker.append(where()))
    worker.start()
    worker.join()
    assert from_main == from_worker[0] == "model"
    assert where.__name__ == "where"
