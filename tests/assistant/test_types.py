"""An answer written as JSON (the chat keeps it in the browser) comes back as the same answer."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest

from assistant.types import Answer, Citation


@dataclass(frozen=True)
class Note:
    text: str
    n: int


@dataclass
class AnswerWithNotes(Answer):
    """As a later version may extend Answer: a list of its own dataclasses."""

    notes: list[Note] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {**super().to_dict(), "notes": [{"text": n.text, "n": n.n} for n in self.notes]}


def test_fields_added_to_answers_come_back_typed():
    answer = AnswerWithNotes(
        "What does riluzole do?", "It helps. [1]", "full", None, [Citation(1, "als", "ALS", "als-0", "x", 0, 1, 0.5)],
        "What does riluzole do?", "extractive", {"total": 3.0}, notes=[Note("It helps.", 1)],
    )
    back = AnswerWithNotes.from_dict(json.loads(json.dumps(answer.to_dict())))
    assert back == answer and isinstance(back.notes[0], Note)


@pytest.mark.parametrize("bad", [{"coverage": "most"}, {"answer": None}, {"citations": [{"n": 1}]}, {"timings_ms": {"t": "x"}}])
def test_a_damaged_answer_is_refused(bad):
    good = Answer("q", "a", "none", None, [], "q", "extractive", {}).to_dict()
    with pytest.raises((TypeError, ValueError, KeyError)):
        Answer.from_dict({**good, **bad})
