"""The answer chain: safety → standalone question → retrieval → evidence → draft → checked answer.

Every sentence reaches the user only after its citation check, so what streams out is
already verified, and the final answer text is exactly the streamed deltas joined.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

from assistant.citations import SupportChecker, parse_citations, passage_units, split_all, split_complete
from assistant.conversation import standalone_question
from assistant.evidence import Evidence, EvidenceJudge
from assistant.generators import ExtractiveGenerator, Generator
from assistant.lexical import STOPWORDS, words
from assistant.phrases import NOT_COVERED_ANSWER, PARTLY_COVERED
from assistant.prompts import NOT_IN_GUIDES
from assistant.retrieval import HybridRetriever
from assistant.safety import check_safety, without_instructions
from assistant.types import Answer, AnswerEvent, Citation, Coverage, Passage, SentenceCheck, Turn
from assistant.vectors import TextVectors
from core.errors import GuideError
from core.settings import Settings
from index.chunking import Chunk

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2000


class AnswerChain:
    def __init__(
        self,
        settings: Settings,
        retriever: HybridRetriever,
        vectors: TextVectors,
        generator: Generator,
        provenance: dict[str, Any] | None = None,
    ) -> None:
        self.settings = settings
        self.retriever = retriever
        self.vectors = vectors
        self.generator = generator
        self.fallback = generator if isinstance(generator, ExtractiveGenerator) else ExtractiveGenerator(vectors)
        self.judge = EvidenceJudge(vectors, settings)
        self.provenance = provenance or {}

    def warm_up(self, chunks: Sequence[Chunk], max_chunks: int = 3000) -> int:
        """Embed the passage sentences and words the checks compare against, once, at start-up,
        so the first answers do not pay for it. Skipped for corpora over ``max_chunks``."""
        if len(chunks) > max_chunks:
            return 0
        texts = {unit for c in chunks for unit in passage_units(c.text)}
        texts |= {w for c in chunks for w in words(c.embedding_text()) if w not in STOPWORDS and len(w) > 2}
        self.vectors.get(sorted(texts))
        return len(texts)

    def stream(
        self,
        question: str,
        history: Sequence[Turn] = (),
        condition: str | None = None,
        stop: threading.Event | None = None,
    ) -> Iterator[AnswerEvent]:
        """``stop``, once set, ends the generator's work at its next piece (the user pressed Stop)."""
        run = _Run(question=_validated(question), started=time.perf_counter())
        flag = check_safety(run.question)
        run.safety = flag.kind if flag else None
        if flag and flag.blocking:
            yield run.emit(flag.message)
            yield run.final(self, "none", run.question, [], [])
            return

        if history:
            yield AnswerEvent("status", "Reading the conversation")
        question = without_instructions(run.question) if run.safety == "injection" else run.question
        standalone = standalone_question(question, history, self.generator if history else None)
        yield AnswerEvent("status", "Searching the guides")
        passages = self.retriever.search(standalone, condition=condition, query_vector=self.vectors.get([standalone])[0].tolist())
        run.timings["retrieval"] = run.elapsed()
        yield AnswerEvent("passages", passages=tuple(passages))

        evidence = self.judge.assess(standalone, passages)
        log.debug("evidence for %r: %s (%s)", standalone, evidence.coverage, evidence.reason)
        if flag and flag.message:
            yield run.emit(flag.message + "\n\n")
        if evidence.coverage == "none":
            yield run.emit(NOT_COVERED_ANSWER, first=True)
            yield run.final(self, "none", standalone, passages, [], evidence)
            return

        yield AnswerEvent("status", "Writing the answer")
        checker = SupportChecker(self.vectors, self.settings, passages, standalone)
        kept: list[str] = []
        for sentence in self._checked_sentences(run, standalone, passages, checker, stop):
            yield run.emit(sentence if not kept else " " + sentence, first=not kept)
            kept.append(sentence)

        coverage: Coverage = "partial" if evidence.missing_aspects else "full"
        if not kept:
            coverage = "none"
            yield run.emit(NOT_COVERED_ANSWER, first=True)
        elif evidence.missing_aspects:
            yield run.emit(" " + PARTLY_COVERED.format(missing=" or ".join(evidence.missing_aspects)))
        yield run.final(self, coverage, standalone, passages, kept, evidence)

    def _checked_sentences(
        self, run: _Run, question: str, passages: Sequence[Passage], checker: SupportChecker,
        stop: threading.Event | None = None,
    ) -> Iterator[str]:
        """Draft sentences that pass their citation check, as soon as each is complete."""
        generator = self.generator
        run.generator = generator.name
        buffer = ""
        try:
            for piece in _until_stopped(generator.stream(question, passages), stop):
                buffer += piece
                if NOT_IN_GUIDES in buffer:
                    return
                sentences, buffer = split_complete(buffer)
                yield from self._check_all(run, checker, sentences)
        except Exception as error:  # any model failure: say so in the log, answer without it
            log.exception("generator %s failed; answering with the extractive fallback", generator.name)
            run.generator = f"extractive (fallback: {generator.name} failed: {type(error).__name__})"
            if checker.emitted:
                return  # keep the sentences already checked and shown; drop the broken one
            buffer = "".join(self.fallback.stream(question, passages))
        if stop is not None and stop.is_set():
            return  # stopped: the unfinished sentence is dropped
        yield from self._check_all(run, checker, split_all(buffer))

    def _check_all(self, run: _Run, checker: SupportChecker, sentences: list[str]) -> Iterator[str]:
        for sentence in sentences:
            shown, check = checker.check(sentence)
            run.checks.append(check)
            if shown:
                yield shown


