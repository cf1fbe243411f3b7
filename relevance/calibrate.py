"""The probability scale, the coverage decision and the cut-offs, fitted on the calibration writers only.

The model's raw score becomes a probability by Platt scaling (a logistic fit of the label on the
score). Every question is then scored against every sentence of the guides, and the decisions
the answer makes are fitted on those scores:

- which sentences it shows: the best, then others with P >= ``answer`` and P >= ``relative`` x the
  best's, at most ``max_sentences``: the best F1 of answer-sentence precision (shown sentences that
  answer or are labelled context) and recall (answering sentences shown), over the questions the
  guides answer, among the rules that show at most ``MAX_MEAN_SHOWN`` sentences on average (the
  length goal: about 60 words);
- whether the guides cover the question: a logistic model of "the guides answer it" over the best
  sentence's P and whether it asks for something the guides never give (a dose, a cost, side
  effects...: ``assistant.evidence.ASPECTS``), which the sentence scores cannot see;
  ``covered``: below it, "not covered", the highest cut-off that refuses at most ``MAX_REFUSED`` of
  the calibration questions the guides answer; ``full``: from it up a full answer, below it a
  partial one (the cut-off that best tells "yes" from "partly", balanced accuracy).

``fit_reading`` (``python -m relevance calibrate``) then fits the answer's reading: P(a sentence
answers) from the model's raw score and the bi-encoder's cosine together, which ranks the first
answering sentence better than either (the cosine alone ranks it better than the model, which
tells answering from non-answering sentences better); the selection rule is refitted on it
(``fit_showing``). The coverage decision keeps the model's own probability.

``scores_by_item`` and ``figures`` are also what the training report gives for every held-apart set.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from assistant.evidence import missing_aspects
from assistant.relevance import Thresholds
from index.sentences import GuideSentence
from relevance.labels import Labelled
from relevance.pairs import question_text, reaches_model, sentence_texts

MAX_REFUSED = 0.03  # of answerable calibration questions refused as "not covered" (the goal)
MAX_MEAN_SHOWN = 2.0  # sentences an answer shows on average: about 60 words, the length goal
ANSWER_GRID = (0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5)
RELATIVE_GRID = (0.0, 0.3, 0.5, 0.7, 0.85)
MAX_SENTENCES_GRID = (1, 2, 3, 4, 6)


@dataclass(frozen=True)
class Scored:
    """One labelled question's scores against every sentence of its corpus."""

    item: Labelled
    question: str
    ids: tuple[str, ...]
    texts: tuple[str, ...]  # the sentences as the model read them
    scores: np.ndarray  # raw model scores, or probabilities once calibrated


def scores_by_item(
    items: Sequence[Labelled], reader, sentences: Mapping[str, GuideSentence], score: Callable[[str, list[str]], np.ndarray]
) -> list[Scored]:
    """``score(question, texts)`` for every labelled question against every catalog sentence."""
    ids = tuple(sorted(sentences))
    texts = sentence_texts(sentences)
    out = []
    for item in items:
        if not reaches_model(item):
            continue
        question = question_text(item.turns, reader)
        read = tuple(texts[i] for i in ids)
        out.append(Scored(item, question, ids, read, np.asarray(score(question, list(read)), dtype=np.float64)))
    return out


def _labelled(scored: Sequence[Scored], *more: Sequence[Scored]) -> tuple[np.ndarray, np.ndarray]:
    """Every (question, guide sentence) pair of the questions, context sentences left out: one row
    of the pair's scores in ``scored`` (and in each of ``more``, aligned with it) and 1 if it answers."""
    x, y = [], []
    for group in zip(scored, *more, strict=True):
        first = group[0]
        answers, context = set(first.item.answers), set(first.item.context)
        for at, sid in enumerate(first.ids):
            if sid not in context:
                x.append([g.scores[at] for g in group])
                y.append(1 if sid in answers else 0)
    return np.asarray(x), np.asarray(y)


def platt(scored: Sequence[Scored]) -> tuple[float, float]:
    """(scale, shift) so that sigmoid(scale * score + shift) = P(the sentence answers)."""
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415

    fit = LogisticRegression(C=100.0).fit(*_labelled(scored))
    return float(fit.coef_[0][0]), float(fit.intercept_[0])


def shown(probabilities: np.ndarray, answer: float, relative: float, most: int) -> np.ndarray:
    """Indices of the sentences an answer shows: the best, then the likeliest others the rule of
    ``Thresholds.shows`` keeps (as ``assistant.evidence.choose_answer``, which also skips repeats)."""
    rule = Thresholds(answer, relative, most, 0.0, 0.0, 0.0, 0.0, 0.0)
    order = np.argsort(-probabilities)
    best = float(probabilities[order[0]])
    keep = [i for i in order[1:] if rule.shows(float(probabilities[i]), best)]
    return np.array([order[0], *keep][:most])


