"""The plain-language layer: for a guide sentence, a checked plainer version, or None.

Built once per sentence with the index (``python -m plain build``: the local model writes a
plainer version, strict checks keep it or keep the original) and looked up here, by the
hash of the sentence's text, on every answer. The layer of the shipped guides is shipped
with them (``corpus/guides/plain.json``); uploaded documents get theirs in the background
(``data_dir/plain.json``) and answers use the original sentence until it is there.

This module only reads and writes the layer: it needs no model, so any layer can look up.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from core.settings import Settings
from corpus.types import Document
from index.chunking import sentence_spans

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
SHIPPED_FILE = "plain.json"  # next to the shipped guides
UPLOADS_FILE = "plain.json"  # in data_dir, for uploaded documents


def normalize_sentence(text: str) -> str:
    """The form a sentence is hashed in: curly quotes straightened, whitespace collapsed."""
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"\s+", " ", text).strip()


def sentence_key(text: str) -> str:
    """The hash a sentence is stored and looked up by."""
    return hashlib.sha256(normalize_sentence(text).encode("utf-8")).hexdigest()[:20]


def document_sentences(document: Document) -> list[str]:
    """A document's sentences, exactly as answers quote them (``sentence_spans`` over the text)."""
    return [document.text[s:e].strip() for s, e in sentence_spans(document.text)]


@dataclass
class PlainEntry:
    """One guide sentence and what the builder made of it.

    ``plain`` is None when no rewrite passed the checks (or none was needed); ``reason``
    then says which check refused it. ``model`` and ``prompt_version`` are part of the
    cache key: a new model or prompt rewrites the sentence, an unchanged one never does.
    """

    source: str
    plain: str | None
    model: str
    prompt_version: str
    reason: str = ""
    candidate: str = ""  # the model's last rewrite, kept for audits even when refused
    grade_source: float | None = None
    grade_plain: float | None = None
    judge: dict[str, float] = field(default_factory=dict)  # judge scores: "source_entails_plain", "plain_entails_source"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> PlainEntry:
        known = {k: raw[k] for k in cls.__dataclass_fields__ if k in raw}
        return cls(**known)


class PlainStore:
    """One JSON file of entries keyed by sentence hash; written whole, atomically."""

    def __init__(self, path: Path, *, make_folder: bool = True) -> None:
        self.path = Path(path)
        # False for a chat session's own layer: once its folder is gone (the session ended and
        # its documents were deleted), nothing of them may be written back to disk.
        self.make_folder = make_folder
        self.entries: dict[str, PlainEntry] = {}
        self._lock = threading.Lock()
        self._mtime: float | None = None
        self.reload()

    def reload(self) -> bool:
        """Read the file again if it changed on disk; True when it was read."""
        try:
            mtime = self.path.stat().st_mtime
        except FileNotFoundError:
            return False
        if mtime == self._mtime:
            return False
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            entries = {key: PlainEntry.from_dict(value) for key, value in raw.get("entries", {}).items()}
        except (json.JSONDecodeError, TypeError, AttributeError) as error:
            # A damaged layer costs plainness, never an answer: the original sentences stay.
            log.error("The plain-language layer %s cannot be read (%s); answers quote the guides. "
                      "Rebuild it with `python -m plain build`.", self.path, error)
            return False
        with self._lock:
            self.entries = entries
            self._mtime = mtime
        return True

    def get(self, key: str) -> PlainEntry | None:
        return self.entries.get(key)

    def put(self, entry: PlainEntry) -> None:
        with self._lock:
            self.entries[sentence_key(entry.source)] = entry

    def save(self) -> None:
        with self._lock:
            data = {
                "format": FORMAT_VERSION,
                "entries": {k: v.to_dict() for k, v in sorted(self.entries.items())},
            }
            if not self.make_folder and not self.path.parent.is_dir():
                log.info("not saving %s: its folder is gone", self.path)
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".json.tmp")
            tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
            os.replace(tmp, self.path)
            self._mtime = self.path.stat().st_mtime


def load_edition(settings: Settings) -> PlainEdition | None:
    """The shipped guides' plain-language edition, read once per guides folder."""
    return _edition(settings.corpus.guides_dir)


@lru_cache(maxsize=4)
def _edition(guides_dir: Path) -> PlainEdition | None:
    return PlainEdition.load(guides_dir)


def shipped_layer_path(settings: Settings) -> Path:
    return settings.corpus.guides_dir / SHIPPED_FILE


def uploads_layer_path(settings: Settings) -> Path:
    return settings.data_dir / UPLOADS_FILE


