"""The local model busy with one person and another waiting: an emergency or a crisis
from a third reaches its user within a second, in the chat and on /ask; the waiting person
sees their place in line and the extractive answer at once, then the model's answer."""

from __future__ import annotations

import re
import threading
import time

import pytest

from assistant.phrases import CRISIS, EMERGENCY
from assistant.safety import check_safety
from tests.reliability.conftest import ChatTab, Reply
from tests.ui.conftest import start_app, stop_app
from ui.answering import CRISIS_AT_ONCE

LIMIT_S = 1.0
# its crisis notice and an answer taken from the guides (searched and checked: a second or two on a slow
# machine); in the model's line it would wait for every answer ahead of it (15 s or more each)
MODEL_READ_CRISIS = "she asked how many of her pills it would take"
READ_CRISIS_LIMIT_S = 5.0


@pytest.fixture(scope="module")
def local_app(tmp_path_factory, local_model_file):
    app = start_app(
        tmp_path_factory.mktemp("emergency"), "--generator", "local",
        env={"GUIDES_GENERATOR__MODEL_PATH": str(local_model_file)},
    )
    yield app
    stop_app(app)


def _follow(tab: ChatTab, question: str, into: dict) -> threading.Thread:
    into["updates"] = []

    def run() -> None:
        started = time.perf_counter()
        into["reply"] = tab.watch(tab.submit(question), started, into["updates"])

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _first_answer(reply: Reply) -> float:
    """When the answer bubble first held answer text, not the "Searching…" placeholder."""
    from tests.reliability.conftest import _text

    for seconds, outputs in reply.updates:
        messages = outputs[1] if isinstance(outputs[1], list) else []
        if messages and messages[-1].get("role") == "assistant" and not _text(messages[-1]).startswith("_"):
            return seconds
    raise AssertionError(f"no answer text was ever shown: {reply.answer!r}, {len(reply.updates)} updates")


def _when(reply: Reply, text: str) -> float | None:
    return next((t for t, outputs in reply.updates if text in str(outputs)), None)


def _wait_for(into: dict, text: str, timeout_s: float = 120.0) -> None:
    """Until a followed tab has been shown ``text`` (its updates arrive live)."""
    started = time.perf_counter()
    while not any(text in str(outputs) for _, outputs in list(into["updates"])):
        assert "reply" not in into, f"the answer ended without ever showing {text!r}"
        assert time.perf_counter() - started < timeout_s, f"{text!r} was not shown within {timeout_s:.0f} s"
        time.sleep(0.05)


# (question, a word its answer must hold): answers are short now (one or two sentences, 1-2 s of
# the model each), so four people wait behind the first and keep the model at work while the
# emergencies come in, on a fast machine too
WAITING = (("What does riluzole do?", "riluzole"), ("What is tofersen?", "tofersen"),
           ("What is nintedanib used for in scleroderma?", "nintedanib"), ("How does edaravone help people with ALS?", "edaravone"))


def _wait_for_any(followed: list[dict], text: str, timeout_s: float = 120.0) -> None:
    """Until one of the followed tabs has been shown ``text``."""
    started = time.perf_counter()
    while not any(text in str(outputs) for into in followed for _, outputs in list(into["updates"])):
        assert not all("reply" in into for into in followed), f"every answer ended without showing {text!r}"
        assert time.perf_counter() - started < timeout_s, f"{text!r} was not shown within {timeout_s:.0f} s"
        time.sleep(0.05)


