"""Incremental, interruption-safe index builds.

- Unchanged documents (same content hash) embed nothing.
- A changed document is never unsearchable: its new version's chunks are written beside
  the old ones, then its record switches to the new version, then the old chunks go.
- A document whose file is gone from a scanned folder is removed, and so is a guide shipped
  from a guides folder that is no longer the configured one.
- What an interrupted build left behind is tidied: chunks of a version no record names are
  dropped (the recorded version stays searchable throughout), and a document whose first
  build was cut short is written again.
- Every document's record says where it came from: a shipped guide, or added (by whom, when).
  Passages of added documents that address the assistant are flagged and never searched.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from core.errors import GuideError
from core.settings import Settings
from corpus.loaders import load_paths
from corpus.types import Document, LoadProblem
from corpus.untrusted import Finding, find_instructions, flag_reason
from index.chunking import Chunk, chunk_document, sentence_spans
from index.store import DocumentRecord, Store

log = logging.getLogger(__name__)

EMBED_BATCH_CHUNKS = 256  # chunks embedded and written together (whole documents only)
SHIPPED_BY = "shipped with the assistant"
STARTUP_BY = "the service, at start-up"


@dataclass
class BuildReport:
    collection: str
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[LoadProblem] = field(default_factory=list)
    flagged: dict[str, list[Finding]] = field(default_factory=dict)  # set-aside sentences per document
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
        for doc_id, findings in self.flagged.items():
            text += f"\n  {doc_id}: {len(findings)} sentence(s) address the assistant; their passages are never used in answers"
            text += "".join(f"\n    {finding.describe()}" for finding in findings[:5])
        return text


def default_sources(settings: Settings) -> list[Path]:
    """The shipped guides, and the documents users added. A guides folder that is not there is
    refused: indexing without it would answer from whatever an earlier build left in the store."""
    guides = Path(settings.corpus.guides_dir)
    if not guides.is_dir():
        raise GuideError(f"The guides folder {guides} does not exist: set GUIDES_CORPUS__GUIDES_DIR to a folder "
                         "of guides, or unset it to use the shipped guides.")
    return [guides, settings.uploads_dir]


def build_index(
    settings: Settings,
    store: Store,
    paths: Sequence[Path] | None = None,
    *,
    progress: bool | None = None,
    added_by: str | None = None,
) -> BuildReport:
    """Bring the index up to date with the files under ``paths`` (default: the guides and uploads).
    ``added_by`` is recorded for documents this build adds or updates (not for shipped guides)."""
    started = time.perf_counter()
    roots = [Path(p).resolve() for p in (paths or default_sources(settings)) if paths or Path(p).exists()]
    documents, problems = load_paths(roots, max_file_mb=settings.corpus.max_file_mb, domain=settings.domain)
    report = index_documents(settings, store, documents, roots=roots, progress=progress, added_by=added_by)
    report.problems = problems
    report.seconds = time.perf_counter() - started
    return report


def index_documents(
    settings: Settings,
    store: Store,
    documents: Sequence[Document],
    *,
    roots: Sequence[Path] = (),
    progress: bool | None = None,
    owner: str = "",
    added_by: str | None = None,
) -> BuildReport:
    """Write new and changed ``documents``, tidy what interrupted builds left, and remove
    documents whose file under one of ``roots`` is gone, and, when ``roots`` hold the configured
    guides folder, guides shipped from another folder. Unchanged documents embed nothing.
    ``owner``: "" for the shared library, or the chat session the documents belong to."""
    started = time.perf_counter()
    report = BuildReport(collection=store.name)
    records = store.documents()
    _tidy_interrupted(store, records, report)

    loaded = {doc.doc_id for doc in documents}
    guides = Path(settings.corpus.guides_dir).resolve()
    read_the_guides = guides in roots  # only a build that read the configured guides knows which they are
    for record in list(records.values()):
        if record.doc_id in loaded:
            continue
        if _was_deleted(record.source_path, roots) or (read_the_guides and _guide_of_another_folder(record, guides)):
            log.info("Removing %s from the index: its file %s is gone or no longer in the guides folder %s.", record.doc_id, record.source_path, guides)
            store.remove_document(record.doc_id)
            report.removed.append(record.doc_id)

    todo: list[Document] = []
    for doc in documents:
        record = records.get(doc.doc_id)
        if record is not None and record.doc_hash == doc.content_hash:
            report.unchanged.append(doc.doc_id)
            continue
        if record is not None:
            report.updated.append(doc.doc_id)  # its current version stays until the new one is written
        elif doc.doc_id not in report.repaired:
            report.added.append(doc.doc_id)
        todo.append(doc)

    provenance = {doc.doc_id: _provenance(settings, doc, records.get(doc.doc_id), owner, added_by) for doc in todo}
    for doc in todo:
        if provenance[doc.doc_id]["origin"] != "shipped" and (findings := find_instructions(doc.text)):
            report.flagged[doc.doc_id] = findings
    report.chunks_embedded = _embed_and_write(settings, store, todo, progress, provenance)
    report.seconds = time.perf_counter() - started
    log.debug(report.summary())
    return report


def _tidy_interrupted(store: Store, records: dict[str, DocumentRecord], report: BuildReport) -> None:
    """Drop what an interrupted build left, never the version a record names (it is searchable)."""
    versions = store.chunk_versions()
    for doc_id in sorted(set(versions) | set(records)):
        record, counts = records.get(doc_id), versions.get(doc_id, {})
        if record is None or counts.get(record.doc_hash, 0) != record.n_chunks:
            log.warning("repairing %s: its first version was left incomplete by an interrupted build", doc_id)
            store.remove_document(doc_id)
            records.pop(doc_id, None)
            report.repaired.append(doc_id)
        elif len(counts) > 1:
            log.warning("repairing %s: dropping chunks of another version left by an interrupted update", doc_id)
            store.drop_other_versions(doc_id, record.doc_hash)
            report.repaired.append(doc_id)


def _provenance(
    settings: Settings, doc: Document, record: DocumentRecord | None, owner: str, added_by: str | None
) -> dict[str, str]:
    now = datetime.now(UTC).isoformat(timespec="seconds")
    guides = Path(settings.corpus.guides_dir).resolve()
    shipped = bool(doc.path) and not owner and guides in Path(doc.path).resolve().parents
    if shipped:
        by = SHIPPED_BY
    else:
        by = added_by or (record.added_by if record is not None and record.added_by else STARTUP_BY)
    return {
        "owner": owner,
        "origin": "shipped" if shipped else "added",
        "added_by": by,
        "added_at": record.added_at if record is not None and record.added_at else now,
        "updated_at": now,
    }


def remove_document(store: Store, doc_id: str) -> bool:
    """Remove one document's chunks and record; False when the index does not hold it."""
    if doc_id not in store.documents() and doc_id not in store.chunk_inventory():
        return False
    store.remove_document(doc_id)
    return True


