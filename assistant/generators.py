"""Answer writers behind one small interface.

- ``ChatGenerator``: any LangChain chat model (the local GGUF through llama-cpp-python, or
  an OpenAI-compatible endpoint), prompted with the question-relevant sentences of the
  numbered passages (whole passages when it has no sentence vectors); streams tokens.
- ``ExtractiveGenerator``: no model at all; picks the passage sentences closest to the
  question and cites them. It is also the fallback when a model fails.
"""

from __future__ import annotations

import logging
import re
from abc import ABC, abstractmethod
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_core.prompts import ChatPromptTemplate

from assistant.context import relevant_excerpts
from assistant.coverage import SentenceModel, load_sentence_model
from assistant.lexical import STOPWORDS, content_terms, focus_words, numbers, words
from assistant.prompts import (
    ANSWER_PROMPT,
    REWRITE_PROMPT,
    answer_prompt,
    format_excerpts,
    format_history,
    format_passages,
)
from assistant.query import QueryReader
from assistant.types import Passage, Turn
from assistant.vectors import TextVectors
from core.errors import GuideError
from core.settings import GENERATOR_KINDS, Settings
from index.chunking import sentence_spans

log = logging.getLogger(__name__)


class Generator(ABC):
    """Writes a draft answer from numbered passages; every sentence should cite ``[n]``."""

    name: str = "generator"
    model: str = ""

    @abstractmethod
    def stream(self, question: str, passages: Sequence[Passage]) -> Iterator[str]:
        """Pieces of the draft answer, in order."""

    def rewrite(self, question: str, history: Sequence[Turn]) -> str | None:
        """A standalone version of a follow-up question, or None to use the default rewrite."""
        return None


class ChatGenerator(Generator):
    def __init__(
        self,
        chat_model: BaseChatModel,
        name: str,
        model: str = "",
        vectors: TextVectors | None = None,
        prompt: ChatPromptTemplate = ANSWER_PROMPT,
        topic: Collection[str] = (),
    ) -> None:
        self.chat_model = chat_model
        self.name = name
        self.model = model
        self.vectors = vectors
        self.answer_prompt = prompt  # for the guides' audience (the domain file's)
        self.topic = topic  # the guides' topic words, which say nothing about what is asked

    def prompt(self, question: str, passages: Sequence[Passage]) -> list[BaseMessage]:
        """The answer prompt: the fixed system prompt first (so a model server can reuse it),
        then the question-relevant sentences of the passages under their numbers."""
        if self.vectors is None:
            context = format_passages(passages)
        else:
            context = format_excerpts(relevant_excerpts(question, passages, self.vectors, topic=self.topic))
        return self.answer_prompt.format_messages(passages=context, question=question)

    def warm_up(self) -> int:
        """Have a local model read the fixed start of the answer prompt now, not on the first
        question; returns the tokens read (0 for a model that cannot keep them)."""
        warm = getattr(self.chat_model, "warm_prefix", None)
        return warm(self.answer_prompt.format_messages(passages="", question="")) if warm else 0

    def stream(self, question: str, passages: Sequence[Passage]) -> Iterator[str]:
        messages = self.prompt(question, passages)
        for chunk in self.chat_model.stream(messages):
            if isinstance(chunk.content, str) and chunk.content:
                yield chunk.content

    def rewrite(self, question: str, history: Sequence[Turn]) -> str | None:
        messages = REWRITE_PROMPT.format_messages(history=format_history(history), question=question)
        text = "".join(c.content for c in self.chat_model.stream(messages) if isinstance(c.content, str))
        line = text.strip().splitlines()[0].strip().strip('"') if text.strip() else ""
        return line if 5 <= len(line) <= 300 else None


@dataclass(frozen=True)
class Candidate:
    """A passage sentence the extractive answer may take, with the signals it is judged by."""

    passage: Passage
    text: str
    following: str  # the sentence after it in the passage
    signals: dict[str, float]


