"""python -m relevance.operating_point DIR [DIR ...]: relevance models compared at one operating point.

Each model folder's calibrated probabilities are scored for every calibration and test writer's
question against every guide sentence; the coverage model (best sentence's P and a missing aspect,
as ``relevance.calibrate``) is fitted for each on the same calibration writers, its cut-off set at
``MAX_REFUSED`` of the answerable calibration questions refused; the test writers' answerable and
unanswerable questions refused are printed. This separates a better model from a stricter cut-off:
a shipped model's own figures depend on the writers it was calibrated on. About 10 minutes a model
on 2 cores. A retrained model to compare: ``python -m relevance train`` writes it into
``assistant/relevance_model/``; copy it aside and restore the shipped one with git.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from relevance.calibrate import MAX_REFUSED


def compare(folders: list[Path]) -> dict[str, dict[str, float]]:
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415
    from sklearn.metrics import roc_auc_score  # noqa: PLC0415

    from assistant.relevance import RelevanceModel  # noqa: PLC0415
    from core.settings import Settings  # noqa: PLC0415
    from relevance import calibrate  # noqa: PLC0415
    from relevance.build import _text_of  # noqa: PLC0415
    from relevance.labels import load_writers  # noqa: PLC0415
    from relevance.pairs import guide_reader  # noqa: PLC0415

    reader, sentences = guide_reader(Settings())
    items = load_writers(sentences)
    guides = _text_of(sentences)
    out = {}
    for folder in folders:
        model = RelevanceModel(folder)
        parts = {}
        for part in ("calibration", "test"):
            scored = calibrate.scores_by_item([i for i in items if i.part == part], reader, sentences, lambda q, t: np.asarray(model.score(q, t)))
            parts[part] = (calibrate.coverage_inputs(scored, guides), np.array([s.item.answerable != "no" for s in scored]))
        (xc, yc), (xt, yt) = parts["calibration"], parts["test"]
        fit = LogisticRegression(C=1.0, max_iter=1000).fit(xc, yc)
        pc, pt = fit.predict_proba(xc)[:, 1], fit.predict_proba(xt)[:, 1]
        cut = float(np.sort(pc[yc])[int(np.floor(MAX_REFUSED * yc.sum()))]) - 1e-6
        out[str(folder)] = {
            "coverage_auc_test": round(float(roc_auc_score(yt, pt)), 3),
            "test_answerable_refused": round(float(np.mean(pt[yt] < cut)), 3),
            "test_unanswerable_refused": round(float(np.mean(pt[~yt] < cut)), 3),
        }
    return out


if __name__ == "__main__":
    print(json.dumps(compare([Path(a) for a in sys.argv[1:]]), indent=1))
