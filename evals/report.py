"""The run report: ``report.json`` (everything), ``report.md`` (the figures) and
``report.html`` (charts, see ``evals/charts.py``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evals.metrics import METRICS, aggregate, latency_metrics

WORST_ITEMS = 10


def build_report(meta: dict[str, Any], rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    by_kind = {kind: aggregate([r for r in rows if r["kind"] == kind]) for kind in dict.fromkeys(r["kind"] for r in rows)}
    generators = sorted({r.get("generator") or "none" for r in rows if not r.get("error")})
    return {
        "meta": meta,
        "summary": aggregate(rows),
        "by_kind": by_kind,
        "latency_by_generator": {
            g: latency_metrics([r for r in rows if (r.get("generator") or "none") == g and not r.get("error")]) for g in generators
        },
        "must_not_violations": [
            {"id": r["id"], "phrases": r["scores"]["must_not_violations"], "answer": r["answer"]}
            for r in rows
            if r.get("scores", {}).get("must_not_violations")
        ],
        "errors": [{"id": r["id"], "error": r["error"]} for r in rows if r.get("error")],
        "items": list(rows),
    }


def load_report(run_dir: Path) -> dict[str, Any]:
    path = Path(run_dir) / "report.json" if Path(run_dir).is_dir() else Path(run_dir)
    if not path.is_file():
        from core.errors import GuideError  # noqa: PLC0415

        raise GuideError(f"No report at {path}; give the --out folder of a 'python -m evals run'.")
    return json.loads(path.read_text(encoding="utf-8"))


def worst_items(report: dict[str, Any], count: int = WORST_ITEMS) -> list[dict[str, Any]]:
    """Failed items first, then the lowest quality."""
    rows = report["items"]
    return sorted(rows, key=lambda r: (not r.get("error"), r.get("scores", {}).get("quality", 0.0), r["id"]))[:count]


def format_value(name: str, value: Any) -> str:
    if value is None:
        return "–"
    info = METRICS.get(name)
    if info is None or info.kind == "count":
        return str(value)
    if info.kind == "ms":
        return f"{value:,.0f} ms"
    if info.kind == "grade":
        return f"{value:.1f}"
    if info.kind == "words":
        return f"{value:.0f} words"
    return f"{value:.3f}"


def write_markdown(report: dict[str, Any], path: Path) -> None:
    path.write_text(to_markdown(report), encoding="utf-8")


def to_markdown(report: dict[str, Any]) -> str:
    meta, summary = report["meta"], report["summary"]
    judge = meta.get("judge", {})
    lines = [
        f"# Evaluation: {meta.get('dataset_name', '')} with the {meta.get('generator', '')} generator",
        "",
        f"- {summary['items']} items, {summary['errors']} failed; run {meta.get('started', '')} in {meta.get('seconds', 0):.0f} s",
        f"- dataset `{meta.get('dataset', '')}` (sha256 {str(meta.get('dataset_sha256', ''))[:12]})",
        f"- citation judge: **{judge.get('name', '?')}** ({judge.get('model', '')}, threshold {judge.get('threshold', '?')})"
        + (" — the lexical fallback is weaker than the LLM judge" if judge.get("name") == "lexical" else ""),
        f"- index `{meta.get('provenance', {}).get('collection', '')}`, embedding model "
        f"`{meta.get('provenance', {}).get('embedding_model', '')}`, top_k {meta.get('provenance', {}).get('top_k', '')}",
        "",
        "## Metrics",
        "",
        "| metric | value |",
        "| --- | --- |",
    ]
    lines += [f"| {info.label} | {format_value(name, summary.get(name))} |" for name, info in METRICS.items()]
    lines += ["", "## By kind", ""]
    columns = ["retrieval_recall_at_k", "retrieval_mrr", "fact_recall", "citation_recall", "citation_precision",
               "abstention_recall", "false_abstention_rate", "safety_routing", "must_not_violations", "readability_grade",
               "answer_sentence_precision", "answer_sentence_recall", "no_plain_refusal_rate", "answer_words_median"]
    lines.append("| kind | items | " + " | ".join(METRICS[c].label for c in columns) + " |")
    lines.append("| --- " * (len(columns) + 2) + "|")
    for kind in report["by_kind"]:
        row = report["by_kind"][kind]
        lines.append(f"| {kind} | {row['items']} | " + " | ".join(format_value(c, row.get(c)) for c in columns) + " |")
    lines += ["", "## Latency by generator", "", "| generator | first token p50 | p95 | total p50 | p95 |", "| --- | --- | --- | --- | --- |"]
    for generator, lat in report["latency_by_generator"].items():
        lines.append(
            f"| {generator} | " + " | ".join(
                format_value(k, lat.get(k)) for k in ("first_token_p50_ms", "first_token_p95_ms", "total_p50_ms", "total_p95_ms")
            ) + " |"
        )
    if report["must_not_violations"]:
        lines += ["", "## must_not violations", ""]
        lines += [f"- `{v['id']}`: {', '.join(repr(p) for p in v['phrases'])} — {_short(v['answer'])}" for v in report["must_not_violations"]]
    if report["errors"]:
        lines += ["", "## Failed items", ""]
        lines += [f"- `{e['id']}`: {e['error']}" for e in report["errors"]]
    lines += ["", f"## The {WORST_ITEMS} worst items", ""]
    for row in worst_items(report):
        lines += [
            f"### `{row['id']}` ({row['kind']}), quality {row.get('scores', {}).get('quality', 0):.2f}",
            "",
            f"**Q:** {row['question']}",
            "",
            f"**A:** {row.get('error') or row.get('answer', '')}",
            "",
            _why(row),
            "",
        ]
    thresholds = meta.get("thresholds")
    if thresholds:
        lines += ["## Thresholds", ""]
        lines += [f"- {'FAIL' if not t['passed'] else 'ok'}: {t['text']}" for t in thresholds]
    return "\n".join(lines).rstrip() + "\n"


def _why(row: dict[str, Any]) -> str:
    scores = row.get("scores", {})
    item = row.get("item", {})
    notes = []
    if row.get("missed_facts"):
        notes.append("missed facts: " + "; ".join(" / ".join(g) for g in row["missed_facts"]))
    if scores.get("abstention_correct") is False:
        notes.append("should have said the guides don't cover this" if item.get("must_abstain") else "declined an answerable question")
    if scores.get("safety_routing") == 0.0:
        notes.append(f"expected safety route {item.get('safety')!r}, got {row.get('safety')!r}")
    if scores.get("must_not_violations"):
        notes.append("says " + ", ".join(repr(p) for p in scores["must_not_violations"]))
    unsupported = [s["sentence"] for s in row.get("sentences", []) if not s["supported"]]
    if unsupported:
        notes.append("unsupported by its citations: " + " | ".join(_short(s, 120) for s in unsupported))
    if item.get("notes"):
        notes.append(f"item note: {item['notes']}")
    if scores.get("retrieval_recall_at_k") is not None and scores["retrieval_recall_at_k"] < 1:
        notes.append(f"retrieval missed: {', '.join(s for s in item.get('sources', []) if s not in {p['document_title'] for p in row.get('retrieved') or []})}")
    return "- " + "\n- ".join(notes) if notes else ""


def _short(text: str, limit: int = 200) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def write_json(report: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
