"""How long a user waits: Enter → first visible content → full answer, per generator.

Printed and written to test-artifacts/timings-*.json, not asserted: they depend on the machine.
"""

from __future__ import annotations

import json
import statistics

import pytest

from tests.ui.chat_page import ask, timed_ask, wait_for_answer
from tests.ui.conftest import ARTIFACTS, open_chat, start_app, stop_app

pytestmark = pytest.mark.browser

QUESTIONS = (
    "What treatments are approved for ALS?",
    "How does magnetic stimulation work for ALS?",
    "What lifestyle changes help with scleroderma?",
)


def measure(chromium, url: str, generator: str, questions, capsys, timeout_ms: float) -> dict:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        open_chat(page, url)
        ask(page, "What is scleroderma?", timeout=timeout_ms)  # warm-up: the first use of every code path
        page.locator("#new-conversation").click()
        page.wait_for_function("document.querySelectorAll('#chat .bot-row').length === 0")
        runs = {}
        for question in questions:
            runs[question] = timed_ask(page, question, timeout=timeout_ms)
            page.locator("#new-conversation").click()  # each question on its own, no history
            page.wait_for_function("document.querySelectorAll('#chat .bot-row').length === 0")
    finally:
        context.close()
    summary = {
        stage: statistics.median(r[stage] for r in runs.values() if r[stage] is not None)
        for stage in ("bubble", "passages", "answer", "done")
        if any(r[stage] is not None for r in runs.values())
    }
    report = {"generator": generator, "median_ms": summary, "runs_ms": runs}
    (ARTIFACTS / f"timings-{generator}.json").write_text(json.dumps(report, indent=2))
    with capsys.disabled():
        print(f"\n[{generator}] median ms from Enter: {summary}")
        for question, marks in runs.items():
            print(f"[{generator}]   {question}: {marks}")
    return report


def test_extractive_generator_timings(chromium, chat_app, capsys):
    ARTIFACTS.mkdir(exist_ok=True)
    report = measure(chromium, chat_app.url, "extractive", QUESTIONS, capsys, 120_000)
    assert all(r["done"] is not None for r in report["runs_ms"].values())


@pytest.mark.slow
def test_local_generator_timings(chromium, tmp_path, capsys, local_model_file):
    app = start_app(tmp_path, "--generator", "local", env={"GUIDES_GENERATOR__MODEL_PATH": str(local_model_file)})
    try:
        ARTIFACTS.mkdir(exist_ok=True)
        report = measure(chromium, app.url, "local", QUESTIONS[:2], capsys, 600_000)
        screenshot_a_slow_answer(chromium, app.url)
    finally:
        stop_app(app)
    assert all(r["done"] is not None for r in report["runs_ms"].values())


def screenshot_a_slow_answer(chromium, url: str) -> None:
    """What the page looks like while the local model writes, and when it is done."""
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    try:
        open_chat(page, url)
        page.locator("#question textarea").fill("What does riluzole do?")
        page.locator("#question textarea").press("Enter")
        page.wait_for_selector("#chat .bot-row blockquote", timeout=60_000)
        page.screenshot(path=str(ARTIFACTS / "19-local-writing.png"), full_page=True)
        wait_for_answer(page, 1, timeout=600_000)
        page.screenshot(path=str(ARTIFACTS / "20-local-answer.png"), full_page=True)
    finally:
        page.close()
