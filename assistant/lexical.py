"""Word-level text tools shared by BM25, evidence checks and citation checks."""

from __future__ import annotations

import re
from functools import lru_cache

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having
    he her here hers herself him himself his how i if in into is it its itself just me more most my myself no
    nor not now of off on once only or other our ours ourselves out over own same she should so some such than
    that the their theirs them themselves then there these they this those through to too under until up very
    was we were what when where which while who whom why will with would you your yours yourself yourselves
    s t don doesn didn isn aren wasn weren hasn haven hadn won wouldn shouldn couldn cant cannot may might must
    shall ll re ve d m o y let us get got one ones thing things something anything please tell know much many""".split()
)
# Words that name the topic of every guide; they say nothing about what is asked.
TOPIC_WORDS = frozenset(
    """als amyotrophic lateral sclerosis lou gehrig gehrigs scleroderma systemic disease diseases condition
    conditions illness patient patients people person someone somebody loved family caregiver caregivers
    guide guides treatment-resistant resistant resistance mean means""".split()
)
_WORD = re.compile(r"[a-z0-9]+(?:[-'’][a-z0-9]+)*")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?\s*%?")


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    import Stemmer  # noqa: PLC0415 - PyStemmer; loaded once

    return Stemmer.Stemmer("english")


def words(text: str) -> list[str]:
    return [w.replace("’", "'").split("'")[0] for w in _WORD.findall(text.lower())]


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    return str(_stemmer().stemWord(word))


def content_terms(text: str) -> list[str]:
    """Stemmed words that carry meaning (no stop words), in order, with repeats."""
    return [stem(w) for w in words(text) if w not in STOPWORDS and len(w) > 1]


def focus_words(text: str) -> list[str]:
    """The words of a question that say what it asks (not stop words, not the topic)."""
    seen: list[str] = []
    for word in words(text):
        if word not in STOPWORDS and word not in TOPIC_WORDS and len(word) > 2 and word not in seen:
            seen.append(word)
    return seen


def numbers(text: str) -> set[str]:
    """Figures in a text, normalised ("70 %" -> "70%")."""
    return {re.sub(r"\s+", "", n).replace(",", "") for n in _NUMBER.findall(text)}
