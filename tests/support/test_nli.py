"""The public entailment and paraphrase pairs the support model reads (``support.nli``): what is committed is what
``relevance/data/SOURCES.md`` records and rebuilds from the snapshots it names, tokenised text is read as written, and a
missing snapshot says how to get it."""

from __future__ import annotations

import gzip
import hashlib
import re
from collections import Counter
from pathlib import Path

import pytest

from core.errors import GuideError
from core.snapshots import DEFAULT_MIRROR, mirror_path
from support.nli import MNLI_HARD, NLI_PAIRS, PAWS, SNLI, build_nli_pairs, detokenise, nli_pairs

SOURCES = NLI_PAIRS.parent / "SOURCES.md"


def test_the_committed_pairs_are_the_ones_sources_records() -> None:
    rows = nli_pairs()
    counts = Counter((r["source"], r["label"]) for r in rows)
    section = SOURCES.read_text(encoding="utf-8").split("## Entailment and paraphrase pairs", 1)[1]
    recorded = {}
    for source, ones, zeros in re.findall(r"\| (PAWS|SNLI|MultiNLI)[^|]*\|[^|]*\|[^|]*\| ([\d,]+) / ([\d,]+) \|", section):
        key = {"PAWS": "paws", "SNLI": "snli", "MultiNLI": "mnli-hard"}[source]
        recorded[key] = (int(ones.replace(",", "")), int(zeros.replace(",", "")))
    assert recorded == {s: (counts[(s, 1)], counts[(s, 0)]) for s in ("paws", "snli", "mnli-hard")}
    assert f"{len(rows):,} rows" in section
    assert all(r["premise"] and r["hypothesis"] and r["label"] in (0, 1) for r in rows)


def test_tokenised_text_is_read_as_written() -> None:
    assert detokenise("The drug , which is new , does n't work ( yet ) .") == "The drug, which is new, doesn't work (yet)."
    assert detokenise("It 's 70 % of patients .") == "It's 70% of patients."


def test_a_missing_snapshot_says_which_repository_to_fetch(tmp_path: Path) -> None:
    with pytest.raises(GuideError, match="git clone --bare https://github.com/hoangdzung/simmat"):
        build_nli_pairs(tmp_path, tmp_path / "out.jsonl.gz")
    assert not (tmp_path / "out.jsonl.gz").exists()


def test_sources_names_the_repositories_commits_and_paths_the_builder_reads() -> None:
    section = SOURCES.read_text(encoding="utf-8").split("## Entailment and paraphrase pairs", 1)[1].split("\n## ", 1)[0]
    for repo, commit, paths in (PAWS, SNLI, MNLI_HARD):
        assert f"{repo} @ {commit}" in section
        assert all(f"`{path}" in section for path in paths)


SNAPSHOTS = DEFAULT_MIRROR


def _have_snapshots() -> bool:
    try:
        return all(mirror_path(SNAPSHOTS, repo).is_dir() for repo, _, _ in (PAWS, SNLI, MNLI_HARD))
    except GuideError:
        return False


HAVE_SNAPSHOTS = _have_snapshots()


@pytest.mark.skipif(not HAVE_SNAPSHOTS, reason="the three snapshots are not on this machine (fetch them to rebuild the pairs)")
def test_the_committed_pairs_rebuild_from_the_snapshots_row_for_row(tmp_path: Path) -> None:
    out = tmp_path / "nli.jsonl.gz"
    build_nli_pairs(SNAPSHOTS, out)
    assert gzip.decompress(out.read_bytes()) == gzip.decompress(NLI_PAIRS.read_bytes())
    assert hashlib.sha256(gzip.decompress(NLI_PAIRS.read_bytes())).hexdigest() in SOURCES.read_text(encoding="utf-8")


def test_a_file_that_does_not_read_as_recorded_is_refused_with_what_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import support.nli as nli  # noqa: PLC0415

    monkeypatch.setattr(nli, "git_show", lambda *_: "1\tA sentence.\tThe same sentence.\tmaybe\n")
    with pytest.raises(GuideError, match="label 'maybe' is not one of .*were PAWS, SNLI, MNLI_HARD or a reader edited"):
        build_nli_pairs(tmp_path, tmp_path / "out.jsonl.gz")
    assert not (tmp_path / "out.jsonl.gz").exists()
