"""Do the retrieved passages answer the question? Decided before any model is called.

Three cheap, measurable signals:
- the best passage's cosine similarity to the question (``min_dense_score``);
- the share of the question's focus words found in the passages, by stem, by spelling
  (typos) or by meaning (word vectors), (``min_term_coverage``), waived when the best
  passage is very close to the question (``paraphrase_score``: lay wording);
- aspects a question can ask for that need specific evidence (a dose, a cost, side
  effects, a number of people...): asked but absent, they make the answer partial.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.lexical import STOPWORDS, focus_words, stem, words
from assistant.types import Coverage, Passage
from assistant.vectors import TextVectors
from core.settings import Settings

WORD_MATCH_COSINE = 0.72  # a focus word matches a passage word this close in meaning
_I = re.IGNORECASE
_CLAUSE = re.compile(r"[?;]|\band\b|\balso\b|,\s*(?:but|or)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Aspect:
    name: str  # as the user reads it: "The guides don't say anything about {name}"
    asked: re.Pattern[str]
    answered: re.Pattern[str]


ASPECTS = (
    Aspect("doses", re.compile(r"\b(dos(e|es|age|ing)|how much \w+ (should|do|can)|mg|milligrams?)\b", _I), re.compile(r"\b\d+\s?(mg|milligrams?|ml)\b|\bdos(e|age)\b", _I)),
    Aspect("side effects", re.compile(r"\bside[- ]?effects?\b|\badverse\b", _I), re.compile(r"\bside[- ]?effects?\b|\badverse\b", _I)),
    Aspect("costs", re.compile(r"\b(cost|costs|price|pay|afford|insurance|expensive|cheap|covered by)\b", _I), re.compile(r"\b(cost|price|insurance|\$|€|£)", _I)),
    Aspect("how long people live", re.compile(r"\b(life expectancy|how long (will|do|does|can) \w+ (live|survive|have)|how long \w+ left)\b", _I), re.compile(r"\blife expectancy\b|\b\d+ (years?|months?)\b", _I)),
    Aspect(
        "how many people",
        re.compile(r"\b(how (many|common)|prevalence|incidence|statistics|number of (people|patients))\b", _I),
        re.compile(r"\b\d[\d,.]*\s+(people|patients|participants|individuals|adults|children|cases|americans)\b|\bper \d", _I),
    ),
    Aspect("brand names", re.compile(r"\bbrand( names?)?\b", _I), re.compile(r"\bbrand\b|®|™", _I)),
    Aspect("prevention", re.compile(r"\bprevent(ion|ing|ed)?\b|\bavoid getting\b", _I), re.compile(r"\bprevent", _I)),
    Aspect("whether it is inherited", re.compile(r"\b(inherit\w*|hereditary|pass(ed)? (it )?(on|down)|run in (the )?famil)", _I), re.compile(r"\b(inherit|hereditary|famil)", _I)),
    Aspect("a cure", re.compile(r"\bcur(e|es|ed|able)\b", _I), re.compile(r"\bcur(e|ed|able)\b", _I)),
    Aspect("diet", re.compile(r"\b(diet|foods?|eat|eating|nutrition)\b", _I), re.compile(r"\b(diet|food|eat|nutrition\w*)\b", _I)),
)


# Conditions the guides are not about; named in a question, they must be named in the passages
# too, or an ALS or scleroderma passage would answer a question about another disease.
OTHER_CONDITIONS = re.compile(
    r"\b(multiple sclerosis|lupus|parkinson'?s?|alzheimer'?s?|huntington'?s?|myasthenia( gravis)?|muscular dystrophy"
    r"|spinal muscular atrophy|rheumatoid arthritis|morphea|raynaud'?s?|sj[oö]gren'?s?|dermatomyositis|polymyositis"
    r"|primary lateral sclerosis|kennedy'?s disease|cancer|diabetes|dementia|stroke|covid(-19)?|asthma)\b",
    _I,
)


@dataclass(frozen=True)
class Evidence:
    coverage: Coverage
    best_dense: float
    focus: tuple[str, ...] = ()
    matched: tuple[str, ...] = ()
    missing_aspects: tuple[str, ...] = field(default=())
    reason: str = ""

    @property
    def term_coverage(self) -> float:
        return len(self.matched) / len(self.focus) if self.focus else 1.0


class EvidenceJudge:
    def __init__(self, vectors: TextVectors, settings: Settings) -> None:
        self.vectors = vectors
        self.settings = settings

    def assess(self, question: str, passages: Sequence[Passage]) -> Evidence:
        if not passages:
            return Evidence("none", 0.0, reason="nothing retrieved")
        best = max((p.dense_score or 0.0) for p in passages)
        text = " ".join(p.chunk.embedding_text() for p in passages)
        clauses = [c for c in _CLAUSE.split(question) if c.strip()] or [question]
        asked = [a for a in ASPECTS if a.asked.search(question)]
        missing = tuple(a.name for a in asked if not a.answered.search(text))
        # Words of clauses that only ask for a missing aspect are judged as that aspect.
        open_clauses = [c for c in clauses if not any(a.asked.search(c) for a in asked if a.name in missing)]
        focus = tuple(dict.fromkeys(w for c in open_clauses for w in focus_words(c)))
        vocabulary = {w for w in words(text) if w not in STOPWORDS and len(w) > 2}
        stems = {stem(v) for v in vocabulary}  # once per answer, not once per focus word
        matched = tuple(w for w in focus if self._matches(w, vocabulary, stems))
        evidence = Evidence("full", best, focus, matched, missing)
        spelled_out = bool(focus) and all(_spelled(w, vocabulary, stems) for w in focus)
        if best < self.settings.retrieval.min_dense_score and not spelled_out:
            # Rare names ("tofersen") embed poorly; every focus word spelled out in the passages is evidence enough.
            return _with(evidence, "none", f"best passage similarity {best:.2f} is below {self.settings.retrieval.min_dense_score}")
        other = [m.group(0) for m in OTHER_CONDITIONS.finditer(question) if m.group(0).lower() not in text.lower()]
        if other:
            return _with(evidence, "none", f"the guides are not about {', '.join(other)}")
        if missing and not open_clauses:
            return _with(evidence, "none", f"the passages do not give {', '.join(missing)}")
        paraphrased = best >= self.settings.retrieval.paraphrase_score
        if evidence.term_coverage < self.settings.retrieval.min_term_coverage and not paraphrased:
            absent = [w for w in focus if w not in matched]
            return _with(evidence, "none", f"the passages do not mention {', '.join(absent)}")
        if missing:
            return _with(evidence, "partial", f"the passages do not give {', '.join(missing)}")
        return evidence

    def _matches(self, word: str, vocabulary: set[str], stems: set[str]) -> bool:
        if _spelled(word, vocabulary, stems):
            return True
        if not vocabulary:
            return False
        candidates = sorted(vocabulary)
        vectors = self.vectors.get([word, *candidates])
        return bool((vectors[1:] @ vectors[0]).max() >= WORD_MATCH_COSINE)


def _spelled(word: str, vocabulary: set[str], stems: set[str]) -> bool:
    """The word is in the passages, as such, by stem, or misspelt ("rilzole", "sclerodema")."""
    if word in vocabulary or stem(word) in stems:
        return True
    return len(word) >= 5 and bool(difflib.get_close_matches(word, vocabulary, n=1, cutoff=0.85))


def _with(evidence: Evidence, coverage: Coverage, reason: str) -> Evidence:
    return Evidence(coverage, evidence.best_dense, evidence.focus, evidence.matched, evidence.missing_aspects, reason)
