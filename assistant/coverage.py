"""Two calibrated decisions, fitted on the tuning part of the development set
(``python -m evals fit-coverage``) and shipped as one small JSON file beside this module.

**Covered, partly, or not.** The evidence judge measures a handful of signals for a question
and its retrieved passages (``FEATURES``); a logistic model turns them into P(the guides
answer the question), and two thresholds chosen on the same data cut it into three:
- below ``t_none``: "The guides don't cover this." (chosen so that almost no answerable
  question is refused);
- from ``t_full`` up, with no asked-for aspect missing: a full answer (chosen so that almost
  no unanswerable question is answered as if covered);
- in between: what the guides do say, and plainly what they don't (partial).

**Which sentences answer.** The extractive answer scores every passage sentence with a
second logistic model over ``SENTENCE_FEATURES``: P(the sentence carries a fact a correct
answer needs), fitted on sentences labelled by the expected facts of the tuning items. It
takes sentences from the most likely down while P stays above ``p_min`` and the answer fits
``word_budget`` words.

Inference is a dot product, so no model library is loaded at run time.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

from core.errors import GuideError

MODEL_PATH = Path(__file__).resolve().parent / "coverage_model.json"

FEATURES = (
    "dense_best",  # cosine of the best passage to the question
    "sentence_best",  # cosine of the best passage sentence (or clause) to the question
    "term_coverage",  # share of the question's focus words found in the passages
    "unknown_terms",  # focus words found neither in the passages nor in an English dictionary (capped at 2)
    "aspect_missing",  # the question asks for a dose, cost, count... the passages do not give
    "aspect_only",  # and that is all it asks
    "bm25_best",  # log(1 + best keyword score)
    "focus_count",  # how many focus words the question has (capped at 8, / 8)
    "names_found",  # guide terms no dictionary knows (medicines, genes) the question spells and the passages hold (capped at 2, / 2)
)
SENTENCE_FEATURES = (
    "question_cosine",  # the sentence's cosine to the question
    "asked_cosine",  # its cosine to the question's last sentence: what is asked, after any story
    "passage_cosine",  # its passage's cosine to the question
    "passage_rank",  # 1 / the passage's rank in retrieval
    "focus_overlap",  # share of the question's focus words (stemmed) in the sentence
    "new_names",  # guide terms no dictionary knows (medicines, genes) the question does not name, capped at 3, / 3
    "figures",  # figures in the sentence, capped at 2, / 2
    "is_list",  # "such as a, b and c"
    "specificity",  # mean corpus specificity (IDF) of the words it adds to the question
    "already",  # it names what the person says they already have, in a "what else" question
    "new_names_asked_for",  # new_names, in a "what else" question (there, new names are the answer)
    "focus_similarity",  # how near its words come to each focus word, by word vectors (lay words meet guide words)
    "title_cosine",  # its cosine to its guide's title: framing sentences restate the title
)
_REFIT = "refit it with 'python -m evals fit-coverage'"


@dataclass(frozen=True)
class Logistic:
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    def probability(self, signals: dict[str, float]) -> float:
        z = self.intercept + sum(
            c * (signals[name] - m) / (s or 1.0) for name, m, s, c in zip(self.features, self.mean, self.scale, self.coef, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def to_dict(self) -> dict[str, Any]:
        return {"features": list(self.features), "mean": list(self.mean), "scale": list(self.scale),
                "coef": list(self.coef), "intercept": self.intercept}

    @classmethod
    def from_dict(cls, data: dict[str, Any], expected: tuple[str, ...]) -> Logistic:
        if tuple(data["features"]) != expected:
            raise GuideError(f"The model in {MODEL_PATH.name} was fitted on other signals ({data['features']}); {_REFIT}.")
        return cls(tuple(data["features"]), tuple(data["mean"]), tuple(data["scale"]), tuple(data["coef"]), float(data["intercept"]))


@dataclass(frozen=True)
class _Decision:
    """A fitted logistic model and the cut-offs chosen with it (``CUTS``, saved beside its weights)."""

    logistic: Logistic
    CUTS: ClassVar[tuple[str, ...]] = ()

    def probability(self, signals: dict[str, float]) -> float:
        return self.logistic.probability(signals)

    def to_dict(self) -> dict[str, Any]:
        return {**self.logistic.to_dict(), **{name: getattr(self, name) for name in self.CUTS}}


@dataclass(frozen=True)
class CoverageModel(_Decision):
    t_none: float = 0.0
    t_full: float = 1.0
    CUTS: ClassVar[tuple[str, ...]] = ("t_none", "t_full")


@dataclass(frozen=True)
class SentenceModel(_Decision):
    p_min: float = 0.0
    word_budget: int = 0
    CUTS: ClassVar[tuple[str, ...]] = ("p_min", "word_budget")


def _read(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise GuideError(f"The fitted models file {path} is missing; {_REFIT}.")
    return json.loads(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=4)
def load_coverage_model(path: Path = MODEL_PATH) -> CoverageModel:
    data = _read(path)["model"]
    return CoverageModel(Logistic.from_dict(data, FEATURES), float(data["t_none"]), float(data["t_full"]))


@lru_cache(maxsize=4)
def load_sentence_model(path: Path = MODEL_PATH) -> SentenceModel:
    data = _read(path).get("sentences")
    if data is None:
        raise GuideError(f"{path} holds no sentence model; {_REFIT}.")
    return SentenceModel(Logistic.from_dict(data, SENTENCE_FEATURES), float(data["p_min"]), int(data["word_budget"]))
