"""Work that can wait runs below work that cannot: an emergency or crisis reply takes the cores
first while answers are searched and written for others.

Linux sets a priority per thread (threads are tasks), and the threads a thread starts (llama.cpp's
and torch's OpenMP workers) begin at its priority. So work that can wait runs on threads of its
own, lowered once when they start; the threads that reply to safety messages keep the app's
priority. A thread pool keeps the priority of the thread that started it (onnxruntime's, numpy's).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


@cache
def _say_once(message: str) -> None:
    log.info(message)


def lower_this_thread(niceness: int) -> None:
    """The calling thread, and the threads it starts, run ``niceness`` below the app's main thread
    (Linux nice, at most 19; never raised). Elsewhere they run as the app does, and the log says so once."""
    if not niceness:
        return
    if not sys.platform.startswith("linux"):
        _say_once("Work that can wait runs at the app's priority: setting one thread's priority needs Linux.")
        return
    thread = threading.get_native_id()
    try:
        level = min(os.getpriority(os.PRIO_PROCESS, os.getpid()) + niceness, 19)  # the main thread's task id is the pid
        if os.getpriority(os.PRIO_PROCESS, thread) < level:
            os.setpriority(os.PRIO_PROCESS, thread, level)
    except OSError as error:
        _say_once(f"Work that can wait runs at the app's priority (a thread's could not be lowered: {error}).")


def lowered_pool(workers: int, niceness: int, name: str) -> ThreadPoolExecutor:
    """``workers`` threads that run ``niceness`` below the app, started as needed."""
    return ThreadPoolExecutor(workers, name, initializer=lower_this_thread, initargs=(niceness,))


def stepped_on(pool: ThreadPoolExecutor, steps: Iterator[T]) -> Iterator[T]:
    """``steps`` computed one at a time on ``pool``'s threads, yielded on the caller's; a step's
    exception is raised on the caller's. Closing ``steps`` is left to the caller (between steps,
    when none runs)."""
    end = object()
    while (step := pool.submit(next, steps, end).result()) is not end:
        yield step  # type: ignore[misc]
