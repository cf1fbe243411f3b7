"""One browser tab's conversation, and its copy kept in the browser across a reload.

The conversation lives in the tab (``gr.BrowserState``, the browser's localStorage): the
server keeps a working copy in the tab's ``gr.State`` only while the tab is open, and
never stores it anywhere. "New conversation" replaces the browser's copy with an empty one.

What the browser sends back is read as untrusted data: it is checked field by field and
only ever shown through the escaping renderers in ``ui.render``; anything malformed
starts a fresh conversation rather than failing the page.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from assistant.types import Turn
from ui import render

log = logging.getLogger(__name__)

SAVED_VERSION = 1
STORAGE_KEY = "guides-conversation"
# gr.BrowserState encrypts with this before writing localStorage. It is served to every
# browser, so it protects nothing; a fixed value keeps conversations readable after a restart.
STORAGE_SECRET = "patient-guides-chat"
STOPPED = "You stopped this answer."
STOPPED_EARLY = "You stopped this answer before it was written."
TurnState = Literal["done", "failed", "stopped"]
CONDITIONS = ("all", "als", "scleroderma")


@dataclass
class ChatTurn:
    """One question and what came of it."""

    question: str  # the user's own words
    condition: str
    answer: dict[str, Any] | None = None  # Answer.to_dict() of a finished answer
    shown: str = ""  # the text shown instead, for a failed or stopped answer
    state: TurnState = "done"

    def bubble(self) -> str:
        """The answer bubble as Markdown (all text escaped; only [n] markers kept)."""
        if self.state == "done" and self.answer is not None:
            return render.answer_bubble(self.answer)
        if self.state == "stopped":
            so_far = render.answer_markdown(self.shown) + "\n\n" if self.shown else ""
            return f"{so_far}_{STOPPED if self.shown else STOPPED_EARLY}_"
        return render.md_text(self.shown)


@dataclass
class ChatSession:
    """One browser tab's conversation; "New conversation" starts a fresh one."""

    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    turns: list[ChatTurn] = field(default_factory=list)
    care_team_questions: list[str] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)  # next questions offered under the last answer
    source_sections: list[str] = field(default_factory=list)  # rendered sources of each turn (not saved)
    last_feedback_id: int | None = None

    @property
    def history(self) -> list[Turn]:
        """The finished exchanges, for follow-up questions."""
        return [
            Turn(str(t.answer["question"]), str(t.answer["answer"]), str(t.answer.get("standalone_question") or ""))
            for t in self.turns
            if t.state == "done" and t.answer is not None
        ]

    @property
    def exchanges(self) -> list[dict[str, Any] | None]:
        """Each turn's answer (None: it failed or was stopped), in the chat's order."""
        return [t.answer if t.state == "done" else None for t in self.turns]

    @property
    def conditions(self) -> list[str]:
        return [t.condition for t in self.turns]

    def messages(self) -> list[dict[str, Any]]:
        """The conversation as the chat shows it; the suggested next questions under the last answer."""
        out: list[dict[str, Any]] = []
        for turn in self.turns:
            out += [{"role": "user", "content": render.md_text(turn.question)}, {"role": "assistant", "content": turn.bubble()}]
        if out and self.suggestions:
            out[-1]["options"] = [{"value": q, "label": q} for q in self.suggestions]
        return out

    def to_saved(self) -> dict[str, Any]:
        """What the browser keeps: the conversation, nothing rendered."""
        return {
            "version": SAVED_VERSION,
            "id": self.id,
            "turns": [
                {"question": t.question, "condition": t.condition, "answer": t.answer, "shown": t.shown, "state": t.state}
                for t in self.turns
            ],
            "care_team_questions": list(self.care_team_questions),
            "suggestions": list(self.suggestions),
        }

    @classmethod
    def from_saved(cls, saved: Any) -> ChatSession:
        """The conversation the browser kept, or a fresh one when there is none or it is unreadable."""
        if not isinstance(saved, Mapping) or not saved.get("turns"):
            return cls()
        try:
            if saved.get("version") != SAVED_VERSION:
                raise ValueError(f"version {saved.get('version')!r}")
            turns = [_turn(t) for t in saved["turns"]]
            return cls(
                id=_text(saved.get("id")) or uuid.uuid4().hex,
                turns=turns,
                care_team_questions=[_text(q) for q in saved.get("care_team_questions") or []],
                suggestions=[_text(q) for q in saved.get("suggestions") or []][:3],
            )
        except (TypeError, ValueError, KeyError) as error:
            log.warning("a saved conversation could not be read (%s); starting a new one", error)
            return cls()


def _turn(data: Any) -> ChatTurn:
    if not isinstance(data, Mapping):
        raise TypeError("a turn is not an object")
    state = data.get("state")
    if state not in ("done", "failed", "stopped"):
        raise ValueError(f"turn state {state!r}")
    answer = data.get("answer")
    if state == "done":
        if not isinstance(answer, Mapping) or not isinstance(answer.get("answer"), str):
            raise ValueError("a finished turn has no answer")
        for citation in answer.get("citations") or []:
            int(citation["n"]), str(citation["document_title"]), str(citation["text"])  # noqa: B018 - shape check
        answer = dict(answer)
    else:
        answer = None
    condition = _text(data.get("condition"))
    condition = condition if condition in CONDITIONS else "all"
    return ChatTurn(_text(data.get("question")), condition, answer, _text(data.get("shown")), state)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {type(value).__name__}")
    return value
