"""One browser tab's conversation, and its copy kept in the browser across a reload.

The conversation lives in the tab (``gr.BrowserState``, the browser's localStorage): the
server keeps a working copy in the tab's ``gr.State`` only while the tab is open, and
never stores it anywhere. "New conversation" replaces the browser's copy with an empty one.

The conversation is typed (``ChatTurn``s holding ``Answer``s); ``to_saved`` and
``from_saved`` are the one place it becomes plain JSON and back. What the browser sends
back is read as untrusted data: it is checked field by field (``Answer.from_dict``) and
only ever shown through the escaping renderers in ``ui.render``; anything malformed, or
saved in another ``SAVED_VERSION``, starts a fresh conversation rather than failing the page.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from assistant.types import Answer, Turn
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
_CONDITION_KEY = re.compile(r"[a-z0-9_-]{1,40}")  # "all", or a condition key of the domain file


@dataclass
class ChatTurn:
    """One question and what came of it."""

    question: str  # the user's own words
    condition: str
    answer: Answer | None = None  # the finished answer (None: it failed or was stopped)
    shown: str = ""  # the text shown instead, for a failed or stopped answer
    state: TurnState = "done"
    sources: str = field(default="", compare=False, repr=False)  # its rendered sources (not saved)

    @property
    def finished(self) -> Answer | None:
        """The answer, when the turn has one to rate, follow up on or hand out."""
        return self.answer if self.state == "done" else None

    def bubble(self) -> str:
        """The answer bubble as Markdown (all text escaped; only [n] markers kept)."""
        if self.finished is not None:
            return render.answer_bubble(self.finished)
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
    last_feedback_id: int | None = None

    @property
    def history(self) -> list[Turn]:
        """The finished exchanges, for follow-up questions."""
        return [answer.turn() for answer in self.answers]

    @property
    def exchanges(self) -> list[Answer | None]:
        """Each turn's answer (None: it failed or was stopped), in the chat's order."""
        return [t.finished for t in self.turns]

    @property
    def answers(self) -> list[Answer]:
        """The finished answers, in order."""
        return [t.finished for t in self.turns if t.finished is not None]

    @property
    def source_sections(self) -> list[str]:
        """Each turn's rendered sources ("" when it has none), in the chat's order."""
        return [t.sources for t in self.turns]

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
                {
                    "question": t.question, "condition": t.condition, "answer": t.finished.to_dict() if t.finished else None,
                    "shown": t.shown, "state": t.state,
                }
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
    answer = None
    if state == "done":
        if not isinstance(data.get("answer"), Mapping):
            raise ValueError("a finished turn has no answer")
        answer = Answer.from_dict(data["answer"])
    condition = _text(data.get("condition"))
    condition = condition if _CONDITION_KEY.fullmatch(condition) else "all"
    return ChatTurn(_text(data.get("question")), condition, answer, _text(data.get("shown")), state)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {type(value).__name__}")
    return value
