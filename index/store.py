"""The Chroma store of one index: a collection of chunks and one of document records.

The chunk collection is used through langchain-chroma (``GuideStore.vectorstore`` is a
LangChain ``VectorStore``); the record collection holds each document's cleaned text and a
record written only after all of its chunks, which is what makes a document complete.

A document is searchable in the version its record names. Chunk ids carry the version, so
an update writes the new version's chunks beside the old ones, then switches the record,
then drops the old chunks: killed at any moment, the document is searchable in one
version or the other.

Chunks carry an ``owner`` ("" for the shared library, a chat session's id for the
documents that session added) and a ``flagged`` reason (passages that address the
assistant); ``searchable_chunks`` and ``dense_search`` apply both.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import chromadb
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings

from core.errors import GuideError
from core.settings import Settings
from corpus.cleaning import CLEANER_VERSION
from corpus.types import Document, OffsetMap
from index.chunking import CHUNKER_VERSION, Chunk

log = logging.getLogger(__name__)

_PAGE = 2000  # records read per request when scanning a collection
_COSINE = {"hnsw": {"space": "cosine"}}


def index_shape(settings: Settings) -> dict[str, Any]:
    """Everything that shapes chunks and vectors: a change means a new collection."""
    return {
        "embedding_model": settings.index.embedding_model,
        "chunk_size": settings.index.chunk_size,
        "overlap_sentences": settings.index.chunk_overlap_sentences,
        "cleaner": CLEANER_VERSION,
        "chunker": CHUNKER_VERSION,
    }


def collection_name(settings: Settings) -> str:
    digest = hashlib.sha256(json.dumps(index_shape(settings), sort_keys=True).encode()).hexdigest()[:10]
    return f"{settings.index.collection_prefix}-{digest}"


def unreachable_server(settings: Settings, error: BaseException) -> GuideError:
    """What to tell the user when the Chroma server does not answer (CLI, chat and API alike)."""
    return GuideError(
        f"Cannot reach the Chroma server at {settings.index.chroma_host}:{settings.index.chroma_port} "
        f"({error}). Start it with 'chroma run --path DIR --port {settings.index.chroma_port}', "
        "or unset GUIDES_INDEX__CHROMA_HOST to use the embedded store."
    )


def make_client(settings: Settings) -> chromadb.ClientAPI:
    """Embedded Chroma under the data directory, or a Chroma server when a host is set."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.index.chroma_host:
        try:
            client = chromadb.HttpClient(
                host=settings.index.chroma_host, port=settings.index.chroma_port, settings=chroma_settings
            )
            client.heartbeat()
        except Exception as error:  # chromadb raises several types for one cause: no server
            raise unreachable_server(settings, error) from error
        return client
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)


@dataclass(frozen=True)
class DocumentRecord:
    """What the index knows of a complete document."""

    doc_id: str
    title: str
    source: str
    source_path: str
    conditions: tuple[str, ...]
    doc_hash: str
    n_chunks: int
    owner: str = ""  # "" for the shared library; a chat session's id for its own uploads
    origin: str = ""  # "shipped" (a guide that comes with the assistant) or "added"
    added_by: str = ""
    added_at: str = ""  # ISO time the document first entered the index
    updated_at: str = ""  # ISO time of this version
    flagged_chunks: int = 0  # passages set aside because they address the assistant


@dataclass(frozen=True)
class StoredDocument:
    """A document's cleaned text as indexed, for showing a passage in its context."""

    record: DocumentRecord
    text: str
    offset_map: OffsetMap


