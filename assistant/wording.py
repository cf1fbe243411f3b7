"""An answer sentence in its two wordings: the checked plain version, and the guide's own.

Answers show the plain version with its citation; "as the guide says" shows the guide's
sentence it was made from. The CLI JSON, the API and the evals report both. The plain
version comes from the plain-language layer (``index.plain.PlainLayer``), built and checked
once per guide sentence; a sentence without one is shown as the guide says it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from index.sentences import EXAMPLE_OPENER
from index.chunking import sentence_spans
from index.plain import GlossaryEntry


class PlainLookup(Protocol):
    def plain(self, sentence: str) -> str | None: ...


@dataclass(frozen=True)
class AnswerSentence:
    """One sentence of an answer.

    ``text`` is what the reader sees first: the plain version when the layer has a checked
    one, else the guide's sentence. ``guide_text`` is always the guide's own sentence.
    """

    text: str
    guide_text: str
    n: int | None  # the passage it cites, as [n]
    plain: bool  # text is a checked plain version (False: text == guide_text)
    origin: str = ""  # who wrote the plain version: "edition" (the guides' reviewed plain-language edition), "rules", or ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> AnswerSentence:
        """The sentence ``to_dict`` wrote (perhaps sent back by a browser); ``ValueError`` if not one."""
        n = data.get("n") if isinstance(data, dict) else None
        if (
            not isinstance(data, dict) or not isinstance(data.get("text"), str) or not isinstance(data.get("guide_text"), str)
            or not (n is None or (isinstance(n, int) and not isinstance(n, bool))) or not isinstance(data.get("plain"), bool)
        ):
            raise ValueError(f"not an answer sentence: {data!r:.80}")
        return cls(data["text"], data["guide_text"], n, data["plain"], str(data.get("origin") or ""))


def answer_sentence(guide_text: str, n: int | None, layer: PlainLookup | None) -> AnswerSentence:
    """The two wordings of a guide sentence (or of a few consecutive ones, each looked up)."""
    guide_text = guide_text.strip()
    if layer is None:
        return AnswerSentence(_standalone(guide_text), guide_text, n, False)
    parts = _parts(guide_text)
    plains = [layer.plain(part) for part in parts]
    if not any(plains):
        return AnswerSentence(_standalone(guide_text), guide_text, n, False)
    text = _standalone(" ".join(p or part for p, part in zip(plains, parts, strict=True)))
    origin = getattr(layer, "origin", None)
    origins = {origin(part) for part, p in zip(parts, plains, strict=True) if p} if origin else set()
    return AnswerSentence(text, guide_text, n, True, origins.pop() if len(origins) == 1 else "")


def _standalone(text: str) -> str:
    """An example shown on its own, without the sentence it is an example of, reads as a statement:
    "For example, nintedanib ..." -> "Nintedanib ..." (the guide's own words keep it)."""
    if not EXAMPLE_OPENER.match(text):
        return text
    rest = EXAMPLE_OPENER.sub("", text, count=1)
    return rest[:1].upper() + rest[1:]


def _parts(guide_text: str) -> list[str]:
    """The guide sentences an answer sentence is made of (a sentence may come with the one it points back to)."""
    return [guide_text[s:e].strip() for s, e in sentence_spans(guide_text)] or [guide_text]


def glossary_for(sentences: Sequence[AnswerSentence], layer: PlainLookup | None) -> list[GlossaryEntry]:
    """The terms the answer's plain sentences use, each explained once, in the order they come."""
    terms = getattr(layer, "terms", None)  # a layer without a glossary (a rule-made one) explains nothing
    if terms is None:
        return []
    found: dict[str, GlossaryEntry] = {}
    for s in sentences:
        if s.plain:
            for part in _parts(s.guide_text):
                for entry in terms(part):
                    found.setdefault(entry.term.lower(), entry)
    return list(found.values())


def render(sentences: Sequence[AnswerSentence], as_guide_says: bool = False) -> str:
    """The answer text with ``[n]`` markers, in plain words or as the guide says."""
    return " ".join(
        f"{s.guide_text if as_guide_says else s.text}{f' [{s.n}]' if s.n is not None else ''}" for s in sentences
    )
