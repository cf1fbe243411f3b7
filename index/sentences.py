"""Every sentence of a set of documents, with a stable id: what sentence-level labels refer to.

A guide sentence's id is ``<doc_id>:<NN>``, its place among the sentences of its cleaned
document (``als-treatment:05``), and it carries a hash of its text, so a label written for
one version of a guide is refused, not silently misread, once that sentence changes.

Labels of which sentences answer a question (``evals/datasets/relevance/``), the relevance
model's training pairs (``relevance/pairs.py``) and the harness's answer-sentence precision and
recall all go through this one catalog.

    python -m index sentences [--guides DIR]       # the catalog as text: id, then the sentence
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from corpus.types import Document
from index.chunking import paragraph_spans, sentence_spans

# A sentence that starts by pointing back ("These include ...", "This approach ...") reads
# only with the one before it; the relevance model and the support check read the two together.
POINTS_BACK = re.compile(r"^(this|these|those|it|its|they|their|such|that)\b", re.IGNORECASE)
# A sentence that leans on the one before for its sense ("Another drug, ...", "However, ..."): an
# answer that shows it shows the one before it first. ("Also", "Additionally" and the like read well
# enough alone, and bringing their sentence before padded answers; "For example, ..." is shown
# without its opener instead, EXAMPLE_OPENER, so that an answer still starts with what answers.) Wider than POINTS_BACK,
# which is part of the relevance model's input format and changes only with a retrain.
LEANS_BACK = re.compile(
    r"^(?:this|these|those|it|its|they|their|such|that|another|however|but|both|too)\b",
    re.IGNORECASE,
)
EXAMPLE_OPENER = re.compile(r"^(?:for (?:example|instance)|e\.g\.)\s*,\s*(?=\w)", re.IGNORECASE)


@dataclass(frozen=True)
class GuideSentence:
    """One sentence of a document, where it is, and the sentence before it in its paragraph."""

    id: str  # "<doc_id>:<NN>"
    doc_id: str
    title: str
    ordinal: int
    text: str
    start: int
    end: int
    previous: str = ""  # the sentence before it in the same paragraph ("" for a paragraph's first)

    @property
    def text_hash(self) -> str:
        return text_hash(self.text)


def text_hash(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()[:12]


def sentences_with_previous(text: str) -> Iterator[tuple[int, int, str, str]]:
    """Each sentence of ``text`` in order: (start, end, the sentence, the one before it in its
    paragraph, "" for a paragraph's first). Guides and passages are walked the same way."""
    for para_start, para_end in paragraph_spans(text):
        previous = ""
        for start, end in sentence_spans(text, para_start, para_end):
            sentence = text[start:end].strip()
            yield start, end, sentence, previous
            previous = sentence


def document_sentences(document: Document) -> list[GuideSentence]:
    """The document's sentences in order, numbered from 0 (its title line is sentence 0)."""
    return [
        GuideSentence(f"{document.doc_id}:{ordinal:02d}", document.doc_id, document.title, ordinal, sentence, start, end, previous)
        for ordinal, (start, end, sentence, previous) in enumerate(sentences_with_previous(document.text))
    ]


def catalog(documents: Iterable[Document]) -> dict[str, GuideSentence]:
    """Every sentence of the documents by id."""
    return {s.id: s for d in documents for s in document_sentences(d)}


def load_catalog(guides_dir: Path) -> dict[str, GuideSentence]:
    """The catalog of the guides in a folder (as the index loads them)."""
    from corpus.loaders import load_paths  # noqa: PLC0415

    documents, _ = load_paths([guides_dir])
    return catalog(documents)


def with_previous(sentence: str, previous: str) -> str:
    """The sentence as it reads on its own: with the one before it when it points back."""
    return f"{previous} {sentence}" if previous and POINTS_BACK.match(sentence) else sentence


def ids_in(text: str, sentences: Sequence[GuideSentence]) -> list[str]:
    """Ids of the catalog sentences that ``text`` (one or more guide sentences, as shown in an
    answer's ``guide_text``) is made of, in the order they appear in it."""
    flat = " ".join(text.split())
    found = [(flat.find(" ".join(s.text.split())), s.id) for s in sentences if len(s.text) > 3]
    return [sid for at, sid in sorted(found) if at >= 0]


def render(sentences: Iterable[GuideSentence]) -> str:
    """The catalog as text a labeller reads: a heading per guide, then ``id  sentence`` lines."""
    lines: list[str] = []
    doc = None
    for s in sentences:
        if s.doc_id != doc:
            doc = s.doc_id
            lines.append(f"\n## Guide: {s.title}  (ids {s.doc_id}:NN)\n")
        lines.append(f"{s.id}  {s.text}")
    return "\n".join(lines) + "\n"
