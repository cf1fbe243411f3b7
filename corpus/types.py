"""Typed documents that carry their provenance."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

@dataclass(frozen=True)
class OffsetMap:
    """Maps offsets in cleaned text back to offsets in the text as received.

    Stored as runs ``(clean_start, raw_start, length)``: cleaning only deletes characters
    or replaces one character by one, so every cleaned character has a raw position.
    """

    runs: tuple[tuple[int, int, int], ...] = ()

    @classmethod
    def from_positions(cls, raw_positions: list[int]) -> OffsetMap:
        runs: list[tuple[int, int, int]] = []
        for clean_pos, raw_pos in enumerate(raw_positions):
            if runs and runs[-1][1] + runs[-1][2] == raw_pos:
                start_c, start_r, length = runs[-1]
                runs[-1] = (start_c, start_r, length + 1)
            else:
                runs.append((clean_pos, raw_pos, 1))
        return cls(tuple(runs))

    def to_raw(self, clean_offset: int) -> int:
        """Raw offset of the cleaned character at ``clean_offset`` (or just past the end)."""
        for start_c, start_r, length in reversed(self.runs):
            if clean_offset >= start_c:
                return start_r + min(clean_offset - start_c, length)
        return 0


@dataclass(frozen=True)
class Document:
    """A cleaned document ready for chunking; ``text`` is what offsets refer to."""

    doc_id: str
    title: str
    text: str
    source: str
    conditions: tuple[str, ...] = ()
    path: str = field(default="", compare=False)
    offset_map: OffsetMap = field(default_factory=OffsetMap, compare=False, repr=False)

    @property
    def content_hash(self) -> str:
        """Changes whenever anything that ends up in the index changes."""
        parts = [self.doc_id, self.title, ",".join(self.conditions), self.text]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class LoadProblem:
    """A file that could not be read, and why, in words a user can act on."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"
