"""python -m urgency.baselines: why the emergency-now model is a fine-tuned cross-encoder.

Logistic regressions over (a) words and word pairs, (b) character 4-grams of words, (c) both, and
(d) MiniLM sentence vectors, on the first round's messages (``urgency.data.ROUND_1`` writers, the pool
and the ordinary turns; "now" as in ``load_messages``), cross-validated by writer on everything but
the test part. For each: the share of not-now messages they would stop at the cut-off that catches
98% of the emergencies in cross-validation, by where the messages come from. Minutes on 2 cores.
"""

from __future__ import annotations

import json
import re

import numpy as np

from urgency.data import ROUND_2, load_messages


def _words(text: str) -> list[str]:
    words = re.findall(r"[a-z0-9]+", re.sub(r"['’]", "", text.lower()))
    return [*words, *(f"{a} {b}" for a, b in zip(words, words[1:], strict=False))]


def _chars(text: str) -> list[str]:
    out = []
    for word in re.findall(r"[a-z0-9]+", re.sub(r"['’]", "", text.lower())):
        w = f"<{word}>"
        out += [w[i : i + 4] for i in range(max(1, len(w) - 3))]
    return out


def main() -> None:
    from scipy.sparse import csr_matrix, hstack  # noqa: PLC0415
    from sklearn.feature_extraction.text import CountVectorizer  # noqa: PLC0415
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415

    from core.settings import Settings  # noqa: PLC0415
    from relevance.build import embedder  # noqa: PLC0415

    rows = [m for m in load_messages() if m.writer not in ROUND_2 and m.part() != "test"]
    texts = [m.text for m in rows]
    y = np.array([m.now for m in rows])
    writers = np.array([m.writer for m in rows])
    source = np.array([m.source for m in rows])
    vectors = csr_matrix(embedder(Settings())(texts))
    variants = {"words": [_words], "chars": [_chars], "words+chars": [_words, _chars], "minilm": []}
    out = {}
    for name, analyzers in variants.items():
        chance = np.zeros(len(rows))
        for writer in sorted(set(writers)):
            fold = writers == writer
            if analyzers:
                vecs = [CountVectorizer(analyzer=a, binary=True).fit([t for t, f in zip(texts, fold) if not f]) for a in analyzers]
                x = hstack([v.transform(texts) for v in vecs]).tocsr()
            else:
                x = vectors
            model = LogisticRegression(C=1.0, max_iter=5000, class_weight="balanced").fit(x[~fold], y[~fold])
            chance[fold] = model.predict_proba(x[fold])[:, 1]
        cut = float(np.quantile(chance[y], 0.02))
        out[name] = {
            src: round(float(np.mean(chance[(~y) & (source == src)] >= cut)), 3) for src in ("writer", "pool", "ordinary")
        }
    print(json.dumps({"stopped, not now, at 98% of emergencies caught (cross-validation by writer)": out}, indent=1))


if __name__ == "__main__":
    main()
