"""A blind side-by-side read of two evaluation runs' answers (issue 17), made and scored here.

    python evals/datasets/answer_compare/compare.py sheet OLD_RUN NEW_RUN OUT_DIR [--n 30 --seed 35]
    python evals/datasets/answer_compare/compare.py score OUT_DIR
    python evals/datasets/answer_compare/compare.py gaps OUT_DIR OLD_RUN NEW_RUN [OLD_RUN NEW_RUN ...] [--seed 42]
    python evals/datasets/answer_compare/compare.py gaps-score OUT_DIR

``sheet`` samples, by seed, items whose answers differ between the two runs (``report.json`` of
``python -m evals run``), puts the two answers in a random order as A and B (``sheet.jsonl``) and
keeps which is which apart (``key.json``); a reader given ``BRIEF.md`` writes ``verdicts.jsonl``.
``score`` counts each run's verdicts and which the reader preferred.

``gaps`` (stop 42) reads only the openings that name a word the guides are said not to hold (The guides
don't say anything about "X"): every distinct (question, opening) of pairs of runs, shuffled by seed, with
no sign of which run said it (``key.json`` keeps that); ``gaps-score`` counts the reader's verdicts
(right / beside / wrong) per set and run.
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import re
from pathlib import Path

from evals.metrics import GAP_PREFIX

# an opening that names what the guides don't say: 'The guides don't say anything about "X" or "Y";'
NAMED_GAP = re.compile("^" + re.escape(GAP_PREFIX) + r'((?:"[^"]+"(?: or )?)+);')


def sheet(old: Path, new: Path, out: Path, n: int, seed: int) -> None:
    a = {i["id"]: i for i in json.loads((old / "report.json").read_text())["items"]}
    b = {i["id"]: i for i in json.loads((new / "report.json").read_text())["items"]}
    changed = sorted(k for k in b if k in a and a[k]["answer"] != b[k]["answer"])
    rng = random.Random(seed)
    rows, key = [], []
    for at, k in enumerate(rng.sample(changed, min(n, len(changed))), 1):
        pair = [(old.name, a[k]["answer"]), (new.name, b[k]["answer"])]
        rng.shuffle(pair)
        rows.append({"n": at, "question": " / ".join(a[k]["item"]["turns"]), "answer_A": pair[0][1], "answer_B": pair[1][1]})
        key.append({"n": at, "id": k, "A": pair[0][0], "B": pair[1][0]})
    out.mkdir(parents=True, exist_ok=True)
    (out / "sheet.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    (out / "key.json").write_text(json.dumps(key, indent=0) + "\n")


def score(out: Path) -> dict:  # type: ignore[type-arg]
    key = {k["n"]: k for k in json.loads((out / "key.json").read_text())}
    verdicts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)  # type: ignore[type-arg]
    better: collections.Counter = collections.Counter()  # type: ignore[type-arg]
    for line in (out / "verdicts.jsonl").read_text().splitlines():
        v = json.loads(line)
        k = key[v["n"]]
        for side in ("A", "B"):
            verdicts[k[side]][v[side]] += 1
        better[k[v["better"]] if v["better"] in ("A", "B") else "same"] += 1
    return {"verdicts": {run: dict(c) for run, c in verdicts.items()}, "preferred": dict(better)}


def gaps(out: Path, runs: list[Path], seed: int) -> int:
    """The sheet of named-word openings of (old, new) run pairs; returns how many lines it has."""
    if len(runs) % 2:
        raise SystemExit("gaps takes runs in pairs: OLD_RUN NEW_RUN [OLD_RUN NEW_RUN ...]")
    rows: dict[tuple[str, str], dict] = {}  # type: ignore[type-arg]
    for at in range(0, len(runs), 2):
        for version, run in (("before", runs[at]), ("after", runs[at + 1])):
            for item in json.loads((run / "report.json").read_text())["items"]:
                found = NAMED_GAP.match(item["answer"])
                if found:
                    question = " / ".join(item["item"]["turns"])
                    statement = found.group(0)[:-1] + "."
                    row = rows.setdefault((question, statement), {"question": question, "statement": statement, "seen": []})
                    row["seen"].append({"pair": runs[at + 1].name, "run": run.name, "version": version, "id": item["id"]})
    ordered = list(rows.values())
    random.Random(seed).shuffle(ordered)
    out.mkdir(parents=True, exist_ok=True)
    (out / "sheet.jsonl").write_text("".join(
        json.dumps({"n": n, "question": r["question"], "statement": r["statement"]}, ensure_ascii=False) + "\n" for n, r in enumerate(ordered, 1)))
    (out / "key.json").write_text(json.dumps([{"n": n, "seen": r["seen"]} for n, r in enumerate(ordered, 1)], indent=0) + "\n")
    return len(ordered)


def gaps_score(out: Path) -> dict:  # type: ignore[type-arg]
    key = {k["n"]: k for k in json.loads((out / "key.json").read_text())}
    counts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)  # type: ignore[type-arg]
    for line in (out / "verdicts.jsonl").read_text().splitlines():
        verdict = json.loads(line)
        for seen in key[verdict["n"]]["seen"]:
            counts[f"{seen['pair']} {seen['version']}"][verdict["verdict"]] += 1
    return {which: dict(c) for which, c in sorted(counts.items())}


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("sheet")
    s.add_argument("old", type=Path)
    s.add_argument("new", type=Path)
    s.add_argument("out", type=Path)
    s.add_argument("--n", type=int, default=30)
    s.add_argument("--seed", type=int, default=35)
    sc = sub.add_parser("score")
    sc.add_argument("out", type=Path)
    g = sub.add_parser("gaps")
    g.add_argument("out", type=Path)
    g.add_argument("runs", type=Path, nargs="+")
    g.add_argument("--seed", type=int, default=42)
    gs = sub.add_parser("gaps-score")
    gs.add_argument("out", type=Path)
    args = parser.parse_args()
    if args.command == "sheet":
        sheet(args.old, args.new, args.out, args.n, args.seed)
    elif args.command == "gaps":
        print(gaps(args.out, args.runs, args.seed), "openings")
    elif args.command == "gaps-score":
        print(json.dumps(gaps_score(args.out), indent=1))
    else:
        print(json.dumps(score(args.out), indent=1))
