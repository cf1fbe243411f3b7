"""python -m relevance.coverage_probe CALIBRATION_RUN [RUN ...]: which inputs would help the coverage decision.

Reads evaluation runs of the product (``python -m evals run --dataset <set> --generator extractive --judge lexical
--out RUN``: each item's ``report.json`` entry holds the evidence the answer was decided on, ``ask --json``'s
"evidence"), so every input is what the product itself computed for the question, over the passages it retrieved.
Two probes, each fitted on the first run only (the calibration writers, the tuning part) and read on the others:

- **coverage inputs**: a logistic model of "the guides answer it" (labelled "yes" or "partly") over each set of
  ``INPUT_SETS``, its cut-off at ``relevance.calibrate.MAX_REFUSED`` of the fitted run's answerable questions refused, as
  ``relevance.calibrate`` fits the shipped one; per run its AUC and the share of "no" and of answerable questions
  below the cut-off;
- **the related-text gate**: among questions answered in part (the product's "partial"), a logistic model of "a
  sentence it shows is labelled answering or context" over ``GATE_INPUTS``; per run how many "no" questions,
  answerable ones showing nothing labelled, and answerable ones showing a labelled sentence would get a plain "not
  covered" at P below each of ``GATE_CUTS`` (at 0.5, showing text that helps and showing text that does not weigh alike).

Stop 48 ran it on the calibration writers, the test writers, MedQuAD's questions and the second corpus
(``relevance/README.md``). Items the safety checks route (crisis, emergency, a dose asked for...) are left out: their
answer is the safety message, whatever the evidence (``relevance.calibrate`` leaves out only crisis and emergency
items, so the first row is fitted on a few more questions there).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from assistant.evidence import asked_sentence
from assistant.lexical import content_terms, stem
from assistant.support import logit
from relevance.calibrate import answerable_quantile

INPUT_SETS = (
    ("best",),  # the cross-encoder's best P, as shipped (with the missing aspect, below)
    ("best_logit",),
    ("best_logit", "unknown"),  # a word it asks about that no document and no dictionary knows ("tizanidine")
    ("best_logit", "unknown", "overlap"),  # share of the asking sentence's content words the passages hold
    ("best_logit", "reading_logit", "second_logit", "cosine"),
    ("best_logit", "vote", "neighbour"),  # the question bank's reading (the guides only)
)
GATE_INPUTS = ("reading_logit", "best_logit", "vote", "neighbour", "cosine", "unknown")
GATE_CUTS = (0.5, 0.3, 0.2)  # a plain "not covered" below P(a shown sentence helps) = cut


def items(run: Path) -> list[dict]:  # type: ignore[type-arg]
    """One row per item with evidence: its label, the product's coverage and every input."""
    rows = []
    for x in json.loads((run / "report.json").read_text())["items"]:
        evidence = (x.get("provenance") or {}).get("evidence")
        if not evidence or x.get("safety") or not evidence["sentences"]:
            continue
        item = x["item"]
        label = (item.get("sentence_labels") or {}).get("answerable") or item.get("answerable") or ("no" if item.get("must_abstain") else "yes")
        sentences = evidence["sentences"]
        ranked = sorted((s["cross_encoder"] for s in sentences), reverse=True) + [0.0]
        passages = {stem(w) for p in x.get("retrieved", []) for w in content_terms(p["text"])}
        asked = content_terms(asked_sentence(x.get("standalone_question") or x["question"]))
        rows.append({
            "label": label, "coverage": x["coverage"], "precision": x["scores"].get("answer_sentence_precision"),
            "best": evidence["best"], "best_logit": logit(evidence["best"]), "second_logit": logit(ranked[1]),
            "missing": float(bool(evidence["missing_aspects"])), "unknown": float(bool(evidence["unknown_names"])),
            "overlap": sum(stem(w) in passages for w in asked) / len(asked) if asked else 1.0,
            "reading_logit": logit(max(s["probability"] for s in sentences)),
            "vote": max(s["vote"] or 0.0 for s in sentences), "neighbour": max(s["neighbour"] or 0.0 for s in sentences),
            "cosine": max(s["cosine"] or 0.0 for s in sentences),
        })
    return rows


def _matrix(rows: list[dict], inputs: tuple[str, ...]) -> np.ndarray:  # type: ignore[type-arg]
    return np.array([[r[k] for k in inputs] for r in rows])


def coverage(runs: dict[str, list[dict]]) -> dict:  # type: ignore[type-arg]
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415
    from sklearn.metrics import roc_auc_score  # noqa: PLC0415

    fitted = next(iter(runs.values()))
    out = {}
    for inputs in INPUT_SETS:
        names = (*inputs, "missing")
        answerable = np.array([r["label"] != "no" for r in fitted])
        fit = LogisticRegression(C=1.0, max_iter=1000).fit(_matrix(fitted, names), answerable)
        chance = fit.predict_proba(_matrix(fitted, names))[:, 1]
        cut = answerable_quantile(chance[answerable]) - 1e-6
        figures = {}
        for name, rows in runs.items():
            p = fit.predict_proba(_matrix(rows, names))[:, 1]
            y = np.array([r["label"] != "no" for r in rows])
            figures[name] = {"questions": len(rows), "auc": round(float(roc_auc_score(y, p)), 3),
                             "no_refused": round(float(np.mean(p[~y] < cut)), 3), "answerable_refused": round(float(np.mean(p[y] < cut)), 3)}
        out["+".join(names)] = figures
    return out


def _helps(row: dict) -> bool:  # type: ignore[type-arg]
    """The question is answerable and a sentence the answer shows is labelled answering or context."""
    return row["label"] != "no" and (row["precision"] or 0) > 0


def gate(runs: dict[str, list[dict]]) -> dict:  # type: ignore[type-arg]
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415
    from sklearn.metrics import roc_auc_score  # noqa: PLC0415

    partial = {name: [r for r in rows if r["coverage"] == "partial"] for name, rows in runs.items()}
    fitted = next(iter(partial.values()))
    fit = LogisticRegression(C=1.0, max_iter=1000).fit(_matrix(fitted, GATE_INPUTS), np.array([_helps(r) for r in fitted]))
    out = {}
    for name, rows in partial.items():
        p = fit.predict_proba(_matrix(rows, GATE_INPUTS))[:, 1]
        good = np.array([_helps(r) for r in rows])
        no = np.array([r["label"] == "no" for r in rows])
        out[name] = {"partial": len(rows), "auc": round(float(roc_auc_score(good, p)), 3) if 0 < good.sum() < len(good) else None}
        for cut in GATE_CUTS:
            shut = p < cut
            out[name][f"below {cut}"] = {
                "no_plain": f"{int((shut & no).sum())} of {int(no.sum())}",
                "answerable_showing_nothing_labelled_refused": f"{int((shut & ~no & ~good).sum())} of {int((~no & ~good).sum())}",
                "answerable_showing_a_labelled_sentence_refused": f"{int((shut & good).sum())} of {int(good.sum())}"}
    return out


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    runs = {Path(a).name: items(Path(a)) for a in argv}
    print(json.dumps({"coverage_inputs": coverage(runs), "related_text_gate": gate(runs)}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
