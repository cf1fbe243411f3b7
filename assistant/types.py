"""Typed answers that carry their provenance: citations, passages, timings, settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from typing import Any, Literal, get_args, get_origin, get_type_hints

from assistant.wording import AnswerSentence
from index.chunking import Chunk
from index.plain import GlossaryEntry

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

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Passage:
        """The passage ``to_dict`` wrote (its chunk's ordinal and metadata are not kept)."""
        chunk = Chunk(
            chunk_id=str(data["chunk_id"]), doc_id=str(data["document_id"]), title=str(data["document_title"]),
            text=str(data["text"]), start=int(data["start"]), end=int(data["end"]), ordinal=0,
        )
        scores = {k: None if data.get(k) is None else float(data[k]) for k in ("dense_score", "bm25_score", "rerank_score")}
        return cls(int(data["n"]), chunk, float(data["score"]), **scores)


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

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Citation:
        return cls(
            int(data["n"]), str(data["document_id"]), str(data["document_title"]), str(data["chunk_id"]),
            str(data["text"]), int(data["start"]), int(data["end"]), float(data["score"]),
        )


@dataclass(frozen=True)
class SentenceCheck:
    """How one sentence of a draft answer fared against the passage it cites."""

    sentence: str
    cited: tuple[int, ...]
    action: Literal["kept", "recited", "rewritten", "removed"]
    support_n: int | None
    lexical: float  # share of the sentence's words the supporting statement holds
    semantic: float  # cosine with the supporting statement (or its closest clause)
    support_p: float | None = None  # the support check's probability that the statement says it
    statement: str = ""  # the statement of the passage judged against (the best one)
    reason: str = ""  # why it was not kept as written, in words ("names riluzole, which the statement does not give it")


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
    # the terms the plain sentences use, each explained once (the plain-language edition's glossary)
    glossary: list[GlossaryEntry] = field(default_factory=list)
    # not about health or care at all (``assistant.topic``): not answered, and nothing to ask the care team
    everyday: bool = False

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
            "glossary": [g.to_dict() for g in self.glossary],
            "everyday": self.everyday,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Answer:
        """The answer ``to_dict`` wrote. Raises ``TypeError``, ``ValueError`` or ``KeyError`` when
        ``data`` is not one; fields it lacks (written before they existed) take their defaults."""
        if not isinstance(data.get("question"), str) or not isinstance(data.get("answer"), str):
            raise ValueError("an answer needs its question and text")
        if data.get("coverage") not in get_args(Coverage):
            raise ValueError(f"coverage {data.get('coverage')!r}")
        safety = data.get("safety")
        checked: dict[str, Any] = {  # what a browser may send back wrong, checked field by field
            "safety": None if safety is None else str(safety),
            "citations": [Citation.from_dict(c) for c in data.get("citations") or []],
            "standalone_question": str(data.get("standalone_question") or ""),
            "generator": str(data.get("generator") or ""),
            "timings_ms": {str(k): float(v) for k, v in dict(data.get("timings_ms") or {}).items()},
            "retrieved": [Passage.from_dict(p) for p in data.get("retrieved") or []],
            "not_covered": [str(aspect) for aspect in data.get("not_covered") or []],
            "checks": [SentenceCheck(**{**c, "cited": tuple(c["cited"])}) for c in data.get("checks") or []],
            "provenance": dict(data.get("provenance") or {}),
            "everyday": data.get("everyday") is True,
        }
        hints = get_type_hints(cls)  # the other fields (question, answer, coverage, ones added since): by their type
        rest = {f.name: _typed(hints[f.name], data[f.name]) for f in fields(cls) if f.name in data.keys() - checked.keys()}
        return cls(**rest, **checked)

    def turn(self) -> Turn:
        """This answer as a turn of the conversation, for answering follow-ups."""
        return Turn(self.question, self.answer, self.standalone_question)


def _typed(hint: Any, value: Any) -> Any:
    """``value`` as a field typed ``hint`` holds it: a list of dataclasses is rebuilt from their
    dicts (with their ``from_dict`` when they have one); anything else is kept as it is."""
    args = get_args(hint)
    if get_origin(hint) is list and args and is_dataclass(args[0]) and isinstance(value, list):
        item = args[0]
        return [item.from_dict(v) if hasattr(item, "from_dict") else item(**v) for v in value]
    return value


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
