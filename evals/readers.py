"""An independent reader's judgement of whether answers can be understood at about grade 8.

``sheet``: a seeded sample of a run's answers, each as the chat shows it (the answer, then the
"Words used" it explains), written for a reader who has seen none of the code or the guides'
edition. ``score``: the reader's verdicts against that sheet, as shares of answers understood.

    python -m evals reader-sheet eval-runs/dev_test-extractive --n 60 --out sheet.jsonl
    python -m evals reader-score sheet.jsonl verdicts.jsonl
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from core.errors import GuideError
from core.jsonl import jsonl_lines

VERDICTS = ("yes", "with_effort", "no")  # understood without help / with some effort / not without help


def shown_text(row: dict[str, Any]) -> str:
    """The answer as the chat shows it: its text, then the words it explains."""
    text = (row.get("answer") or "").strip()
    glossary = row.get("glossary") or []
    if glossary:
        text += "\n\nWords used:\n" + "\n".join(f"- {g['term']}: {g['explanation']}" for g in glossary)
    return text


def sheet(run_dirs: Sequence[Path], n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` answered items from each run, drawn by ``seed``; the question and the shown answer."""
    out = []
    for run in run_dirs:
        report = json.loads((run / "report.json").read_text())
        if report["items"] and "glossary" not in report["items"][0]:
            raise GuideError(f"{run} was run before answers kept their 'Words used'; run it again with `python -m evals run`.")
        rows = [r for r in report["items"] if not r.get("error") and r.get("answer")]
        picked = random.Random(seed).sample(rows, min(n, len(rows)))
        out += [{"id": r["id"], "run": run.name, "question": r["question"], "answer": shown_text(r)} for r in picked]
    return out


def score(sheet_path: Path, verdicts_path: Path) -> dict[str, Any]:
    """Shares of the sheet's answers the reader understood, overall and per run."""
    rows = {r["id"]: r for _, r in jsonl_lines(sheet_path, "one sheet row")}
    verdicts = {v["id"]: v for _, v in jsonl_lines(verdicts_path, 'one {"id", "understood"} object')}
    if missing := sorted(set(rows) - set(verdicts)):
        raise GuideError(f"{verdicts_path} has no verdict for {len(missing)} answers, e.g. {missing[:3]}.")
    if bad := sorted(i for i, v in verdicts.items() if v.get("understood") not in VERDICTS):
        raise GuideError(f"{verdicts_path}: 'understood' must be one of {VERDICTS}; see {bad[:3]}.")
    by_run: dict[str, Counter[str]] = {}
    for i, row in rows.items():
        by_run.setdefault(row["run"], Counter())[verdicts[i]["understood"]] += 1
    total = sum(by_run.values(), Counter())
    shares = {run: {k: round(c[k] / sum(c.values()), 3) for k in VERDICTS} | {"n": sum(c.values())} for run, c in by_run.items()}
    words = Counter(w.lower() for v in verdicts.values() for w in v.get("hard_words", []))
    return {"all": {k: round(total[k] / sum(total.values()), 3) for k in VERDICTS} | {"n": sum(total.values())},
            "by_run": shares, "hard_words": words.most_common(20)}


def citation_sheet(run_dir: Path) -> list[dict[str, Any]]:
    """Every sentence a run's answers show as written by the generator (kept or re-cited by the
    citation check), with the whole passage it cites: what an independent auditor reads."""
    report = json.loads((run_dir / "report.json").read_text())
    rows = []
    for item in report["items"]:
        passages = {c["n"]: c["text"] for c in item.get("citations") or []}
        for k, check in enumerate(item.get("checks") or []):
            if check.get("action") not in ("kept", "recited") or check.get("support_n") not in passages:
                continue
            sentence = re.sub(r"\s*\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\]", "", check["sentence"]).strip()
            rows.append({"id": f"{item['id']}#{k}", "question": item["question"], "sentence": sentence,
                         "passage": passages[check["support_n"]]})
    return rows
