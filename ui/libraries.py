"""What each chat session searches: the shared library, plus the documents it added itself.

A session that has added nothing uses the assistant's own chain. One that has added a
document gets its own retriever (``owner`` = the session's id: the shared library and its
own documents, nothing of anyone else's) and chains over it. Each session has two chains:
one with the assistant's generator, and an extractive one that answers at once while the
local model serves someone else. When the session ends, its documents leave the index and
the disk.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import dataclass

from assistant.api import Assistant
from assistant.chain import AnswerChain
from assistant.generators import ExtractiveGenerator
from assistant.retrieval import HybridRetriever
from index.plain import PlainLayer
from index.store import DocumentRecord
from ui.uploads import remove_session_documents, session_plain_path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Chains:
    """How one session is answered: ``chain`` with the assistant's generator, ``quick`` without a model."""

    owner: str | None
    chain: AnswerChain
    quick: AnswerChain

    @property
    def uses_model(self) -> bool:
        return self.chain is not self.quick


def owner_id(session_hash: str | None) -> str:
    """A session's owner id, derived from Gradio's session hash (which is never shown to others)."""
    return hashlib.sha256(f"guides-session\x1f{session_hash or ''}".encode()).hexdigest()[:32]


class Libraries:
    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.shared = Chains(None, assistant.chain, self._quick(assistant.retriever, assistant.chain))
        self._own: dict[str, Chains] = {}
        self._lock = threading.Lock()

    def for_owner(self, owner: str | None) -> Chains:
        """The session's chains: its own once it has added a document, else the shared ones."""
        with self._lock:
            return self._own.get(owner or "", self.shared)

    def open(self, owner: str) -> Chains:
        """Give a session its own retriever (before its first document is indexed)."""
        with self._lock:
            if owner not in self._own:
                base = self.assistant.retriever
                retriever = HybridRetriever(store=base.store, settings=base.settings, reranker=base.reranker, owner=owner)
                main = self.assistant.chain
                plain = PlainLayer.load(main.settings, own=session_plain_path(main.settings, owner))
                chain = AnswerChain(
                    main.settings, retriever, main.vectors, main.generator, main.provenance, plain=plain, reader=main.reader
                )
                self._own[owner] = Chains(owner, chain, self._quick(retriever, chain))
            return self._own[owner]

    def close(self, owner: str) -> list[str]:
        """The session ended: drop its documents and its chains; the ids removed."""
        with self._lock:
            had = self._own.pop(owner, None)
        removed = remove_session_documents(self.assistant, owner) if had else []
        if removed:
            self.assistant.retriever.refresh()  # others' snapshots see the count change and refresh too
        return removed

    def documents(self, owner: str | None) -> list[DocumentRecord]:
        """What a session can search: the shared library's documents and its own."""
        return [r for r in self.assistant.documents() if not r.owner or (owner and r.owner == owner)]

    @property
    def open_sessions(self) -> int:
        with self._lock:
            return len(self._own)

    @staticmethod
    def _quick(retriever: HybridRetriever, chain: AnswerChain) -> AnswerChain:
        if isinstance(chain.generator, ExtractiveGenerator):
            return chain
        return AnswerChain(
            chain.settings, retriever, chain.vectors, chain.fallback, chain.provenance, plain=chain.plain, reader=chain.reader
        )
