"""python -m relevance.prior_probe: would a question prior make the coverage decision better? (tried, not shipped)

The coverage decision reads the best sentence's P and whether the question asks for something the
guides never give (``relevance.calibrate``). This probe adds a third input, a **question prior**: a
logistic model of "the guides answer it" over the question's MiniLM vector alone, fitted on the
training writers' questions (those close to a frozen question dropped, as for training); its
strength is the one of ``PRIOR_C_GRID`` with the best mean AUC on each training writer's questions
when fitted on the others. The three-input coverage model and its "not covered" cut-off are fitted on
the calibration writers as ``calibrate.fit_coverage`` fits the shipped one (at most ``MAX_REFUSED``
of their answerable questions refused). It prints, for every set with sentence labels, the shipped
coverage decision (the shipped model's thresholds) beside the one with the prior: coverage AUC and
the answerable and unanswerable questions refused. Nothing is written. About 20 minutes on 2 idle cores.

Its answer (stop 33, ``relevance/README.md``): better on writers like those it was fitted on, worse
on real consumer questions, so the product does not use it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np

from relevance import calibrate

PRIOR_C_GRID = (0.1, 0.3, 1.0, 3.0, 10.0)  # strengths of the question prior's fit (inverse regularisation)


def fit_prior(vectors: np.ndarray, answerable: np.ndarray, writers: Sequence[str]) -> dict:  # type: ignore[type-arg]
    """A logistic model of "the guides answer it" over the question's unit vector; its strength is
    the one of ``PRIOR_C_GRID`` with the best mean AUC on each writer's questions when fitted on the
    others (chosen for writers it never read)."""
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415
    from sklearn.metrics import roc_auc_score  # noqa: PLC0415

    groups = np.asarray(writers)

    def held_out_auc(strength: float) -> float:
        aucs = []
        for writer in sorted(set(writers)):
            held = groups == writer
            if len(set(answerable[held].tolist())) < 2:
                continue
            fit = LogisticRegression(C=strength, max_iter=2000).fit(vectors[~held], answerable[~held])
            aucs.append(roc_auc_score(answerable[held], fit.decision_function(vectors[held])))
        return float(np.mean(aucs))

    by_strength = {strength: round(held_out_auc(strength), 4) for strength in PRIOR_C_GRID}
    strength = max(by_strength, key=lambda c: by_strength[c])
    fit = LogisticRegression(C=strength, max_iter=2000).fit(vectors, answerable)
    return {"weights": fit.coef_[0], "intercept": float(fit.intercept_[0]), "strength": strength,
            "held_out_auc_by_strength": {str(k): v for k, v in by_strength.items()}}


def coverage_figures(scored: Sequence[calibrate.Scored], chance: np.ndarray, covered: float) -> dict[str, float]:
    """How a coverage decision (P per question and its cut-off) does on labelled questions."""
    from sklearn.metrics import roc_auc_score  # noqa: PLC0415

    answerable = np.array([s.item.answerable != "no" for s in scored])
    refused = chance < covered
    return {"questions": len(scored),
            "coverage_auc": round(float(roc_auc_score(answerable, chance)), 4) if len(set(answerable.tolist())) > 1 else float("nan"),
            "answerable_refused": round(float(np.mean(refused[answerable])), 4) if answerable.any() else float("nan"),
            "no_refused": round(float(np.mean(refused[~answerable])), 4) if (~answerable).any() else float("nan")}


def probe() -> dict:  # type: ignore[type-arg]
    from assistant.relevance import RelevanceModel  # noqa: PLC0415
    from core.settings import Settings  # noqa: PLC0415
    from relevance.build import SENTENCE_LABELS, _text_of, embedder, training_items  # noqa: PLC0415
    from relevance.labels import load_writers, read_labels  # noqa: PLC0415
    from relevance.pairs import guide_reader, question_text, reaches_model  # noqa: PLC0415

    settings = Settings()
    reader, sentences = guide_reader(settings)
    items = [i for i in load_writers(sentences) if reaches_model(i)]
    embed = embedder(settings)
    train, _ = training_items(items, embed)
    prior = fit_prior(embed([question_text(i.turns, reader) for i in train]), np.array([i.answerable != "no" for i in train]),
                      [i.writer for i in train])
    model, guides = RelevanceModel(), _text_of(sentences)

    def inputs(subset):  # noqa: ANN001, ANN202
        scored = calibrate.scores_by_item(subset, reader, sentences, lambda q, t: np.asarray(model.score(q, t)))
        logits = embed([s.question for s in scored]) @ prior["weights"] + prior["intercept"]
        return scored, np.column_stack([calibrate.coverage_inputs(scored, guides), logits])

    sets = {"calibration writers": inputs([i for i in items if i.part == "calibration"]),
            "test writers": inputs([i for i in items if i.part == "test"])}
    for name in ("dev_test", "medquad_abstention"):
        path = SENTENCE_LABELS / f"{name}.jsonl"
        if path.is_file():
            sets[name] = inputs(read_labels(path, sentences))
    fitted = calibrate.fit_coverage(*sets["calibration writers"])
    w, t = np.asarray(fitted["weights"]), model.thresholds
    figures = {}
    for name, (scored, rows) in sets.items():
        shipped = np.array([t.coverage(b, bool(m)) for b, m, _ in rows])
        with_prior = 1.0 / (1.0 + np.exp(-(fitted["intercept"] + rows @ w)))
        figures[name] = {"shipped": coverage_figures(scored, shipped, t.covered),
                         "with the prior": coverage_figures(scored, with_prior, fitted["covered"])}
    return {"train_questions": len(train), "strength": prior["strength"], "held_out_auc_by_strength": prior["held_out_auc_by_strength"],
            "coverage_with_prior": {"intercept": fitted["intercept"], "weights": fitted["weights"], "covered": fitted["covered"]},
            "figures": figures}


if __name__ == "__main__":
    print(json.dumps(probe(), indent=1))
