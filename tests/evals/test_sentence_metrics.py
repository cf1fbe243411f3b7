"""Which guide sentences an answer shows, scored against sentence labels: precision, recall, plain
refusals and length, on hand-made answers whose right score is known."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.phrases import NOT_COVERED_ANSWER, NOT_FULLY_ANSWERED, RELATED
from evals.dataset import DatasetError, EvalItem, SentenceLabels, load_dataset
from evals.metrics import abstained, claim_text, length_metrics, sentence_scores, shown_sentence_ids
from index.sentences import load_catalog
from tests.conftest import GUIDES_DIR

CATALOG = list(load_catalog(GUIDES_DIR).values())
TEXT = {s.id: s.text for s in CATALOG}
RILUZOLE, EDARAVONE, TOFERSEN = "als-treatment:04", "als-treatment:05", "als-treatment:11"


def _answer(*ids: str, coverage: str = "full") -> dict:
    sentences = [{"text": TEXT[i], "guide_text": TEXT[i], "n": 1, "plain": False} for i in ids]
    return {"answer": " ".join(f"{TEXT[i]} [1]" for i in ids) or NOT_COVERED_ANSWER, "coverage": coverage, "sentences": sentences}


def _item(answerable: str, answers: tuple[str, ...] = (), context: tuple[str, ...] = ()) -> EvalItem:
    return EvalItem("x", ("q",), "plain", sentence_labels=SentenceLabels(answerable, answers, context))


def test_precision_counts_answers_and_context_and_recall_only_answers():
    scores = sentence_scores(_item("yes", (RILUZOLE, EDARAVONE), ("als-treatment:06",)), _answer(RILUZOLE, "als-treatment:06", TOFERSEN), CATALOG)
    assert scores["answer_sentence_precision"] == pytest.approx(2 / 3)  # tofersen pads the answer
    assert scores["answer_sentence_recall"] == pytest.approx(1 / 2)  # edaravone is missing
    assert scores["labelled_answerable_refused_rate"] == 0.0


def test_a_question_the_guides_do_not_answer_needs_a_refusal_with_no_guide_text():
    assert sentence_scores(_item("no"), _answer(coverage="none"), CATALOG) == {"no_plain_refusal_rate": 1.0}
    related = _answer(TOFERSEN, coverage="partial")  # "related" guide text is not a plain refusal
    assert sentence_scores(_item("no"), related, CATALOG) == {"no_plain_refusal_rate": 0.0}


def test_a_sentence_shown_with_the_one_it_points_back_to_counts_as_both():
    both = f"{TEXT['als-treatment:12']} {TEXT['als-treatment:13']}"
    answer = {"sentences": [{"text": both, "guide_text": both, "n": 1, "plain": False}]}
    assert shown_sentence_ids(answer, CATALOG) == ["als-treatment:12", "als-treatment:13"]


def test_a_sentence_a_model_wrote_counts_as_the_guide_sentence_it_restates_or_as_unmatched():
    written = {"sentences": [
        {"text": "x", "guide_text": "Riluzole modestly prolongs survival and delays disease progression for ALS.", "n": 1, "plain": False},
        {"text": "y", "guide_text": "Ibuprofen is safe with methotrexate.", "n": 1, "plain": False},
    ]}
    assert shown_sentence_ids(written, CATALOG) == [RILUZOLE, "unmatched"]


def test_a_partial_answer_says_what_is_missing_and_its_notices_are_not_claims():
    gap = NOT_FULLY_ANSWERED.format(asked="how long tizanidine takes to work")
    text = f"{gap} {RELATED} {TEXT[RILUZOLE]} [1]"
    assert abstained(text)
    assert claim_text(text) == f"{TEXT[RILUZOLE]} [1]"


def test_the_median_length_is_over_answers_that_show_guide_text():
    rows = [{"answer": "a b c d", "answer_sentences": [{}]}, {"answer": "a b", "answer_sentences": [{}]},
            {"answer": NOT_COVERED_ANSWER, "answer_sentences": []}]
    assert length_metrics(rows) == {"answer_words_median": 3.0}


def test_sentence_labels_beside_a_dataset_are_joined_and_a_stray_one_is_refused(tmp_path: Path):
    data = tmp_path / "set.jsonl"
    data.write_text(json.dumps({"id": "a", "turns": ["what does riluzole do"], "kind": "plain"}) + "\n")
    (tmp_path / "sentence_labels").mkdir()
    labels = tmp_path / "sentence_labels" / "set.jsonl"
    labels.write_text(json.dumps({"id": "a", "answerable": "yes", "answers": [RILUZOLE]}) + "\n")
    assert load_dataset(data).items[0].sentence_labels.answers == (RILUZOLE,)
    labels.write_text(json.dumps({"id": "b", "answerable": "no"}) + "\n")
    with pytest.raises(DatasetError, match="labels items the dataset does not have"):
        load_dataset(data)
