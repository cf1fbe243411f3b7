"""What a corpus is about: its conditions and the names people use for them.

Read from ``domain.json`` beside the guides, so that pointing the app at other guides
means another data file, not other code.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DOMAIN_FILE = "domain.json"


@dataclass(frozen=True)
class Condition:
    key: str
    label: str
    names: tuple[str, ...]


@dataclass(frozen=True)
class Domain:
    conditions: tuple[Condition, ...]

    @property
    def _names(self) -> list[tuple[str, Condition]]:
        return sorted(((n, c) for c in self.conditions for n in c.names), key=lambda nc: -len(nc[0]))

    def named_conditions(self, text: str) -> tuple[str, ...]:
        """Keys of the conditions a text names, in the order they first appear."""
        found: dict[str, int] = {}
        for name, condition in self._names:
            match = re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text, re.IGNORECASE)
            if match and condition.key not in found:
                found[condition.key] = match.start()
        return tuple(sorted(found, key=found.__getitem__))

    def canonical_names(self, text: str) -> str:
        """The text with other names of a condition replaced by its label ("mnd" -> "ALS")."""
        for name, condition in self._names:
            if name != condition.label.lower():
                text = re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", condition.label, text, flags=re.IGNORECASE)
        return text


@lru_cache(maxsize=8)
def load_domain(guides_dir: Path) -> Domain:
    path = Path(guides_dir) / DOMAIN_FILE
    if not path.is_file():
        return Domain(())
    data = json.loads(path.read_text(encoding="utf-8"))
    return Domain(
        tuple(
            Condition(key, entry["label"], tuple(n.lower() for n in entry.get("names", [])))
            for key, entry in data.get("conditions", {}).items()
        )
    )
