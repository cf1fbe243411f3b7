"""Many people at once: 20 sessions x 5 questions on the chat and on /ask (extractive).

No request fails, every session gets exactly the answers to its own questions (each answer
is compared with the one the same question gets alone), and p50 / p95 are printed with the
machine's load. Run alone: ``pytest tests/reliability/test_load.py -s``.
"""

from __future__ import annotations

import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor

from tests.reliability.conftest import ChatTab, percentile
from ui.render import md_text

log = logging.getLogger(__name__)

SESSIONS = int(os.environ.get("RELIABILITY_SESSIONS", "20"))  # RELIABILITY_SESSIONS=10 for the 10-session figures
PER_SESSION = 5
QUESTIONS = (
    "What does riluzole do?",
    "What is tofersen?",
    "How does edaravone help people with ALS?",
    "What is magnetic stimulation for ALS?",
    "What is scleroderma?",
    "Which treatments are used when scleroderma treatments fail?",
    "What lifestyle changes help with scleroderma?",
    "How can a caregiver help someone with ALS stay independent?",
    "What support helps with the emotional side of ALS?",
    "What does a speech therapist do for people with ALS?",
    "What is nintedanib used for in scleroderma?",
    "How is lung disease in scleroderma treated?",
    "What is rituximab used for in scleroderma?",
    "What happens in treatment-resistant ALS?",
    "Can diet help with scleroderma?",
    "What devices help with breathing in ALS?",
    "How does physical therapy help in ALS?",
    "What are clinical trials for ALS?",
    "What is Raynaud's phenomenon in scleroderma?",
    "How is skin thickening in scleroderma treated?",
)


CONVERSATIONS = len(QUESTIONS) // PER_SESSION  # 4 different conversations, 5 sessions each


def _questions(session: int) -> list[str]:
    first = (session % CONVERSATIONS) * PER_SESSION
    return list(QUESTIONS[first : first + PER_SESSION])


def _report(kind: str, seconds: list[float], wall: float) -> str:
    return (
        f"{kind}: {len(seconds)} answers from {SESSIONS} sessions in {wall:.1f} s; "
        f"p50 {percentile(seconds, 0.5):.2f} s, p95 {percentile(seconds, 0.95):.2f} s, max {max(seconds):.2f} s; "
        f"load average before/after {LOAD[0]} / {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )


LOAD: list[str] = []


def test_twenty_sessions_on_the_chat_and_the_api_get_their_own_answers(extractive_app, capsys):
    LOAD.append(" ".join(f"{x:.2f}" for x in os.getloadavg()))
    expected_api, expected_chat = {}, {}
    for conversation in range(CONVERSATIONS):  # each conversation held alone first (a follow-up depends on it)
        alone = ChatTab(extractive_app.url)
        for question in _questions(conversation):
            expected_api[question] = alone.ask_api(question)["answer"]
            expected_chat[question] = alone.ask(question).answer
        alone.close()

    def chat_session(n: int) -> list[tuple[str, float]]:
        tab = ChatTab(extractive_app.url)
        try:
            out = []
            for question in _questions(n):
                reply = tab.ask(question)
                assert reply.answer == expected_chat[question], f"session {n} got another answer to {question!r}"
                out.append((question, reply.seconds))
            assert [md_text(q) for q in _questions(n)] == reply.questions  # its own questions, in order
            return out
        finally:
            tab.close()

    def api_session(n: int) -> list[tuple[str, float]]:
        tab = ChatTab(extractive_app.url)
        try:
            out = []
            for question in _questions(n):
                started = time.perf_counter()
                answer = tab.ask_api(question)
                assert answer["question"] == question and answer["answer"] == expected_api[question]
                out.append((question, time.perf_counter() - started))
            return out
        finally:
            tab.close()

    lines = []
    for kind, run in (("chat", chat_session), ("/ask", api_session)):
        started = time.perf_counter()
        with ThreadPoolExecutor(SESSIONS) as pool:
            results = list(pool.map(run, range(SESSIONS)))  # any error in any session fails the test
        wall = time.perf_counter() - started
        seconds = [s for session in results for _, s in session]
        assert len(seconds) == SESSIONS * PER_SESSION
        lines.append(_report(kind, seconds, wall))
    assert "Traceback" not in extractive_app.log_text()
    with capsys.disabled():
        print("\n" + "\n".join(lines))

