"""Fit the coverage model (``assistant/coverage.py``) on the tuning data.

Every item is answered through the assistant (the chat's code path, extractive generator, so
earlier turns of a conversation resolve follow-ups as in the chat), and the gate's measured
signals for the scored turn are read from the answer's provenance. Label: the guides answer
it (``answerable`` yes or partly; without that label, not ``must_abstain``) or not.
Emergencies and crises, which never reach the gate, are left out.

A logistic regression on standardised signals gives P(covered); the two thresholds are
chosen on the same items: ``t_none`` so that at most ``MAX_REFUSED`` of answerable items fall
below it, ``t_full`` so that at most ``MAX_FULL_UNANSWERABLE`` of unanswerable items reach it.
Report on the frozen test part with ``python -m evals run``, never here.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.coverage import FEATURES, MODEL_PATH, SENTENCE_FEATURES, CoverageModel, Logistic, SentenceModel, load_sentence_model
from assistant.generators import choose_sentences
from assistant.safety import BLOCKING
from core.errors import GuideError
from core.settings import Settings
from evals.dataset import load_dataset

log = logging.getLogger(__name__)

DATASETS_DIR = Path(__file__).resolve().parent / "datasets"
DEFAULT_DATASETS = [DATASETS_DIR / "dev_tune.jsonl", DATASETS_DIR / "golden.jsonl"]
MAX_REFUSED = 0.02
MAX_FULL_UNANSWERABLE = 0.05
C = 1.0  # inverse regularisation strength of the logistic regression


def collect(paths: Sequence[Path], settings: Settings, assistant: Any = None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One row per gated item (id, label, signals), and per answerable item with expected facts
    its candidate sentences (signals, whether each carries a fact group, which ones)."""
    from assistant.api import Assistant  # noqa: PLC0415
    from evals.metrics import normalise  # noqa: PLC0415

    assistant = assistant or Assistant(settings, generator="extractive")
    chain = assistant.chain
    try:
        load_sentence_model()
    except GuideError:  # fitted on other signals: answer meanwhile with every sentence equally likely
        features = len(SENTENCE_FEATURES)
        chain.fallback.sentence_model = SentenceModel(
            Logistic(SENTENCE_FEATURES, (0.0,) * features, (1.0,) * features, (0.0,) * features, 0.0), 0.5, BUDGET_GRID[-1]
        )
    rows, sentence_items = [], []
    for path in paths:
        for item in load_dataset(path).items:
            if item.safety in BLOCKING:
                continue
            conversation = assistant.conversation()
            for turn in item.turns[:-1]:
                conversation.ask(turn)
            answer = conversation.ask(item.question)
            evidence = answer.provenance.get("evidence") or {}
            if not evidence.get("signals"):
                continue  # not gated (nothing retrieved)
            label = item.answerable in ("yes", "partly") if item.answerable else not item.must_abstain
            rows.append({"id": item.id, "label": int(label), "signals": evidence["signals"], "dataset": path.name})
            if label and item.facts and answer.retrieved:
                candidates = chain.fallback.candidates(chain.reader.read(answer.standalone_question).text, answer.retrieved)
                groups = [[normalise(p) for p in group] for group in item.facts]
                carried = [
                    [g for g, group in enumerate(groups) if any(p in normalise(f"{c.text} {c.following}") for p in group)]
                    for c in candidates
                ]
                sentence_items.append({
                    "id": item.id, "groups": len(groups), "candidates": candidates, "carried": carried,
                    "vectors": assistant.vectors.get([c.text for c in candidates]),
                })
    return rows, sentence_items


