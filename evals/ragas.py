"""A run in the layout RAGAS reads, so evaluators can add their own judges.

``legacy`` columns (RAGAS 0.1, the names in most tutorials): question, answer, contexts,
ground_truth. ``current`` columns (RAGAS 0.2+ ``EvaluationDataset.from_list``):
user_input, response, retrieved_contexts, reference. ``id`` and ``kind`` come along in both.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assistant.phrases import NOT_COVERED_ANSWER

LAYOUTS = {
    "legacy": ("question", "answer", "contexts", "ground_truth"),
    "current": ("user_input", "response", "retrieved_contexts", "reference"),
}


def ground_truth(item: dict[str, Any]) -> str:
    """The reference answer: the refusal for must_abstain items, else the expected facts
    (the first phrasing of each group), else empty: the golden set states facts, not prose."""
    if item.get("must_abstain"):
        return NOT_COVERED_ANSWER
    return "; ".join(group[0] for group in item.get("facts") or [])


def ragas_rows(report: dict[str, Any], layout: str = "legacy") -> list[dict[str, Any]]:
    question, answer, contexts, reference = LAYOUTS[layout]
    rows = []
    for row in report["items"]:
        if row.get("error"):
            continue  # no answer to judge
        rows.append({
            "id": row["id"],
            "kind": row["kind"],
            question: row["question"],
            answer: row.get("answer", ""),
            contexts: [p["text"] for p in sorted(row.get("retrieved") or [], key=lambda p: p["n"])],
            reference: ground_truth(row["item"]),
        })
    return rows


def write_ragas(report: dict[str, Any], path: Path, layout: str = "legacy") -> int:
    """JSONL (one row a line), or a JSON list when ``path`` ends in ``.json``; returns the row count."""
    rows = ragas_rows(report, layout)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".json":
        path.write_text(json.dumps(rows, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    else:
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return len(rows)
