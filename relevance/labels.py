"""Questions in patients' words, labelled sentence by sentence, and their one split.

Eight writers, each given one persona and ``evals/datasets/relevance/WRITER_BRIEF.md``, none
shown the others' files or the code, wrote 400 conversations each before reading the guides,
then labelled every one against the guide sentence catalog (``index.sentences``): which
sentences answer it, which are acceptable context, whether the guides answer it (yes / partly
/ no) and what is missing. Their files are ``evals/datasets/relevance/writers/<persona>.jsonl``.

The split is by writer, so that the figures say how the model does for people it never read:
two writers are the frozen test part, one more is the calibration part (thresholds and the
probability scale are fitted there, on questions the model was not trained on), the other five
are the training part. The writers were drawn with the seed below before any data existed.

A second round (2026-12-03) added four writers with personas the first lacked (a daughter who
reads the studies, a husband typing on a phone about swallowing and breathing, a newly diagnosed
scleroderma patient, a Mandarin-speaking son), same brief. The test part stays the first round's
two writers; of the new four, one more calibration writer was drawn by seed before they wrote
(``ROUND_2_CALIBRATION``: the Mandarin-speaking son), the others train. The newly diagnosed
scleroderma patient delivered 250 conversations on 2026-12-03; the other three stopped before
writing and, briefed again on 2026-12-04 for 150 each, delivered then. The son's labels were all
checked by a reviewer, as the first round's calibration writer's were. Briefs of all four are kept
in ``personas/``, each writer's own beside its files.

Nothing of ``evals/datasets/dev_test.jsonl`` goes into training: a training question whose
wording is close to a dev_test question (``LEAK_COSINE``) is dropped, and the count is reported.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeVar

from core.errors import GuideError
from core.jsonl import jsonl_lines
from index.sentences import GuideSentence

DATA_DIR = Path(__file__).resolve().parent.parent / "evals" / "datasets" / "relevance"
WRITERS_DIR = DATA_DIR / "writers"
ROUND_1 = (
    "eye-gaze-als", "hospice-nurse", "non-native-indian", "non-native-spanish",
    "older-man-meds", "sclero-patient-lungs", "teen-grandchild", "wife-caregiver",
)
ROUND_2 = ("daughter-researcher", "husband-bulbar", "newly-diagnosed-sclero", "non-native-chinese-son")  # all delivered
PERSONAS = ROUND_1 + ROUND_2
SPLIT_SEED = 20261202
TEST_WRITERS = tuple(sorted(random.Random(SPLIT_SEED).sample(sorted(ROUND_1), 2)))  # non-native-indian, older-man-meds
ROUND_1_CALIBRATION = random.Random(SPLIT_SEED + 1).choice([p for p in sorted(ROUND_1) if p not in TEST_WRITERS])  # hospice-nurse
ROUND_2_CALIBRATION = random.Random(SPLIT_SEED + 2).choice(sorted(ROUND_2))  # non-native-chinese-son, drawn before they wrote
CALIBRATION_WRITERS = (ROUND_1_CALIBRATION, ROUND_2_CALIBRATION)
LEAK_COSINE = 0.88  # a training question this close (MiniLM cosine) to a dev_test question is dropped

T = TypeVar("T")
Answerable = Literal["yes", "partly", "no"]
Part = Literal["train", "calibration", "test"]


@dataclass(frozen=True)
class Labelled:
    """One conversation and its sentence-level labels (the last turn is what is labelled)."""

    id: str
    turns: tuple[str, ...]
    answerable: Answerable
    answers: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    missing: str = ""
    need: str = ""
    kind: str = ""
    safety: str | None = None
    writer: str = ""

    @property
    def part(self) -> Part:
        return part_of(self.writer)


def part_of(writer: str) -> Part:
    if writer in TEST_WRITERS:
        return "test"
    return "calibration" if writer in CALIBRATION_WRITERS else "train"


def parse(row: Mapping, sentences: Mapping[str, GuideSentence], writer: str = "", where: str = "") -> Labelled:
    """A label row, checked against the catalog: unknown ids and impossible labels are refused."""
    try:
        answerable = row["answerable"]
        turns = tuple(str(t) for t in row["turns"])
    except (KeyError, TypeError) as error:
        raise GuideError(f"{where}: a label row needs 'turns' and 'answerable' ({error}).") from error
    if answerable not in ("yes", "partly", "no") or not turns or not all(t.strip() for t in turns):
        raise GuideError(f"{where}: 'answerable' must be yes, partly or no, and every turn must have text.")
    answers, context = tuple(row.get("answers") or ()), tuple(row.get("context") or ())
    unknown = [i for i in (*answers, *context) if i not in sentences]
    if unknown:
        raise GuideError(f"{where}: unknown sentence ids {unknown}; use the ids of 'python -m index sentences'.")
    if answerable == "no" and answers:
        raise GuideError(f"{where}: a question the guides do not answer cannot have answering sentences.")
    if answerable != "no" and not answers:
        raise GuideError(f"{where}: answerable '{answerable}' needs at least one answering sentence.")
    return Labelled(
        id=str(row["id"]), turns=turns, answerable=answerable, answers=answers,
        context=tuple(c for c in context if c not in answers), missing=str(row.get("missing") or ""),
        need=str(row.get("need") or ""), kind=str(row.get("kind") or ""), safety=row.get("safety"),
        writer=writer or str(row.get("writer") or ""),
    )


def read_labels(path: Path, sentences: Mapping[str, GuideSentence], writer: str = "") -> list[Labelled]:
    return [parse(row, sentences, writer, f"{path}:{number}") for number, row in jsonl_lines(path, "one labelled conversation")]


def load_writers(sentences: Mapping[str, GuideSentence], writers_dir: Path = WRITERS_DIR, personas: Iterable[str] = PERSONAS) -> list[Labelled]:
    """Every writer's labelled conversations, checked against the catalog, with the fixes of the
    writer's reviewer applied (``review-<reviewer>.jsonl`` beside the labels)."""
    out = []
    for persona in personas:
        folder = writers_dir / persona
        items = read_labels(folder / "labels.jsonl", sentences, persona)
        for review in sorted(folder.glob("review-*.jsonl")):
            items = apply_review(items, review, sentences)
        out += items
    return out


