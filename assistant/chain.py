"""The answer chain: safety → standalone question → retrieval → evidence → draft → checked answer.

Every sentence reaches the user only after its citation check, so what streams out is
already verified, and the final answer text is exactly the streamed deltas joined.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict
from typing import Any

from assistant.citations import SupportChecker, cut_off, parse_citations, split_all, split_complete
from assistant.support import passage_units
from assistant.conversation import standalone_question
from assistant.evidence import Evidence, EvidenceJudge, asked_sentence, naming_sentence
from assistant.generators import ExtractiveGenerator, Generator, LengthLimit
from assistant.lexical import ALTERNATIVES_SEARCH, STOPWORDS, words
from assistant.phrases import (
    BRAND_NAME,
    MAY_BE_INCOMPLETE,
    NOT_COVERED,
    NOT_COVERED_ANSWER,
    NOT_FULLY_ANSWERED,
    PARTLY_COVERED,
    RELATED,
    WHAT_THEY_COVER,
)
from assistant.prompts import NOT_IN_GUIDES
from assistant.query import Query, QueryReader
from assistant.relevance import RelevanceModel, chunk_sentences, load_relevance_model
from assistant.retrieval import HybridRetriever
from assistant.safety import GuideNames, check_safety, without_instructions
from assistant.types import Answer, AnswerEvent, Citation, Coverage, Passage, SentenceCheck, Turn
from assistant.vectors import TextVectors
from assistant.wording import AnswerSentence, PlainLookup, answer_sentence, glossary_for
from core.errors import GuideError
from core.settings import Settings
from corpus.domain import BrandName
from index.chunking import Chunk
from index.plain import PlainLayer

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2000
MAX_QUOTED_WORDS = 20  # a longer asked sentence is not quoted back in "The guides don't fully answer ..."


class AnswerChain:
    def __init__(
        self,
        settings: Settings,
        retriever: HybridRetriever,
        vectors: TextVectors,
        generator: Generator,
        provenance: dict[str, Any] | None = None,
        plain: PlainLookup | None = None,
        reader: QueryReader | None = None,
        relevance: RelevanceModel | None = None,
    ) -> None:
        self.settings = settings
        # the plain-language layer (index/plain.py): checked plain versions of guide sentences
        self.plain = plain if plain is not None else PlainLayer.load(settings)
        self.retriever = retriever
        self.vectors = vectors
        self.generator = generator
        # how questions are read; a chat session's chain shares the main one's, which knows the guides' words
        self.reader = reader if reader is not None else QueryReader(settings.domain)
        # one relevance model reads the question with every candidate sentence: rerank, gate, answer
        self.relevance = relevance if relevance is not None else load_relevance_model(settings)
        self.fallback = generator if isinstance(generator, ExtractiveGenerator) else ExtractiveGenerator(vectors, self.relevance)
        if self.fallback.reader is None:  # a generator shared with another chain keeps the reader it has
            self.fallback.reader = self.reader
        self.judge = EvidenceJudge(self.relevance, settings, vectors, self._names_guide_thing, self.reader.knows)
        they_cover = WHAT_THEY_COVER.format(covers=settings.domain.what_they_cover)
        self.not_covered = f"{NOT_COVERED_ANSWER} {they_cover}"
        self.everyday = f"{NOT_COVERED} {they_cover}"  # not about health or care: no pointer to the care team
        self.provenance = {**(provenance or {}), **self.relevance.provenance()}
        if self.judge.topic is not None:
            self.provenance["everyday_request_model"] = self.judge.topic.name

    def warm_up(self, chunks: Sequence[Chunk], max_chunks: int = 3000) -> int:
        """Learn the passages' vocabulary (for spelling and names in questions), and embed the
        passage sentences and words the checks and the relevance reading compare against, once, at start-up, so the
        first answers do not pay for it. Embedding is skipped for corpora over ``max_chunks``."""
        self.reader.update([c.embedding_text() for c in chunks], [c.conditions for c in chunks])
        self.fallback.learn_previous(chunks)
        if len(chunks) > max_chunks:
            return 0
        texts = {unit for c in chunks for unit in passage_units(c.text)}
        texts |= {s.model_text for c in chunks for s in chunk_sentences(c)}  # as the relevance model's reading embeds them
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
        flag = check_safety(run.question, self._guide_names())
        run.safety = flag.kind if flag else None
        if flag and flag.blocking:
            yield run.emit(flag.message)
            yield run.final(self, "none", run.question, [], [])
            return
        if flag and flag.message:  # a notice (a crisis read by the model, a dose): shown at once, before any search
            yield run.emit(flag.message + "\n\n")

        # instruction-like sentences are never read as the question, also when a more serious flag came first
        question = without_instructions(run.question)
        if run.safety == "injection" and question == run.question:  # nothing but instructions: nothing to answer
            yield run.emit(NOT_COVERED_ANSWER, first=True)
            yield run.final(self, "none", run.question, [], [])
            return
        if history:
            yield AnswerEvent("status", "Reading the conversation")
        standalone = standalone_question(question, history, self.reader, self.generator if history else None)
        yield AnswerEvent("status", "Searching the guides")
        query, passages = self.search(standalone, condition)
        run.timings["retrieval"] = run.elapsed()
        yield AnswerEvent("passages", passages=tuple(passages))
        run.brands = query.brands

        evidence = self.judge.assess(query, passages, opens=not history)
        log.debug("evidence for %r: %s (%s)", query.text, evidence.coverage, evidence.reason)
        if evidence.coverage == "none":
            yield run.emit(self.everyday if evidence.everyday else self.not_covered, first=True)
            yield run.final(self, "none", standalone, passages, [], evidence)
            return

        yield AnswerEvent("status", "Writing the answer")
        refresh = getattr(self.plain, "refresh", None)
        if refresh is not None:
            refresh()  # an upload's layer is written in the background
        checker = SupportChecker(self.vectors, self.settings, passages, query.text)
        # a partial answer says first what the guides don't say, then what they say that is related
        lead = f"{_gap_sentence(evidence, question, self._names_something)} {RELATED} " if evidence.coverage == "partial" else ""
        # a brand this message names is said to be the guides' medicine just before the first sentence naming it
        unsaid = [b for b in query.brands if b in self.reader.read(question).brands]
        kept: list[str] = []
        for sentence in self._checked_sentences(run, query.text, passages, checker, stop):
            # the check ran on the guide's wording; the reader sees its plain version, if any
            worded, shown = self._worded(sentence)
            # the guide's wording: its plain version keeps the medicine's name word for word
            named = [b for b in unsaid if b.named_in(worded.guide_text)]
            unsaid = [b for b in unsaid if b not in named]
            said = "".join(f"{s} " for s in brand_sentences(named))
            yield run.emit((lead if not kept else " ") + said + shown, first=not kept)
            kept.append(sentence)
            run.sentences.append(worded)

        coverage: Coverage = evidence.coverage
        if not kept:
            coverage = "none"
            yield run.emit(self.not_covered, first=True)
        yield run.final(self, coverage, standalone, passages, kept, evidence)

    def _worded(self, checked: str) -> tuple[AnswerSentence, str]:
        """A checked sentence in its two wordings, and the text to show: the plain version with
        the sentence's own citation markers."""
        bare, cited = parse_citations(checked)
        worded = answer_sentence(bare, cited[0] if cited else None, self.plain)
        markers = checked[len(bare):].strip() if checked.startswith(bare) else "".join(f"[{n}]" for n in cited)
        return worded, f"{worded.text} {markers}".strip()

    def _guide_names(self) -> GuideNames:
        """The names the documents use (the reader's, learnt from the passages, and the domain file's
        medicines and their brand names: "stop the cellcept" gets the care-team notice) and their
        conditions' names: what the safety check and the everyday check know."""
        domain = self.settings.domain
        return GuideNames(self.reader.names | domain.medicine_words | domain.brand_words, domain.names)

    def _names_guide_thing(self, query: Query) -> bool:
        """Whether a question names a condition the documents are about, or a name they use (a
        medicine, a gene, a procedure)."""
        medicines = self._guide_names().medicines
        return bool(query.conditions) or any(w in medicines for w in words(query.text))

    def _names_something(self, sentence: str) -> bool:
        """Whether a sentence of a message names what is asked (a focus word, as the question is read)."""
        return bool(self.reader.read(sentence).focus)

    def search(self, standalone: str, condition: str | None = None) -> tuple[Query, list[Passage]]:
        """The question as read (spelling, names, focus), and its passages: those of a condition
        the question names come first unless the user chose a condition."""
        query = self.reader.read(standalone)
        passages = self._passages(query, condition)
        if any(b.named_as_brand(p.chunk.text) for b in query.brands for p in passages):
            # a document that uses the brand (a user's leaflet) is read with it: the question as written
            query = self.reader.read(standalone, brands=False)
            passages = self._passages(query, condition)
        return query, passages

    def _passages(self, query: Query, condition: str | None) -> list[Passage]:
        prefer = query.conditions if condition is None and len(query.conditions) == 1 else ()
        text = f"{query.searched} {ALTERNATIVES_SEARCH}" if query.wants_alternatives else query.searched
        vector = self.vectors.get([text])[0].tolist()
        return self.retriever.search(text, condition=condition, query_vector=vector, prefer=prefer, rerank_query=query.text)

    def assess(self, standalone: str, condition: str | None = None) -> tuple[Query, list[Passage], Evidence]:
        """What the gate decides for a standalone question (the suggested questions are put to it)."""
        query, passages = self.search(standalone, condition)
        return query, passages, self.judge.assess(query, passages)

    def _checked_sentences(
        self, run: _Run, question: str, passages: Sequence[Passage], checker: SupportChecker,
        stop: threading.Event | None = None,
    ) -> Iterator[str]:
        """Draft sentences that pass their citation check, as soon as each is complete. When the
        model fails, or none of its sentences passes, the extractive sentences are checked instead:
        the gate has found passages that answer, so a covered question is never left unanswered."""
        generator = self.generator
        run.generator = generator.name
        buffer, at_limit = "", False  # at_limit: the model stopped at its length limit (``LengthLimit``)
        pieces: Iterator[str] | None = None
        while True:
            if stop is not None and stop.is_set():  # the user pressed Stop: end the model's work now
                _close(pieces)
                return  # the unfinished sentence is dropped
            try:  # only the model's own work is guarded; an error in our checks is a bug and propagates
                pieces = pieces or iter(generator.stream(question, passages))
                piece = next(pieces, None)
            except Exception as error:  # the model failed (llama.cpp, a server, a network): answer without it
                log.exception("generator %s failed; answering with the extractive fallback", generator.name)
                run.generator = f"extractive (fallback: {generator.name} failed: {type(error).__name__})"
                if checker.emitted:
                    return  # keep the sentences already checked and shown; drop the broken one
                buffer = ""
                break
            if piece is None:
                break
            at_limit = at_limit or isinstance(piece, LengthLimit)
            buffer += piece
            if NOT_IN_GUIDES in buffer:
                _close(pieces)
                buffer = ""
                break
            sentences, buffer = split_complete(buffer)
            yield from self._check_all(run, checker, sentences)
        *whole, last = split_all(buffer) or [""]
        yield from self._check_all(run, checker, whole)
        if last:
            yield from self._check_all(run, checker, [last], cut=cut_off(last, at_limit))
        if not checker.emitted and generator is not self.fallback:
            if not run.generator.startswith("extractive"):
                run.generator = f"extractive (fallback: no sentence of {generator.name} passed its check)"
            yield from self._check_all(run, checker, split_all("".join(self.fallback.stream(question, passages))))

    def _check_all(self, run: _Run, checker: SupportChecker, sentences: list[str], cut: bool = False) -> Iterator[str]:
        for sentence in sentences:
            shown, check = checker.check(sentence, cut)
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
        self.sentences: list[AnswerSentence] = []
        self.safety: str | None = None
        self.generator = "none"
        self.brands: tuple[BrandName, ...] = ()  # brand names the question was read with (``Query.brands``)

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
            provenance={
                **chain.provenance, "generator_model": chain.generator.model, "evidence": _evidence_dict(evidence),
                "brand_names": [asdict(b) for b in self.brands],
            },
            sentences=list(self.sentences),
            glossary=glossary_for(self.sentences, chain.plain),
            everyday=bool(evidence and evidence.everyday),
        )
        return AnswerEvent("final", answer=answer)


