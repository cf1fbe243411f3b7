"""The sentence-labelled data the relevance model learns from: checked against the guides'
sentence catalog, split by writer as drawn, reviewers' fixes applied, nothing of the frozen sets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.errors import GuideError
from index.sentences import load_catalog
from relevance.labels import CALIBRATION_WRITERS, PERSONAS, TEST_WRITERS, apply_review, load_writers, parse, read_labels
from tests.conftest import GUIDES_DIR


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(GUIDES_DIR)


def test_every_writer_file_in_the_repo_reads_and_the_split_is_by_writer(catalog):
    items = load_writers(catalog)
    assert len(items) >= 3000 and {i.writer for i in items} == set(PERSONAS)
    by_part = {part: {i.writer for i in items if i.part == part} for part in ("train", "calibration", "test")}
    assert by_part["test"] == set(TEST_WRITERS)
    # the drawn calibration writers, the first round's and the second's, both delivered
    assert by_part["calibration"] == set(CALIBRATION_WRITERS) == {"hospice-nurse", "non-native-chinese-son"}
    assert by_part["train"] >= {"newly-diagnosed-sclero", "daughter-researcher", "husband-bulbar"} and len(by_part["train"]) == 8
    assert not by_part["train"] & (set(TEST_WRITERS) | set(CALIBRATION_WRITERS))
    # many questions the guides don't answer, and answerable ones labelled with the sentences that answer
    assert sum(i.answerable == "no" for i in items) > 1000
    assert all(i.answers for i in items if i.answerable != "no")


def test_a_label_naming_a_sentence_the_guides_do_not_have_is_refused_with_where_to_look(catalog):
    with pytest.raises(GuideError, match="unknown sentence ids.*python -m index sentences"):
        parse({"id": "x", "turns": ["q"], "answerable": "yes", "answers": ["als-treatment:99"]}, catalog, where="f:1")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"id": "x", "turns": ["can i take ibuprofen"], "answerable": "no", "answers": ["als-treatment:04"]}, "cannot have answering"),
        ({"id": "x", "turns": ["what does riluzole do"], "answerable": "yes", "answers": []}, "needs at least one"),
        ({"id": "x", "turns": ["what does riluzole do"], "answerable": "maybe"}, "yes, partly or no"),
    ],
)
def test_impossible_labels_are_refused(catalog, row, message):
    with pytest.raises(GuideError, match=message):
        parse(row, catalog, where="f:1")


def test_a_reviewers_fix_replaces_the_writers_labels_and_agreement_leaves_them(catalog, tmp_path: Path):
    labels = tmp_path / "labels.jsonl"
    labels.write_text(
        json.dumps({"id": "a", "turns": ["is riluzole worth it"], "answerable": "no"}) + "\n"
        + json.dumps({"id": "b", "turns": ["what is tofersen"], "answerable": "yes", "answers": ["als-treatment:11"]}) + "\n"
    )
    review = tmp_path / "review-someone.jsonl"
    review.write_text(
        json.dumps({"id": "a", "verdict": "fix", "answerable": "partly", "answers": ["als-treatment:04"], "context": [], "missing": "x"}) + "\n"
        + json.dumps({"id": "b", "verdict": "agree"}) + "\n"
    )
    fixed = apply_review(read_labels(labels, catalog, "w"), review, catalog)
    assert (fixed[0].answerable, fixed[0].answers, fixed[0].turns) == ("partly", ("als-treatment:04",), ("is riluzole worth it",))
    assert (fixed[1].answerable, fixed[1].answers) == ("yes", ("als-treatment:11",))


def test_figures_for_a_writer_the_data_does_not_have_say_which_names_to_use(caplog):
    from relevance.__main__ import main

    assert main(["figures", "nobody"]) == 2
    assert "Unknown writers ['nobody']: use folder names of" in caplog.text
