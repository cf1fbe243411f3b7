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


def shipped_layer_path(settings: Settings) -> Path:
    return settings.corpus.guides_dir / SHIPPED_FILE


def uploads_layer_path(settings: Settings) -> Path:
    return settings.data_dir / UPLOADS_FILE


class PlainLayer:
    """The lookup answers use: ``plain(sentence)`` is the checked plain version, or None."""

    def __init__(self, paths: Iterable[Path], own: Path | None = None) -> None:
        self.stores = [PlainStore(p) for p in paths]
        if own is not None:  # a chat session's own documents' layer, kept in the session's folder
            self.stores.append(PlainStore(own, make_folder=False))

    @classmethod
    def load(cls, settings: Settings, own: Path | None = None) -> PlainLayer:
        """The shipped guides' layer and the uploads' layer of ``settings.data_dir`` (and, for
        a chat session, ``own``: the layer of the documents only that session added)."""
        return cls([shipped_layer_path(settings), uploads_layer_path(settings)], own)

    def store(self, path: Path) -> PlainStore | None:
        """The store of this layer kept in ``path``, if any."""
        return next((s for s in self.stores if s.path == Path(path)), None)

    def plain(self, sentence: str) -> str | None:
        """The checked plain version of a guide sentence (its exact text), or None."""
        entry = self.entry(sentence_key(sentence))
        return entry.plain if entry is not None else None

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