def apply_review(items: Sequence[Labelled], path: Path, sentences: Mapping[str, GuideSentence]) -> list[Labelled]:
    """The items with a second reader's fixes: a "fix" row gives the complete corrected labels."""
    fixes = {row["id"]: (row, f"{path}:{number}") for number, row in jsonl_lines(path, "one review") if row.get("verdict") == "fix"}
    unknown = set(fixes) - {i.id for i in items}
    if unknown:
        raise GuideError(f"{path} reviews conversations that are not in the labels: {sorted(unknown)[:5]}.")
    out = []
    for item in items:
        if item.id in fixes:
            row, where = fixes[item.id]
            item = parse({**row, "turns": item.turns, "need": item.need, "kind": item.kind, "safety": item.safety}, sentences, item.writer, where)
        out.append(item)
    return out


@dataclass
class LeakFilter:
    """Drops training questions that reword a frozen test question (dev_test)."""

    frozen: Sequence[str]
    embed: object  # a callable: list[str] -> np.ndarray of unit vectors
    dropped: list[tuple[str, str, float]] = field(default_factory=list)
    cosine: float = LEAK_COSINE  # this close or closer to a frozen question: dropped

    def keep(self, items: Sequence[T], text: Callable[[T], str] = lambda i: " ".join(i.turns)) -> list[T]:  # type: ignore[attr-defined]
        """``items`` but those whose ``text`` rewords a frozen question (a conversation's turns, by default)."""
        import numpy as np  # noqa: PLC0415

        if not items or not self.frozen:
            return list(items)
        mine = self.embed([text(i) for i in items])  # type: ignore[operator]
        theirs = self.embed(list(self.frozen))  # type: ignore[operator]
        closest = mine @ theirs.T
        kept = []
        for item, row in zip(items, closest, strict=True):
            best = int(np.argmax(row))
            if row[best] >= self.cosine:
                self.dropped.append((text(item), self.frozen[best], float(row[best])))
            else:
                kept.append(item)
        return kept


def frozen_questions(path: Path) -> list[str]:
    """The questions of a frozen evaluation set (its conversations' turns joined)."""
    return [" ".join(r.get("turns") or [r.get("question", "")]) for _, r in jsonl_lines(path, "one evaluation item")]
