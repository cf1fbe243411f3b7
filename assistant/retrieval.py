"""Hybrid retrieval: dense (Chroma) and BM25 (bm25s) fused by weighted reciprocal rank.

A ``Reranker`` then reorders the first fused candidates: in the assistant, the relevance model by
the likeliest answering sentence each holds, read as the answer reads it
(``assistant.evidence.ReadingReranker``).
``HybridRetriever`` is a LangChain ``BaseRetriever``, so it also works inside a user's own
LangChain code; our chain calls ``search`` for typed ``Passage``s.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, PrivateAttr

from assistant.lexical import content_terms
from assistant.types import Passage
from index.chunking import Chunk
from index.store import Store

log = logging.getLogger(__name__)


class Reranker(Protocol):
    """Scores passages for a question; the likeliest to answer it come first."""

    def rank_passages(self, question: str, chunks: Sequence[Chunk]) -> list[float]: ...


class HybridRetriever(BaseRetriever):
    """Dense + BM25 retrieval over the complete documents of a ``Store``."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: Any
    settings: Any
    reranker: Any = None
    condition: str | None = None  # used when called as a LangChain retriever
    owner: str | None = None  # None: the shared library only; a chat session's id: that session's uploads too

    _bm25: Any = PrivateAttr(default=None)
    _chunks: list[Chunk] = PrivateAttr(default_factory=list)
    _seen_count: int = PrivateAttr(default=-1)
    _lock: Any = PrivateAttr(default_factory=threading.Lock)

    def refresh(self) -> None:
        """Rebuild the keyword index from the complete documents in the store."""
        import bm25s  # noqa: PLC0415

        logging.getLogger("bm25s").setLevel(logging.WARNING)  # bm25s sets itself to DEBUG on import
        store: Store = self.store
        with self._lock:  # searches in other threads keep the old index until the new one is whole
            seen = store.count()
            chunks = store.searchable_chunks(self.owner)  # recorded versions, visible to this owner, not flagged
            bm25 = None
            if chunks:
                bm25 = bm25s.BM25()
                bm25.index([content_terms(c.embedding_text()) or ["_"] for c in chunks], show_progress=False)
            self._chunks, self._bm25, self._seen_count = chunks, bm25, seen
        log.debug("retriever ready: %d chunks of %d documents", len(chunks), len({c.doc_id for c in chunks}))

    @property
    def chunks(self) -> list[Chunk]:
        """The searchable chunks (those of complete documents)."""
        return list(self._chunks)

    @property
    def chunk_count(self) -> int:
        return len(self._chunks)

    def search(
        self,
        query: str,
        k: int | None = None,
        condition: str | None = None,
        query_vector: Sequence[float] | None = None,
        prefer: Sequence[str] = (),
        rerank_query: str | None = None,
    ) -> list[Passage]:
        """The ``k`` best passages for ``query``, numbered from 1. Passages of a ``prefer``red
        condition (one the question names) get one extra first-rank vote in the fusion. The first
        ``rerank_candidates`` of the fused list are reranked by the reranker for ``rerank_query``
        (the question as read, when ``query`` was widened for search)."""
        store: Store = self.store
        if self._bm25 is None or store.count() != self._seen_count:
            self.refresh()
        chunks, bm25 = self._chunks, self._bm25  # one consistent snapshot for this search
        if not chunks:
            return []
        k = k or self.settings.retrieval.top_k
        by_id = {c.chunk_id: c for c in chunks if condition is None or condition in c.conditions}
        if query_vector is None:
            query_vector = store.embeddings.embed_query(query)

        dense_hits, bm25_hits = self._candidates(query, query_vector, condition, chunks, bm25, by_id)
        dense_score = {c.chunk_id: s for c, s in dense_hits}
        bm25_score = dict(bm25_hits)
        retrieval = self.settings.retrieval
        fused = fuse([c.chunk_id for c, _ in dense_hits], [cid for cid, _ in bm25_hits], retrieval.rrf_k, retrieval.bm25_weight)
        if prefer:
            for chunk_id in fused:
                if set(prefer) & set(by_id[chunk_id].conditions):
                    fused[chunk_id] += 1.0 / (self.settings.retrieval.rrf_k + 1)
        order = sorted(fused, key=lambda cid: (-fused[cid], cid))

        rerank_score: dict[str, float] = {}
        if self.reranker is not None and order:
            head = order[: retrieval.rerank_candidates]
            scores = self.reranker.rank_passages(rerank_query or query, [by_id[cid] for cid in head])
            rerank_score = dict(zip(head, scores, strict=True))
            order = sorted(head, key=lambda cid: -rerank_score[cid]) + order[len(head):]  # stable: ties keep the fused order

        top = order[:k]
        missing = [cid for cid in top if cid not in dense_score]
        if missing:  # give keyword-only hits a dense score too: evidence checks use it
            dense_score.update(self._cosines(query_vector, missing))
        return [
            Passage(
                n=i + 1,
                chunk=by_id[cid],
                score=fused[cid],
                dense_score=dense_score.get(cid),
                bm25_score=bm25_score.get(cid),
                rerank_score=rerank_score.get(cid),
            )
            for i, cid in enumerate(top)
        ]

    def candidates(
        self, query: str, query_vector: Sequence[float], condition: str | None = None
    ) -> tuple[list[tuple[Chunk, float]], list[tuple[str, float]]]:
        """The two lists ``search`` fuses: dense hits (chunk, cosine) and BM25 hits (chunk id,
        score), ``settings.retrieval.candidates`` each, for benchmarks that weigh them."""
        chunks, bm25 = self._chunks, self._bm25
        by_id = {c.chunk_id: c for c in chunks if condition is None or condition in c.conditions}
        return self._candidates(query, query_vector, condition, chunks, bm25, by_id)

    def _candidates(
        self,
        query: str,
        query_vector: Sequence[float],
        condition: str | None,
        chunks: list[Chunk],
        bm25: Any,
        by_id: dict[str, Chunk],
    ) -> tuple[list[tuple[Chunk, float]], list[tuple[str, float]]]:
        wanted = self.settings.retrieval.candidates
        dense = [(c, s) for c, s in self.store.dense_search(query_vector, wanted * 2, condition, self.owner) if c.chunk_id in by_id]
        return dense[:wanted], _bm25_search(bm25, chunks, query, wanted, by_id)

    def keyword_search(self, query: str, k: int, condition: str | None = None) -> list[tuple[Chunk, float]]:
        """BM25 alone (the keyword half of the fusion), for benchmarks and inspection."""
        chunks, bm25 = self._chunks, self._bm25
        allowed = {c.chunk_id: c for c in chunks if condition is None or condition in c.conditions}
        return [(allowed[cid], score) for cid, score in _bm25_search(bm25, chunks, query, k, allowed)]

    def _cosines(self, vector: Sequence[float], chunk_ids: list[str]) -> dict[str, float]:
        ids, stored = self.store.vectors(chunk_ids)
        if not ids:
            return {}
        norms = np.linalg.norm(stored, axis=1)
        cosines = stored @ np.asarray(vector, dtype=np.float64) / np.where(norms == 0, 1.0, norms)
        return dict(zip(ids, cosines.tolist(), strict=True))

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        return [
            LCDocument(
                page_content=p.chunk.text,
                id=p.chunk.chunk_id,
                metadata={**p.chunk.metadata(), "n": p.n, "score": p.score, "dense_score": p.dense_score},
            )
            for p in self.search(query, condition=self.condition)
        ]