class ExtractiveGenerator(Generator):
    """The passage sentences that carry what was asked, most likely first.

    Every passage sentence gets P(it carries a fact a correct answer needs) from the fitted
    sentence model (``assistant.coverage``): closeness to the question and of its passage, the
    question's focus words it holds, and what it adds: guide terms no dictionary knows
    (medicines, genes, named procedures), figures, lists, words specific to few passages.
    Framing sentences ("Managing resistant scleroderma requires a multifaceted approach.")
    carry none of these and lose to the sentence that names the drugs. Sentences are taken
    while P stays above the fitted floor and the answer fits the word budget (a length, never a
    count of sentences: five short facts and one long one cost the same words); near-repeats are
    skipped; a "what else" question is not answered with what the person already has.
    """

    name = "extractive"
    model = "extractive"

    def __init__(self, vectors: TextVectors, sentence_model: SentenceModel | None = None) -> None:
        self.vectors = vectors
        self._sentence_model = sentence_model
        self.reader: QueryReader | None = None  # the chain's, for guide terms and "what else"

    @property
    def sentence_model(self) -> SentenceModel:
        """The fitted model, read when first needed (so the fit itself can build a generator)."""
        if self._sentence_model is None:
            self._sentence_model = load_sentence_model()
        return self._sentence_model

    @sentence_model.setter
    def sentence_model(self, model: SentenceModel) -> None:
        self._sentence_model = model

    def stream(self, question: str, passages: Sequence[Passage]) -> Iterator[str]:
        candidates = self.candidates(question, passages)
        if not candidates:
            return
        model = self.sentence_model
        chances = [model.probability(c.signals) for c in candidates]
        vectors = self.vectors.get([c.text for c in candidates])
        chosen = choose_sentences(candidates, chances, vectors, model.p_min, model.word_budget)
        for index in chosen:
            candidate = candidates[index]
            text = candidate.text
            if _CONTINUATION.match(candidate.following):  # the example that makes the sentence useful
                text = f"{text} {candidate.following}"
            yield f"{text} [{candidate.passage.n}] "

    def candidates(self, question: str, passages: Sequence[Passage]) -> list[Candidate]:
        """Every statement sentence of the passages, with its signals (``SENTENCE_FEATURES``)."""
        found: list[tuple[Passage, str, str]] = []
        for p in passages:
            sentences = [p.chunk.text[s:e].strip() for s, e in sentence_spans(p.chunk.text)]
            for i, sentence in enumerate(sentences):
                if _is_statement(sentence):
                    found.append((p, sentence, sentences[i + 1] if i + 1 < len(sentences) else ""))
        if not found:
            return []
        query = self.reader.read(question) if self.reader else None
        asked_text = query.text if query else question
        sentence_vectors = self.vectors.get([t for _, t, _ in found])
        cosines = sentence_vectors @ self.vectors.get([asked_text])[0]
        asked_cosines = sentence_vectors @ self.vectors.get([query.asked if query else question])[0]
        alternatives = bool(query and query.wants_alternatives)
        focus_as_written = sorted(set(query.focus if query else focus_words(question)))
        focus = {t for w in focus_as_written for t in content_terms(w)}
        asked = set(words(asked_text))
        already = set(query.already) if query and query.wants_alternatives else set()
        titles = sorted({p.chunk.title for p, _, _ in found})
        title_cosine = dict(zip(titles, self.vectors.get(titles), strict=True))
        focus_vectors = self.vectors.get(focus_as_written)
        out = []
        for (passage, text, following), cosine, asked_cosine, vector in zip(found, cosines, asked_cosines, sentence_vectors, strict=True):
            names = {w for w in words(text) if self.reader and w in self.reader.names}
            new_names = min(len(names - asked), 3) / 3
            signals = {
                "question_cosine": float(cosine),
                "asked_cosine": float(asked_cosine),
                "passage_cosine": passage.dense_score or 0.0,
                "passage_rank": 1.0 / passage.n,
                "focus_overlap": len(focus & set(content_terms(text))) / (len(focus) or 1),
                "new_names": new_names,
                "figures": min(len(numbers(text)), 2) / 2,
                "is_list": 1.0 if _LIST.search(text) else 0.0,
                "specificity": self.reader.specificity(text, [asked_text]) if self.reader else 0.0,
                "already": 1.0 if names & already else 0.0,
                "new_names_asked_for": new_names if alternatives else 0.0,
                "focus_similarity": self._focus_similarity(focus_vectors, text) if focus_as_written else 0.0,
                "title_cosine": float(vector @ title_cosine[passage.chunk.title]),
            }
            out.append(Candidate(passage, text, following, signals))
        return out

    def _focus_similarity(self, focus_vectors: np.ndarray, text: str) -> float:
        """How near the sentence's words come to each focus word, on average: a lay word meets
        the guide's word for it ("breathe" ~ "respiratory", "eat" ~ "feeding"), which the
        stemmed overlap misses."""
        terms = sorted({w for w in words(text) if w not in STOPWORDS and len(w) > 2})
        if not terms:
            return 0.0
        return float((focus_vectors @ self.vectors.get(terms).T).max(axis=1).mean())


