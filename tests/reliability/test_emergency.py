"""The local model busy with one person and another waiting: an emergency or a crisis
from a third reaches its user within a second, in the chat and on /ask; the waiting person
sees their place in line and the extractive answer at once, then the model's answer."""

from __future__ import annotations

import threading
import time

import pytest

from assistant.phrases import CRISIS, EMERGENCY
from tests.reliability.conftest import ChatTab, Reply
from tests.ui.conftest import start_app, stop_app

LIMIT_S = 1.0


@pytest.fixture(scope="module")
def local_app(tmp_path_factory, local_model_file):
    app = start_app(
        tmp_path_factory.mktemp("emergency"), "--generator", "local",
        env={"GUIDES_GENERATOR__MODEL_PATH": str(local_model_file)},
    )
    yield app
    stop_app(app)


def _follow(tab: ChatTab, question: str, into: dict) -> threading.Thread:
    def run() -> None:
        started = time.perf_counter()
        into["reply"] = tab.watch(tab.submit(question), started)

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


@pytest.mark.slow
def test_an_emergency_is_answered_at_once_while_the_model_serves_others(local_app, capsys):
    busy, waiting, urgent = ChatTab(local_app.url), ChatTab(local_app.url), ChatTab(local_app.url)
    first: dict = {}
    second: dict = {}
    serving = _follow(busy, "How can a caregiver help someone with ALS stay independent?", first)
    time.sleep(4.0)  # retrieval done; the model is writing
    queued = _follow(waiting, "What does riluzole do?", second)
    time.sleep(2.0)

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
    assert serving.is_alive(), "the model's answer was over before the emergency: the test proved nothing"

    serving.join(timeout=600)
    queued.join(timeout=600)
    assert first["reply"].answer and "[1]" in first["reply"].answer
    later = second["reply"]
    in_line = _when(later, "number 1 in line")
    assert in_line is not None and in_line < 10, "the waiting user was not told their place"
    assert _when(later, "Taken straight from the guides") is not None  # the extractive answer shown meanwhile
    assert "riluzole" in later.answer.lower() and "Taken straight from the guides" not in later.answer
    with capsys.disabled():
        print(
            f"\nemergency while the local model was busy: {', '.join(figures)}; the waiting user saw their place and "
            f"the extractive answer after {in_line:.1f} s, the model's answer after {later.seconds:.1f} s "
            f"(the first user's took {first['reply'].seconds:.1f} s)"
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
    full = [r for r in replies if "waiting line is full" in r.status]
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
