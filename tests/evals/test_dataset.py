"""The dataset schema: malformed files are refused with their line and reason; the shipped
sets cover what the issue asks for."""

from __future__ import annotations

import json
from dataclasses import replace
from collections import Counter
from pathlib import Path

import pytest

from core.settings import REPO_ROOT
from evals.dataset import DatasetError, convert_medquad, guide_titles, load_dataset, write_dataset

DATASETS = REPO_ROOT / "evals" / "datasets"
TITLES = {
    "Living with ALS treatment resistance",
    "Treatment for ALS treatment resistance",
    "The Scleroderma treatment resistance patient guide",
    "Magnetic stimulation brings new hope to ALS patients",
}
GOOD = {"id": "a", "turns": ["What does riluzole do?"], "kind": "fact", "facts": [["riluzole"]]}


def _write(tmp_path: Path, *rows: object) -> Path:
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ("{not json", "not valid JSON"),
        ({"id": "b", "kind": "fact"}, "missing field(s) turns"),
        ({**GOOD, "id": "b", "turns": []}, '"turns" must hold at least one string'),
        ({**GOOD, "id": "b", "facts": ["riluzole"]}, "fact group 1 must be a non-empty list"),
        ({**GOOD, "id": "b", "must_abstain": "yes"}, '"must_abstain" must be true or false'),
        ({**GOOD, "id": "b", "answer": "x"}, "unknown field(s) answer"),
        ({**GOOD, "id": "b", "kind": "safety"}, 'must say which route it expects'),
        ({**GOOD, "id": "b", "safety": "panic"}, '"safety" must be one of'),
        ({**GOOD, "id": "b", "must_abstain": True}, "cannot also require"),
        (GOOD, "id 'a' is already used on line 1"),
    ],
)
def test_a_malformed_line_is_refused_with_its_number_and_reason(tmp_path: Path, bad: object, reason: str) -> None:
    path = _write(tmp_path, GOOD, bad)
    with pytest.raises(DatasetError) as error:
        load_dataset(path)
    assert f"{path}:2:" in str(error.value)
    assert reason in str(error.value)


def test_a_valid_file_reads_back_what_was_written(tmp_path: Path) -> None:
    dataset = load_dataset(_write(tmp_path, GOOD, {"id": "c", "turns": ["Hi", "What is it?"], "kind": "multi_turn",
                                                    "must_abstain": True, "must_not": ["mg"]}))
    write_dataset(dataset.items, tmp_path / "again.jsonl")
    again = load_dataset(tmp_path / "again.jsonl")
    assert again.items == dataset.items
    assert again.items[1].question == "What is it?"
    assert again.items[0].facts == (("riluzole",),)


def test_the_golden_set_covers_every_guide_and_every_kind_the_issue_names() -> None:
    items = load_dataset(DATASETS / "golden.jsonl").items
    kinds = Counter(i.kind for i in items)
    assert len(items) >= 80
    for kind in ("fact", "lay", "multi_turn", "cross_document", "near_miss", "out_of_scope", "safety", "injection"):
        assert kinds[kind] >= 5, kind
    assert {s for i in items for s in i.sources} == TITLES
    assert all(len(i.sources) >= 2 for i in items if i.kind == "cross_document")
    assert all(len(i.turns) >= 2 for i in items if i.kind == "multi_turn")
    assert all(i.must_abstain for i in items if i.kind in ("near_miss", "out_of_scope"))
    assert {i.safety for i in items if i.kind == "safety"} >= {"emergency", "crisis", "dose", "diagnosis", "stop_medication"}
    assert all(i.facts for i in items if i.kind in ("fact", "lay", "cross_document"))


def test_the_medquad_set_follows_its_answerable_label() -> None:
    source = REPO_ROOT.parent / "shared" / "evals" / "medquad_questions.jsonl"
    labels = {f"medquad-{r['id']}": r["answerable_from_corpus"] for r in map(json.loads, source.read_text().splitlines())}
    items = convert_medquad(source, guide_titles(REPO_ROOT / "corpus" / "guides" / "catalog.json"))
    assert len(items) == len(labels) == 82
    assert all(i.must_abstain == (labels[i.id] == "no") for i in items)
    assert all(i.sources and set(i.sources) <= TITLES for i in items if not i.must_abstain)
    shipped = load_dataset(DATASETS / "medquad_abstention.jsonl").items
    assert all(i.sentence_labels for i in shipped)  # sentence labels kept beside it, for measuring only
    assert [replace(i, sentence_labels=None) for i in shipped] == items  # the shipped file is the conversion of the shared one
