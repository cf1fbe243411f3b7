"""The line for the local model: first come, first served, one at a time, bounded."""

from __future__ import annotations

import threading
import time

from ui.waiting_line import WaitingLine


def test_each_ticket_knows_its_place_and_the_next_is_served_when_one_leaves():
    line = WaitingLine(max_waiting=2)
    first, second, third = line.join(), line.join(), line.join()
    assert (first.ahead, second.ahead, third.ahead) == (0, 1, 2)
    assert line.join() is None  # one served and two waiting: full
    assert first.wait(0) and not second.wait(0.05)
    served = []
    waiter = threading.Thread(target=lambda: served.append(second.wait(5)))
    waiter.start()
    time.sleep(0.1)
    first.leave()
    waiter.join()
    assert served == [True] and third.ahead == 1 and line.length == 2
    assert line.join() is not None  # a place came free


def test_a_waiting_ticket_that_leaves_moves_the_others_up():
    line = WaitingLine(max_waiting=5)
    tickets = [line.join() for _ in range(4)]
    with tickets[1]:
        pass
    assert [t.ahead for t in (tickets[0], tickets[2], tickets[3])] == [0, 1, 2]