def precision_recall(scored: Sequence[Scored], answer: float, relative: float, most: int) -> tuple[float, float, float]:
    """Mean answer-sentence precision, recall and sentences shown, over questions the guides answer."""
    precisions, recalls, counts = [], [], []
    for s in scored:
        if s.item.answerable == "no":
            continue
        chosen = {s.ids[i] for i in shown(s.scores, answer, relative, most)}
        good = set(s.item.answers) | set(s.item.context)
        precisions.append(len(chosen & good) / len(chosen))
        recalls.append(len(chosen & set(s.item.answers)) / len(s.item.answers))
        counts.append(len(chosen))
    return float(np.mean(precisions)), float(np.mean(recalls)), float(np.mean(counts))


def coverage_inputs(scored: Sequence[Scored], guides_text: str) -> np.ndarray:
    """The coverage model's inputs per question: the best sentence's P, and the missing aspect."""
    return np.array([[float(s.scores.max()), float(bool(missing_aspects(s.question, guides_text)))] for s in scored])


def fit_showing(scored: Sequence[Scored]) -> dict[str, float]:
    """The selection rule (``answer``, ``relative``, ``max_sentences``) with the best F1 of
    answer-sentence precision and recall, showing at most ``MAX_MEAN_SHOWN`` sentences on average."""
    best = (-1.0, 0.5, 0.0, 1)
    for answer in ANSWER_GRID:
        for relative in RELATIVE_GRID:
            for most in MAX_SENTENCES_GRID:
                p, r, n = precision_recall(scored, answer, relative, most)
                f1 = _f1(p, r)
                if n <= MAX_MEAN_SHOWN and f1 > best[0] + 1e-9:
                    best = (f1, float(answer), float(relative), most)
    return {"answer": best[1], "relative": best[2], "max_sentences": best[3]}


def fit_reading(
    raw: Sequence[Scored], cosines: Sequence[Scored], neighbours: Sequence[Scored] | None = None, votes: Sequence[Scored] | None = None
) -> dict[str, float]:
    """``assistant.relevance.Reading``: a logistic fit of "the sentence answers" on the
    cross-encoder's raw score and the bi-encoder's cosine, and with the question bank each
    sentence's ``neighbours`` (the closest labelled question it answers) and ``votes`` (context
    sentences left out, as ``platt``)."""
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415

    bank = [] if neighbours is None else [neighbours, *([votes] if votes is not None else [])]
    fit = LogisticRegression(C=100.0, max_iter=1000).fit(*_labelled(raw, cosines, *bank))
    out = {"logit": float(fit.coef_[0][0]), "cosine": float(fit.coef_[0][1]), "shift": float(fit.intercept_[0])}
    for at, name in enumerate(("neighbour", "vote")[: len(bank)], start=2):
        out[name] = float(fit.coef_[0][at])
    return out


def read(
    raw: Sequence[Scored], cosines: Sequence[Scored], reading: Mapping[str, float],
    neighbours: Sequence[Scored] | None = None, votes: Sequence[Scored] | None = None,
) -> list[Scored]:
    """The probabilities ``fit_reading``'s model gives (as ``Reading.probability``)."""
    from assistant.relevance import Reading  # noqa: PLC0415

    model = Reading.of(reading)
    near = neighbours if neighbours is not None else [None] * len(raw)
    vote = votes if votes is not None else [None] * len(raw)
    return [Scored(r.item, r.question, r.ids, r.texts,
                   model.probability(r.scores, c.scores, None if n is None else n.scores, None if v is None else v.scores))
            for r, c, n, v in zip(raw, cosines, near, vote, strict=True)]


def f1_of(scored: Sequence[Scored], showing: Mapping[str, float]) -> float:
    """The F1 of answer-sentence precision and recall that a selection rule gives (``fit_showing``'s aim)."""
    p, r, _ = precision_recall(scored, showing["answer"], showing["relative"], int(showing["max_sentences"]))
    return _f1(p, r)


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def fit_thresholds(scored: Sequence[Scored], guides_text: str) -> dict[str, float]:
    """The selection rule and the coverage model with its two cut-offs (see the module's docstring)."""
    return {**fit_showing(scored), **coverage_thresholds(scored, guides_text)}


def coverage_thresholds(scored: Sequence[Scored], guides_text: str) -> dict[str, float]:
    """The coverage model over the best sentence's P in ``scored`` and the missing aspect, fitted
    with its two cut-offs (``fit_coverage``), as ``Thresholds`` names them."""
    coverage = fit_coverage(scored, coverage_inputs(scored, guides_text))
    return {"coverage_intercept": coverage["intercept"], "coverage_best": coverage["weights"][0],
            "coverage_aspect_missing": coverage["weights"][1], "covered": coverage["covered"], "full": coverage["full"]}


