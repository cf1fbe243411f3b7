"""The guides' plain-language edition, assembled from its writers' and reviewers' files.

Medical writers wrote a plain version of every sentence of the shipped guides, each writer
alone from the guide text; a second writer who did not write it reviewed every version
(faithful / unfaithful, with the reason); unfaithful ones were fixed by their writer and
reviewed again, round after round; a final auditor read the whole edition. All of it is kept in
``corpus/plain_edition/`` (briefs, every writer's and reviewer's file, ``record.json`` naming the
rounds; beside the guides' folder, not in it, where the loader would take its files for guides). ``python -m plain edition`` assembles ``corpus/guides/plain_edition.json`` from
them, and refuses when

- a sentence of the guides has no plain version, or a version's source is not the guide's sentence;
- a version's last wording has no "faithful" verdict from a reviewer of that round or later, or
  any reader of it (its reviewer, the auditor) did not find it faithful;
- a version fails the automatic checks (``plain.checks.edition_problems``: figures, names,
  named procedures, hedges, absolutes and negations kept and none added; no version starting by
  pointing back where its guide sentence does not);

and records each guide's content hash, so a guide that changes later marks its sentences stale
(``index.plain.PlainEdition``).
"""

from __future__ import annotations

import json
import shutil
import statistics
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import GuideError
from core.jsonl import jsonl_lines
from core.settings import Settings
from index.plain import EDITION_FILE
from index.sentences import GuideSentence, load_catalog
from plain.checks import edition_problems
from plain.readability import flesch_kincaid_grade

SOURCES = Path(__file__).resolve().parent.parent / "corpus" / "plain_edition"  # briefs, writers' and reviewers' files, record.json
RECORD = "record.json"


class EditionError(GuideError):
    """The edition's files do not make a complete, reviewed, checked edition; the message says what to fix."""


@dataclass
class Version:
    plain: str
    terms: tuple[str, ...]
    writer: str
    round: int
    verdicts: list[tuple[str, int, str]] = field(default_factory=list)  # (reviewer, round, verdict)


def _rows(path: Path) -> list[dict[str, Any]]:
    return [row for _, row in jsonl_lines(path, "one row of the edition's rounds (record.json names the file)", EditionError)]


