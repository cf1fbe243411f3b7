"""Work that can wait runs below work that cannot: an emergency or crisis reply takes the cores at
once while answers are searched and written for others.

Linux sets a priority per thread (threads are tasks), and a thread's new threads (llama.cpp's and
torch's OpenMP workers) start at its priority. So work that can wait runs on threads of its own,
lowered once when they start; the threads that reply to safety messages keep the app's priority.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


def lower_this_thread(niceness: int) -> None:
    """The calling thread and the threads it starts run ``niceness`` below the app (Linux); elsewhere
    they run as the app does."""
    if not niceness:
        return
    if not sys.platform.startswith("linux"):
        log.info("Work that can wait runs at the app's priority: setting one thread's priority needs Linux.")
        return
    thread = threading.get_native_id()
    try:
        os.setpriority(os.PRIO_PROCESS, thread, min(os.getpriority(os.PRIO_PROCESS, thread) + niceness, 19))
    except OSError as error:
        log.warning("Work that can wait runs at the app's priority (a thread's could not be lowered: %s).", error)


def lowered_pool(workers: int, niceness: int, name: str) -> ThreadPoolExecutor:
    """Threads that run ``niceness`` below the app, started as needed."""
    return ThreadPoolExecutor(workers, name, initializer=lower_this_thread, initargs=(niceness,))


def stepped_on(pool: ThreadPoolExecutor, steps: Iterator[T]) -> Iterator[T]:
    """``steps`` computed one at a time on ``pool``'s threads, yielded on the caller's."""
    end = object()
    while (step := pool.submit(next, steps, end).result()) is not end:
        yield step  # type: ignore[misc]