class GuideStore:
    """Chunks and document records of the index named by the settings."""

    def __init__(self, settings: Settings, embeddings: Embeddings, client: chromadb.ClientAPI | None = None):
        self.settings = settings
        self.client = client or make_client(settings)
        self.name = collection_name(settings)
        self.vectorstore = Chroma(
            client=self.client,
            collection_name=self.name,
            embedding_function=embeddings,
            collection_configuration=_COSINE,
            collection_metadata={"shape": json.dumps(index_shape(settings), sort_keys=True)},
        )
        self.chunks = self.client.get_collection(self.name)
        self.records = self.client.get_or_create_collection(
            f"{self.name}-docs", embedding_function=None, configuration=_COSINE
        )

    # --- reading -------------------------------------------------------------------
    def documents(self) -> dict[str, DocumentRecord]:
        """Records of documents whose chunks were all written."""
        return {meta["doc_id"]: _record(meta) for _, _, meta in self._scan(self.records, documents=False)}

    def chunk_versions(self) -> dict[str, dict[str, int]]:
        """Per document id: how many chunks each of its versions (document hash) has."""
        versions: dict[str, dict[str, int]] = {}
        for _, _, meta in self._scan(self.chunks, documents=False):
            counts = versions.setdefault(str(meta["doc_id"]), {})
            doc_hash = str(meta.get("doc_hash", ""))
            counts[doc_hash] = counts.get(doc_hash, 0) + 1
        return versions

    def chunk_inventory(self) -> dict[str, tuple[set[str], int]]:
        """Per document id: the document hashes its chunks carry, and how many chunks."""
        return {doc_id: (set(counts), sum(counts.values())) for doc_id, counts in self.chunk_versions().items()}

    def complete_documents(self) -> dict[str, DocumentRecord]:
        """Documents whose recorded version has all its chunks: the searchable ones. (An update
        in progress leaves the other version's chunks beside them; a build drops those.)"""
        versions = self.chunk_versions()
        return {
            doc_id: record
            for doc_id, record in self.documents().items()
            if versions.get(doc_id, {}).get(record.doc_hash, 0) == record.n_chunks
        }

    def all_chunks(self) -> list[Chunk]:
        return [Chunk.from_record(cid, text or "", meta) for cid, text, meta in self._scan(self.chunks)]

    def searchable_chunks(self, owner: str | None = None) -> list[Chunk]:
        """Chunks of complete documents in their recorded version, not flagged, in the shared
        library or (when ``owner`` is given) added by that owner."""
        complete = self.complete_documents()
        visible = {"", owner} if owner else {""}
        return [
            c
            for c in self.all_chunks()
            if c.doc_id in complete and c.doc_hash == complete[c.doc_id].doc_hash and c.owner in visible and not c.flagged
        ]

    def dense_search(
        self, vector: Sequence[float], k: int, condition: str | None = None, owner: str | None = None
    ) -> list[tuple[Chunk, float]]:
        """Nearest usable chunks by cosine similarity (higher is closer): the shared library's and
        ``owner``'s, never a flagged one. (Callers keep only the recorded version of each document.)"""
        if self.chunks.count() == 0:
            return []
        clauses: list[dict[str, Any]] = [{"flagged": ""}, {"owner": {"$in": ["", owner]}} if owner else {"owner": ""}]
        if condition:
            clauses.append({f"cond_{condition}": True})
        hits = self.vectorstore.similarity_search_by_vector_with_relevance_scores(
            list(vector), k=min(k, self.chunks.count()), filter={"$and": clauses}
        )
        return [
            (Chunk.from_record(str(doc.id), doc.page_content, doc.metadata), 1.0 - float(distance))
            for doc, distance in hits
        ]

    def document(self, doc_id: str) -> StoredDocument | None:
        found = self.records.get(ids=[doc_id], include=["metadatas", "documents"])
        if not found["ids"]:
            return None
        meta = found["metadatas"][0]
        runs = tuple(tuple(run) for run in json.loads(str(meta.get("offset_runs") or "[]")))
        return StoredDocument(_record(meta), found["documents"][0] or "", OffsetMap(runs))  # type: ignore[arg-type]

    # --- writing -------------------------------------------------------------------
    def write_documents(
        self,
        items: Sequence[tuple[Document, list[Chunk], list[list[float]]]],
        source_paths: dict[str, str],
        provenance: dict[str, dict[str, str]] | None = None,
    ) -> None:
        """Write chunks first, then each document's record: a record means complete. Earlier
        versions' chunks stay until ``drop_other_versions``. ``provenance``: per document id,
        record fields such as ``owner``, ``origin``, ``added_by``, ``added_at``, ``updated_at``."""
        provenance = provenance or {}
        ids = [c.chunk_id for _, chunks, _ in items for c in chunks]
        if ids:
            self.chunks.upsert(
                ids=ids,
                documents=[c.text for _, chunks, _ in items for c in chunks],
                metadatas=[c.metadata() for _, chunks, _ in items for c in chunks],
                embeddings=[v for _, _, vectors in items for v in vectors],
            )
        self.records.upsert(
            ids=[doc.doc_id for doc, _, _ in items],
            documents=[doc.text for doc, _, _ in items],
            metadatas=[
                {
                    "doc_id": doc.doc_id,
                    "title": doc.title,
                    "source": doc.source,
                    "source_path": source_paths.get(doc.doc_id, ""),
                    "conditions": ",".join(doc.conditions),
                    "doc_hash": doc.content_hash,
                    "n_chunks": len(chunks),
                    "offset_runs": json.dumps(doc.offset_map.runs),
                    "flagged_chunks": sum(1 for c in chunks if c.flagged),
                    **provenance.get(doc.doc_id, {}),
                }
                for doc, chunks, _ in items
            ],
            embeddings=[_mean_vector(vectors) for _, _, vectors in items],
        )

    def drop_other_versions(self, doc_id: str, keep: str) -> None:
        """Delete a document's chunks of every version but ``keep`` (its recorded one)."""
        self.chunks.delete(where={"$and": [{"doc_id": doc_id}, {"doc_hash": {"$ne": keep}}]})

    def remove_document(self, doc_id: str) -> None:
        """Record first, chunks after: an interruption leaves orphans a build removes."""
        self.records.delete(ids=[doc_id])
        self.chunks.delete(where={"doc_id": doc_id})

    def check_reachable(self) -> None:
        """Raise the user-facing GuideError when the Chroma server does not answer (the
        embedded store always does)."""
        if not self.settings.index.chroma_host:
            return
        try:
            self.client.heartbeat()
        except Exception as error:  # chromadb raises several types for one cause: no server
            raise unreachable_server(self.settings, error) from error

    def _scan(self, collection: Any, documents: bool = True) -> Iterator[tuple[str, str | None, dict]]:
        include = ["metadatas", "documents"] if documents else ["metadatas"]
        offset = 0
        while True:
            page = collection.get(include=include, limit=_PAGE, offset=offset)
            if not page["ids"]:
                return
            texts = page["documents"] if documents else [None] * len(page["ids"])
            yield from zip(page["ids"], texts, page["metadatas"], strict=True)
            offset += len(page["ids"])


def _record(meta: dict) -> DocumentRecord:
    return DocumentRecord(
        doc_id=str(meta["doc_id"]),
        title=str(meta["title"]),
        source=str(meta.get("source", "")),
        source_path=str(meta.get("source_path", "")),
        conditions=tuple(c for c in str(meta.get("conditions", "")).split(",") if c),
        doc_hash=str(meta["doc_hash"]),
        n_chunks=int(meta["n_chunks"]),
        owner=str(meta.get("owner", "")),
        origin=str(meta.get("origin", "")),
        added_by=str(meta.get("added_by", "")),
        added_at=str(meta.get("added_at", "")),
        updated_at=str(meta.get("updated_at", "")),
        flagged_chunks=int(meta.get("flagged_chunks", 0)),
    )


def _mean_vector(vectors: list[list[float]]) -> list[float]:
    """A document's vector: the normalised mean of its chunks' vectors."""
    total = [sum(column) for column in zip(*vectors, strict=True)]
    norm = sum(x * x for x in total) ** 0.5 or 1.0
    return [x / norm for x in total]