def load_record(folder: Path, record_file: str | Path = RECORD) -> dict[str, Any]:
    """A record of rounds: a file name in ``folder`` (``record.first-edition.json``), or a path to a
    record elsewhere (with a folder part); the files its rounds name are read from ``folder``."""
    given = Path(record_file)
    path = given if given.parent != Path() else folder / given
    if not path.is_file():
        raise EditionError(f"There is no record of rounds '{record_file}' in {folder}: name one of "
                           f"{', '.join(sorted(p.name for p in folder.glob('record*.json')))}.")
    return json.loads(path.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class _Step:
    """One step of a record, its files read: what a writer wrote (none in an audit) and what its reader found."""

    number: int
    writer: str
    reviewer: str
    written: list[dict[str, Any]]
    reviews: list[dict[str, Any]]
    glossary: list[dict[str, Any]]
    glossary_reviews: list[dict[str, Any]]


def _steps(folder: Path, record: dict[str, Any]) -> Iterator[_Step]:
    for step in record["rounds"]:
        def rows(key: str, step: dict[str, Any] = step) -> list[dict[str, Any]]:
            return _rows(folder / step[key]) if step.get(key) else []

        yield _Step(int(step["round"]), step.get("writer", ""), step["reviewer"],  # an audit writes nothing
                    rows("plain"), rows("review"), rows("glossary"), rows("glossary_review"))


def _reviewed(step: _Step, wordings: Iterable[str]) -> Iterator[dict[str, Any]]:
    """The step's review rows on the wordings it read: a writer's round is reviewed for what it
    wrote, an audit (no writer) for every wording so far."""
    covered = {row["id"] for row in step.written} if step.writer else set(wordings)
    return (row for row in step.reviews if row["id"] in covered)


GRADE_FINDING = "grade:"  # a reader's reason that faults only the reading grade starts so (REVIEW_BRIEF.md)


@dataclass(frozen=True)
class ReaderVerdict:
    """One reader's verdict on one wording of a guide sentence, as the record has it."""

    sentence_id: str
    plain: str
    reader: str
    verdict: str  # "faithful" or "unfaithful"
    reason: str

    @property
    def faults_meaning(self) -> bool:
        """Found unfaithful for what it says, not only for how hard it reads."""
        return self.verdict == "unfaithful" and not self.reason.startswith(GRADE_FINDING)


def reader_verdicts(folder: Path = SOURCES, record_file: str = RECORD) -> list[ReaderVerdict]:
    """Every verdict a reader gave on a wording, over the record's rounds, each once: the
    faithful wordings are paraphrases of their guide sentence that people checked, the unfaithful
    ones (with the reason) near misses people caught (the support check's training reads both)."""
    seen: dict[tuple[str, str, str], ReaderVerdict] = {}
    latest: dict[str, str] = {}
    for step in _steps(folder, load_record(folder, record_file)):
        latest.update({row["id"]: row["plain"].strip() for row in step.written})
        for row in _reviewed(step, latest):
            verdict = ReaderVerdict(row["id"], latest[row["id"]], step.reviewer, row["verdict"], row.get("reason", ""))
            seen.setdefault((verdict.sentence_id, verdict.plain, verdict.reader), verdict)
    return list(seen.values())


def assemble(guides_dir: Path, folder: Path = SOURCES, settings: Settings | None = None, record_file: str = RECORD) -> dict[str, Any]:
    """The edition as it is written to ``plain_edition.json``; EditionError names what is wrong.
    ``record_file``: another list of rounds in ``folder`` (a proposed edition, to measure before it ships)."""
    settings = settings or Settings(corpus={"guides_dir": guides_dir})
    record = load_record(folder, record_file)
    catalog = load_catalog(guides_dir)
    versions: dict[str, Version] = {}
    glossary: dict[str, dict[str, Any]] = {}
    for step in _steps(folder, record):
        for row in step.written:
            versions[row["id"]] = Version(row["plain"].strip(), tuple(row.get("terms") or ()), step.writer, step.number)
        for row in step.glossary:
            glossary[row["term"].lower()] = {"term": row["term"], "explanation": row["explanation"],
                                             "based_on": row.get("based_on", []), "writer": step.writer, "verdicts": []}
        for row in _reviewed(step, versions):
            versions[row["id"]].verdicts.append((step.reviewer, step.number, row["verdict"]))
        for row in step.glossary_reviews:
            glossary[row["term"].lower()]["verdicts"].append((step.reviewer, step.number, row["verdict"]))
    _check_complete(catalog, versions, record)
    problems = _problems(catalog, versions, glossary, settings)
    if problems:
        raise EditionError("The plain edition is not ready:\n- " + "\n- ".join(problems))
    return _edition(record, catalog, versions, glossary, guides_dir)


def _check_complete(catalog: dict[str, GuideSentence], versions: dict[str, Version], record: dict[str, Any]) -> None:
    missing = sorted(set(catalog) - set(versions))
    unknown = sorted(set(versions) - set(catalog))
    if missing or unknown:
        raise EditionError(f"The edition must hold exactly the guides' sentences: missing {missing[:8]}, unknown {unknown[:8]}.")


def _verdict_since(verdicts: list[tuple[str, int, str]], since: int) -> str | None:
    """What the readers of a wording found, from the round it was written: None when nobody read
    it, the first other verdict when any reader did not find it faithful (two readers of the same
    round must both pass it), else "faithful"."""
    later = [v for v in verdicts if v[1] >= since]
    if not later:
        return None
    other = [v[2] for v in later if v[2] not in ("faithful", "agree")]
    return other[0] if other else "faithful"


def _problems(catalog, versions, glossary, settings) -> list[str]:  # noqa: ANN001 - the assemble() locals
    medicines = settings.domain.medicine_words
    problems = []
    for sid, version in sorted(versions.items()):
        sentence = catalog[sid]
        found = _verdict_since(version.verdicts, version.round)
        if found is None:
            problems.append(f"{sid}: its wording of round {version.round} has no 'faithful' verdict from a later review")
        elif found != "faithful":
            problems.append(f"{sid}: its wording of round {version.round} was found {found} by a reader")
        if found := edition_problems(sentence.text, version.plain, sentence.previous, medicines):
            problems.append(f"{sid}: {'; '.join(found)}")
    for term, entry in sorted(glossary.items()):
        if not entry["verdicts"] or entry["verdicts"][-1][2] != "ok":
            problems.append(f"glossary '{term}': no 'ok' verdict from its last review")
    used = {t.lower() for v in versions.values() for t in v.terms}
    if undefined := sorted(used - set(glossary)):
        problems.append(f"terms used but not in the glossary: {', '.join(undefined)}")
    return problems


def _edition(record, catalog, versions, glossary, guides_dir: Path) -> dict[str, Any]:  # noqa: ANN001
    from corpus.domain import load_domain  # noqa: PLC0415
    from corpus.loaders import load_paths  # noqa: PLC0415

    documents, _ = load_paths([guides_dir], domain=load_domain(guides_dir))
    sentences = {}
    for sid in catalog:  # in the guides' order
        version = versions[sid]
        sentences[sid] = {
            "source": catalog[sid].text,
            "plain": version.plain,
            "terms": list(version.terms),
            "writer": version.writer,
            "reviewed_by": sorted({r for r, _, _ in version.verdicts}),
            "rounds": version.round,
            "grade_source": flesch_kincaid_grade(catalog[sid].text),
            "grade_plain": flesch_kincaid_grade(version.plain),
        }
    return {
        "_about": "The guides' plain-language edition, assembled by 'python -m plain edition' from corpus/guides/plain_edition/ "
        "(briefs, writers' and reviewers' files, record.json); do not edit by hand.",
        "format": 1,
        "edition": record["edition"],
        "guides": {d.doc_id: {"title": d.title, "content_hash": d.content_hash} for d in documents},
        "sentences": sentences,
        "glossary": {e["term"]: {"explanation": e["explanation"], "based_on": e["based_on"], "writer": e["writer"]}
                     for e in glossary.values()},
        "audit": record.get("audit", {}),
    }


def write_edition(
    guides_dir: Path, folder: Path = SOURCES, record_file: str = RECORD, guides_out: Path | None = None
) -> tuple[Path, dict[str, Any]]:
    """Assemble and write the edition beside the guides; with ``guides_out``, into a copy of the
    guides' folder there instead (a proposed edition, measured with ``GUIDES_CORPUS__GUIDES_DIR``)."""
    edition = assemble(guides_dir, folder, record_file=record_file)
    if guides_out is not None:
        shutil.copytree(guides_dir, guides_out, dirs_exist_ok=True)
        guides_dir = guides_out
    path = guides_dir / EDITION_FILE
    path.write_text(json.dumps(edition, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path, summary(edition["sentences"].values())


def summary(sentences: Iterable[dict[str, Any]]) -> dict[str, Any]:
    grades = [s["grade_plain"] for s in sentences if s.get("grade_plain") is not None]
    return {
        "sentences": len(grades),
        "median_grade": round(statistics.median(grades), 2) if grades else None,
        "max_grade": max(grades) if grades else None,
        "over_grade_8": sum(1 for g in grades if g > 8),
    }