class PlainLayer:
    """The lookup answers use: ``plain(sentence)`` is the plain version, or None: the writers'
    reviewed edition for the shipped guides (``PlainEdition``) first, else the rule-made layer."""

    def __init__(self, paths: Iterable[Path], own: Path | None = None, edition: PlainEdition | None = None) -> None:
        self.stores = [PlainStore(p) for p in paths]
        if own is not None:  # a chat session's own documents' layer, kept in the session's folder
            self.stores.append(PlainStore(own, make_folder=False))
        self.edition = edition

    @classmethod
    def load(cls, settings: Settings, own: Path | None = None) -> PlainLayer:
        """The shipped guides' edition and layer, and the uploads' layer of ``settings.data_dir``
        (and, for a chat session, ``own``: the layer of the documents only that session added)."""
        return cls([shipped_layer_path(settings), uploads_layer_path(settings)], own, load_edition(settings))

    def store(self, path: Path) -> PlainStore | None:
        """The store of this layer kept in ``path``, if any."""
        return next((s for s in self.stores if s.path == Path(path)), None)

    def plain(self, sentence: str) -> str | None:
        """The plain version of a guide sentence (its exact text), or None."""
        written = self.edition.get(sentence) if self.edition is not None else None
        if written is not None:
            return written.plain
        entry = self.entry(sentence_key(sentence))
        return entry.plain if entry is not None else None

    def origin(self, sentence: str) -> str:
        """Who wrote the sentence's plain version: "edition" (the writers' reviewed edition),
        "rules" (the rule-made or model-made layer), or "" (none)."""
        if self.edition is not None and self.edition.get(sentence) is not None:
            return "edition"
        return "rules" if self.plain(sentence) else ""

    def terms(self, sentence: str) -> tuple[GlossaryEntry, ...]:
        """The glossary entries of the terms the sentence's plain version uses."""
        return self.edition.terms(sentence) if self.edition is not None else ()

    def entry(self, key: str) -> PlainEntry | None:
        for store in self.stores:
            entry = store.get(key)
            if entry is not None:
                return entry
        return None

    def refresh(self) -> None:
        """Pick up layers written since loading (uploads are done in the background)."""
        for store in self.stores:
            store.reload()

    def __iter__(self) -> Iterator[PlainEntry]:
        for store in self.stores:
            yield from store.entries.values()


# --- the writers' plain-language edition of the shipped guides -------------------------

EDITION_FILE = "plain_edition.json"  # next to the shipped guides, assembled by `python -m plain edition`


@dataclass(frozen=True)
class GlossaryEntry:
    """A term a patient cannot avoid, explained once in the guides' own terms."""

    term: str
    explanation: str

    def to_dict(self) -> dict[str, str]:
        return {"term": self.term, "explanation": self.explanation}


@dataclass(frozen=True)
class EditionSentence:
    id: str  # the guide sentence's id (index.sentences)
    source: str
    plain: str
    terms: tuple[str, ...] = ()


class PlainEdition:
    """The reviewed plain version of every sentence of the shipped guides, written by medical
    writers and checked by others (``corpus/guides/plain_edition/``). It is tied to each guide's
    content hash: a guide that changed since is *stale*, and its sentences are looked up in the
    rule-made layer instead (or shown as the guide words them); ``python -m plain report`` says so."""

    def __init__(self, data: dict[str, Any], current_hashes: dict[str, str], path: Path | None = None) -> None:
        self.path = path
        self.edition = str(data.get("edition", ""))
        recorded = {doc: str(g["content_hash"]) for doc, g in data.get("guides", {}).items()}
        self.stale = sorted(doc for doc, h in recorded.items() if current_hashes.get(doc) != h)
        self.glossary = {str(t).lower(): GlossaryEntry(str(t), str(g["explanation"])) for t, g in data.get("glossary", {}).items()}
        self._by_key: dict[str, EditionSentence] = {}
        self.sentences: list[EditionSentence] = []
        for sid, entry in data.get("sentences", {}).items():
            sentence = EditionSentence(sid, str(entry["source"]), str(entry["plain"]), tuple(entry.get("terms", ())))
            self.sentences.append(sentence)
            if sid.split(":")[0] not in self.stale:
                self._by_key[sentence_key(sentence.source)] = sentence

    @classmethod
    def load(cls, guides_dir: Path, documents: Iterable[Document] | None = None) -> PlainEdition | None:
        """The edition beside the guides, or None when there is none (other guides)."""
        path = Path(guides_dir) / EDITION_FILE
        if not path.is_file():
            return None
        if documents is None:  # read as the index reads them, so their content hashes are the index's
            from corpus.domain import load_domain  # noqa: PLC0415
            from corpus.loaders import load_paths  # noqa: PLC0415

            documents, _ = load_paths([guides_dir], domain=load_domain(Path(guides_dir)))
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            edition = cls(data, {d.doc_id: d.content_hash for d in documents}, path)
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as error:
            log.error("The plain-language edition %s cannot be read (%s); answers use the rule-made layer. "
                      "Rebuild it with `python -m plain edition`.", path, error)
            return None
        if edition.stale:
            log.warning("The guides %s changed since their plain-language edition was written: their sentences are shown "
                        "as the guides word them (or in the rule-made layer) until the edition is updated.", ", ".join(edition.stale))
        return edition

    def get(self, sentence: str) -> EditionSentence | None:
        return self._by_key.get(sentence_key(sentence))

    def terms(self, sentence: str) -> tuple[GlossaryEntry, ...]:
        found = self.get(sentence)
        return tuple(self.glossary[t.lower()] for t in found.terms if t.lower() in self.glossary) if found else ()
