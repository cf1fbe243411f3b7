"""Clean text taken from web pages and PDFs while keeping every offset traceable.

Every step only deletes characters or replaces one character by another, so a position in
the cleaned text always maps back to the text as received (``OffsetMap``).

What it mends (see ``corpus/README.md``):
- words split across a line break or a blank line ("pulmona" / "ry fibrosis");
- words hyphenated at a line end ("treat-" / "ment");
- page furniture ("Sources and images", "You might also like", "Share this", ...) and
  the short link lines that follow it at the end of a page;
- runs of blank lines, trailing spaces, carriage returns, non-breaking and zero-width spaces.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from corpus.types import OffsetMap

CLEANER_VERSION = "1"

# Lines that belong to the web page around an article, not to the article.
FURNITURE_LINE = re.compile(
    r"^\s*(sources?( and images)?|images?|you (might|may) also like|related( articles| posts| stories| content)?"
    r"|read (more|next)|share( this( article| page)?| on .*)?|advertisement|sponsored( content)?"
    r"|subscribe( to .*)?|sign up( for .*)?|follow us( on .*)?|(image|photo) credits?:?.*|print( this page)?"
    r"|back to top|cookie (policy|settings)|tags?:.*|comments?)\s*$",
    re.IGNORECASE,
)
# Words that stand on their own; a fragment like "ry" or "ment" does not.
COMMON_WORDS = frozenset(
    "a an the to of in on at by for and or but nor is are was were be been as it its this that these "
    "those with from into than then so if not no can may will such also which who whom whose".split()
)

Edit = tuple[int, int, str]  # delete text[start:end]; a one-character replacement keeps start


def clean_text(raw: str) -> tuple[str, OffsetMap]:
    """Return the cleaned text and the map from its offsets to offsets in ``raw``."""
    text, positions = raw, list(range(len(raw)))
    for step in (_normalise_characters, _drop_furniture, _join_broken_lines, _tidy_whitespace):
        text, positions = _apply(text, positions, step(text))
    return text, OffsetMap.from_positions(positions)


def _apply(text: str, positions: list[int], edits: Iterable[Edit]) -> tuple[str, list[int]]:
    out_chars: list[str] = []
    out_pos: list[int] = []
    cursor = 0
    for start, end, replacement in sorted(edits):
        if start < cursor:  # overlapping edits: the first one wins
            continue
        out_chars.append(text[cursor:start])
        out_pos.extend(positions[cursor:start])
        if replacement:
            out_chars.append(replacement)
            out_pos.append(positions[start])
        cursor = end
    out_chars.append(text[cursor:])
    out_pos.extend(positions[cursor:])
    return "".join(out_chars), out_pos


def _normalise_characters(text: str) -> list[Edit]:
    edits: list[Edit] = []
    for match in re.finditer(r"\r|[\u200b\u200c\u200d\ufeff]|[\u00a0\t\u2009\u202f]", text):
        char = match.group()
        edits.append((match.start(), match.end(), " " if char in "\u00a0\t\u2009\u202f" else ""))
    return edits


def _drop_furniture(text: str) -> list[Edit]:
    """Drop furniture lines, and the short link lines after the last one near the end."""
    lines = list(_lines(text))
    edits: list[Edit] = []
    for index, (start, end) in enumerate(lines):
        line = text[start:end]
        if line.strip() and FURNITURE_LINE.match(line) and len(line) < 60:
            rest = [text[s:e].strip() for s, e in lines[index + 1 :]]
            if all(len(r) < 90 and not r.endswith(".") for r in rest):
                edits.append((start, len(text), ""))  # furniture to the end of the page
                break
            edits.append((start, min(end + 1, len(text)), ""))
    return edits


def _join_broken_lines(text: str) -> list[Edit]:
    """Join a paragraph broken by a line break or a blank line in mid-sentence."""
    edits: list[Edit] = []
    for match in re.finditer(r"([A-Za-z]+)(-?)([ ]*\n[ \n]*)([a-z]+)", text):
        before, hyphen, _gap, after = match.groups()
        gap_start = match.start(3)
        if hyphen:  # "treat-\nment" -> "treatment"
            edits.append((match.start(2), match.end(3), ""))
        elif before.lower() in COMMON_WORDS or after in COMMON_WORDS or len(after) > 3:
            edits.append((gap_start, match.end(3), " "))  # two words: one space between
        else:
            edits.append((gap_start, match.end(3), ""))  # a word split in two: rejoin
    return edits


def _tidy_whitespace(text: str) -> list[Edit]:
    edits: list[Edit] = []
    for match in re.finditer(r" +(?=\n)| +$|(?<=\S)  +|\n\n\n+|^\s+|\s+$", text):
        start, end, span = match.start(), match.end(), match.group()
        if span.startswith("\n\n") and start > 0 and end < len(text):
            edits.append((start + 2, end, ""))  # keep one blank line between paragraphs
        elif span.startswith("  ") and start > 0 and end < len(text) and "\n" not in span:
            edits.append((start + 1, end, ""))
        else:
            edits.append((start, end, ""))
    return edits


def _lines(text: str) -> Iterable[tuple[int, int]]:
    start = 0
    for match in re.finditer(r"\n", text):
        yield start, match.start()
        start = match.end()
    yield start, len(text)
