"""The labellers' reading of the training writers' "no" questions (``relevance.topic.everyday_labels``): what
trains the everyday-request model. A label file that breaks the labellers' brief is refused, not read."""

import json

import pytest

from core.errors import GuideError
from relevance.topic import everyday_labels


def _write(folder, name, rows):
    (folder / name).write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


@pytest.fixture
def folder(tmp_path):
    _write(tmp_path, "items-1.jsonl", [{"id": "a", "turns": ["tell me a joke"]}, {"id": "b", "turns": ["riluzole dose?"]}])
    _write(tmp_path, "items-2.jsonl", [{"id": "a", "turns": ["tell me a joke"]}, {"id": "c", "turns": ["weather tmrw"]}])
    return tmp_path


def test_an_item_both_labellers_read_keeps_its_label_only_where_they_agree(folder):
    _write(folder, "labeller-1.jsonl", [{"id": "a", "label": "everyday"}, {"id": "b", "label": "health"}])
    _write(folder, "labeller-2.jsonl", [{"id": "a", "label": "health"}, {"id": "c", "label": "everyday"}])
    labels, agreement = everyday_labels(folder)
    assert labels == {"b": "health", "c": "everyday"}
    assert agreement["read_by_both"] == 1 and agreement["agreed"] == 0 and agreement["dropped_disagreed"] == 1


@pytest.mark.parametrize(
    ("rows", "says"),
    [([{"id": "a", "label": "health"}, {"id": "a", "label": "health"}, {"id": "b", "label": "health"}], "labelled twice"),
     ([{"id": "a", "label": "health"}], "must label every item"),
     ([{"id": "a", "label": "health"}, {"id": "b", "label": "maybe"}], "label must be")],
)
def test_a_label_file_that_breaks_the_brief_is_refused_with_what_to_put_right(folder, rows, says):
    _write(folder, "labeller-1.jsonl", rows)
    _write(folder, "labeller-2.jsonl", [{"id": "a", "label": "health"}, {"id": "c", "label": "everyday"}])
    with pytest.raises(GuideError, match=says):
        everyday_labels(folder)


def test_a_question_the_labellers_never_read_stops_the_training(folder):
    # a writer's label changed to "no" after the labellers read theirs would be left out of the training silently
    from relevance.topic import unlabelled  # noqa: PLC0415

    _write(folder, "labeller-1.jsonl", [{"id": "a", "label": "everyday"}, {"id": "b", "label": "health"}])
    _write(folder, "labeller-2.jsonl", [{"id": "a", "label": "health"}, {"id": "c", "label": "everyday"}])
    labels, agreement = everyday_labels(folder)
    unlabelled(["a", "b", "c"], labels, agreement)  # "a" was read, and dropped for the labellers' disagreement
    with pytest.raises(GuideError, match="have no everyday/health label"):
        unlabelled(["a", "b", "c", "d"], labels, agreement)
