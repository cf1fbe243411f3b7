"""Public sentence pairs that say whether one sentence says another: entailment and paraphrase data.

The support model learns from the guides' own statements what a faithful claim of a statement looks like;
what it rejects too often is a faithful claim worded far from its statement (test writers: 0.815 kept, the
model alone 0.71). (premise, hypothesis) pairs of general English hold what the guides cannot show enough
of, and are read in the hope that the model learns it (measured in support/README.md): that very different
words can say the same thing, and that the same words in another order (who does what) need not. Built once
from snapshots of public repositories (``core.snapshots``) into ``relevance/data/nli_pairs.jsonl.gz``,
committed with the record of where each row came from (``relevance/data/SOURCES.md``):

- **PAWS-Wiki**, labelled final dev and test (Google; "may be freely used for any purpose"): pairs of
  sentences with the same words, half of them with who does what swapped; 1 = paraphrase.
- **SNLI 1.0** validation and test (CC BY-SA 4.0): 1 = entailment, 0 = neutral or contradiction.
- **MultiNLI**, the "hard" parts of dev matched and mismatched (OANC and permissive licences):
  1 = entailment, 0 = neutral or contradiction.

Left out because their licences forbid commercial use or say nothing: SICK, MRPC, ANLI, RTE, HealthVer,
BECEL's negated SNLI. Each row: ``premise``, ``hypothesis``, ``label`` (1 says it, 0 not), ``source``.
"""

from __future__ import annotations

import gzip
import json
import logging
import re
from collections import Counter
from pathlib import Path
from typing import TypedDict

from core.errors import GuideError
from core.snapshots import git_show

log = logging.getLogger(__name__)

# a file read at its recorded commit is always the same file: these checks fire only after the readers or the constants change
READER_CHANGED = "support/nli.py's reader and the recorded file disagree: were PAWS, SNLI, MNLI_HARD or a reader edited?"
NLI_PAIRS = Path(__file__).resolve().parent.parent / "relevance" / "data" / "nli_pairs.jsonl.gz"

PAWS = ("hoangdzung/simmat", "d123872409487f63212fca459de70ac4294d8b4e", ("data/final/dev.tsv", "data/final/test.tsv"))
SNLI = ("MJ-Jang/BECEL", "f5bdd1196e46323e6ec3f4e651bcad78b1883b04", ("data/snli/validation.tsv", "data/snli/test.tsv"))
MNLI_HARD = ("m43/focal-loss-against-heuristics", "0381b4b2e7c83883db69a65683fe906892d00127",
             ("data/raw/MNLIMatchedHardWithHardTest", "data/raw/MNLIMismatchedHardWithHardTest"))


class NliPair(TypedDict):
    premise: str
    hypothesis: str
    label: int  # 1: the premise says the hypothesis (or the two are paraphrases); 0: it does not
    source: str


def _label(value: str, says: str, allowed: tuple[str, ...], where: str) -> int:
    if value not in allowed:
        raise GuideError(f"{where}: label {value!r} is not one of {allowed}: {READER_CHANGED}")
    return int(value == says)


def detokenise(text: str) -> str:
    """Tokenised text ("the drug , which ...", "does n't") as written ("the drug, which ...", "doesn't")."""
    text = re.sub(r" ([,.;:!?%)])", r"\1", text.strip())
    text = re.sub(r"\( ", "(", text)
    return re.sub(r" (n't|'s|'re|'ll|'ve|'d|'m)\b", r"\1", text)


def _fields(line: str, n: int, where: str) -> list[str]:
    fields = line.split("\t")
    if len(fields) != n:
        raise GuideError(f"{where}: {len(fields)} tab-separated fields, not {n}: {READER_CHANGED}")
    return fields


def _paws(mirror: Path) -> list[NliPair]:
    repo, commit, paths = PAWS
    rows = []
    for path in paths:
        for number, line in enumerate(git_show(mirror, repo, commit, path).splitlines(), 1):
            _, premise, hypothesis, label = _fields(line, 4, f"{repo}:{path}:{number}")
            rows.append(NliPair(premise=detokenise(premise), hypothesis=detokenise(hypothesis),
                                label=_label(label, "1", ("0", "1"), f"{repo}:{path}:{number}"), source="paws"))
    return rows


def _snli(mirror: Path) -> list[NliPair]:
    repo, commit, paths = SNLI
    rows = []
    for path in paths:
        header, *lines = git_show(mirror, repo, commit, path).splitlines()
        if header.split("\t") != ["premise", "hypothesis", "label"]:
            raise GuideError(f"{repo}:{path} does not start with its header: {READER_CHANGED}")
        for number, line in enumerate(lines, 2):  # 0 entailment, 1 neutral, 2 contradiction
            premise, hypothesis, label = _fields(line, 3, f"{repo}:{path}:{number}")
            rows.append(NliPair(premise=premise.strip(), hypothesis=hypothesis.strip(),
                                label=_label(label, "0", ("0", "1", "2"), f"{repo}:{path}:{number}"), source="snli"))
    return rows


def _mnli_hard(mirror: Path) -> list[NliPair]:
    repo, commit, folders = MNLI_HARD
    rows = []
    for folder in folders:
        premises, hypotheses, labels = (git_show(mirror, repo, commit, f"{folder}/{name}").splitlines() for name in ("s1.test", "s2.test", "labels.test"))
        if not len(premises) == len(hypotheses) == len(labels):
            raise GuideError(f"{repo}:{folder}: premises, hypotheses and labels differ in length: {READER_CHANGED}")
        rows += [NliPair(premise=detokenise(p), hypothesis=detokenise(h),
                         label=_label(y.strip(), "entailment", ("entailment", "neutral", "contradiction"), f"{repo}:{folder}:{n}"),
                         source="mnli-hard")
                 for n, (p, h, y) in enumerate(zip(premises, hypotheses, labels, strict=True), 1)]
    return rows


def build_nli_pairs(mirror: Path, out: Path = NLI_PAIRS) -> dict[str, int]:
    """Write ``out`` from the three snapshots; returns the rows per source and label."""
    rows = _paws(mirror) + _snli(mirror) + _mnli_hard(mirror)
    if empty := [r for r in rows if not r["premise"] or not r["hypothesis"]]:
        raise GuideError(f"{len(empty)} pairs have an empty sentence ({empty[0]}): {READER_CHANGED}")
    # no name and mtime 0 in the gzip header: the same rows give the same bytes wherever they are written
    with out.open("wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as handle:
        for row in rows:
            handle.write((json.dumps(row, ensure_ascii=False) + "\n").encode())
    counts = Counter(f"{r['source']} {r['label']}" for r in rows)
    log.info("wrote %d pairs to %s", len(rows), out)
    return dict(sorted(counts.items()))


def nli_pairs(path: Path = NLI_PAIRS) -> list[NliPair]:
    if not path.is_file():
        raise GuideError(f"{path} is missing: it comes with the repository (restore it with git), or rebuild it with "
                         "'python -m support nli --mirror DIR' from the snapshots relevance/data/SOURCES.md names.")
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]
