"""Answers from the patient guides, with checked citations.

Import is cheap: models load when an ``Assistant`` is created.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assistant.phrases import NOT_COVERED, NOT_COVERED_ANSWER
from assistant.types import Answer, AnswerEvent, Citation, Passage, Turn

if TYPE_CHECKING:
    from assistant.api import Assistant, Conversation

__all__ = ["NOT_COVERED", "NOT_COVERED_ANSWER", "Answer", "AnswerEvent", "Assistant", "Citation", "Conversation", "Passage", "Turn"]


def __getattr__(name: str) -> Any:  # the API pulls in LangChain and torch: load it on first use
    if name in ("Assistant", "Conversation"):
        from assistant import api  # noqa: PLC0415

        return getattr(api, name)
    raise AttributeError(name)
