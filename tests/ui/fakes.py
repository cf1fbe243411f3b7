"""A scripted slow generator for the chat's own logic (Stop, elapsed time, a question asked
while an answer is written): the extractive answer, one word at a time, recording how far
each answer got and whether it was closed, which is what Stop must do to a real model."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from assistant.generators import ExtractiveGenerator
from assistant.types import Answer, Citation


@dataclass
class Run:
    question: str
    words: int = 0
    total: int = 0
    closed: bool = False  # the chain closed the stream before its end (the model was stopped)
    finished: bool = False


class SlowWordsGenerator(ExtractiveGenerator):
    name = model = "slow-words"

    def __init__(self, vectors, delay_s: float = 0.25) -> None:
        from assistant.relevance import load_relevance_model
        from core.settings import Settings

        super().__init__(vectors, load_relevance_model(Settings()))
        self.delay_s = delay_s
        self.runs: list[Run] = []
        self.lock = threading.Lock()

    def stream(self, question, passages):
        words = "".join(super().stream(question, passages)).split(" ")
        run = Run(question, total=len(words))
        with self.lock:
            self.runs.append(run)
        try:
            for word in words:
                time.sleep(self.delay_s)
                run.words += 1
                yield word + " "
            run.finished = True
        except GeneratorExit:
            run.closed = True
            raise


# A finished answer as the chain makes one (for the chat's bookkeeping: feedback, saved conversations).
RILUZOLE_ANSWER = Answer(
    question="What does riluzole do?",
    answer="It modestly prolongs survival. [1]",
    coverage="full",
    safety=None,
    citations=[Citation(1, "als", "ALS guide", "als-0", "Riluzole...", 0, 10, 0.8)],
    standalone_question="What does riluzole do?",
    generator="extractive",
    timings_ms={"total": 12.0},
)
