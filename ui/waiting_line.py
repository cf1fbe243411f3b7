"""One person at a time on the local model, and a bounded line of those waiting for it.

Gradio's own queue would keep a waiting user in the dark (and would keep an emergency
behind a model answer), so the chat handlers run without a concurrency limit and take a
ticket here only for the model's part of an answer. A ticket knows its place in the line;
a full line refuses a ticket, and the caller says so and answers without the model.
"""

from __future__ import annotations

import threading
from collections import deque
from types import TracebackType


class Ticket:
    """A place in the line; being first means being served. Leave it when done (or use ``with``)."""

    def __init__(self, line: WaitingLine) -> None:
        self._line = line

    @property
    def ahead(self) -> int:
        """How many people are before this one (0: it is this one's turn)."""
        return self._line._ahead(self)

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for this one's turn; True when it has come."""
        return self._line._wait(self, timeout)

    def leave(self) -> None:
        self._line._leave(self)

    def __enter__(self) -> Ticket:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.leave()


class WaitingLine:
    """First come, first served, one at a time; at most ``max_waiting`` behind the one served."""

    def __init__(self, max_waiting: int) -> None:
        self.max_waiting = max_waiting
        self._tickets: deque[Ticket] = deque()
        self._changed = threading.Condition()

    def join(self) -> Ticket | None:
        """A ticket at the end of the line, or None when the line is full."""
        with self._changed:
            if len(self._tickets) > self.max_waiting:
                return None
            ticket = Ticket(self)
            self._tickets.append(ticket)
            return ticket

    @property
    def length(self) -> int:
        """People in the line, the one being served included."""
        with self._changed:
            return len(self._tickets)

    def _ahead(self, ticket: Ticket) -> int:
        with self._changed:
            return self._tickets.index(ticket) if ticket in self._tickets else 0

    def _wait(self, ticket: Ticket, timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: not self._tickets or self._tickets[0] is ticket, timeout)

    def _leave(self, ticket: Ticket) -> None:
        with self._changed:
            if ticket in self._tickets:
                self._tickets.remove(ticket)
                self._changed.notify_all()
