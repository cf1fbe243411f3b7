"""Incremental, interruption-safe index builds.

- Unchanged documents (same content hash) embed nothing.
- A changed document's old chunks are removed before its new ones are written.
- A document whose file is gone from a scanned folder is removed.
- A document left half-written by an interrupted build (chunks without a matching record)
  is removed and written again.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from core.settings import Settings
from corpus.loaders import load_paths
from corpus.types import Document, LoadProblem
from index.chunking import Chunk, chunk_document
from index.store import GuideStore

log = logging.getLogger(__name__)

EMBED_BATCH_CHUNKS = 256  # chunks embedded and written together (whole documents only)


@dataclass
class BuildReport:
    collection: str
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[LoadProblem] = field(default_factory=list)
    chunks_embedded: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        parts = [
            f"{len(self.added)} added",
            f"{len(self.updated)} updated",
            f"{len(self.removed)} removed",
            f"{len(self.unchanged)} unchanged",
        ]
        if self.repaired:
            parts.append(f"{len(self.repaired)} repaired after an interrupted build")
        text = f"Index '{self.collection}': {', '.join(parts)}; {self.chunks_embedded} chunks embedded in {self.seconds:.1f} s."
        for problem in self.problems:
            text += f"\n  not indexed: {problem}"
        return text


def default_sources(settings: Settings) -> list[Path]:
    """The shipped guides, and the documents users added."""
    return [settings.corpus.guides_dir, settings.data_dir / "uploads"]


def build_index(
    settings: Settings,
    store: GuideStore,
    paths: Sequence[Path] | None = None,
    *,
    progress: bool | None = None,
) -> BuildReport:
    """Bring the index up to date with the files under ``paths`` (default: the guides and uploads)."""
    started = time.perf_counter()
    roots = [Path(p).resolve() for p in (paths or default_sources(settings)) if paths or Path(p).exists()]
    documents, problems = load_paths(roots, max_file_mb=settings.corpus.max_file_mb)
    report = index_documents(settings, store, documents, roots=roots, progress=progress)
    report.problems = problems
    report.seconds = time.perf_counter() - started
    return report


def index_documents(
    settings: Settings,
    store: GuideStore,
    documents: Sequence[Document],
    *,
    roots: Sequence[Path] = (),
    progress: bool | None = None,
) -> BuildReport:
    """Write new and changed ``documents``, repair interrupted ones, and remove documents
    whose file under one of ``roots`` is gone. Unchanged documents embed nothing."""
    started = time.perf_counter()
    report = BuildReport(collection=store.name)
    records = store.documents()
    for doc_id, (hashes, count) in store.chunk_inventory().items():
        record = records.get(doc_id)
        if record is None or hashes != {record.doc_hash} or count != record.n_chunks:
            log.warning("repairing %s: left incomplete by an interrupted build", doc_id)
            store.remove_document(doc_id)
            report.repaired.append(doc_id)
            records.pop(doc_id, None)

    loaded = {doc.doc_id for doc in documents}
    for record in records.values():
        if record.doc_id not in loaded and _was_deleted(record.source_path, roots):
            store.remove_document(record.doc_id)
            report.removed.append(record.doc_id)

    todo: list[Document] = []
    for doc in documents:
        record = records.get(doc.doc_id)
        if record is not None and record.doc_hash == doc.content_hash:
            report.unchanged.append(doc.doc_id)
            continue
        if record is not None:
            store.remove_document(doc.doc_id)
            report.updated.append(doc.doc_id)
        elif doc.doc_id not in report.repaired:
            report.added.append(doc.doc_id)
        todo.append(doc)

    report.chunks_embedded = _embed_and_write(settings, store, todo, progress)
    report.seconds = time.perf_counter() - started
    log.debug(report.summary())
    return report


def remove_document(store: GuideStore, doc_id: str) -> bool:
    """Remove one document's chunks and record; False when the index does not hold it."""
    if doc_id not in store.documents() and doc_id not in store.chunk_inventory():
        return False
    store.remove_document(doc_id)
    return True


def _embed_and_write(settings: Settings, store: GuideStore, todo: list[Document], progress: bool | None) -> int:
    from tqdm import tqdm  # noqa: PLC0415

    chunked = [(doc, chunk_document(doc, settings.index.chunk_size, settings.index.chunk_overlap_sentences)) for doc in todo]
    total = sum(len(chunks) for _, chunks in chunked)
    show = sys.stderr.isatty() if progress is None else progress
    embeddings = store.vectorstore.embeddings
    assert embeddings is not None
    with tqdm(total=total, unit="chunk", desc="Embedding", disable=not show or total == 0) as bar:
        for batch in _batches(chunked, EMBED_BATCH_CHUNKS):
            texts = [c.embedding_text() for _, chunks in batch for c in chunks]
            vectors = iter(embeddings.embed_documents(texts))
            items = [(doc, chunks, [next(vectors) for _ in chunks]) for doc, chunks in batch]
            store.write_documents(items, {doc.doc_id: doc.path for doc, _ in batch})
            bar.update(len(texts))
    return total


def _batches(chunked: Iterable[tuple[Document, list[Chunk]]], size: int) -> Iterable[list[tuple[Document, list[Chunk]]]]:
    batch: list[tuple[Document, list[Chunk]]] = []
    count = 0
    for item in chunked:
        batch.append(item)
        count += len(item[1])
        if count >= size:
            yield batch
            batch, count = [], 0
    if batch:
        yield batch


def _was_deleted(source_path: str, roots: Sequence[Path]) -> bool:
    """Only a file that was under a scanned folder and is gone counts as removed."""
    if not source_path:
        return False
    path = Path(source_path)
    return not path.exists() and any(path == root or root in path.parents for root in roots)
