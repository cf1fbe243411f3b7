"""Public sentence pairs that say whether one sentence says another: entailment and paraphrase data.

The support model learns from the guides' own statements what a faithful claim of a statement looks like;
what it rejects too often is a faithful claim worded far from its statement (test writers: 0.815 kept, the
model alone 0.71). Reading (premise, hypothesis) pairs of general English teaches the two things the check
needs and the guides cannot show enough of: that very different words can say the same thing, and that the
same words in another order (who does what) or one word changed need not. Built once from snapshots of
public repositories (``fetch``; read with ``git show``, no work tree) into ``relevance/data/nli_pairs.jsonl.gz``,
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
import subprocess
from collections import Counter
from pathlib import Path

from core.errors import GuideError

log = logging.getLogger(__name__)

NLI_PAIRS = Path(__file__).resolve().parent.parent / "relevance" / "data" / "nli_pairs.jsonl.gz"

PAWS = ("hoangdzung/simmat", "d123872409487f63212fca459de70ac4294d8b4e", ("data/final/dev.tsv", "data/final/test.tsv"))
SNLI = ("MJ-Jang/BECEL", "f5bdd1196e46323e6ec3f4e651bcad78b1883b04", ("data/snli/validation.tsv", "data/snli/test.tsv"))
MNLI_HARD = ("m43/focal-loss-against-heuristics", "0381b4b2e7c83883db69a65683fe906892d00127",
             ("data/raw/MNLIMatchedHardWithHardTest", "data/raw/MNLIMismatchedHardWithHardTest"))


def _show(mirror: Path, repo: str, commit: str, path: str) -> str:
    git_dir = mirror / repo.replace("/", "+") / "repo"
    if not git_dir.is_dir():
        raise GuideError(f"{git_dir} is missing: fetch github:{repo} first (the search tool's fetch), then run this again.")
    done = subprocess.run(["git", "--git-dir", str(git_dir), "show", f"{commit}:{path}"], capture_output=True, check=False)
    if done.returncode:
        raise GuideError(f"{repo}@{commit[:10]} has no {path}: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout.decode("utf-8-sig")


def detokenise(text: str) -> str:
    """Tokenised text ("the drug , which ...", "does n't") as written ("the drug, which ...", "doesn't")."""
    text = re.sub(r" ([,.;:!?%)])", r"\1", text.strip())
    text = re.sub(r"\( ", "(", text)
    return re.sub(r" (n't|'s|'re|'ll|'ve|'d|'m)\b", r"\1", text)


def _paws(mirror: Path) -> list[dict]:  # type: ignore[type-arg]
    repo, commit, paths = PAWS
    rows = []
    for path in paths:
        for line in _show(mirror, repo, commit, path).splitlines():
            fields = line.rstrip("\r").split("\t")
            if len(fields) == 4 and fields[3] in ("0", "1"):
                rows.append({"premise": detokenise(fields[1]), "hypothesis": detokenise(fields[2]), "label": int(fields[3]), "source": "paws"})
    return rows


def _snli(mirror: Path) -> list[dict]:  # type: ignore[type-arg]
    repo, commit, paths = SNLI
    rows = []
    for path in paths:
        for line in _show(mirror, repo, commit, path).splitlines()[1:]:
            premise, hypothesis, label = line.split("\t")
            rows.append({"premise": premise.strip(), "hypothesis": hypothesis.strip(), "label": int(label == "0"), "source": "snli"})
    return rows


def _mnli_hard(mirror: Path) -> list[dict]:  # type: ignore[type-arg]
    repo, commit, folders = MNLI_HARD
    rows = []
    for folder in folders:
        premises, hypotheses, labels = (_show(mirror, repo, commit, f"{folder}/{name}").splitlines() for name in ("s1.test", "s2.test", "labels.test"))
        if not len(premises) == len(hypotheses) == len(labels):
            raise GuideError(f"{repo}:{folder}: premises, hypotheses and labels differ in length; the snapshot is not what SOURCES.md records.")
        rows += [{"premise": detokenise(p), "hypothesis": detokenise(h), "label": int(y.strip() == "entailment"), "source": "mnli-hard"}
                 for p, h, y in zip(premises, hypotheses, labels, strict=True)]
    return rows


def build_nli_pairs(mirror: Path, out: Path = NLI_PAIRS) -> dict[str, int]:
    """Write ``out`` from the three snapshots; returns the rows per source and label."""
    rows = [r for r in _paws(mirror) + _snli(mirror) + _mnli_hard(mirror) if r["premise"] and r["hypothesis"]]
    # no name and mtime 0 in the gzip header: the same rows give the same bytes wherever they are written
    with out.open("wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as handle:
        for row in rows:
            handle.write((json.dumps(row, ensure_ascii=False) + "\n").encode())
    counts = Counter(f"{r['source']} {r['label']}" for r in rows)
    log.info("wrote %d pairs to %s", len(rows), out)
    return dict(sorted(counts.items()))


def nli_pairs(path: Path = NLI_PAIRS) -> list[dict]:  # type: ignore[type-arg]
    if not path.is_file():
        raise GuideError(f"{path} is missing: it comes with the repository (restore it with git), or rebuild it with "
                         "'python -m support nli --mirror DIR' from the snapshots relevance/data/SOURCES.md names.")
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]
