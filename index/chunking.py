"""Sentence-aware chunking that keeps every chunk's offsets in its cleaned document.

A chunk is one or more whole paragraphs, packed up to ``chunk_size`` characters (a heading
travels with the paragraph after it). A paragraph longer than that is cut between
sentences, each piece repeating the last ``overlap`` sentences of the one before, so no
sentence is ever cut in two and a chunk reads as a self-contained passage.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from corpus.types import Document

CHUNKER_VERSION = "2"  # 2: ids carry the document version; chunks carry owner and flag

_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "vs.", "dr.", "mr.", "mrs.", "ms.", "prof.", "no.", "fig.", "approx.", "u.s.")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])|[.!?…][\"'”’)\]]*$")


@dataclass(frozen=True)
class Chunk:
    """A passage of a document, with where it came from."""

    chunk_id: str
    doc_id: str
    title: str
    text: str
    start: int
    end: int
    ordinal: int
    conditions: tuple[str, ...] = ()
    doc_hash: str = ""
    source: str = ""
    owner: str = ""  # "" for the shared library; a chat session's id for its own uploads
    flagged: str = ""  # why the passage is never used in answers (it addresses the assistant), or ""

    def embedding_text(self) -> str:
        """What is embedded and keyword-indexed: the title gives a passage its context."""
        return f"{self.title}\n{self.text}"

    def metadata(self) -> dict[str, str | int | bool]:
        meta: dict[str, str | int | bool] = {
            "doc_id": self.doc_id,
            "title": self.title,
            "start": self.start,
            "end": self.end,
            "ordinal": self.ordinal,
            "doc_hash": self.doc_hash,
            "source": self.source,
            "conditions": ",".join(self.conditions),
            "owner": self.owner,
            "flagged": self.flagged,
        }
        for condition in self.conditions:  # Chroma filters on scalar fields
            meta[f"cond_{condition}"] = True
        return meta

    @classmethod
    def from_record(cls, chunk_id: str, text: str, meta: dict) -> Chunk:
        conditions = tuple(c for c in str(meta.get("conditions", "")).split(",") if c)
        return cls(
            chunk_id=chunk_id,
            doc_id=str(meta["doc_id"]),
            title=str(meta["title"]),
            text=text,
            start=int(meta["start"]),
            end=int(meta["end"]),
            ordinal=int(meta["ordinal"]),
            conditions=conditions,
            doc_hash=str(meta.get("doc_hash", "")),
            source=str(meta.get("source", "")),
            owner=str(meta.get("owner", "")),
            flagged=str(meta.get("flagged", "")),
        )


def chunk_document(document: Document, chunk_size: int, overlap_sentences: int = 1) -> list[Chunk]:
    """Cut a cleaned document into passages of about ``chunk_size`` characters at most
    (a single sentence longer than that stays whole, and a heading joins the passage it heads)."""
    text = document.text
    pieces = [
        piece
        for para_start, para_end in paragraph_spans(text)
        for piece in _split_paragraph(text, para_start, para_end, chunk_size, overlap_sentences)
    ]
    spans: list[tuple[int, int]] = []
    heading_pending = False
    for start, end in pieces:  # pack whole short paragraphs together; a heading opens a chunk
        fits = spans and end - spans[-1][0] <= chunk_size and start >= spans[-1][1]
        if fits and (heading_pending or not _is_heading(text[start:end])):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
        heading_pending = _is_heading(text[start:end])
    for index in range(len(spans) - 2, -1, -1):  # a heading never stands alone: it joins what it heads
        if _is_heading(text[spans[index][0] : spans[index][1]]):
            spans[index : index + 2] = [(spans[index][0], spans[index + 1][1])]
    return [
        Chunk(
            chunk_id=_chunk_id(document.doc_id, document.content_hash, start, text[start:end]),
            doc_id=document.doc_id,
            title=document.title,
            text=text[start:end],
            start=start,
            end=end,
            ordinal=ordinal,
            conditions=document.conditions,
            doc_hash=document.content_hash,
            source=document.source,
        )
        for ordinal, (start, end) in enumerate(spans)
    ]


def paragraph_spans(text: str) -> Iterator[tuple[int, int]]:
    """Non-empty lines are paragraphs (web text puts one paragraph on a line)."""
    for match in re.finditer(r"[^\n]+", text):
        start, end = match.span()
        stripped = match.group()
        start += len(stripped) - len(stripped.lstrip())
        end -= len(stripped) - len(stripped.rstrip())
        if end > start:
            yield start, end


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentences of ``text[start:end]`` as absolute offsets, never across a line break."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    for para_start, para_end in paragraph_spans(text[start:end]):
        para_start += start
        para_end += start
        cursor = para_start
        for match in _SENTENCE_END.finditer(text, para_start, para_end):
            if _is_abbreviation(text, cursor, match.end()):
                continue
            spans.append((cursor, match.end()))
            cursor = match.end()
            while cursor < para_end and text[cursor].isspace():
                cursor += 1
        if cursor < para_end:
            spans.append((cursor, para_end))
    return spans


def _split_paragraph(
    text: str, start: int, end: int, chunk_size: int, overlap: int
) -> Iterator[tuple[int, int]]:
    if end - start <= chunk_size:
        yield start, end
        return
    sentences = sentence_spans(text, start, end)
    first = 0
    while first < len(sentences):
        last = first
        while last + 1 < len(sentences) and sentences[last + 1][1] - sentences[first][0] <= chunk_size:
            last += 1
        yield sentences[first][0], sentences[last][1]
        if last + 1 >= len(sentences):
            return
        first = max(last + 1 - overlap, first + 1)


def _is_heading(line: str) -> bool:
    """A short line that does not end a sentence (or asks the question a section answers)."""
    return len(line) < 100 and "\n" not in line and (line.endswith("?") or not line.endswith((".", "!", ":", ";")))


def _is_abbreviation(text: str, sentence_start: int, end: int) -> bool:
    word = text[max(sentence_start, end - 8) : end].split()[-1].lower() if text[sentence_start:end].split() else ""
    return word in _ABBREVIATIONS


def _chunk_id(doc_id: str, doc_hash: str, start: int, text: str) -> str:
    """Unique per document version, so a new version is written beside the old one."""
    return hashlib.sha256(f"{doc_id}\x1f{doc_hash}\x1f{start}\x1f{text}".encode()).hexdigest()[:24]
