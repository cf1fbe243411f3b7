"""How the coverage decision is fitted (``relevance.calibrate``): the cut-off keeps its promise on the
questions it was fitted on; and the probe's question prior (``relevance.prior_probe``) learns and
chooses its strength on writers it did not read. The data are scripted: our own fitting logic, not the model."""

from __future__ import annotations

import numpy as np

from relevance.calibrate import MAX_REFUSED, Scored, fit_coverage
from relevance.prior_probe import PRIOR_C_GRID, fit_prior
from relevance.labels import Labelled


def _scored(answerable: str) -> Scored:
    return Scored(Labelled("q", ("q",), answerable, answers=("g:01",) if answerable != "no" else ()), "q", (), (), np.zeros(0))


def test_the_not_covered_cut_off_refuses_at_most_its_share_of_answerable_questions():
    rng = np.random.default_rng(3)
    labels = ["yes"] * 150 + ["partly"] * 50 + ["no"] * 200
    best = np.array([rng.uniform(0.3, 1.0) if a != "no" else rng.uniform(0.0, 0.6) for a in labels])
    fitted = fit_coverage([_scored(a) for a in labels], np.column_stack([best, np.zeros(len(labels))]))
    chance = 1.0 / (1.0 + np.exp(-(fitted["intercept"] + fitted["weights"][0] * best)))
    answerable = np.array([a != "no" for a in labels])
    assert np.mean(chance[answerable] < fitted["covered"]) <= MAX_REFUSED
    assert np.mean(chance[~answerable] < fitted["covered"]) > 0.3  # and it does refuse
    assert fitted["full"] >= fitted["covered"]


def test_the_question_prior_learns_which_questions_are_answered_and_chooses_its_strength_on_unread_writers():
    rng = np.random.default_rng(5)
    answered_direction = rng.normal(size=16)
    vectors, labels, writers = [], [], []
    for writer in ("a", "b", "c", "d"):
        for _ in range(60):
            answered = rng.random() < 0.4
            vector = rng.normal(size=16) + (1.5 if answered else -1.5) * answered_direction / np.linalg.norm(answered_direction)
            vectors.append(vector / np.linalg.norm(vector))
            labels.append(answered)
            writers.append(writer)
    prior = fit_prior(np.array(vectors), np.array(labels), writers)
    assert prior["strength"] in PRIOR_C_GRID and set(prior["held_out_auc_by_strength"]) == {str(c) for c in PRIOR_C_GRID}
    logits = np.array(vectors) @ prior["weights"] + prior["intercept"]
    assert logits[np.array(labels)].mean() > logits[~np.array(labels)].mean()
    assert max(prior["held_out_auc_by_strength"].values()) > 0.8
