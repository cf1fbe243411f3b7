"""Do the retrieved passages answer the question? Decided before any model is called.

The judge measures signals (``assistant.coverage.FEATURES``): how close the best passage
and the best passage sentence are to the question, the share of the question's focus words
found in the passages (by stem, by spelling for typos, or by meaning via word vectors), focus
words no passage and no dictionary knows, keyword scores, and aspects a question can ask for
that need specific evidence (a dose, a cost, side effects, a number of people, how it is
diagnosed...). The calibrated coverage model turns them into full, partial or none.

One rule stays outside the model, because a test shows the model cannot learn it from a few
hundred questions: another disease named in the question must be named in the passages.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from assistant.citations import passage_units
from assistant.coverage import CoverageModel, load_coverage_model
from assistant.lexical import STOPWORDS, english_words, stem, words
from assistant.query import Query
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
    Aspect("how it is diagnosed", re.compile(r"\b(diagnos\w*|how (do|does|did|can) (they|doctors?|you) (know|tell|test|find out))\b", _I), re.compile(r"\bdiagnos", _I)),
    Aspect("where to get it", re.compile(r"\b(where (can|do|should|to)|near (me|us|boston|\w+ city)|which (hospital|clinic|center|centre)s?|in my area)\b", _I), re.compile(r"\b(hospital|clinic|cent(er|re)s? in|available at)\b", _I)),
)


@dataclass(frozen=True)
class Evidence:
    coverage: Coverage
    best_dense: float
    focus: tuple[str, ...] = ()
    matched: tuple[str, ...] = ()
    missing_aspects: tuple[str, ...] = field(default=())
    reason: str = ""
    probability: float | None = None  # P(the guides answer it), from the coverage model
    question: str = ""  # the question as read (Query.text)
    signals: dict[str, float] = field(default_factory=dict)

    @property
    def term_coverage(self) -> float:
        return len(self.matched) / len(self.focus) if self.focus else 1.0

    @property
    def unmatched(self) -> tuple[str, ...]:
        return tuple(w for w in self.focus if w not in self.matched)


class EvidenceJudge:
    def __init__(self, vectors: TextVectors, settings: Settings, model: CoverageModel | None = None) -> None:
        self.vectors = vectors
        self.settings = settings
        self.model = model or load_coverage_model()
        # Diseases the guides are not about (the domain file's "not_about"); named in a question,
        # they must be named in the passages too, or a passage would answer about another disease.
        self.other_diseases = settings.domain.other_diseases

    def signals(self, query: Query, passages: Sequence[Passage]) -> tuple[dict[str, float], tuple[str, ...], tuple[str, ...], tuple[str, ...], bool]:
        """The measured signals, the focus words, those matched, the missing aspects, and
        whether every clause of the question asks only for a missing aspect."""
        question = query.text
        best = max((p.dense_score or 0.0) for p in passages)
        text = " ".join(p.chunk.embedding_text() for p in passages)
        clauses = [c for c in _CLAUSE.split(question) if c.strip()] or [question]
        asked = [a for a in ASPECTS if a.asked.search(question)]
        missing = tuple(a.name for a in asked if not a.answered.search(text))
        # Words of clauses that only ask for a missing aspect are judged as that aspect.
        open_clauses = [c for c in clauses if not any(a.asked.search(c) for a in asked if a.name in missing)]
        open_words = {w for c in open_clauses for w in words(c)}
        focus = tuple(w for w in query.focus if w in open_words)
        vocabulary = {w for w in words(text) if w not in STOPWORDS and len(w) > 2}
        stems = {stem(v) for v in vocabulary}  # once per answer, not once per focus word
        matched = tuple(w for w in focus if self._matches(w, vocabulary, stems))
        english = english_words()
        unknown = [w for w in focus if w not in matched and w not in english and not _spelled(w, vocabulary, stems)]
        sentences = [u for p in passages for u in passage_units(p.chunk.text)]
        sentence_best = float((self.vectors.get(sentences) @ self.vectors.get([question])[0]).max()) if sentences else 0.0
        bm25 = max((p.bm25_score or 0.0) for p in passages)
        signals = {
            "dense_best": best,
            "sentence_best": sentence_best,
            "term_coverage": len(matched) / len(focus) if focus else 1.0,
            "unknown_terms": float(min(len(unknown), 2)),
            "aspect_missing": 1.0 if missing else 0.0,
            "aspect_only": 1.0 if missing and not open_clauses else 0.0,
            "bm25_best": math.log1p(bm25),
            "focus_count": min(len(query.focus), 8) / 8,
            "names_found": min(sum(1 for w in focus if w not in english and w in vocabulary), 2) / 2,
        }
        return signals, focus, matched, missing, not open_clauses

    def assess(self, query: Query, passages: Sequence[Passage]) -> Evidence:
        if not passages:
            return Evidence("none", 0.0, reason="nothing retrieved")
        signals, focus, matched, missing, aspect_only = self.signals(query, passages)
        probability = self.model.probability(signals)
        evidence = Evidence("full", signals["dense_best"], focus, matched, missing, "", probability, query.text, signals)
        text = " ".join(p.chunk.embedding_text() for p in passages).lower()
        # A question about another disease alone is not answered from these guides; one that
        # compares it with a condition the guides cover goes to the model like any other.
        found = self.other_diseases.finditer(query.text) if self.other_diseases else ()
        other = [m.group(0) for m in found if m.group(0).lower() not in text]
        if other and not query.conditions:
            return _with(evidence, "none", f"the guides are not about {', '.join(other)}")
        if probability < self.model.t_none:
            return _with(evidence, "none", f"P(covered) {probability:.2f} is below {self.model.t_none:.2f}")
        if missing or probability < self.model.t_full:
            why = f"the passages do not give {', '.join(missing)}" if missing else f"P(covered) {probability:.2f} is below {self.model.t_full:.2f}"
            return _with(evidence, "partial", why)
        return _with(evidence, "full", f"P(covered) {probability:.2f}")

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
    return replace(evidence, coverage=coverage, reason=reason)
