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
from collections.abc import Iterator, Sequence

import numpy as np
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import BaseMessage

from assistant.context import relevant_excerpts
from assistant.lexical import content_terms, focus_words
from assistant.prompts import ANSWER_PROMPT, REWRITE_PROMPT, format_excerpts, format_history, format_passages
from assistant.types import Passage, Turn
from assistant.vectors import TextVectors
from core.errors import GuideError
from core.settings import Settings
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
    def __init__(self, chat_model: BaseChatModel, name: str, model: str = "", vectors: TextVectors | None = None) -> None:
        self.chat_model = chat_model
        self.name = name
        self.model = model
        self.vectors = vectors

    def prompt(self, question: str, passages: Sequence[Passage]) -> list[BaseMessage]:
        """The answer prompt: the fixed system prompt first (so a model server can reuse it),
        then the question-relevant sentences of the passages under their numbers."""
        if self.vectors is None:
            context = format_passages(passages)
        else:
            context = format_excerpts(relevant_excerpts(question, passages, self.vectors))
        return ANSWER_PROMPT.format_messages(passages=context, question=question)

    def warm_up(self) -> int:
        """Have a local model read the fixed start of the answer prompt now, not on the first
        question; returns the tokens read (0 for a model that cannot keep them)."""
        warm = getattr(self.chat_model, "warm_prefix", None)
        return warm(ANSWER_PROMPT.format_messages(passages="", question="")) if warm else 0

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


class ExtractiveGenerator(Generator):
    """The passage sentences that best answer the question, most relevant first."""

    name = "extractive"
    model = "extractive"

    def __init__(self, vectors: TextVectors, max_sentences: int = 3, min_similarity: float = 0.30) -> None:
        self.vectors = vectors
        self.max_sentences = max_sentences
        self.min_similarity = min_similarity

    def stream(self, question: str, passages: Sequence[Passage]) -> Iterator[str]:
        candidates: list[tuple[Passage, str, str]] = []  # passage, sentence, the sentence after it
        for p in passages:
            sentences = [p.chunk.text[s:e].strip() for s, e in sentence_spans(p.chunk.text)]
            for i, sentence in enumerate(sentences):
                if _is_statement(sentence):
                    candidates.append((p, sentence, sentences[i + 1] if i + 1 < len(sentences) else ""))
        if not candidates:
            return
        texts = [t for _, t, _ in candidates]
        vectors = self.vectors.get(texts)
        question_vector = self.vectors.get([question])[0]
        focus = {t for w in focus_words(question) for t in content_terms(w)}
        # A sentence is judged with its passage: "For example, ..." means little alone.
        scores = (
            0.6 * (vectors @ question_vector)
            + 0.4 * np.array([p.dense_score or 0.0 for p, _, _ in candidates])
            + np.array([0.15 * len(focus & set(content_terms(t))) / (len(focus) or 1) for t in texts])
        )
        chosen: list[int] = []
        for index in np.argsort(-scores):
            if scores[index] < self.min_similarity or len(chosen) >= self.max_sentences:
                break
            if any(float(vectors[index] @ vectors[j]) > 0.85 for j in chosen):
                continue  # says the same as a sentence already chosen
            chosen.append(int(index))
        for index in chosen:
            passage, text, following = candidates[index]
            if _CONTINUATION.match(following):  # the example that makes the sentence useful
                text = f"{text} {following}"
            yield f"{text} [{passage.n}] "


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
    if kind == "extractive":
        return ExtractiveGenerator(vectors)
    if kind == "openai":
        from assistant.llm import load_openai_chat_model  # noqa: PLC0415

        return ChatGenerator(load_openai_chat_model(settings), "openai", settings.generator.openai_model, vectors)
    from assistant.model_files import local_model_available  # noqa: PLC0415

    if kind == "auto" and not local_model_available(settings):
        log.warning("local model not found: answering with the extractive generator (no LLM)")
        return ExtractiveGenerator(vectors)
    if kind in ("auto", "local"):
        from assistant.llm import load_local_chat_model  # noqa: PLC0415
        from assistant.model_files import local_model_path  # noqa: PLC0415

        generator = ChatGenerator(load_local_chat_model(settings), "local", local_model_path(settings).name, vectors)
        generator.warm_up()
        return generator
    raise GuideError(f"Unknown generator '{kind}'; use local, openai, extractive or auto.")
