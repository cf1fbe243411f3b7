"""The store of one index: its chunks with their vectors, and one record per document.

``Store`` is what the rest of the code uses: search by vector, add or replace documents,
remove one, list documents and chunks. ``GuideStore`` is that store over chromadb, embedded
(``PersistentClient`` under the data directory) or a ``chroma run`` server when a host is
set; it is the only module that imports chromadb. Everything opens the store with
``open_store``: swapping the store is another class with ``Store``'s primitive methods, here,
and that one line.

A document is searchable in the version its record names, and the record is written only
after all of its chunks. Chunk ids carry the version, so an update writes the new version's
chunks beside the old ones, then switches the record, then drops the old chunks: killed at
any moment, the document is searchable in one version or the other.

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
from typing import Any, Protocol

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings
from langchain_core.embeddings import Embeddings

from core.errors import GuideError
from core.settings import Settings
from corpus.cleaning import CLEANER_VERSION
from corpus.types import Document, OffsetMap
from index.chunking import CHUNKER_VERSION, Chunk

log = logging.getLogger(__name__)

_PAGE = 2000  # records read per request when scanning a collection
_COSINE = {"hnsw": {"space": "cosine"}}

# What one write adds or replaces: a document, its chunks, and one vector per chunk.
WriteItem = tuple[Document, list[Chunk], list[list[float]]]


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


class Store(Protocol):
    """The index as the rest of the code sees it. An implementation writes the primitive
    methods; the ones after them are worked out from those (subclass ``Store`` to inherit them)."""

    name: str  # the index's name (a hash of its shape), reported with every answer
    embeddings: Embeddings  # the embedder whose vectors it holds

    def documents(self) -> dict[str, DocumentRecord]:
        """Records of documents whose chunks were all written (of some version)."""
        ...

    def all_chunks(self) -> list[Chunk]:
        """Every chunk stored, of every version, flagged or not."""
        ...

    def count(self) -> int:
        """How many chunks are stored (cheap: retrieval checks it before every search)."""
        ...

    def dense_search(
        self, vector: Sequence[float], k: int, condition: str | None = None, owner: str | None = None
    ) -> list[tuple[Chunk, float]]:
        """Nearest usable chunks by cosine similarity (higher is closer): the shared library's and
        ``owner``'s, never a flagged one. (Callers keep only the recorded version of each document.)"""
        ...

    def vectors(self, chunk_ids: Sequence[str]) -> tuple[list[str], np.ndarray]:
        """The ids found among ``chunk_ids`` and their vectors, one row each."""
        ...

    def document(self, doc_id: str) -> StoredDocument | None:
        """A document's cleaned text and record, or None."""
        ...

    def write_documents(
        self, items: Sequence[WriteItem], source_paths: dict[str, str], provenance: dict[str, dict[str, str]] | None = None
    ) -> None:
        """Add or replace documents: chunks first, then each document's record (a record means
        complete). Earlier versions' chunks stay until ``drop_other_versions``. ``provenance``: per
        document id, record fields such as ``owner``, ``origin``, ``added_by``, ``added_at``, ``updated_at``."""
        ...

    def drop_other_versions(self, doc_id: str, keep: str) -> None:
        """Delete a document's chunks of every version but ``keep`` (its recorded one)."""
        ...

    def remove_document(self, doc_id: str) -> None:
        """Record first, chunks after: an interruption leaves orphans a build removes."""
        ...

    def check_reachable(self) -> None:
        """Raise the user-facing GuideError when the store cannot be reached."""
        ...

    # --- worked out from the primitives ------------------------------------------------
    def chunk_versions(self) -> dict[str, dict[str, int]]:
        """Per document id: how many chunks each of its versions (document hash) has."""
        return _versions(self.all_chunks())

    def chunk_inventory(self) -> dict[str, tuple[set[str], int]]:
        """Per document id: the document hashes its chunks carry, and how many chunks."""
        return {doc_id: (set(counts), sum(counts.values())) for doc_id, counts in self.chunk_versions().items()}

    def complete_documents(self) -> dict[str, DocumentRecord]:
        """Documents whose recorded version has all its chunks: the searchable ones. (An update
        in progress leaves the other version's chunks beside them; a build drops those.)"""
        return _complete(self.documents(), self.chunk_versions())

    def searchable_chunks(self, owner: str | None = None) -> list[Chunk]:
        """Chunks of complete documents in their recorded version, not flagged, in the shared
        library or (when ``owner`` is given) added by that owner."""
        chunks = self.all_chunks()
        complete = _complete(self.documents(), _versions(chunks))
        visible = {"", owner} if owner else {""}
        return [
            c
            for c in chunks
            if c.doc_id in complete and c.doc_hash == complete[c.doc_id].doc_hash and c.owner in visible and not c.flagged
        ]


def _versions(chunks: Sequence[Chunk]) -> dict[str, dict[str, int]]:
    versions: dict[str, dict[str, int]] = {}
    for chunk in chunks:
        counts = versions.setdefault(chunk.doc_id, {})
        counts[chunk.doc_hash] = counts.get(chunk.doc_hash, 0) + 1
    return versions


