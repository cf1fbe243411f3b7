"""What a chat model reads: the sentences of the retrieved passages that bear on the question.

On two CPU cores the local model reads (prefills) a few dozen tokens a second, so four whole
passages (about 450 tokens) cost seconds before its first word. Most of a passage is about
something else; the sentences close to the question, with the number of the passage they
come from, carry what an answer can cite. Sentences are kept whole (so every figure in them
stays) and in their passage's order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.lexical import content_terms, focus_words
from assistant.types import Passage
from assistant.vectors import TextVectors
from index.chunking import sentence_spans

MAX_SENTENCES = 6  # over all passages: about 150 tokens of guide text
PER_PASSAGE = 3
MIN_SIMILARITY = 0.25  # below this a sentence is left out, unless it is the best one
FOCUS_BONUS = 0.15  # the share of the question's focus words a sentence holds, weighted


@dataclass(frozen=True)
class Excerpt:
    """The chosen sentences of one passage, in the passage's order."""

    passage: Passage
    sentences: tuple[str, ...]


def relevant_excerpts(
    question: str,
    passages: Sequence[Passage],
    vectors: TextVectors,
    max_sentences: int = MAX_SENTENCES,
    per_passage: int = PER_PASSAGE,
) -> list[Excerpt]:
    """The sentences of ``passages`` closest to ``question``, grouped by passage (in passage
    order); the best sentence is always kept, so an answerable question never gets nothing."""
    candidates = [
        (i, position, p.chunk.text[s:e].strip())
        for i, p in enumerate(passages)
        for position, (s, e) in enumerate(sentence_spans(p.chunk.text))
        if p.chunk.text[s:e].strip()
    ]
    if not candidates:
        return []
    texts = [text for _, _, text in candidates]
    similarity = vectors.get(texts) @ vectors.get([question])[0]
    focus = {t for w in focus_words(question) for t in content_terms(w)}
    bonus = np.array([FOCUS_BONUS * len(focus & set(content_terms(t))) / (len(focus) or 1) for t in texts])
    scores = similarity + bonus

    chosen: list[int] = []
    taken = [0] * len(passages)
    for index in np.argsort(-scores, kind="stable"):
        passage_index = candidates[index][0]
        if len(chosen) >= max_sentences or (chosen and scores[index] < MIN_SIMILARITY):
            break
        if taken[passage_index] < per_passage:
            chosen.append(int(index))
            taken[passage_index] += 1
    excerpts = []
    for passage_index, passage in enumerate(passages):
        picked = sorted((candidates[i][1], candidates[i][2]) for i in chosen if candidates[i][0] == passage_index)
        if picked:
            excerpts.append(Excerpt(passage, tuple(text for _, text in picked)))
    return excerpts
