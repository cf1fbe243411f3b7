"""The Python API: one object that answers questions or holds conversations.

    from assistant import Assistant
    bot = Assistant()                      # loads models and the index once
    answer = bot.ask("What does riluzole do?")
    chat = bot.conversation()
    chat.ask("Which medicines are approved for ALS?")
    chat.ask("Which one of those slows decline?")
    for event in chat.stream("Does it help everyone?"): ...

The chat app and the evals harness use exactly this code path.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings
from langchain_core.runnables import Runnable, RunnableConfig

from assistant.chain import AnswerChain
from assistant.generators import Generator, make_generator
from assistant.evidence import ReadingReranker
from assistant.relevance import load_relevance_model
from assistant.retrieval import HybridRetriever, Reranker
from assistant.types import Answer, AnswerEvent, Turn
from assistant.vectors import TextVectors
from core.errors import GuideError
from core.settings import Settings
from index.build import BuildReport, build_index
from index.embeddings import make_embedder
from index.store import DocumentRecord, Store, StoredDocument, index_shape, open_store

log = logging.getLogger(__name__)


class Assistant:
    """Answers questions from the patient guides, with checked citations."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        generator: Generator | str | None = None,
        embeddings: Embeddings | None = None,
        store: Store | None = None,
        reranker: Reranker | None = None,
        build: bool = True,
    ) -> None:
        self.settings = settings or Settings()
        self.embeddings = embeddings or make_embedder(self.settings)
        self.store = store or open_store(self.settings, self.embeddings)
        if build:
            self.ensure_index()
        self.vectors = TextVectors(self.embeddings)
        relevance = load_relevance_model(self.settings)  # one model: the rerank reads as the answer reads
        self.retriever = HybridRetriever(
            store=self.store, settings=self.settings, reranker=reranker or ReadingReranker(relevance, self.vectors)
        )
        self.retriever.refresh()
        self.generator = (
            generator if isinstance(generator, Generator) else make_generator(self.settings, self.vectors, generator)
        )
        self.chain = AnswerChain(self.settings, self.retriever, self.vectors, self.generator, self._provenance(), relevance=relevance)
        self.chain.warm_up(self.retriever.chunks)
        log.info(
            "assistant ready: %d passages in '%s', generator %s", self.retriever.chunk_count, self.store.name, self.generator.name
        )

    # --- answering -----------------------------------------------------------------
    def ask(self, question: str, history: Sequence[Turn] = (), condition: str | None = None) -> Answer:
        """One complete answer."""
        for event in self.stream(question, history, condition):
            if event.kind == "final" and event.answer is not None:
                return event.answer
        raise RuntimeError("the answer stream ended without a final answer")  # a bug, not a user error

    def stream(
        self, question: str, history: Sequence[Turn] = (), condition: str | None = None, stop: threading.Event | None = None
    ) -> Iterator[AnswerEvent]:
        """Status, passages, checked answer text as it is written, then the final ``Answer``.
        Setting ``stop`` ends the model's work at its next token."""
        return self.chain.stream(question, history, self.condition_key(condition), stop)

    def condition_key(self, condition: str | None) -> str | None:
        """A condition key of the domain file (None for all guides), or GuideError."""
        if condition in (None, "", "all"):
            return None
        keys = self.settings.domain.keys
        if condition not in keys:
            raise GuideError(f"Unknown condition '{condition}'; use one of: all, {', '.join(keys)}.")
        return condition

    def conversation(self, condition: str | None = None) -> Conversation:
        return Conversation(self, condition)

    def as_runnable(self) -> GuideAnswerRunnable:
        """The chain as a LangChain Runnable: input a question or ``{"question", "history", "condition"}``."""
        return GuideAnswerRunnable(assistant=self)

    # --- the index -----------------------------------------------------------------
    def ensure_index(self, paths: Sequence[Path] | None = None) -> BuildReport:
        """Bring the index up to date (embeds only what changed); refreshes retrieval."""
        report = build_index(self.settings, self.store, paths)
        if hasattr(self, "chain"):
            self.retriever.refresh()
            self.chain.warm_up(self.retriever.chunks)
        return report

    def documents(self) -> list[DocumentRecord]:
        return sorted(self.store.complete_documents().values(), key=lambda r: r.title.lower())

    def document(self, doc_id: str) -> StoredDocument | None:
        """A document's cleaned text, to show a cited passage (``start``/``end``) in context."""
        return self.store.document(doc_id)

    def _provenance(self) -> dict[str, Any]:
        return {
            "collection": self.store.name,
            "index_shape": index_shape(self.settings),
            "embedding_model": self.settings.index.embedding_model,
            "generator": self.generator.name,
            "reranker": str(self.settings.retrieval.reranker_path or ""),
            "top_k": self.settings.retrieval.top_k,
        }


class Conversation:
    """A conversation: follow-ups are answered in the light of earlier turns."""

    def __init__(self, assistant: Assistant, condition: str | None = None) -> None:
        self.assistant = assistant
        self.condition = condition
        self.history: list[Turn] = []

    def ask(self, question: str) -> Answer:
        answer: Answer | None = None
        for event in self.stream(question):
            if event.kind == "final":
                answer = event.answer
        assert answer is not None
        return answer

    def stream(self, question: str) -> Iterator[AnswerEvent]:
        for event in self.assistant.stream(question, self.history, self.condition):
            if event.kind == "final" and event.answer is not None:
                self.history.append(event.answer.turn())
            yield event

    def reset(self) -> None:
        self.history.clear()


class GuideAnswerRunnable(Runnable[Any, Answer]):
    """LangChain Runnable over the assistant: ``invoke`` returns an ``Answer``,
    ``stream`` yields ``AnswerEvent``s (the last one carries the ``Answer``)."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant

    def invoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Answer:
        question, history, condition = _unpack(input)
        return self.assistant.ask(question, history, condition)

    def stream(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Iterator[Any]:  # type: ignore[override]
        question, history, condition = _unpack(input)
        yield from self.assistant.stream(question, history, condition)


def _unpack(value: Any) -> tuple[str, list[Turn], str | None]:
    if isinstance(value, str):
        return value, [], None
    if isinstance(value, dict) and "question" in value:
        history = [t if isinstance(t, Turn) else Turn(**t) for t in value.get("history", [])]
        return str(value["question"]), history, value.get("condition")
    raise GuideError('Give the chain a question, or a dict {"question": ..., "history": [...], "condition": ...}.')