@pytest.mark.slow
def test_an_emergency_is_answered_at_once_while_the_model_serves_others(local_app, capsys):
    busy, urgent = ChatTab(local_app.url), ChatTab(local_app.url)
    first: dict = {}
    serving = _follow(busy, "How can a caregiver help someone with ALS stay independent?", first)
    _wait_for(first, "checking and writing the answer")  # retrieval done; the model is at work
    waiting = [{} for _ in WAITING]
    threads = [_follow(ChatTab(local_app.url), q, into) for (q, _), into in zip(WAITING, waiting, strict=True)]
    _wait_for_any(waiting, " in line")  # the model is serving someone; others wait

    urgent.ask_api("I can't breathe")  # connects this tab's client, as an open browser tab already is
    figures = []
    for question, expected in (("I can't breathe", EMERGENCY), ("I want to end my life", CRISIS)):
        reply = urgent.ask(question)
        assert reply.answer.startswith(expected[:40]) and "done" in reply.status
        assert reply.seconds <= LIMIT_S, f"the chat took {reply.seconds:.2f} s for {question!r}"
        figures.append(f"chat {reply.seconds * 1000:.0f} ms")
    started = time.perf_counter()
    answer = urgent.ask_api("My husband is choking and turning blue")
    seconds = time.perf_counter() - started
    assert answer["safety"] == "emergency" and seconds <= LIMIT_S, f"/ask took {seconds:.2f} s"
    figures.append(f"/ask {seconds * 1000:.0f} ms")
    # a crisis only the crisis model reads is not put in the model's line either: its notice, then the
    # guides' own sentences, while the model still serves the others
    flag = check_safety(MODEL_READ_CRISIS)
    assert flag is not None and flag.kind == "crisis" and not flag.blocking  # no phrase names it: the crisis model does
    started = time.perf_counter()
    read = urgent.watch(urgent.submit(MODEL_READ_CRISIS), started)
    assert read.answer.startswith(CRISIS[:40]) and "done" in read.status
    assert _when(read, " in line") is None and _when(read, "Taken straight from the guides") is None, "a crisis was put in the line"
    assert _first_answer(read) <= LIMIT_S, f"the crisis notice came after {_first_answer(read):.2f} s"
    assert read.seconds <= READ_CRISIS_LIMIT_S, f"the chat took {read.seconds:.2f} s for {MODEL_READ_CRISIS!r}"
    started = time.perf_counter()
    answer = urgent.ask_api(MODEL_READ_CRISIS)
    seconds = time.perf_counter() - started
    assert answer["safety"] == "crisis" and answer["answer"].startswith(CRISIS[:40]), answer["answer"][:200]
    assert answer["generator"].endswith(CRISIS_AT_ONCE), answer["generator"]  # it says why the model did not write it
    assert seconds <= READ_CRISIS_LIMIT_S, f"/ask took {seconds:.2f} s for {MODEL_READ_CRISIS!r}"
    figures.append(f"a crisis the crisis model reads: chat {read.seconds * 1000:.0f} ms, /ask {seconds * 1000:.0f} ms")
    # the model was still at work for the others: otherwise the test proved nothing
    assert any(t.is_alive() for t in (serving, *threads)), "every model answer was over before the emergency"

    for thread in (serving, *threads):
        thread.join(timeout=600)
    assert re.search(r"\[\d\]", first["reply"].answer), first["reply"].answer  # the model's answer, cited
    in_line = [(into["reply"], word) for into, (_, word) in zip(waiting, WAITING, strict=True) if _when(into["reply"], " in line")]
    assert in_line, "no waiting user was told their place"
    for later, word in in_line:
        told = _when(later, " in line")
        assert told is not None and told < 10, "the waiting user was not told their place at once"
        assert _when(later, "Taken straight from the guides") is not None  # the extractive answer shown meanwhile
        assert word in later.answer.lower() and "Taken straight from the guides" not in later.answer, later.answer
    later = in_line[0][0]
    with capsys.disabled():
        print(
            f"\nemergency while the local model was busy: {', '.join(figures)}; {len(in_line)} waiting users saw their "
            f"place and the extractive answer; the first after {_when(later, ' in line'):.1f} s, its model answer after "
            f"{later.seconds:.1f} s (the first user's took {first['reply'].seconds:.1f} s)"
        )


TEN = (
    "What does riluzole do?",
    "What is tofersen?",
    "How does edaravone help people with ALS?",
    "What is magnetic stimulation for ALS?",
    "What is scleroderma?",
    "What lifestyle changes help with scleroderma?",
    "How can a caregiver help someone with ALS stay independent?",
    "What support helps with the emotional side of ALS?",
    "What is nintedanib used for in scleroderma?",
    "What devices help with breathing in ALS?",
)


@pytest.mark.soak  # about 7 model answers one after another: several minutes
def test_ten_people_at_once_on_the_local_model_each_get_an_answer_at_once_and_their_place(local_app, capsys):
    """10 sessions ask together: everyone sees an answer from the guides within seconds; those
    in line see their place and then the model's answer; those beyond the line are told it is full."""
    import os

    from tests.reliability.conftest import percentile

    load_before = os.getloadavg()
    tabs = [ChatTab(local_app.url) for _ in TEN]
    results: list[dict] = [{} for _ in TEN]
    threads = []
    for tab, question, into in zip(tabs, TEN, results, strict=True):
        threads.append(_follow(tab, question, into))
        time.sleep(0.2)  # arrivals a moment apart, so the order of the line is known
    for thread in threads:
        thread.join(timeout=1800)
    replies: list[Reply] = [r["reply"] for r in results]
    first_answer = [_first_answer(r) for r in replies]
    full = [r for r in replies if "its line is full" in r.status]  # ui.answering.LINE_FULL
    served = [r for r in replies if r not in full]
    assert all(r.answer for r in replies) and "Traceback" not in local_app.log_text()
    assert len(full) == len(TEN) - 1 - 6  # the one served and GUIDES_APP__MAX_WAITING=6 in line
    assert all(_when(r, "in line for the language model") is not None for r in served[1:])
    waited = [t for r, t in zip(replies, first_answer, strict=True) if r is not served[0]]
    assert max(waited) < 30, f"someone in line waited {max(waited):.1f} s for any answer"
    done = sorted(r.seconds for r in served)
    with capsys.disabled():
        print(
            f"\n10 sessions on the local model: the 9 not served first saw an answer from the guides after p50 "
            f"{percentile(waited, 0.5):.1f} s, max {max(waited):.1f} s (the one served first: the model's first sentence "
            f"after {first_answer[replies.index(served[0])]:.1f} s); the model's answers {', '.join(f'{s:.0f}' for s in done)} s; "
            f"{len(full)} told the line was full; load average {load_before[0]:.2f} -> {os.getloadavg()[0]:.2f}"
        )
