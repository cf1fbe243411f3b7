"""What a chat model reads: the sentences of the retrieved passages that bear on the question.

On two CPU cores the local model reads (prefills) a few dozen tokens a second, so four whole
passages (about 450 tokens) cost seconds before its first word. Most of a passage is about
something else; the sentences close to the question, with the number of the passage they
come from, carry what an answer can cite. A sentence is judged with its passage (as the
extractive generator does), and the sentence after a chosen one comes with it: a lead-in
("In cases where standard treatments fail, ...") is followed by what it announces.
Sentences are kept whole (so every figure in them stays) and in their passage's order.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np

from assistant.lexical import content_terms, focus_words
from assistant.types import Passage
from assistant.vectors import TextVectors
from index.chunking import sentence_spans

MAX_CHOSEN = 4  # sentences chosen by score, over all passages (each may bring the next one)
PER_PASSAGE = 2
MAX_CHARS = 800  # of guide text in all: about 200 tokens
MIN_SCORE = 0.30  # below this a sentence is left out, unless it is the best one
SENTENCE_WEIGHT, PASSAGE_WEIGHT, FOCUS_BONUS = 0.6, 0.4, 0.15
MIN_SENTENCE_CHARS = 25  # shorter ones are fragments
_ENDS = (".", "!", "?", ":", '"', "”", ")")  # a line without one is a heading (a chunk's sentences never cross a line)


@dataclass(frozen=True)
class Excerpt:
    """The chosen sentences of one passage, in the passage's order."""

    passage: Passage
    sentences: tuple[str, ...]


def relevant_excerpts(
    question: str,
    passages: Sequence[Passage],
    vectors: TextVectors,
    max_chosen: int = MAX_CHOSEN,
    per_passage: int = PER_PASSAGE,
    max_chars: int = MAX_CHARS,
    topic: Collection[str] = (),
) -> list[Excerpt]:
    """The sentences of ``passages`` that best answer ``question``, each with the sentence
    after it, grouped by passage (in passage order); the best sentence is always kept."""
    sentences = [
        [t for t in (p.chunk.text[s:e].strip() for s, e in sentence_spans(p.chunk.text)) if len(t) >= MIN_SENTENCE_CHARS and t.endswith(_ENDS)]
        for p in passages
    ]
    candidates = [(i, position) for i, texts in enumerate(sentences) for position in range(len(texts))]
    if not candidates:
        return []
    texts = [sentences[i][position] for i, position in candidates]
    focus = {t for w in focus_words(question, topic) for t in content_terms(w)}
    scores = (
        SENTENCE_WEIGHT * (vectors.get(texts) @ vectors.get([question])[0])
        + PASSAGE_WEIGHT * np.array([passages[i].dense_score or 0.0 for i, _ in candidates])
        + np.array([FOCUS_BONUS * len(focus & set(content_terms(t))) / (len(focus) or 1) for t in texts])
    )

    kept: set[tuple[int, int]] = set()
    taken = [0] * len(passages)
    chars = 0
    for index in np.argsort(-scores, kind="stable")[: max_chosen * len(passages)]:
        i, position = candidates[index]
        if sum(taken) >= max_chosen or (kept and scores[index] < MIN_SCORE):
            break
        if taken[i] >= per_passage or (i, position) in kept:
            continue
        for added in ((i, position), (i, position + 1)):
            if added[1] < len(sentences[i]) and added not in kept:
                size = len(sentences[i][added[1]])
                if kept and chars + size > max_chars:
                    break
                kept.add(added)
                chars += size
        taken[i] += 1
    return [
        Excerpt(passage, tuple(sentences[i][position] for position in sorted(p for j, p in kept if j == i)))
        for i, passage in enumerate(passages)
        if any(j == i for j, _ in kept)
    ]
