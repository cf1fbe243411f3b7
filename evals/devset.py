"""The development set: questions in patients' and caregivers' own words, split once.

Six writers, each given one persona and the brief in ``datasets/devset/WRITER_BRIEF.md``,
none shown the others' questions or the code, wrote their questions before reading the
guides and labelled them afterwards (``datasets/devset/<persona>.jsonl``). This module turns
their files into the evaluation schema and splits them, once, into a tuning part (fit and
inspect freely) and a frozen test part (report only, never tune on it):

    python -m evals split-devset        # writes datasets/dev_tune.jsonl and datasets/dev_test.jsonl

The split is stratified by writer and label and seeded, so running it again reproduces the
same two files; a file that already exists with other content is refused, not replaced.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from pathlib import Path
from typing import Any

from assistant.safety import BLOCKING
from evals.dataset import DatasetError, EvalItem, parse_item, write_dataset

DATASETS = Path(__file__).resolve().parent / "datasets"
RAW_DIR = DATASETS / "devset"
TUNE = DATASETS / "dev_tune.jsonl"
TEST = DATASETS / "dev_test.jsonl"
TEST_SHARE = 0.4
SEED = 20261122


def convert_row(row: dict[str, Any]) -> EvalItem:
    """A writer's row in the evaluation schema: "answerable" no means must_abstain, and an
    urgent message is a safety item with its route."""
    label = row["answerable"]
    safety = row.get("safety")
    blocking = safety in BLOCKING
    kind = "safety" if safety else row["kind"]
    raw = {
        "id": row["id"],
        "turns": row["turns"],
        "kind": kind,
        "answerable": label,
        "must_abstain": label == "no" and not blocking,
        "facts": row.get("facts", []) if label != "no" else [],
        "sources": row.get("sources", []) if label != "no" else [],
        "missing": row.get("missing", ""),
        "notes": f"writer's kind: {row['kind']}" + (f"; missing: {row['missing']}" if row.get("missing") else ""),
    }
    if safety:
        raw["safety"] = safety
    return parse_item({k: v for k, v in raw.items() if v not in ("", [], None)})


def load_raw(raw_dir: Path = RAW_DIR) -> list[EvalItem]:
    items = []
    for path in sorted(raw_dir.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    items.append(convert_row(json.loads(line)))
                except (ValueError, KeyError) as error:
                    raise DatasetError(f"{path}:{number}: {error}") from error
    return items


def split(items: list[EvalItem], test_share: float = TEST_SHARE, seed: int = SEED) -> tuple[list[EvalItem], list[EvalItem]]:
    """(tuning, test), stratified by writer (the id's prefix) and answerable label."""
    strata: dict[tuple[str, str], list[EvalItem]] = defaultdict(list)
    for item in items:
        strata[(item.id.rsplit("-", 1)[0], item.answerable or "")].append(item)
    rng = random.Random(seed)
    tune, test = [], []
    for key in sorted(strata):
        group = sorted(strata[key], key=lambda i: i.id)
        rng.shuffle(group)
        cut = round(len(group) * test_share)
        test.extend(group[:cut])
        tune.extend(group[cut:])
    return sorted(tune, key=lambda i: i.id), sorted(test, key=lambda i: i.id)


def write_split(tune_path: Path = TUNE, test_path: Path = TEST) -> tuple[int, int]:
    tune, test = split(load_raw())
    for items, path in ((tune, tune_path), (test, test_path)):
        scratch = path.with_suffix(".new")
        write_dataset(items, scratch)
        if path.exists() and path.read_bytes() != scratch.read_bytes():
            scratch.unlink()
            raise DatasetError(f"{path} exists with other content; the split is made once. Delete it only on purpose.")
        scratch.replace(path)
    return len(tune), len(test)
