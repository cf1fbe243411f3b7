"""Answer writers behind one small interface.

- ``ChatGenerator``: any LangChain chat model (the local GGUF through llama-cpp-python, or
  an OpenAI-compatible endpoint), prompted with the sentences of the numbered passages the
  relevance model ranks highest (whole passages without it); streams tokens.
- ``ExtractiveGenerator``: no language model; shows the passage sentences the relevance model
  scores as answering, and cites them. It is also the fallback when a model fails.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_core.prompts import ChatPromptTemplate

from assistant.context import relevant_excerpts
from assistant.evidence import choose_answer, score_sentences
from assistant.prompts import (
    ANSWER_PROMPT,
    REWRITE_PROMPT,
    answer_prompt,
    format_excerpts,
    format_history,
    format_passages,
)
from assistant.query import QueryReader
from assistant.relevance import RelevanceModel, load_relevance_model
from assistant.types import Passage, Turn
from assistant.vectors import TextVectors
from core.errors import GuideError
from core.settings import GENERATOR_KINDS, Settings
from index.chunking import Chunk
from index.sentences import LEANS_BACK, sentences_with_previous

log = logging.getLogger(__name__)


class LengthLimit(str):
    """The last piece of a draft, empty, when the model stopped at its length limit (``finish_reason`` "length"):
    the draft's last words may be cut off."""


LENGTH_LIMIT = LengthLimit("")


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
        relevance: RelevanceModel | None = None,
        prompt: ChatPromptTemplate = ANSWER_PROMPT,
        vectors: TextVectors | None = None,
    ) -> None:
        self.chat_model = chat_model
        self.vectors = vectors  # the cosine the relevance model's reading weighs
        self.name = name
        self.model = model
        self.relevance = relevance
        self.answer_prompt = prompt  # for the guides' audience (the domain file's)

    def prompt(self, question: str, passages: Sequence[Passage]) -> list[BaseMessage]:
        """The answer prompt: the fixed system prompt first (so a model server can reuse it),
        then the question-relevant sentences of the passages under their numbers."""
        if self.relevance is None:
            context = format_passages(passages)
        else:
            context = format_excerpts(relevant_excerpts(score_sentences(self.relevance, question, passages, self.vectors)))
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
            if chunk.response_metadata.get("finish_reason") == "length":
                yield LENGTH_LIMIT

    def rewrite(self, question: str, history: Sequence[Turn]) -> str | None:
        messages = REWRITE_PROMPT.format_messages(history=format_history(history), question=question)
        text = "".join(c.content for c in self.chat_model.stream(messages) if isinstance(c.content, str))
        line = text.strip().splitlines()[0].strip().strip('"') if text.strip() else ""
        return line if 5 <= len(line) <= 300 else None


class ExtractiveGenerator(Generator):
    """The passage sentences the relevance model scores as answering, the likeliest first.

    No language model: every statement of the passages gets P(it answers the question) from the
    relevance model (``assistant.relevance``), and the answer shows the best one and every other
    above the fitted cut-offs (``assistant.evidence.choose_answer``), skipping repeats. A sentence
    that leans on the one before it ("These include ...", "For example, ...", "Another drug, ...")
    is shown after it, which it needs to be read. A sentence that does not answer is never shown to fill a length.
    """

    name = "extractive"
    model = "extractive"

    def __init__(self, vectors: TextVectors, relevance: RelevanceModel) -> None:
        self.vectors = vectors
        self.relevance = relevance
        self.reader: QueryReader | None = None  # the chain's (kept for the follow-up resolver)
        # the sentence before each sentence of the documents, also where a passage starts mid-paragraph
        self.before: dict[tuple[str, str], str] = {}

    def learn_previous(self, chunks: Sequence[Chunk]) -> None:
        """Remember the sentence before each sentence of the passages (a passage's first sentence
        has its previous one in the passage before, which may not be retrieved with it)."""
        for chunk in chunks:
            for _, _, sentence, previous in sentences_with_previous(chunk.text):
                if previous:
                    self.before[(chunk.doc_id, sentence)] = previous

    def stream(self, question: str, passages: Sequence[Passage]) -> Iterator[str]:
        scored = score_sentences(self.relevance, question, passages, self.vectors)
        read_with_bank = bool(scored) and scored[0].neighbour is not None
        chosen = choose_answer(scored, self.relevance.showing(read_with_bank), self.vectors)
        emitted: set[tuple[int, str]] = set()
        for s in chosen:
            candidate, n = s.candidate, s.passage.n
            if (n, candidate.text) in emitted:  # already shown before a sentence that leans on it
                continue
            text = candidate.text
            previous = candidate.previous or self.before.get((candidate.chunk.doc_id, text), "")
            if LEANS_BACK.match(text) and previous and (n, previous) not in emitted:
                text = f"{previous} {text}"  # what it leans on, first
                emitted.add((n, previous))
            emitted.add((n, candidate.text))
            yield f"{text} [{n}] "


def make_generator(settings: Settings, vectors: TextVectors, kind: str | None = None) -> Generator:
    """The configured generator; ``auto`` means local when its model is present, else extractive."""
    kind = kind or settings.generator.kind
    prompt = answer_prompt(settings.domain.audience)
    relevance = load_relevance_model(settings)
    if kind == "extractive":
        return ExtractiveGenerator(vectors, relevance)
    if kind == "openai":
        from assistant.llm import load_openai_chat_model  # noqa: PLC0415

        return ChatGenerator(load_openai_chat_model(settings), "openai", settings.generator.openai_model, relevance, prompt, vectors)
    from assistant.model_files import local_model_available  # noqa: PLC0415

    if kind == "auto" and not local_model_available(settings):
        log.warning("local model not found: answering with the extractive generator (no LLM)")
        return ExtractiveGenerator(vectors, relevance)
    if kind in ("auto", "local"):
        from assistant.llm import load_local_chat_model  # noqa: PLC0415
        from assistant.model_files import local_model_path  # noqa: PLC0415

        generator = ChatGenerator(load_local_chat_model(settings), "local", local_model_path(settings).name, relevance, prompt, vectors)
        generator.warm_up()
        return generator
    raise GuideError(f"Unknown generator '{kind}'; use one of: {', '.join(GENERATOR_KINDS)}.")