def _gap_sentence(evidence: Evidence, asked_message: str, names_something: Callable[[str], bool] | None = None) -> str:
    """One plain sentence on what the guides do not say, said first: the aspect asked for, else
    the names the guides don't know, else the asked part of the person's message, quoted in their
    own words (not the search's reading of it: no "(about: ...)" of a follow-up, no spelling fixes),
    when it names what is asked; else that the answer may be incomplete."""
    if evidence.missing_aspects:
        return PARTLY_COVERED.format(missing=" or ".join(evidence.missing_aspects))
    if 0 < len(evidence.unknown_names) <= 2:
        return PARTLY_COVERED.format(missing=" or ".join(f'"{w}"' for w in evidence.unknown_names))
    # a sentence that names nothing ("What does the guide say?") is not worth quoting
    asked = (asked_sentence(asked_message) if names_something is None else naming_sentence(asked_message, names_something) or "").strip()
    if 0 < len(asked.split()) <= MAX_QUOTED_WORDS:
        return NOT_FULLY_ANSWERED.format(asked=asked.rstrip("?.! "))
    return MAY_BE_INCOMPLETE


def brand_sentences(brands: Sequence[BrandName]) -> list[str]:
    """What an answer says, just before the first sentence naming the medicine, when a brand name the
    message uses was read as the guides' name ("CellCept is a brand name of mycophenolate mofetil, the
    name the guides use."): one per brand, each of another medicine (two names of one medicine are not
    read: ``QueryReader._brands_read``)."""
    return [BRAND_NAME.format(brand=b.brand, medicine=b.medicine) for b in brands]


def _close(pieces: Iterator[str] | None) -> None:
    """Close the generator's stream, which ends the model's work (llama.cpp stops between two tokens)."""
    close = getattr(pieces, "close", None)
    if close is not None:
        close()


def _evidence_dict(evidence: Evidence | None) -> dict[str, Any] | None:
    """What the gate saw: every candidate sentence with P(it answers), and why it decided."""
    if evidence is None:
        return None
    return {
        "coverage": evidence.coverage,
        "best": round(evidence.best, 4),
        "chance": round(evidence.chance, 4),
        "reason": evidence.reason,
        "missing_aspects": list(evidence.missing_aspects),
        "unknown_names": list(evidence.unknown_names),
        "sentences": [s.to_dict() for s in evidence.sentences],
    }


def _validated(question: str) -> str:
    question = " ".join((question or "").split())
    if not question:
        raise GuideError("Please type a question.")
    if len(question) > MAX_QUESTION_CHARS:
        raise GuideError(f"Your question is {len(question)} characters long; please keep it under {MAX_QUESTION_CHARS}.")
    return question
