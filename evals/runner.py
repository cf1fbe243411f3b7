"""Answer every item through the assistant's Python API and score it.

Each conversation goes through ``Assistant.conversation()``, as in the chat; the scored
(last) turn is streamed so that the time to the first answer text is what a user waits.
A failing item is recorded with its error and the run goes on.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import sys
import time
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from core.settings import Settings
from evals.dataset import Dataset, DatasetError, EvalItem, parse_item
from evals.metrics import (
    BLOCKING_MESSAGES,
    abstained,
    answer_words,
    citation_scores,
    declined_fully,
    fact_recall,
    false_alarm,
    item_quality,
    judge_citations,
    must_not_violations,
    readability_grade,
    retrieval_scores,
    safety_routing,
    sentence_scores,
    source_hit,
)
from evals.report import build_report, write_json, write_markdown
from evals.thresholds import ThresholdResult, check_thresholds
from index.sentences import GuideSentence, load_catalog
from plain.judge import CachedJudge

log = logging.getLogger(__name__)

# Fields of Answer.to_dict() kept in the report for every item.
ANSWER_FIELDS = ("answer", "coverage", "safety", "generator", "standalone_question", "citations", "retrieved",
                 "not_covered", "checks", "timings_ms", "provenance", "glossary")


def check_sources(items: Sequence[EvalItem], titles: Sequence[str]) -> None:
    """Every expected source must be a document of the index: a misspelt title would
    silently score zero."""
    known = set(titles)
    unknown = sorted({s for item in items for s in item.sources if s not in known})
    if unknown:
        raise DatasetError(
            f"The dataset expects documents the index does not hold: {'; '.join(unknown)}. "
            f"Indexed titles: {'; '.join(sorted(known))}."
        )


def answer_item(assistant: Any, item: EvalItem) -> tuple[dict[str, Any], dict[str, float | None]]:
    """The answer to the item's last turn (earlier turns asked first, in one conversation),
    and the wall-clock time to its first text and to its end."""
    conversation = assistant.conversation()
    for turn in item.turns[:-1]:
        conversation.ask(turn)
    started = time.perf_counter()
    first: float | None = None
    final = None
    for event in conversation.stream(item.question):
        if event.kind == "delta" and first is None:
            first = time.perf_counter()
        elif event.kind == "final":
            final = event.answer
    ended = time.perf_counter()
    if final is None:
        raise RuntimeError("the answer stream ended without a final answer")
    timings = {
        "first_token_ms": round(((first or ended) - started) * 1000, 1),
        "total_ms": round((ended - started) * 1000, 1),
    }
    return final.to_dict(), timings


def as_guide_says(answer: dict[str, Any], text: str) -> str:
    """The answer text with each plain sentence in the guide's own words (the text itself when
    the answer has no plain sentence)."""
    sentences = answer.get("sentences") or []
    if not any(s.get("plain") for s in sentences):
        return text
    for s in sentences:  # the plain version is what the text holds; put the guide's wording back
        text = text.replace(s["text"], s["guide_text"], 1)
    return text


def score_item(
    item: EvalItem, answer: dict[str, Any], judge: CachedJudge, catalog: Sequence[GuideSentence] = ()
) -> tuple[dict[str, Any], list[dict[str, Any]], list[list[str]]]:
    """Per-item scores, the per-sentence citation judgements, and the fact groups missed;
    ``catalog``: the guides' sentences, which sentence labels name."""
    text = answer.get("answer", "")
    guide_words = as_guide_says(answer, text)  # the same answer as the guide words it (its sentences' guide_text)
    facts, missed = fact_recall(item, text)
    # citations are judged on the guide's wording, as the answer's own check was: a plain version
    # is checked when the layer is built (plain/), and a lexical judge would score its other words low
    judged = judge_citations({**answer, "answer": guide_words}, judge)
    cite_recall, cite_precision = citation_scores(judged)
    said_not_covered = abstained(text)
    blocking = item.safety in BLOCKING_MESSAGES
    scores: dict[str, Any] = {
        **(retrieval_scores(item, answer) or {}),
        "fact_recall": facts,
        # what the plain words changed: the facts and the grade of the guide's own words of the same answer
        "fact_recall_as_guide_says": fact_recall(item, guide_words)[0],
        "source_hit": source_hit(item, answer),
        "citation_recall": cite_recall,
        "citation_precision": cite_precision,
        "abstained": said_not_covered,
        "declined_fully": declined_fully(text),
        "abstention_correct": None if blocking else said_not_covered == item.must_abstain,
        "safety_routing": safety_routing(item, answer),
        "false_alarm": false_alarm(item, answer),
        "must_not_violations": must_not_violations(item, text),
        "readability_grade": readability_grade(text),
        "readability_grade_as_guide_says": readability_grade(guide_words),
        "answer_words": answer_words(text),
        **sentence_scores(item, answer, catalog),
    }
    scores["quality"] = item_quality(scores)
    return scores, [j.to_dict() for j in judged], missed


PARTIAL = "items.partial.jsonl"


def run_items(
    assistant: Any, items: Sequence[EvalItem], judge: CachedJudge, progress: bool | None = None, keep: Path | None = None
) -> list[dict[str, Any]]:
    """One report row per item, in dataset order; each row is also appended to ``keep`` as
    soon as it is done, so that a long run that dies keeps the answers it had."""
    rows = []
    catalog = list(load_catalog(assistant.settings.corpus.guides_dir).values())
    for row in _rows(assistant, items, judge, progress, catalog):
        rows.append(row)
        if keep is not None:
            with keep.open("a", encoding="utf-8") as out:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return rows