def fit_coverage(scored: Sequence[Scored], inputs: np.ndarray) -> dict:  # type: ignore[type-arg]
    """A logistic model of "the guides answer it" over ``inputs`` (one row per question), with its
    two cut-offs: ``covered``, the highest that refuses at most ``MAX_REFUSED`` of the questions the
    guides answer; ``full``, the one at or above it that best tells "yes" from "partly"."""
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415

    answerable = np.array([0 if s.item.answerable == "no" else 1 for s in scored])
    fit = LogisticRegression(C=1.0, max_iter=1000).fit(inputs, answerable)
    chance = fit.predict_proba(inputs)[:, 1]
    covered = answerable_quantile(chance[answerable == 1])
    yes = np.array([c for c, s in zip(chance, scored, strict=True) if s.item.answerable == "yes"])
    partly = np.array([c for c, s in zip(chance, scored, strict=True) if s.item.answerable == "partly"])
    return {"intercept": float(fit.intercept_[0]), "weights": [float(w) for w in fit.coef_[0]],
            "covered": round(covered - 1e-6, 6), "full": _best_cut(yes, partly, floor=covered)}


def answerable_quantile(chance: np.ndarray) -> float:
    """The P(covered) below which ``MAX_REFUSED`` of these answerable questions lie: a cut-off just under it refuses at
    most that share of them (0.5 when there are none)."""
    ordered = np.sort(chance)
    return float(ordered[int(np.floor(MAX_REFUSED * len(ordered)))]) if len(ordered) else 0.5


def coverage_chance(thresholds: Mapping[str, float], best: float, aspect_missing: bool) -> float:
    """P(the guides answer it), as the assistant computes it (``Thresholds.coverage``)."""
    return Thresholds(**thresholds).coverage(best, bool(aspect_missing))  # type: ignore[arg-type]


def _best_cut(high: np.ndarray, low: np.ndarray, floor: float) -> float:
    """The cut-off at or above ``floor`` with the best balanced accuracy of high >= cut > low."""
    if not len(high) or not len(low):
        return floor
    candidates = sorted({floor, *[v for v in np.concatenate([high, low]) if v >= floor]})
    def balanced(cut: float) -> float:
        return 0.5 * (float(np.mean(high >= cut)) + float(np.mean(low < cut)))
    return float(max(candidates, key=balanced))


def figures(scored: Sequence[Scored], thresholds: Mapping[str, float] | None = None, guides_text: str = "") -> dict[str, float]:
    """What the report says of a labelled set: how well the model ranks and decides."""
    from sklearn.metrics import roc_auc_score  # noqa: PLC0415

    x, y, mrr = [], [], []
    for s in scored:
        if s.item.answerable == "no":
            continue
        answers, context = set(s.item.answers), set(s.item.context)
        order = np.argsort(-s.scores)
        first = next((rank for rank, i in enumerate(order, 1) if s.ids[i] in answers), None)
        mrr.append(1.0 / first if first else 0.0)
        for sid, value in zip(s.ids, s.scores, strict=True):
            if sid not in context:
                x.append(value)
                y.append(1 if sid in answers else 0)
    top = [float(s.scores.max()) for s in scored]
    answerable = [0 if s.item.answerable == "no" else 1 for s in scored]
    out = {
        "questions": len(scored),
        "answerable": sum(answerable),
        "sentence_auc": round(float(roc_auc_score(y, x)), 4) if len(set(y)) > 1 else float("nan"),
        "sentence_mrr": round(float(np.mean(mrr)), 4) if mrr else float("nan"),
        "answerable_auc": round(float(roc_auc_score(answerable, top)), 4) if len(set(answerable)) > 1 else float("nan"),
    }
    if thresholds and len(set(answerable)) > 1:
        out["coverage_auc"] = round(float(roc_auc_score(answerable, [
            coverage_chance(thresholds, t, m) for t, (_, m) in zip(top, coverage_inputs(scored, guides_text), strict=True)])), 4)
    if thresholds:
        p, r, n = precision_recall(scored, thresholds["answer"], thresholds["relative"], int(thresholds["max_sentences"]))
        chance = [coverage_chance(thresholds, t, m) for t, (_, m) in zip(top, coverage_inputs(scored, guides_text), strict=True)]
        no = [c < thresholds["covered"] for c, a in zip(chance, answerable, strict=True) if not a]
        refused = [c < thresholds["covered"] for c, a in zip(chance, answerable, strict=True) if a]
        out.update({
            "answer_precision": round(p, 4), "answer_recall": round(r, 4), "sentences_shown": round(n, 2),
            "no_refused": round(float(np.mean(no)), 4) if no else float("nan"),
            "answerable_refused": round(float(np.mean(refused)), 4) if refused else float("nan"),
        })
    return out