def fit(rows: Sequence[dict[str, Any]]) -> tuple[CoverageModel, dict[str, Any]]:
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415 - only for fitting
    from sklearn.metrics import roc_auc_score  # noqa: PLC0415

    x = np.array([[r["signals"][f] for f in FEATURES] for r in rows], dtype=float)
    y = np.array([r["label"] for r in rows])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=C, max_iter=1000).fit((x - mean) / scale, y)
    p = model.predict_proba((x - mean) / scale)[:, 1]
    # Only questions no missing aspect already makes partial can be answered as full: t_full is
    # calibrated on those.
    can_be_full = np.array([r["signals"]["aspect_missing"] == 0 for r in rows])
    positives, negatives = np.sort(p[y == 1]), np.sort(p[(y == 0) & can_be_full])
    t_none = float(positives[int(np.floor(MAX_REFUSED * len(positives)))]) - 1e-6
    t_full = float(negatives[min(len(negatives) - 1, int(np.ceil((1 - MAX_FULL_UNANSWERABLE) * len(negatives))))]) + 1e-6
    t_full = max(t_full, t_none)
    fitted = CoverageModel(
        Logistic(FEATURES, tuple(mean.round(6)), tuple(scale.round(6)), tuple(model.coef_[0].round(6)), round(float(model.intercept_[0]), 6)),
        round(t_none, 6), round(t_full, 6),
    )
    report = {
        "items": len(rows),
        "answerable": int(y.sum()),
        "auc": round(float(roc_auc_score(y, p)), 4),
        "refused_answerable": round(float((p[y == 1] < fitted.t_none).mean()), 4),
        "full_unanswerable": round(float(((p >= fitted.t_full) & can_be_full)[y == 0].mean()), 4),
        "none_unanswerable": round(float((p[y == 0] < fitted.t_none).mean()), 4),
        "partial_share": round(float(((p >= fitted.t_none) & ((p < fitted.t_full) | ~can_be_full)).mean()), 4),
        "full_answerable": round(float(((p >= fitted.t_full) & can_be_full)[y == 1].mean()), 4),
    }
    return fitted, report


P_MIN_GRID = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5)
BUDGET_GRID = (50, 65, 80, 95, 110)  # words; longer answers tire the people this serves
BUDGET_SLACK = 0.0  # budgets within this much all-facts of the best count as tied


def fit_sentences(items: Sequence[dict[str, Any]]) -> tuple[SentenceModel, dict[str, Any]]:
    """The sentence model, then its floor and budget: those under which the most tuning answers
    would hold every expected fact (of tied ones, the longest budget and highest floor)."""
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415

    x = np.array([[c.signals[f] for f in SENTENCE_FEATURES] for it in items for c in it["candidates"]], dtype=float)
    y = np.array([1 if carried else 0 for it in items for carried in it["carried"]])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    regression = LogisticRegression(C=C, max_iter=1000).fit((x - mean) / scale, y)
    logistic = Logistic(SENTENCE_FEATURES, tuple(mean.round(6)), tuple(scale.round(6)), tuple(regression.coef_[0].round(6)),
                        round(float(regression.intercept_[0]), 6))
    chances = [[logistic.probability(c.signals) for c in it["candidates"]] for it in items]

    def all_facts(p_min: float, budget: int) -> float:
        hits = 0
        for it, p in zip(items, chances, strict=True):
            chosen = choose_sentences(it["candidates"], p, it["vectors"], p_min, budget)
            hits += len({g for i in chosen for g in it["carried"][i]}) == it["groups"]
        return hits / len(items)

    grid = {(p, b): all_facts(p, b) for p in P_MIN_GRID for b in BUDGET_GRID}
    best = max(grid.values())
    # Ties go to the longer budget: a user should not lose a fact for a few words.
    p_min, budget = min((k for k, v in grid.items() if v >= best - BUDGET_SLACK), key=lambda k: (-k[1], -k[0]))
    report = {"sentences": int(len(y)), "carrying_a_fact": int(y.sum()), "items": len(items),
              "all_facts_best": round(best, 4), "all_facts_chosen": round(grid[(p_min, budget)], 4)}
    return SentenceModel(logistic, p_min, budget), report


def fit_and_save(paths: Sequence[Path], settings: Settings, out: Path | None = None) -> str:
    rows, sentence_items = collect(paths, settings)
    model, report = fit(rows)
    sentences, sentence_report = fit_sentences(sentence_items)
    out = out or MODEL_PATH
    data = {
        "_about": "Coverage model (assistant/coverage.py), written by 'python -m evals fit-coverage'; do not edit by hand.",
        "fitted_on": [{"dataset": p.name, "sha256": hashlib.sha256(Path(p).read_bytes()).hexdigest()[:16]} for p in paths],
        "fit_report": report,
        "sentence_fit_report": sentence_report,
        "model": model.to_dict(),
        "sentences": sentences.to_dict(),
    }
    out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    weights = ", ".join(f"{f} {c:+.2f}" for f, c in zip(FEATURES, model.logistic.coef, strict=True))
    sentence_weights = ", ".join(f"{f} {c:+.2f}" for f, c in zip(SENTENCE_FEATURES, sentences.logistic.coef, strict=True))
    return (
        f"Wrote {out}: {report}\n  weights (standardised): {weights}; t_none {model.t_none:.3f}, t_full {model.t_full:.3f}\n"
        f"  sentences: {sentence_report}\n  weights: {sentence_weights}; p_min {sentences.p_min}, budget {sentences.word_budget} words"
    )