def fuse(dense_ids: Sequence[str], keyword_ids: Sequence[str], rrf_k: int, bm25_weight: float) -> dict[str, float]:
    """Weighted reciprocal-rank fusion: a passage scores 1 / (rrf_k + rank) from the dense list
    and ``bm25_weight`` / (rrf_k + rank) from the keyword list (ranks from 1). A weight of 1 is
    plain reciprocal-rank fusion; a lower one lets BM25 reorder the dense list less."""
    fused: dict[str, float] = {}
    for weight, ranking in ((1.0, dense_ids), (bm25_weight, keyword_ids)):
        for rank, chunk_id in enumerate(ranking, 1):
            fused[chunk_id] = fused.get(chunk_id, 0.0) + weight / (rrf_k + rank)
    return fused


def _bm25_search(bm25: Any, chunks: list[Chunk], query: str, wanted: int, allowed: dict[str, Chunk]) -> list[tuple[str, float]]:
    terms = content_terms(query)
    if not terms or bm25 is None:
        return []
    limit = min(len(chunks), wanted if len(allowed) == len(chunks) else len(chunks))
    indices, scores = bm25.retrieve([terms], k=limit, show_progress=False)
    hits = []
    for index, score in zip(indices[0], scores[0], strict=True):
        chunk = chunks[int(index)]
        if score > 0 and chunk.chunk_id in allowed:
            hits.append((chunk.chunk_id, float(score)))
    return hits[:wanted]
