"""The chat started as users start it (``python app.py``) on a free loopback port, and a
headless Chromium to drive it. Screenshots and timings go to ``test-artifacts/``."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from core.settings import REPO_ROOT

ARTIFACTS = REPO_ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
READY = "The chat is ready at"
START_TIMEOUT_S = 300


@dataclass
class RunningApp:
    url: str
    data_dir: Path
    log: Path
    process: subprocess.Popen

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_app(folder: Path, *args: str, env: dict[str, str] | None = None) -> RunningApp:
    """``python app.py --port P --data-dir folder/data *args``, returned once it serves."""
    port = free_port()
    data_dir = folder / "data"
    log = folder / "app.log"
    command = [sys.executable, "app.py", "--port", str(port), "--data-dir", str(data_dir), *args]
    with log.open("w") as handle:
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, stdout=handle, stderr=subprocess.STDOUT,
            env={**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", **(env or {})},
        )
    app = RunningApp(f"http://127.0.0.1:{port}/", data_dir, log, process)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"app.py exited with {process.returncode}:\n{app.log_text()}")
        if READY in app.log_text() and _serves(app.url):
            return app
        time.sleep(0.5)
    stop_app(app)
    raise RuntimeError(f"app.py did not start in {START_TIMEOUT_S} s:\n{app.log_text()}")


def stop_app(app: RunningApp) -> None:
    app.process.terminate()
    try:
        app.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        app.process.kill()
        app.process.wait()


def _serves(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture(scope="session")
def chat_app(tmp_path_factory) -> Iterator[RunningApp]:
    """The chat with the extractive generator over the shipped guides, in a fresh data dir."""
    app = start_app(tmp_path_factory.mktemp("chat"), "--generator", "extractive")
    yield app
    stop_app(app)


@pytest.fixture(scope="session")
def chromium():
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium; run `make browser` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, chat_app):
    """A fresh browser context (its own session) on the chat, with script errors collected."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda error: page.errors.append(str(error)))  # type: ignore[attr-defined]
    page.on("dialog", lambda dialog: (page.errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))  # type: ignore[attr-defined]
    open_chat(page, chat_app.url)
    yield page
    context.close()


def open_chat(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("#question textarea", timeout=60_000)


@dataclass
class InProcessApp:
    url: str
    data_dir: Path


@pytest.fixture(scope="session")
def slow_chat_app(tmp_path_factory, embeddings) -> Iterator[InProcessApp]:
    """The chat launched in this process over a generator that takes 3 s before it writes:
    what a user sees while a slow model thinks."""
    from assistant.api import Assistant
    from assistant.generators import ExtractiveGenerator
    from assistant.vectors import TextVectors
    from core.settings import Settings
    from ui.blocks import build_app, launch_options

    from assistant.relevance import load_relevance_model

    class SlowGenerator(ExtractiveGenerator):
        name = model = "slow-extractive"

        def stream(self, question, passages):
            time.sleep(3.0)
            yield from super().stream(question, passages)

    settings = Settings(data_dir=tmp_path_factory.mktemp("slow") / "data", app={"port": free_port()})
    relevance = load_relevance_model(settings)
    assistant = Assistant(settings, generator=SlowGenerator(TextVectors(embeddings), relevance), embeddings=embeddings)
    for event in assistant.stream("What is ALS?"):  # warm retrieval up; stop before the generator
        if event.kind == "passages":
            break
    demo = build_app(assistant)
    demo.queue().launch(prevent_thread_lock=True, **launch_options(settings))
    yield InProcessApp(demo.local_url, settings.data_dir)
    demo.close()


@pytest.fixture(scope="session")
def slow_words_assistant(tmp_path_factory, embeddings):
    """The assistant over a generator that writes one word every 0.25 s (tests/ui/fakes.py)."""
    from assistant.api import Assistant
    from assistant.vectors import TextVectors
    from core.settings import Settings
    from tests.ui.fakes import SlowWordsGenerator

    settings = Settings(data_dir=tmp_path_factory.mktemp("slow-words") / "data", app={"port": free_port()})
    return Assistant(settings, generator=SlowWordsGenerator(TextVectors(embeddings)), embeddings=embeddings)


@pytest.fixture(scope="session")
def stoppable_chat_app(slow_words_assistant) -> Iterator[InProcessApp]:
    """The chat in this process over the slow word-by-word generator: Stop, elapsed time, queued questions."""
    from ui.blocks import build_app, launch_options

    demo = build_app(slow_words_assistant)
    demo.queue().launch(prevent_thread_lock=True, **launch_options(slow_words_assistant.settings))
    yield InProcessApp(demo.local_url, slow_words_assistant.settings.data_dir)
    demo.close()