def _rows(
    assistant: Any, items: Sequence[EvalItem], judge: CachedJudge, progress: bool | None, catalog: Sequence[GuideSentence]
) -> Iterator[dict[str, Any]]:
    from tqdm import tqdm  # noqa: PLC0415

    show = sys.stderr.isatty() if progress is None else progress
    with tqdm(items, desc="Evaluating", unit="item", disable=not show) as bar:
        for done, item in enumerate(bar, 1):
            bar.set_postfix_str(item.id[:30])
            yield evaluate_item(assistant, item, judge, catalog)
            if not show and (done % 10 == 0 or done == len(items)):
                log.info("%d of %d items done", done, len(items))  # no bar off a terminal: say how far


def evaluate_item(assistant: Any, item: EvalItem, judge: CachedJudge, catalog: Sequence[GuideSentence] = ()) -> dict[str, Any]:
    row: dict[str, Any] = {"id": item.id, "kind": item.kind, "item": item.to_dict(), "question": item.question}
    try:
        answer, timings = answer_item(assistant, item)
    except Exception as error:  # recorded in the report, and the run goes on
        log.warning("item %s failed: %s: %s", item.id, type(error).__name__, error)
        return {**row, "error": f"{type(error).__name__}: {error}", "traceback": traceback.format_exc(),
                "answer": "", "timings": {}, "scores": {}}
    row.update({field: answer.get(field) for field in ANSWER_FIELDS})
    # each answer sentence in both wordings, shown (plain) and the guide's ("sentences" holds the citation judgements)
    row["answer_sentences"] = answer.get("sentences") or []
    row["timings"] = timings
    return _scored(row, item, answer, judge, catalog)


def _scored(
    row: dict[str, Any], item: EvalItem, answer: dict[str, Any], judge: CachedJudge, catalog: Sequence[GuideSentence] = ()
) -> dict[str, Any]:
    try:
        row["scores"], row["sentences"], row["missed_facts"] = score_item(item, answer, judge, catalog)
    except Exception as error:  # a judge failure: keep the answer, record why it has no scores
        log.warning("scoring item %s failed: %s: %s", item.id, type(error).__name__, error)
        row.update({"error": f"scoring failed: {type(error).__name__}: {error}", "traceback": traceback.format_exc(), "scores": {}})
    return row


# --- a whole run ----------------------------------------------------------------------


@dataclass
class RunResult:
    report: dict[str, Any]
    thresholds: list[ThresholdResult] = field(default_factory=list)

    @property
    def failed_thresholds(self) -> list[ThresholdResult]:
        return [t for t in self.thresholds if not t.passed]


def evaluate(
    dataset: Dataset,
    assistant: Any,
    judge: CachedJudge,
    out_dir: Path,
    *,
    thresholds: dict[str, Any] | None = None,
    requested_generator: str = "",
    progress: bool | None = None,
) -> RunResult:
    """Answer and score every item, check the thresholds, write report.json/.md/.html."""
    check_sources(dataset.items, [d.title for d in assistant.documents()])
    started = datetime.now(timezone.utc)
    clock = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    partial = out_dir / PARTIAL
    partial.unlink(missing_ok=True)
    rows = run_items(assistant, dataset.items, judge, progress, keep=partial)
    meta = {
        "dataset": str(dataset.path),
        "dataset_name": dataset.path.stem,
        "dataset_sha256": dataset.sha256,
        "generator": requested_generator or assistant.generator.name,
        "generator_model": getattr(assistant.generator, "model", ""),
        "guides_dir": str(assistant.settings.corpus.guides_dir),
        "judge": judge.describe(),
        "provenance": _run_provenance(rows),
        "started": started.isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - clock, 1),
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
    }
    result = _finish(build_report(meta, rows), judge, out_dir, thresholds)
    partial.unlink()  # report.json has it all now
    return result


def _finish(report: dict[str, Any], judge: CachedJudge, out_dir: Path, thresholds: dict[str, Any] | None) -> RunResult:
    result = RunResult(report)
    if thresholds is not None:
        result.thresholds = check_thresholds(report["summary"], thresholds, judge.name)
        report["meta"]["thresholds"] = [t.to_dict() for t in result.thresholds]
    write_run(report, out_dir)
    return result


def write_run(report: dict[str, Any], out_dir: Path) -> None:
    from evals.charts import write_html  # noqa: PLC0415 - matplotlib only when writing

    out_dir.mkdir(parents=True, exist_ok=True)
    write_json(report, out_dir / "report.json")
    write_markdown(report, out_dir / "report.md")
    write_html(report, out_dir / "report.html")
    log.info("wrote %s/report.json, report.md and report.html", out_dir)


def _run_provenance(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    for row in rows:
        if row.get("provenance"):
            return {k: v for k, v in row["provenance"].items() if k != "evidence"}
    return {}


def rescore(report: dict[str, Any], judge: CachedJudge, out_dir: Path, thresholds: dict[str, Any] | None = None) -> RunResult:
    """Score a saved run again (another judge, changed metrics) without answering anything."""
    rows = []
    guides = report["meta"].get("guides_dir") or Settings().corpus.guides_dir
    catalog = list(load_catalog(Path(guides)).values())
    for row in report["items"]:
        row = {k: v for k, v in row.items() if not (k in ("error", "traceback") and str(v).startswith("scoring failed"))}
        if row.get("error"):  # the item was never answered
            rows.append(row)
            continue
        answer = {**{name: row.get(name) for name in ANSWER_FIELDS}, "sentences": row.get("answer_sentences") or []}
        rows.append(_scored(row, parse_item(row["item"]), answer, judge, catalog))
    meta = {**report["meta"], "judge": judge.describe(), "rescored": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    meta.pop("thresholds", None)
    return _finish(build_report(meta, rows), judge, out_dir, thresholds)