def choose_sentences(
    candidates: Sequence[Candidate], chances: Sequence[float], vectors: np.ndarray, p_min: float, word_budget: int
) -> list[int]:
    """Indices of the sentences to answer with: the likeliest always, then others from the most
    likely down while P >= ``p_min`` and the answer stays within the budget, skipping near-repeats."""
    chosen: list[int] = []
    words_used = 0
    for index in sorted(range(len(candidates)), key=lambda i: -chances[i]):
        if chosen and chances[index] < p_min:
            break
        if any(float(vectors[index] @ vectors[j]) > 0.85 for j in chosen):
            continue  # says the same as a sentence already chosen
        length = len(candidates[index].text.split())
        if chosen and words_used + length > word_budget:
            break  # full: a less likely sentence must not take the place of a likelier one that did not fit
        chosen.append(index)
        words_used += length
    return chosen


_LIST = re.compile(r"\b(such as|including|like|include)\b[^.]*,[^.]*\b(and|or)\b", re.IGNORECASE)
_CONTINUATION = re.compile(r"^(for example|for instance|these include|this includes|such as|including)\b", re.IGNORECASE)


def _is_statement(sentence: str) -> bool:
    """Headings, questions and a guide's summing-up make poor answer sentences: the summing-up
    is close to every question and answers none ("In conclusion, ... is a complex challenge")."""
    sentence = sentence.strip()
    return (
        len(sentence) > 30
        and sentence.endswith((".", "!"))
        and not re.match(r"^(what|how|why|who)\b", sentence, re.I)
        and not _SUMMING_UP.match(sentence)
    )


_SUMMING_UP = re.compile(r"^(in conclusion|in summary|to sum up|overall|ultimately)\b", re.IGNORECASE)


def make_generator(settings: Settings, vectors: TextVectors, kind: str | None = None) -> Generator:
    """The configured generator; ``auto`` means local when its model is present, else extractive."""
    kind = kind or settings.generator.kind
    prompt, topic = answer_prompt(settings.domain.audience), settings.domain.topic_words
    if kind == "extractive":
        return ExtractiveGenerator(vectors)
    if kind == "openai":
        from assistant.llm import load_openai_chat_model  # noqa: PLC0415

        return ChatGenerator(load_openai_chat_model(settings), "openai", settings.generator.openai_model, vectors, prompt, topic)
    from assistant.model_files import local_model_available  # noqa: PLC0415

    if kind == "auto" and not local_model_available(settings):
        log.warning("local model not found: answering with the extractive generator (no LLM)")
        return ExtractiveGenerator(vectors)
    if kind in ("auto", "local"):
        from assistant.llm import load_local_chat_model  # noqa: PLC0415
        from assistant.model_files import local_model_path  # noqa: PLC0415

        generator = ChatGenerator(load_local_chat_model(settings), "local", local_model_path(settings).name, vectors, prompt, topic)
        generator.warm_up()
        return generator
    raise GuideError(f"Unknown generator '{kind}'; use one of: {', '.join(GENERATOR_KINDS)}.")