def _embed_and_write(
    settings: Settings,
    store: Store,
    todo: list[Document],
    progress: bool | None,
    provenance: dict[str, dict[str, str]],
) -> int:
    from tqdm import tqdm  # noqa: PLC0415

    chunked = [(doc, _chunks(settings, doc, provenance[doc.doc_id])) for doc in todo]
    total = sum(len(chunks) for _, chunks in chunked)
    show = sys.stderr.isatty() if progress is None else progress
    with tqdm(total=total, unit="chunk", desc="Embedding", disable=not show or total == 0) as bar:
        for batch in _batches(chunked, EMBED_BATCH_CHUNKS):
            texts = [c.embedding_text() for _, chunks in batch for c in chunks]
            vectors = iter(store.embeddings.embed_documents(texts))
            items = [(doc, chunks, [next(vectors) for _ in chunks]) for doc, chunks in batch]
            store.write_documents(items, {doc.doc_id: doc.path for doc, _ in batch}, provenance)
            for doc, _ in batch:  # the records now name the new versions: the old chunks can go
                store.drop_other_versions(doc.doc_id, doc.content_hash)
            bar.update(len(texts))
    return total


def _chunks(settings: Settings, doc: Document, provenance: dict[str, str]) -> list[Chunk]:
    chunks = chunk_document(doc, settings.index.chunk_size, settings.index.chunk_overlap_sentences)
    chunks = [dataclasses.replace(c, owner=provenance["owner"]) for c in chunks]
    if provenance["origin"] == "shipped":
        return chunks
    return [piece for c in chunks for piece in _set_aside(doc, c)]


def _set_aside(doc: Document, chunk: Chunk) -> list[Chunk]:
    """A passage with sentences aimed at the assistant, cut so that those sentences are flagged
    passages of their own and the rest of it stays searchable."""
    if not flag_reason(chunk.text):
        return [chunk]
    pieces: list[tuple[int, int, str]] = []  # start, end, flag
    for start, end in sentence_spans(doc.text, chunk.start, chunk.end):
        flag = flag_reason(doc.text[start:end])
        if pieces and not flag and not pieces[-1][2]:
            pieces[-1] = (pieces[-1][0], end, "")
        else:
            pieces.append((start, end, flag))
    return [
        dataclasses.replace(
            chunk,
            chunk_id=hashlib.sha256(f"{chunk.chunk_id}\x1f{start}\x1f{end}".encode()).hexdigest()[:24],
            text=doc.text[start:end],
            start=start,
            end=end,
            flagged=flag,
        )
        for start, end, flag in pieces
    ]


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


def _guide_of_another_folder(record: DocumentRecord, guides: Path) -> bool:
    """A guide shipped from a guides folder that is no longer the configured one: pointing
    ``GUIDES_CORPUS__GUIDES_DIR`` at other guides answers from those, not from both."""
    return record.origin == "shipped" and not record.owner and bool(record.source_path) and guides not in Path(record.source_path).resolve().parents


def _was_deleted(source_path: str, roots: Sequence[Path]) -> bool:
    """Only a file that was under a scanned folder and is gone counts as removed."""
    if not source_path:
        return False
    path = Path(source_path)
    return not path.exists() and any(path == root or root in path.parents for root in roots)
