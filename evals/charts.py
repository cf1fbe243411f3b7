"""``report.html``: one self-contained page (charts inlined as PNG) to look at, not read."""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from typing import Any

from evals.metrics import METRICS
from evals.report import _why, format_value, worst_items

HEATMAP_COLUMNS = {  # per-item score: short column label
    "retrieval_recall_at_k": "Retrieval\nrecall@k",
    "fact_recall": "Fact\nrecall",
    "citation_recall": "Citation\nrecall",
    "citation_precision": "Citation\nprecision",
    "abstention_correct": "Abstains\ncorrectly",
    "safety_routing": "Safety\nrouted",
}
HEADLINE = ("retrieval_recall_at_k", "retrieval_mrr", "fact_recall", "source_hit", "citation_recall",
            "citation_precision", "abstention_precision", "abstention_recall", "safety_routing")


def _pyplot():  # type: ignore[no-untyped-def]
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")  # no display: files only
    import matplotlib.pyplot as plt  # noqa: PLC0415

    return plt


def _png(figure: Any) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    _pyplot().close(figure)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def kind_matrix(report: dict[str, Any]) -> tuple[list[str], list[str], list[list[float | None]]]:
    """Kinds × scores: the mean of each per-item score over the items of a kind."""
    kinds = list(report["by_kind"])
    matrix = []
    for kind in kinds:
        rows = [r for r in report["items"] if r["kind"] == kind and not r.get("error")]
        line = []
        for column in HEATMAP_COLUMNS:
            values = [r["scores"].get(column) for r in rows if r["scores"].get(column) is not None]
            line.append(sum(float(v) for v in values) / len(values) if values else None)
        matrix.append(line)
    return kinds, list(HEATMAP_COLUMNS.values()), matrix


def heatmap_chart(report: dict[str, Any]) -> str:
    plt = _pyplot()
    import numpy as np  # noqa: PLC0415

    kinds, labels, matrix = kind_matrix(report)
    values = np.array([[np.nan if v is None else v for v in row] for row in matrix], dtype=float)
    figure, axis = plt.subplots(figsize=(9, 0.5 * len(kinds) + 2))
    image = axis.imshow(np.ma.masked_invalid(values), cmap="RdYlGn", vmin=0, vmax=1, aspect="auto")
    axis.set_xticks(range(len(labels)), labels, fontsize=8)
    axis.set_yticks(range(len(kinds)), [f"{k} ({report['by_kind'][k]['items']})" for k in kinds])
    for i in range(len(kinds)):
        for j in range(len(labels)):
            text = "–" if np.isnan(values[i, j]) else f"{values[i, j]:.2f}"
            axis.text(j, i, text, ha="center", va="center", fontsize=9)
    axis.set_title("Scores by kind of question (green is good; – does not apply)")
    figure.colorbar(image, ax=axis, fraction=0.03)
    return _png(figure)


def headline_chart(report: dict[str, Any]) -> str:
    plt = _pyplot()
    summary = report["summary"]
    limits = {t["metric"]: t["limit"] for t in report["meta"].get("thresholds") or [] if t["bound"] == "min"}
    names = [n for n in HEADLINE if summary.get(n) is not None]
    figure, axis = plt.subplots(figsize=(8, 0.4 * len(names) + 1.2))
    values = [summary[n] for n in names]
    axis.barh(range(len(names)), values, color=["#3b7dd8" if n not in limits or summary[n] >= limits[n] else "#d83b3b" for n in names])
    for i, name in enumerate(names):
        inside = values[i] > 0.8  # near 1 the label goes inside the bar, clear of the threshold tick
        axis.text(values[i] - 0.1 if inside else values[i] + 0.01, i, f"{values[i]:.2f}", va="center", fontsize=9,
                  color="white" if inside else "black")
        if name in limits:
            axis.plot([limits[name]] * 2, [i - 0.4, i + 0.4], color="black", linewidth=2)
    axis.set_yticks(range(len(names)), [METRICS[n].label for n in names])
    axis.invert_yaxis()
    axis.set_xlim(0, 1)
    axis.set_title("Headline metrics (black tick: CI threshold)")
    return _png(figure)


