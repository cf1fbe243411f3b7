"""The app as users run it (``python app.py`` on a free port), and clients that act as
separate browser tabs: each ``ChatTab`` has its own Gradio session, as a tab does, and
calls the chat's own event (the one the Ask button triggers) through Gradio's queue."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from gradio_client import Client, handle_file

from tests.ui.conftest import RunningApp, start_app, stop_app

ASK = "What does riluzole do?"
ADMIN_TOKEN = "reliability-admin-token-0123456789"  # given to the app in its environment, as an operator would


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _text(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, list):
        return " ".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return str(content or "")


@dataclass
class Reply:
    answer: str  # the last assistant message, as shown
    status: str  # the status line under the chat
    messages: list[dict[str, Any]]
    seconds: float
    updates: list[tuple[float, tuple]] = field(default_factory=list)  # (seconds, outputs) as they streamed

    @property
    def questions(self) -> list[str]:
        return [_text(m) for m in self.messages if m.get("role") == "user"]


class ChatTab:
    """One browser tab's session on the chat: its own Gradio session hash and server-side state."""

    def __init__(self, url: str) -> None:
        self.client = Client(url, verbose=False)
        self.messages: list[dict[str, Any]] = []
        self._respond = self._event("respond", "submit")
        self._upload = self._event("add_files", "click")

    def _event(self, name: str, trigger: str) -> int:
        for dependency in self.client.config["dependencies"]:
            if dependency.get("api_name") == name and any(t[1] == trigger for t in dependency["targets"]):
                fn_index = dependency["id"]
                # The chat's events are private to its page; this client is that page.
                self.client.endpoints[fn_index].is_valid = True
                if name == "respond":
                    self._status = self._output_index(dependency, "status")
                return fn_index
        raise LookupError(f"the chat has no {name} event on {trigger}")

    def _output_index(self, dependency: dict[str, Any], elem_id: str) -> int:
        """Where the component ``elem_id`` is among the outputs the client returns (state is not returned)."""
        components = {c["id"]: c for c in self.client.config["components"]}
        shown = [components[i] for i in dependency["outputs"] if components[i].get("type") != "state"]
        return next(n for n, c in enumerate(shown) if c.get("props", {}).get("elem_id") == elem_id)

    def submit(self, question: str, condition: str = "all"):  # type: ignore[no-untyped-def]
        return self.client.submit(question, None, condition, fn_index=self._respond)  # question, session, condition

    def ask(self, question: str, condition: str = "all") -> Reply:
        started = time.perf_counter()
        outputs = self.submit(question, condition).result(timeout=600)
        return self._reply(outputs, time.perf_counter() - started)

    def watch(self, job, started: float, updates: list | None = None) -> Reply:  # type: ignore[no-untyped-def]
        """Follow a submitted job to its end, keeping every update and when it came (in ``updates``
        as they arrive, when given, so another thread can act on them)."""
        updates = [] if updates is None else updates
        seen = 0
        while not job.done():
            outputs = job.outputs()
            for update in outputs[seen:]:
                updates.append((time.perf_counter() - started, update))
            seen = len(outputs)
            time.sleep(0.05)
        result = job.result(timeout=600)
        for update in job.outputs()[seen:]:
            updates.append((time.perf_counter() - started, update))
        reply = self._reply(result, time.perf_counter() - started)
        reply.updates = updates
        return reply

    def _reply(self, outputs: tuple, seconds: float) -> Reply:
        messages = outputs[1] if isinstance(outputs[1], list) else self.messages
        self.messages = messages
        answer = _text(messages[-1]) if messages else ""
        return Reply(answer, str(outputs[self._status] or ""), messages, seconds)

    def upload(self, path: Path, token: str = "") -> tuple[str, str]:
        """Add a file as the "Add my documents" button does: (result HTML, library HTML)."""
        outputs = self.client.predict([handle_file(str(path))], token, fn_index=self._upload)
        return str(outputs[0]), str(outputs[1])

    def ask_api(self, question: str, condition: str = "all") -> dict:
        return self.client.predict(question, condition, api_name="/ask")

    def close(self) -> None:
        self.client.close()


@pytest.fixture(scope="module")
def extractive_app(tmp_path_factory) -> Iterator[RunningApp]:
    app = start_app(
        tmp_path_factory.mktemp("reliability"), "--generator", "extractive", env={"GUIDES_APP__ADMIN_TOKEN": ADMIN_TOKEN}
    )
    yield app
    stop_app(app)
