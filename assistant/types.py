"""Typed answers that carry their provenance: citations, passages, timings, settings."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from assistant.wording import AnswerSentence
from index.chunking import Chunk

Coverage = Literal["full", "partial", "none"]


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its scores; ``n`` is the number answers cite it by."""

    n: int
    chunk: Chunk
    score: float
    dense_score: float | None = None
    bm25_score: float | None = None
    rerank_score: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "document_id": self.chunk.doc_id,
            "document_title": self.chunk.title,
            "chunk_id": self.chunk.chunk_id,
            "text": self.chunk.text,
            "start": self.chunk.start,
            "end": self.chunk.end,
            "score": round(self.score, 6),
            "dense_score": None if self.dense_score is None else round(self.dense_score, 4),
            "bm25_score": None if self.bm25_score is None else round(self.bm25_score, 4),
            "rerank_score": None if self.rerank_score is None else round(self.rerank_score, 4),
        }


@dataclass(frozen=True)
class Citation:
    """A passage an answer cites, as ``[n]`` in its text."""

    n: int
    document_id: str
    document_title: str
    chunk_id: str
    text: str
    start: int
    end: int
    score: float

    @classmethod
    def from_passage(cls, passage: Passage) -> Citation:
        chunk = passage.chunk
        return cls(passage.n, chunk.doc_id, chunk.title, chunk.chunk_id, chunk.text, chunk.start, chunk.end, round(passage.score, 6))


@dataclass(frozen=True)
class SentenceCheck:
    """How one sentence of a draft answer fared against the passage it cites."""

    sentence: str
    cited: tuple[int, ...]
    action: Literal["kept", "recited", "rewritten", "removed"]
    support_n: int | None
    lexical: float
    semantic: float


@dataclass(frozen=True)
class Turn:
    """One exchange of a conversation."""

    question: str
    answer: str
    standalone_question: str = ""


@dataclass
class Answer:
    """Everything a user, the chat or an evaluator needs to know about one answer."""

    question: str
    answer: str
    coverage: Coverage
    safety: str | None
    citations: list[Citation]
    standalone_question: str
    generator: str
    timings_ms: dict[str, float]
    retrieved: list[Passage] = field(default_factory=list)
    not_covered: list[str] = field(default_factory=list)
    checks: list[SentenceCheck] = field(default_factory=list)
    provenance: dict[str, Any] = field(default_factory=dict)
    # each checked sentence in its two wordings: the plain version shown (``answer`` is made of
    # these) and the guide's own sentence, which the citation check was run on
    sentences: list[AnswerSentence] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.answer,
            "coverage": self.coverage,
            "safety": self.safety,
            "citations": [asdict(c) for c in self.citations],
            "standalone_question": self.standalone_question,
            "generator": self.generator,
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
            "retrieved": [p.to_dict() for p in self.retrieved],
            "not_covered": self.not_covered,
            "checks": [asdict(c) for c in self.checks],
            "provenance": self.provenance,
            "sentences": [s.to_dict() for s in self.sentences],
        }


@dataclass(frozen=True)
class AnswerEvent:
    """One step of a streamed answer.

    kinds: ``status`` (what is happening, in ``text``), ``passages`` (the retrieved
    passages, before any answer text), ``delta`` (verified answer text to append),
    ``final`` (the complete ``Answer``; its text equals the concatenated deltas).
    """

    kind: Literal["status", "passages", "delta", "final"]
    text: str = ""
    passages: tuple[Passage, ...] = ()
    answer: Answer | None = None
