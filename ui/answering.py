"""What the chat says about an answer while it is written and once it is done: the status
line, the waiting line's notes, and what to ask the care team."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from assistant.phrases import NOT_SAID
from assistant.types import Answer, AnswerEvent, Passage
from ui import render

FAILED = "Sorry, something went wrong. Please try again in a moment. If it keeps happening, tell the people who run this assistant."
LINE_FULL = (
    "The language model is busy with {waiting} other people, and its line is full. "
    "This answer is taken straight from the guides. Ask again in a few minutes for a written one."
)
IN_LINE = (
    "You are number {place} in line for the language model's answer. Until then, here is what the guides say, "
    "in their own words."
)
WAITING_NOTE = "_Taken straight from the guides while the language model helps someone else. Its answer comes next._"
CRISIS_AT_ONCE = "(a crisis: answered at once from the guides, not in the language model's line)"  # /ask's generator says why
STOPPED_STATUS = "Stopped. Ask your next question when you are ready."
STOPPED_WAITING = "You stopped waiting for the language model. This answer is taken straight from the guides."
FAILED_STATUS = "The answer failed."


class Stopped(Exception):  # noqa: N818 - not an error: the user pressed Stop
    """The user pressed Stop while the answer was being written; ``text``: what was written so far."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def final(events: Iterator[AnswerEvent]) -> Answer:
    """The final answer of a stream (for the API, which shows no progress)."""
    for event in events:
        if event.kind == "final" and event.answer is not None:
            return event.answer
    raise RuntimeError("the answer stream ended without a final answer")  # a bug, not a user error


class Progress:
    """What an answer being streamed has shown so far: the step, the passages and the text."""

    def __init__(self) -> None:
        self.step = "Searching the guides"
        self.passages: Sequence[Passage] = ()
        self.text = ""

    def advance(self, event: AnswerEvent) -> None:
        if event.kind == "status":
            self.step = event.text
        elif event.kind == "passages":
            self.passages = event.passages
        elif event.kind == "delta":
            self.text += event.text

    def status(self) -> str:
        """The status line."""
        if self.text:
            return "Writing the answer…"
        if self.passages:
            count = len(self.passages)
            return f"Found {count} passage{'s' if count != 1 else ''} in the guides; checking and writing the answer…"
        return f"{self.step}…"

    def pending(self) -> str:
        """The answer bubble before the first checked sentence."""
        return render.pending_markdown(self.step, self.passages)


def done_status(answer: Answer) -> str:
    if answer.safety in render.SAFETY_ALERTS:
        return "Please read the guidance above."
    if answer.coverage == "none":
        return "Answer ready."  # the answer itself says the guides don't cover it: once is enough
    count = len(answer.citations)
    return f"Answer ready, from {count} passage{'s' if count != 1 else ''} of the guides. Open a source to read it in its guide."


def care_team_suggestions(question: str, answer: Answer) -> tuple[list[str], str]:
    """What to ask the care team when the guides can't (fully) answer, and why."""
    if answer.safety in render.CARE_TEAM_ADVICE:
        return [question], render.CARE_TEAM_ADVICE[answer.safety]
    if answer.safety in render.SAFETY_ALERTS or answer.everyday:  # an everyday request is nothing to ask a care team
        return [], ""
    if answer.coverage == "none":
        return [question], ""  # the answer above already says the guides don't cover it
    if answer.not_covered:
        missing = " or ".join(answer.not_covered)
        asks = [f"What should I know about {aspect}?" for aspect in answer.not_covered]
        return asks, NOT_SAID.format(missing=missing) + "."
    return [], ""