class _Run:
    """The state of one answer while it streams."""

    def __init__(self, question: str, started: float) -> None:
        self.question = question
        self.started = started
        self.parts: list[str] = []
        self.timings: dict[str, float] = {}
        self.checks: list[SentenceCheck] = []
        self.safety: str | None = None
        self.generator = "none"

    def elapsed(self) -> float:
        return (time.perf_counter() - self.started) * 1000

    def emit(self, text: str, first: bool = False) -> AnswerEvent:
        if first or not self.parts:
            self.timings.setdefault("first_token", self.elapsed())
        self.parts.append(text)
        return AnswerEvent("delta", text)

    def final(
        self,
        chain: AnswerChain,
        coverage: Coverage,
        standalone: str,
        passages: Sequence[Passage],
        kept: Sequence[str],
        evidence: Evidence | None = None,
    ) -> AnswerEvent:
        self.timings.setdefault("retrieval", 0.0)
        self.timings.setdefault("first_token", self.elapsed())
        self.timings["total"] = self.elapsed()
        cited = {n for sentence in kept for n in parse_citations(sentence)[1]}
        answer = Answer(
            question=self.question,
            answer="".join(self.parts),
            coverage=coverage,
            safety=self.safety,
            citations=[Citation.from_passage(p) for p in passages if p.n in cited],
            standalone_question=standalone,
            generator=self.generator,  # "none" when the gate answered without a generator
            timings_ms=dict(self.timings),
            retrieved=list(passages),
            not_covered=list(evidence.missing_aspects) if evidence else [],
            checks=list(self.checks),
            provenance={**chain.provenance, "generator_model": chain.generator.model, "evidence": _evidence_dict(evidence)},
        )
        return AnswerEvent("final", answer=answer)


def _until_stopped(pieces: Iterator[str], stop: threading.Event | None) -> Iterator[str]:
    """The generator's pieces until ``stop`` is set; then the generator is closed, which ends
    the model's work (llama.cpp stops between two tokens)."""
    try:
        while stop is None or not stop.is_set():
            piece = next(pieces, None)
            if piece is None:
                return
            yield piece
    finally:
        close = getattr(pieces, "close", None)
        if close is not None:
            close()


def _evidence_dict(evidence: Evidence | None) -> dict[str, Any] | None:
    if evidence is None:
        return None
    return {
        "coverage": evidence.coverage,
        "best_dense": round(evidence.best_dense, 4),
        "focus": list(evidence.focus),
        "matched": list(evidence.matched),
        "reason": evidence.reason,
    }


def _validated(question: str) -> str:
    question = " ".join((question or "").split())
    if not question:
        raise GuideError("Please type a question.")
    if len(question) > MAX_QUESTION_CHARS:
        raise GuideError(f"Your question is {len(question)} characters long; please keep it under {MAX_QUESTION_CHARS}.")
    return question
