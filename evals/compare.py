"""What got better and what got worse between two runs, per metric and per item."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from evals.metrics import METRICS
from evals.report import _short, format_value

# Per-item scores compared item by item, and whether higher is better.
ITEM_SCORES = {
    "quality": True,
    "fact_recall": True,
    "citation_recall": True,
    "citation_precision": True,
    "retrieval_recall_at_k": True,
    "retrieval_mrr": True,
    "safety_routing": True,
    "abstention_correct": True,
    "must_not_violations": False,
}
EPSILON = 1e-9
LATENCY_NOISE = 0.10  # timings move this much between identical runs: smaller changes are not news
GRADE_NOISE = 0.1  # a tenth of a school grade is below what readability formulas can tell


@dataclass(frozen=True)
class Change:
    scope: str  # "summary", a kind, or an item id
    metric: str
    old: float | None
    new: float | None
    better: bool | None  # None: no change, or not comparable

    def to_dict(self) -> dict[str, Any]:
        return {"scope": self.scope, "metric": self.metric, "old": self.old, "new": self.new, "better": self.better}


def _direction(old: float | None, new: float | None, higher_is_better: bool, kind: str = "share") -> bool | None:
    if old is None or new is None or abs(new - old) < EPSILON:
        return None
    if kind == "ms" and abs(new - old) <= LATENCY_NOISE * max(abs(old), 1.0):
        return None
    if kind == "grade" and abs(new - old) < GRADE_NOISE:
        return None
    return (new > old) == higher_is_better


def _item_value(row: dict[str, Any], metric: str) -> float | None:
    if row.get("error"):
        return None
    value = row.get("scores", {}).get(metric)
    if isinstance(value, list):
        return float(len(value))
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    return value


def compare_reports(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    metric_changes = [
        Change("summary", name, old["summary"].get(name), new["summary"].get(name),
               _direction(old["summary"].get(name), new["summary"].get(name), info.higher_is_better, info.kind))
        for name, info in METRICS.items()
    ]
    kind_changes = [
        Change(kind, name, old["by_kind"].get(kind, {}).get(name), new["by_kind"][kind].get(name),
               _direction(old["by_kind"].get(kind, {}).get(name), new["by_kind"][kind].get(name), info.higher_is_better, info.kind))
        for kind in new["by_kind"]
        for name, info in METRICS.items()
    ]
    old_rows = {r["id"]: r for r in old["items"]}
    new_rows = {r["id"]: r for r in new["items"]}
    item_changes = []
    for item_id in new_rows.keys() & old_rows.keys():
        for metric, higher in ITEM_SCORES.items():
            a, b = _item_value(old_rows[item_id], metric), _item_value(new_rows[item_id], metric)
            better = _direction(a, b, higher)
            if better is not None:
                item_changes.append(Change(item_id, metric, a, b, better))
    return {
        "old": _run_name(old),
        "new": _run_name(new),
        "metrics": [c.to_dict() for c in metric_changes],
        "by_kind": [c.to_dict() for c in kind_changes if c.better is not None],
        "items": [c.to_dict() for c in sorted(item_changes, key=lambda c: (c.better, c.scope, c.metric))],
        "answers": {
            item_id: {"old": old_rows[item_id].get("answer", ""), "new": new_rows[item_id].get("answer", "")}
            for item_id in {c.scope for c in item_changes}
        },
        "only_old": sorted(old_rows.keys() - new_rows.keys()),
        "only_new": sorted(new_rows.keys() - old_rows.keys()),
        "new_errors": sorted(i for i in new_rows.keys() & old_rows.keys() if new_rows[i].get("error") and not old_rows[i].get("error")),
        "fixed_errors": sorted(i for i in new_rows.keys() & old_rows.keys() if old_rows[i].get("error") and not new_rows[i].get("error")),
        "same_dataset": old["meta"].get("dataset_sha256") == new["meta"].get("dataset_sha256"),
    }


def _run_name(report: dict[str, Any]) -> str:
    meta = report["meta"]
    return f"{meta.get('dataset_name', '')} / {meta.get('generator', '')} / judge {meta.get('judge', {}).get('name', '')} / {meta.get('started', '')}"


def to_markdown(comparison: dict[str, Any]) -> str:
    lines = [f"# Comparison\n\n- old: {comparison['old']}\n- new: {comparison['new']}"]
    if not comparison["same_dataset"]:
        lines.append("- **the two runs used different datasets**: per-item changes cover the items both have")
    lines += ["", "## Metrics", "", "| metric | old | new | change |", "| --- | --- | --- | --- |"]
    for c in comparison["metrics"]:
        lines.append(f"| {METRICS[c['metric']].label} | {format_value(c['metric'], c['old'])} | "
                     f"{format_value(c['metric'], c['new'])} | {_arrow(c['better'])} |")
    for title, wanted in (("Better", True), ("Worse", False)):
        kinds = [c for c in comparison["by_kind"] if c["better"] is wanted]
        items = [c for c in comparison["items"] if c["better"] is wanted]
        lines += ["", f"## {title}: {len(items)} item scores, {len(kinds)} kind metrics", ""]
        lines += [f"- kind `{c['scope']}`: {METRICS[c['metric']].label} {format_value(c['metric'], c['old'])} → "
                  f"{format_value(c['metric'], c['new'])}" for c in kinds]
        shown = set()
        for c in items:
            lines.append(f"- `{c['scope']}` {c['metric']}: {_number(c['old'])} → {_number(c['new'])}")
            if c["scope"] not in shown and c["metric"] == "quality":
                shown.add(c["scope"])
                answers = comparison["answers"][c["scope"]]
                lines.append(f"  - old: {_short(answers['old'], 160)}\n  - new: {_short(answers['new'], 160)}")
    for key, title in (("new_errors", "New failures"), ("fixed_errors", "Failures fixed"), ("only_old", "Only in the old run"), ("only_new", "Only in the new run")):
        if comparison[key]:
            lines += ["", f"## {title}", "", ", ".join(f"`{i}`" for i in comparison[key])]
    return "\n".join(lines) + "\n"


def _arrow(better: bool | None) -> str:
    return "better" if better is True else "worse" if better is False else "="


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"
