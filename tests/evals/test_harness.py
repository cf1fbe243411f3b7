"""The harness: runs go on past failing items, reports are written and compared, the gate
fails on a missed threshold, and the shipped golden set passes it with the extractive generator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.phrases import NOT_COVERED_ANSWER
from core.settings import REPO_ROOT
from evals.__main__ import main
from evals.compare import compare_reports
from evals.dataset import Dataset, EvalItem, load_dataset
from plain.judge import CachedJudge, LexicalJudge, make_judge
from evals.ragas import ragas_rows
from evals.report import load_report
from evals.runner import evaluate
from evals.thresholds import load_thresholds

from .fakes import PASSAGE, TITLE, ScriptedAssistant

GOOD = f"{PASSAGE} [1]"
ITEMS = [
    EvalItem("ok", ("What does riluzole do?",), "fact", facts=(("riluzole",), ("survival",)), sources=(TITLE,)),
    EvalItem("boom", ("Why does this fail?",), "fact", facts=(("riluzole",),)),
    EvalItem("follow", ("What is riluzole?", "Does it help?"), "multi_turn", facts=(("survival",),), sources=(TITLE,)),
    EvalItem("decline", ("What does it cost?",), "near_miss", must_abstain=True, must_not=("$",)),
]


def _dataset(tmp_path: Path, items: list[EvalItem] = ITEMS) -> Dataset:
    from evals.dataset import write_dataset

    write_dataset(items, tmp_path / "set.jsonl")
    return load_dataset(tmp_path / "set.jsonl")


def _run(tmp_path: Path, replies: dict, name: str = "run", thresholds: dict | None = None):  # type: ignore[no-untyped-def]
    assistant = ScriptedAssistant(replies)
    judge = CachedJudge(LexicalJudge(threshold=0.5))
    result = evaluate(_dataset(tmp_path), assistant, judge, tmp_path / name, thresholds=thresholds, progress=False)
    return assistant, result


REPLIES = {
    "What does riluzole do?": GOOD,
    "Why does this fail?": RuntimeError("model crashed"),
    "What is riluzole?": GOOD,
    "Does it help?": GOOD,
    "What does it cost?": "It costs $900 a month. [1]",
}


def test_a_failing_item_is_recorded_and_the_run_goes_on(tmp_path: Path) -> None:
    _, result = _run(tmp_path, REPLIES)
    report = result.report
    assert [r["id"] for r in report["items"]] == ["ok", "boom", "follow", "decline"]
    assert report["errors"] == [{"id": "boom", "error": "RuntimeError: model crashed"}]
    assert report["summary"]["errors"] == 1
    assert report["summary"]["fact_recall"] == 1.0  # the failed item is counted, not scored as zero
    assert report["summary"]["abstention_recall"] == 0.0
    assert report["must_not_violations"][0]["id"] == "decline"
    assert "boom" in (tmp_path / "run" / "report.md").read_text()


def test_each_item_is_kept_as_soon_as_it_is_done(tmp_path: Path) -> None:
    replies = {**REPLIES, "What does it cost?": KeyboardInterrupt()}  # the run dies at the last item
    with pytest.raises(KeyboardInterrupt):
        _run(tmp_path, replies)
    kept = [json.loads(line) for line in (tmp_path / "run" / "items.partial.jsonl").read_text().splitlines()]
    assert [r["id"] for r in kept] == ["ok", "boom", "follow"]
    assert kept[0]["answer"] == GOOD
    _run(tmp_path, REPLIES)
    assert not (tmp_path / "run" / "items.partial.jsonl").exists()


def test_earlier_turns_are_asked_first_in_the_same_conversation(tmp_path: Path) -> None:
    assistant, result = _run(tmp_path, REPLIES)
    assert ("Does it help?", ("What is riluzole?",)) in assistant.asked
    follow = next(r for r in result.report["items"] if r["id"] == "follow")
    assert follow["question"] == "Does it help?" and follow["timings"]["total_ms"] >= 0


def test_the_reports_are_written_and_the_html_needs_nothing_from_outside(tmp_path: Path) -> None:
    _run(tmp_path, REPLIES)
    out = tmp_path / "run"
    report = json.loads((out / "report.json").read_text())
    item = report["items"][0]
    assert {"question", "answer", "citations", "scores", "retrieved", "sentences", "answer_sentences"} <= set(item)
    assert item["citations"][0]["document_title"] == TITLE
    html = (out / "report.html").read_text()
    assert html.count("data:image/png;base64,") == 4
    assert "http://" not in html and "https://" not in html and "<script" not in html
    markdown = (out / "report.md").read_text()
    assert "| Fact recall | 1.000 |" in markdown
    assert "citation judge: **lexical**" in markdown


def test_the_gate_names_the_metric_that_missed_its_threshold(tmp_path: Path) -> None:
    thresholds = {"min": {"fact_recall": 0.9, "abstention_recall": 0.5}, "max": {"errors": 0},
                  "judge": {"lexical": {"min": {"citation_recall": 0.5}}, "llm": {"min": {"citation_recall": 0.99}}}}
    _, result = _run(tmp_path, REPLIES, thresholds=thresholds)
    failed = {t.metric for t in result.failed_thresholds}
    assert failed == {"abstention_recall", "errors"}
    assert len(result.thresholds) == 4  # the llm judge's thresholds do not apply to a lexical run
    assert "Abstention recall (abstention_recall) = 0, needs >= 0.5" in [t.text for t in result.failed_thresholds]


def test_compare_reports_what_got_better_and_worse(tmp_path: Path) -> None:
    _run(tmp_path, REPLIES, "old")
    _run(tmp_path, {**REPLIES, "What does it cost?": NOT_COVERED_ANSWER, "What does riluzole do?": "Riluzole is a drug. [1]"}, "new")
    comparison = compare_reports(load_report(tmp_path / "old"), load_report(tmp_path / "new"))
    changes = {(c["scope"], c["metric"]): c["better"] for c in comparison["items"]}
    assert changes[("decline", "abstention_correct")] is True
    assert changes[("decline", "must_not_violations")] is True
    assert changes[("ok", "fact_recall")] is False
    summary = {c["metric"]: c["better"] for c in comparison["metrics"]}
    assert summary["abstention_recall"] is True and summary["fact_recall"] is False
    assert main(["compare", str(tmp_path / "old"), str(tmp_path / "new"), "--out", str(tmp_path / "cmp.md")]) == 0
    assert "## Worse: 4 item scores" in (tmp_path / "cmp.md").read_text()


def test_the_ragas_export_has_the_columns_ragas_reads(tmp_path: Path) -> None:
    _run(tmp_path, REPLIES)
    rows = ragas_rows(load_report(tmp_path / "run"))
    assert [r["id"] for r in rows] == ["ok", "follow", "decline"]  # the failed item has no answer to judge
    assert set(rows[0]) == {"id", "kind", "question", "answer", "contexts", "ground_truth"}
    assert rows[0]["contexts"] == [PASSAGE] and rows[0]["ground_truth"] == "riluzole; survival"
    assert rows[2]["ground_truth"] == NOT_COVERED_ANSWER
    assert main(["export-ragas", "--run", str(tmp_path / "run"), "--out", str(tmp_path / "r.jsonl"), "--layout", "current"]) == 0
    first = json.loads((tmp_path / "r.jsonl").read_text().splitlines()[0])
    assert {"user_input", "response", "retrieved_contexts", "reference"} <= set(first)


def test_a_malformed_dataset_stops_the_run_before_any_model_loads(tmp_path: Path, capsys) -> None:
    (tmp_path / "bad.jsonl").write_text('{"id": "x", "kind": "fact"}\n')
    assert main(["run", "--dataset", str(tmp_path / "bad.jsonl"), "--out", str(tmp_path / "o")]) == 2
    assert "bad.jsonl:1: missing field(s) turns" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_unknown_expected_sources_are_refused(tmp_path: Path) -> None:
    from evals.dataset import DatasetError

    items = [EvalItem("x", ("q",), "fact", sources=("A guide that does not exist",))]
    with pytest.raises(DatasetError, match="A guide that does not exist"):
        evaluate(_dataset(tmp_path, items), ScriptedAssistant({}), make_judge("lexical"), tmp_path / "o", progress=False)


@pytest.mark.slow
def test_the_golden_set_passes_the_ci_thresholds_with_the_extractive_generator(guides_assistant, tmp_path: Path) -> None:
    """The CI gate: the real assistant (extractive generator) on the whole golden set."""
    dataset = load_dataset(REPO_ROOT / "evals" / "datasets" / "golden.jsonl")
    thresholds = load_thresholds(REPO_ROOT / "evals" / "thresholds.json")
    result = evaluate(dataset, guides_assistant, make_judge("lexical"), tmp_path / "golden", thresholds=thresholds, progress=False)
    assert result.report["summary"]["errors"] == 0
    assert [t.text for t in result.failed_thresholds] == []
    assert len(result.thresholds) >= 10
    assert (tmp_path / "golden" / "report.html").stat().st_size > 50_000


class Sceptic:
    """A judge that finds nothing supported."""

    name = "sceptic"
    model_name = "sceptic"
    threshold = 0.5

    def score(self, statement: str, passage: str) -> float:
        return 0.0


def test_rescoring_a_saved_run_changes_the_scores_not_the_answers(tmp_path: Path) -> None:
    from evals.runner import rescore

    _run(tmp_path, REPLIES)
    before = load_report(tmp_path / "run")
    result = rescore(before, CachedJudge(Sceptic()), tmp_path / "again")
    after = load_report(tmp_path / "again")
    assert [r.get("answer") for r in after["items"]] == [r.get("answer") for r in before["items"]]
    assert before["summary"]["citation_recall"] > 0.6 and after["summary"]["citation_recall"] == 0.0
    assert after["meta"]["judge"]["name"] == "sceptic" and after["summary"]["errors"] == 1
    assert result.report["summary"]["fact_recall"] == before["summary"]["fact_recall"]
