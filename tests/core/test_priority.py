"""Work that can wait runs below the app: each step on a lowered thread, results and failures
back on the caller's, and the level the same whoever starts the pool (Linux)."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator

import pytest

from core.priority import lowered_pool, stepped_on

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a thread's own priority is set on Linux only")


def _nice() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


def _steps(seen: list[tuple[int, int]]) -> Iterator[int]:
    for n in range(3):
        seen.append((threading.get_native_id(), _nice()))
        yield n


def test_each_step_runs_lowered_and_the_caller_keeps_its_priority():
    app = os.getpriority(os.PRIO_PROCESS, os.getpid())
    seen: list[tuple[int, int]] = []
    with lowered_pool(2, 5, "test") as pool:
        assert list(stepped_on(pool, _steps(seen))) == [0, 1, 2]
    assert [nice for _, nice in seen] == [min(app + 5, 19)] * 3
    assert threading.get_native_id() not in {tid for tid, _ in seen} and _nice() == app


def test_a_failing_step_fails_on_the_callers_thread():
    def failing() -> Iterator[int]:
        yield 1
        raise ValueError("the index is gone")

    with lowered_pool(1, 5, "test") as pool:
        steps = stepped_on(pool, failing())
        assert next(steps) == 1
        with pytest.raises(ValueError, match="the index is gone"):
            next(steps)


def test_a_pool_started_from_a_lowered_thread_is_not_lowered_again():
    """The plain layer's builder (nice 10) may load the local model (nice 10): both stay at 10, not 19."""
    app = os.getpriority(os.PRIO_PROCESS, os.getpid())
    levels: list[int] = []

    def from_a_lowered_thread() -> None:
        with lowered_pool(1, 10, "outer") as outer:
            with lowered_pool(1, 10, "inner") as inner:
                levels.append(outer.submit(lambda: inner.submit(_nice).result()).result())

    thread = threading.Thread(target=from_a_lowered_thread)
    thread.start()
    thread.join(timeout=30)
    assert levels == [min(app + 10, 19)]