def latency_chart(report: dict[str, Any]) -> str:
    plt = _pyplot()
    rows = [r for r in report["items"] if not r.get("error") and r.get("timings")]
    generators = sorted({r.get("generator") or "none" for r in rows})
    figure, axes = plt.subplots(1, 2, figsize=(10, 3.2), sharey=False)
    for axis, key, title in ((axes[0], "first_token_ms", "Time to first text"), (axes[1], "total_ms", "Total time")):
        data = [[r["timings"][key] / 1000 for r in rows if (r.get("generator") or "none") == g] for g in generators]
        axis.boxplot(data, orientation="horizontal", showfliers=True)
        axis.set_yticks(range(1, len(generators) + 1), [_generator_label(g) for g in generators], fontsize=8)
        axis.set_xlabel("seconds")
        axis.set_title(title)
    figure.suptitle("Latency per answer, by generator", y=1.04)
    return _png(figure)


def _generator_label(name: str) -> str:
    # The assistant reports "none" for answers written without a generator: refusals and safety messages.
    return "none (refusal or\nsafety message)" if name == "none" else name[:28]


def readability_chart(report: dict[str, Any]) -> str:
    plt = _pyplot()
    grades = [r["scores"]["readability_grade"] for r in report["items"] if r.get("scores", {}).get("readability_grade") is not None]
    figure, axis = plt.subplots(figsize=(8, 2.8))
    axis.axvspan(6, 8, color="#c8f0c8", label="target: grade 6–8")
    if grades:
        axis.hist(grades, bins=range(0, max(22, int(max(grades)) + 2)), color="#3b7dd8", edgecolor="white")
    axis.set_xlabel("Flesch-Kincaid grade of the answer")
    axis.set_ylabel("answers")
    axis.legend()
    axis.set_title("How hard the answers are to read")
    return _png(figure)


def write_html(report: dict[str, Any], path: Path) -> None:
    path.write_text(to_html(report), encoding="utf-8")


def to_html(report: dict[str, Any]) -> str:
    meta, summary = report["meta"], report["summary"]
    judge = meta.get("judge", {})
    charts = [headline_chart(report), heatmap_chart(report), latency_chart(report), readability_chart(report)]
    e = html.escape
    failed = [t for t in meta.get("thresholds") or [] if not t["passed"]]
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>Evaluation – {e(str(meta.get('dataset_name', '')))} – {e(str(meta.get('generator', '')))}</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}"
        ".item{border:1px solid #ddd;border-radius:6px;padding:0.6em 1em;margin:0.8em 0}.bad{color:#b00}.ok{color:#070}"
        "img{max-width:100%}.why{color:#555;font-size:0.9em;white-space:pre-line}</style></head><body>",
        f"<h1>{e(str(meta.get('dataset_name', '')))}: {summary['items']} items, {e(str(meta.get('generator', '')))} generator</h1>",
        f"<p>Run {e(str(meta.get('started', '')))} in {meta.get('seconds', 0):.0f} s; {summary['errors']} items failed. "
        f"Citations judged by <b>{e(str(judge.get('name', '')))}</b> ({e(str(judge.get('model', '')))}, threshold {judge.get('threshold')})"
        + (" — a weaker check than the LLM judge." if judge.get("name") == "lexical" else ".") + "</p>",
    ]
    if meta.get("thresholds"):
        verdict = "<span class='bad'>FAILS</span>" if failed else "<span class='ok'>passes</span>"
        parts.append(f"<p>CI gate: {verdict}" + "".join(f"<br>✗ {e(t['text'])}" for t in failed) + "</p>")
    parts += [f"<img alt='chart' src='data:image/png;base64,{c}'>" for c in charts]
    parts.append("<h2>All metrics</h2><table><tr><th>metric</th><th>value</th></tr>")
    parts += [f"<tr><td>{e(info.label)}</td><td>{e(format_value(n, summary.get(n)))}</td></tr>" for n, info in METRICS.items()]
    parts.append("</table><h2>The worst items</h2>")
    for row in worst_items(report):
        parts.append(
            f"<div class='item'><b>{e(row['id'])}</b> ({e(row['kind'])}), quality {row.get('scores', {}).get('quality', 0):.2f}"
            f"<p><b>Q:</b> {e(row['question'])}</p><p><b>A:</b> {e(row.get('error') or row.get('answer', ''))}</p>"
            f"<div class='why'>{e(_why(row))}</div></div>"
        )
    parts.append("</body></html>")
    return "\n".join(parts)
