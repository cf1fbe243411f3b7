"""A scripted assistant for tests about the harness's own logic (no models)."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

from assistant.types import Answer, AnswerEvent, Citation, Passage
from core.settings import Settings
from index.chunking import Chunk

TITLE = "Treatment for ALS treatment resistance"
PASSAGE = "Currently, the only FDA-approved medication specifically for ALS is riluzole, which modestly prolongs survival."


def passage(n: int = 1, text: str = PASSAGE, title: str = TITLE) -> Passage:
    chunk = Chunk(f"chunk-{n}", "als-treatment", title, text, 0, len(text), n - 1)
    return Passage(n=n, chunk=chunk, score=1.0 / n, dense_score=0.8)


class ScriptedAssistant:
    """Answers each question with the text scripted for it (an Exception is raised instead);
    cites passage 1 when the text has a [1]. Records the history each question was asked with."""

    def __init__(self, replies: dict[str, str | BaseException]) -> None:
        self.replies = replies
        self.generator = SimpleNamespace(name="scripted", model="scripted-1")
        self.asked: list[tuple[str, tuple[str, ...]]] = []
        self.settings = Settings()  # the shipped guides: their sentence catalog scores what answers show

    def documents(self) -> list[SimpleNamespace]:
        return [SimpleNamespace(title=TITLE)]

    def conversation(self) -> ScriptedConversation:
        return ScriptedConversation(self)


class ScriptedConversation:
    def __init__(self, assistant: ScriptedAssistant) -> None:
        self.assistant = assistant
        self.history: list[str] = []

    def ask(self, question: str) -> Answer:
        *_, final = self.stream(question)
        assert final.answer is not None
        return final.answer

    def stream(self, question: str) -> Iterator[AnswerEvent]:
        self.assistant.asked.append((question, tuple(self.history)))
        reply = self.assistant.replies[question]
        if isinstance(reply, BaseException):
            raise reply
        retrieved = [passage()]
        yield AnswerEvent("passages", passages=tuple(retrieved))
        yield AnswerEvent("delta", reply)
        self.history.append(question)
        citations = [Citation.from_passage(retrieved[0])] if "[1]" in reply else []
        answer = Answer(question, reply, "full", None, citations, question, "scripted", {"total": 1.0}, retrieved,
                        provenance={"collection": "test", "embedding_model": "none", "top_k": 1})
        yield AnswerEvent("final", answer=answer)
