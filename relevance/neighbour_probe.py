"""python -m relevance.neighbour_probe: do the writers' labelled questions help read a new one? (the probe
that led to the question bank, kept for its figures)

The writers labelled, question by question, which guide sentences answer it. A new question close
to one of theirs is likely answered by the same sentences: the way an FAQ search reuses the
answers of questions asked before. This probe gives every (question, guide sentence) pair a third
input beside the cross-encoder's raw score and MiniLM's cosine, **neighbour**: the highest cosine
between the question and a training writer's question that the sentence answers (0 when no
training question is answered by it). The memory is the training writers' questions only (those
that reword a frozen question dropped, as for training), so the calibration and test writers,
dev_test and the MedQuAD questions are read through questions of other people.

It fits, on the calibration writers as ``python -m relevance calibrate`` fits the shipped reading,
the reading with the three inputs and its selection rule, and prints for every set with sentence
labels the two-input reading's figures beside it (sentence AUC, MRR of the first answering sentence,
precision, recall, sentences shown), the neighbour's alone, and the coverage AUC of the shipped
coverage inputs with and without the best neighbour of an answerable training question. Nothing is
written. About 20 minutes on 2 idle cores. The product's version of the reading is
``python -m relevance calibrate`` (``assistant.relevance.QuestionBank``); the coverage input was
not adopted (stop 35: dev_test AUC 0.788 -> 0.747).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

import numpy as np

from relevance import calibrate
from relevance.labels import Labelled


class Memory:
    """The training writers' questions as vectors, and for each guide sentence the questions it answers."""

    def __init__(self, questions: Sequence[str], items: Sequence[Labelled], embed: Callable[[list[str]], np.ndarray]):
        self.embed = embed
        self.vectors = embed(list(questions))
        self.answerable = np.array([i.answerable != "no" for i in items])
        rows: dict[str, list[int]] = {}
        for at, item in enumerate(items):
            for sid in item.answers:
                rows.setdefault(sid, []).append(at)
        self.answered_by = {k: np.array(v) for k, v in rows.items()}

    def neighbour(self, question: str, ids: Sequence[str]) -> tuple[np.ndarray, float]:
        """Per sentence, the highest cosine to a memory question it answers; and the highest
        cosine to any answerable memory question."""
        sims = self.vectors @ self.embed([question])[0]
        per = np.array([float(sims[self.answered_by[i]].max()) if i in self.answered_by else 0.0 for i in ids])
        return per, float(sims[self.answerable].max())


def probe() -> dict:  # type: ignore[type-arg]
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415
    from sklearn.metrics import roc_auc_score  # noqa: PLC0415

    from assistant.relevance import RelevanceModel  # noqa: PLC0415
    from core.settings import Settings  # noqa: PLC0415
    from relevance.build import SENTENCE_LABELS, _cosine, _showing_figures, _text_of, embedder, training_items  # noqa: PLC0415
    from relevance.labels import load_writers, read_labels  # noqa: PLC0415
    from relevance.pairs import guide_reader, question_text, reaches_model  # noqa: PLC0415

    settings = Settings()
    reader, sentences = guide_reader(settings)
    items = [i for i in load_writers(sentences) if reaches_model(i)]
    embed = embedder(settings)
    train, _ = training_items(items, embed)
    memory = Memory([question_text(i.turns, reader) for i in train], train, embed)
    model, guides = RelevanceModel(), _text_of(sentences)
    cosine = _cosine(embed)

    def scored(subset: Sequence[Labelled]) -> tuple:  # type: ignore[type-arg]
        raw = calibrate.scores_by_item(subset, reader, sentences, model.logits)
        cos = calibrate.scores_by_item(subset, reader, sentences, cosine)
        near, best_answerable = [], []
        for r in raw:
            per, best = memory.neighbour(r.question, r.ids)
            near.append(calibrate.Scored(r.item, r.question, r.ids, r.texts, per))
            best_answerable.append(best)
        return raw, cos, near, np.array(best_answerable)

    sets = {"calibration writers": scored([i for i in items if i.part == "calibration"]),
            "test writers": scored([i for i in items if i.part == "test"])}
    for name in ("dev_test", "medquad_abstention"):
        path = SENTENCE_LABELS / f"{name}.jsonl"
        if path.is_file():
            sets[name] = scored(read_labels(path, sentences))
    raw, cos, near, _ = sets["calibration writers"]
    two_reading = calibrate.fit_reading(raw, cos)
    two_showing = calibrate.fit_showing(calibrate.read(raw, cos, two_reading))
    reading = calibrate.fit_reading(raw, cos, near)
    showing = calibrate.fit_showing(calibrate.read(raw, cos, reading, near))

    def coverage_rows(s) -> np.ndarray:  # noqa: ANN001
        calibrated = [calibrate.Scored(r.item, r.question, r.ids, r.texts, model.calibrated(r.scores)) for r in s[0]]
        return np.column_stack([calibrate.coverage_inputs(calibrated, guides), s[3]])

    def answerable(s) -> np.ndarray:  # noqa: ANN001
        return np.array([r.item.answerable != "no" for r in s[0]])

    rows = {n: coverage_rows(s) for n, s in sets.items()}
    fit_on = sets["calibration writers"]
    two = LogisticRegression(C=1.0, max_iter=1000).fit(rows["calibration writers"][:, :2], answerable(fit_on))
    three = LogisticRegression(C=1.0, max_iter=1000).fit(rows["calibration writers"], answerable(fit_on))
    figures = {}
    for name, (r, c, n, _) in sets.items():
        y = answerable(sets[name])
        alone = calibrate.figures(n)
        figures[name] = {
            "reading (score, cosine)": _showing_figures(calibrate.read(r, c, two_reading), two_showing),
            "with neighbour": _showing_figures(calibrate.read(r, c, reading, n), showing),
            "neighbour alone": {"sentence_auc": alone["sentence_auc"], "sentence_mrr": alone["sentence_mrr"]},
            "coverage auc, shipped inputs -> with best neighbour": [
                round(float(roc_auc_score(y, two.decision_function(rows[name][:, :2]))), 4),
                round(float(roc_auc_score(y, three.decision_function(rows[name]))), 4)],
        }
    return {"memory_questions": len(train), "reading": reading, "showing": showing, "two_input_reading": two_reading,
            "two_input_showing": two_showing, "figures": figures}


if __name__ == "__main__":
    print(json.dumps(probe(), indent=1))