def _complete(records: dict[str, DocumentRecord], versions: dict[str, dict[str, int]]) -> dict[str, DocumentRecord]:
    return {
        doc_id: record
        for doc_id, record in records.items()
        if versions.get(doc_id, {}).get(record.doc_hash, 0) == record.n_chunks
    }


# --- Chroma -------------------------------------------------------------------------------
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


def drop_index(settings: Settings) -> None:
    """Delete the index the settings name (its chunks and its records), if it exists."""
    client = make_client(settings)
    name = collection_name(settings)
    for collection in (name, f"{name}-docs"):
        try:
            client.delete_collection(collection)
            log.info("dropped collection %s", collection)
        except Exception:  # chromadb raises different types for "no such collection"
            log.debug("no collection %s to drop", collection)


def open_store(settings: Settings, embeddings: Embeddings) -> Store:
    """The store the settings name: Chroma, embedded or a server."""
    return GuideStore(settings, embeddings)


class GuideStore(Store):
    """The index named by the settings, in Chroma: a collection of chunks and one of records."""

    def __init__(self, settings: Settings, embeddings: Embeddings, client: chromadb.ClientAPI | None = None):
        self.settings = settings
        self.embeddings = embeddings
        self.client = client or make_client(settings)
        self.name = collection_name(settings)
        # No collection gets Chroma's default embedding function (it would download a model).
        self._chunks = self.client.get_or_create_collection(
            self.name,
            embedding_function=None,
            configuration=_COSINE,
            metadata={"shape": json.dumps(index_shape(settings), sort_keys=True)},
        )
        self._records = self.client.get_or_create_collection(
            f"{self.name}-docs", embedding_function=None, configuration=_COSINE
        )

    # --- reading -------------------------------------------------------------------
    def documents(self) -> dict[str, DocumentRecord]:
        return {meta["doc_id"]: _record(meta) for _, _, meta in _scan(self._records, documents=False)}

    def all_chunks(self) -> list[Chunk]:
        return [Chunk.from_record(cid, text or "", meta) for cid, text, meta in _scan(self._chunks)]

    def count(self) -> int:
        return self._chunks.count()

    def dense_search(
        self, vector: Sequence[float], k: int, condition: str | None = None, owner: str | None = None
    ) -> list[tuple[Chunk, float]]:
        stored = self._chunks.count()
        if stored == 0:
            return []
        clauses: list[dict[str, Any]] = [{"flagged": ""}, {"owner": {"$in": ["", owner]}} if owner else {"owner": ""}]
        if condition:
            clauses.append({f"cond_{condition}": True})
        found = self._chunks.query(
            query_embeddings=[list(vector)], n_results=min(k, stored), where={"$and": clauses},
            include=["metadatas", "documents", "distances"],
        )
        return [
            (Chunk.from_record(str(cid), text, meta or {}), 1.0 - float(distance))
            for cid, text, meta, distance in zip(
                found["ids"][0], found["documents"][0], found["metadatas"][0], found["distances"][0], strict=True
            )
            if text is not None
        ]

    def vectors(self, chunk_ids: Sequence[str]) -> tuple[list[str], np.ndarray]:
        found = self._chunks.get(ids=list(chunk_ids), include=["embeddings"])
        return list(found["ids"]), np.asarray(found["embeddings"], dtype=np.float64)

    def document(self, doc_id: str) -> StoredDocument | None:
        found = self._records.get(ids=[doc_id], include=["metadatas", "documents"])
        if not found["ids"]:
            return None
        meta = found["metadatas"][0]
        runs = tuple(tuple(run) for run in json.loads(str(meta.get("offset_runs") or "[]")))
        return StoredDocument(_record(meta), found["documents"][0] or "", OffsetMap(runs))  # type: ignore[arg-type]

    # --- writing -------------------------------------------------------------------
    def write_documents(
        self, items: Sequence[WriteItem], source_paths: dict[str, str], provenance: dict[str, dict[str, str]] | None = None
    ) -> None:
        provenance = provenance or {}
        ids = [c.chunk_id for _, chunks, _ in items for c in chunks]
        if ids:
            self._chunks.upsert(
                ids=ids,
                documents=[c.text for _, chunks, _ in items for c in chunks],
                metadatas=[c.metadata() for _, chunks, _ in items for c in chunks],
                embeddings=[v for _, _, vectors in items for v in vectors],
            )
        self._records.upsert(
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
            # Chroma wants a vector for every record; records are only ever read by id, so each
            # takes its first chunk's (of the collection's dimension, so older indexes stay usable).
            embeddings=[vectors[0] for _, _, vectors in items],
        )

    def drop_other_versions(self, doc_id: str, keep: str) -> None:
        self._chunks.delete(where={"$and": [{"doc_id": doc_id}, {"doc_hash": {"$ne": keep}}]})

    def remove_document(self, doc_id: str) -> None:
        self._records.delete(ids=[doc_id])
        self._chunks.delete(where={"doc_id": doc_id})

    def check_reachable(self) -> None:
        """The embedded store always answers; a server is asked for a heartbeat."""
        if not self.settings.index.chroma_host:
            return
        try:
            self.client.heartbeat()
        except Exception as error:  # chromadb raises several types for one cause: no server
            raise unreachable_server(self.settings, error) from error


def _scan(collection: Any, documents: bool = True) -> Iterator[tuple[str, str | None, dict]]:
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
