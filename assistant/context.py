"""What a chat model reads: the sentences of the retrieved passages that the relevance model ranks highest.

On two CPU cores the local model reads (prefills) a few dozen tokens a second, so four whole
passages (about 450 tokens) cost seconds before its first word. Most of a passage is about
something else. The relevance model has already scored every statement of the passages for
the question (``assistant.evidence.score_sentences``); the model reads the likeliest, with the
number of the passage they come from, kept whole (so every figure stays) and in their passage's
order. The best one is always kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.evidence import Scored
from assistant.types import Passage

MAX_CHOSEN = 5  # sentences, over all passages
PER_PASSAGE = 3
MAX_CHARS = 800  # of guide text in all: about 200 tokens
MIN_PROBABILITY = 0.05  # below this a sentence is left out, unless it is the best one


@dataclass(frozen=True)
class Excerpt:
    """The chosen sentences of one passage, in the passage's order."""

    passage: Passage
    sentences: tuple[str, ...]


def relevant_excerpts(
    scored: Sequence[Scored], max_chosen: int = MAX_CHOSEN, per_passage: int = PER_PASSAGE, max_chars: int = MAX_CHARS
) -> list[Excerpt]:
    """The likeliest sentences (``scored`` comes likeliest first), grouped by passage in passage order."""
    kept: list[Scored] = []
    chars = 0
    for s in scored:
        if len(kept) >= max_chosen or (kept and s.probability < MIN_PROBABILITY):
            break
        if sum(1 for k in kept if k.passage.n == s.passage.n) >= per_passage:
            continue
        if kept and chars + len(s.candidate.text) > max_chars:
            continue
        kept.append(s)
        chars += len(s.candidate.text)
    passages = sorted({k.passage.n: k.passage for k in kept}.values(), key=lambda p: p.n)
    return [
        Excerpt(p, tuple(k.candidate.text for k in sorted((k for k in kept if k.passage.n == p.n), key=lambda k: k.candidate.start)))
        for p in passages
    ]
