"""Messages that name an emergency's words, labelled "now" or "not_now", and their one split.

``evals/datasets/safety/`` holds them (its README says who wrote and who labelled what):

- ``writers/<persona>/messages.jsonl``: four writers, one persona each and ``WRITER_BRIEF.md``,
  wrote 120 messages each about breathing, choking, suffocation and the like, some an emergency
  now, most not, and said what they meant (``intended``);
- ``pool.jsonl``: every turn of the relevance writers' conversations (``evals/datasets/relevance/``)
  that mentions breathing, choking, swallowing, gasping, blue lips and the like, and (added
  2026-12-06) every other turn that mentions a medicine taken by mistake, twice, too much or the
  wrong one ("father took 4 riluzole tablets by mistake today"): such turns had been read as
  "not_now" unread;
- ``labels/<labeller>.jsonl``: labellers who wrote none of it labelled them blind (``LABEL_BRIEF.md``);
- every other turn of the relevance writers (questions about the guides' topics, with none of
  those words), taken as "not_now" unread: what the model must let through untouched.

A message is "now" when anyone who read it (its writer, or a labeller) said so: missing an
emergency costs far more than a notice shown to someone who did not need it.

The split is by writer. The test writer was drawn by seed before anyone wrote (the teenage
sister); with the relevance test writers' turns and one writer of each round on medicines taken
wrongly (the pill-box wife, the dictating teacher; each drawn by seed before its round wrote) it is
the test part. The calibration writer (the
cut-off is chosen on its messages) was drawn by the next seed from the other three after they had
written, before any model read them; with the relevance calibration writers' turns it is the
calibration part. The rest train. A training message close to a ``dev_test`` question
(``relevance.labels.LEAK_COSINE``) is dropped and counted.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from core.errors import GuideError
from core.jsonl import jsonl_lines

DATA_DIR = Path(__file__).resolve().parent.parent / "evals" / "datasets" / "safety"
ROUND_1 = ("home-aide-non-native", "sclero-ild-patient", "son-night-carer", "teen-sister")
# Briefed after u1 was trained, for the styles its calibration writer showed it missing (short,
# misspelt, dictated, a second language): a held-apart check of u1, then training for the next.
ROUND_2 = ("dictation-als-patient", "elderly-husband-tablet", "spanish-daughter")
# Briefed on 2026-12-06 (``WRITER_BRIEF_MEDICINES.md``): a medicine taken wrongly now (too much, the
# wrong one, a child into the pills), which the first two rounds never wrote, and messages about
# doses and mistakes that are no emergency now.
ROUND_3 = ("pillbox-wife", "sclero-brainfog-patient", "agency-nurse-peg")
# Briefed the same day (``WRITER_BRIEF_MEDICINES_SHORT.md``) after u3's first runs missed short
# messages ("dad took 4 riluzole instead of 1"): the same line, in few words.
ROUND_4 = ("panicked-daughter", "grandson-carer", "retired-teacher-dictation")
MEDICINE_ROUNDS = ROUND_3 + ROUND_4
WRITERS = ROUND_1 + ROUND_2 + MEDICINE_ROUNDS
SPLIT_SEED = 20261204
TEST_WRITER = random.Random(SPLIT_SEED).choice(ROUND_1)  # teen-sister, drawn before anyone wrote
CALIBRATION_WRITER = random.Random(SPLIT_SEED + 1).choice([w for w in ROUND_1 if w != TEST_WRITER])
MEDICINES_TEST_WRITERS = (
    random.Random(SPLIT_SEED + 3).choice(ROUND_3),  # pillbox-wife, drawn before anyone wrote
    random.Random(SPLIT_SEED + 4).choice(ROUND_4),  # retired-teacher-dictation, drawn before anyone wrote
)
LABELS = ("now", "not_now")


@dataclass(frozen=True)
class Message:
    id: str
    text: str
    writer: str  # the safety writer, or the relevance writer whose turn it is (pool)
    source: str  # "writer", "pool" or "ordinary"
    now: bool  # anyone who read it said: an emergency now
    votes: tuple[tuple[str, str], ...]  # (who, label): the writer's intent, each labeller's label
    about_medicine: bool = False  # written or pooled for a medicine taken wrongly (``MEDICINE_ROUNDS``, the pool's "topic")

    def part(self) -> str:
        from relevance.labels import CALIBRATION_WRITERS, TEST_WRITERS  # noqa: PLC0415

        if self.writer == TEST_WRITER or self.writer in MEDICINES_TEST_WRITERS or self.writer in TEST_WRITERS:
            return "test"
        return "calibration" if self.writer == CALIBRATION_WRITER or self.writer in CALIBRATION_WRITERS else "train"


def _rows(path: Path) -> list[dict]:  # type: ignore[type-arg]
    return [row for _, row in jsonl_lines(path, "one message")]


def ordinary_turns(pool_ids: set[str]) -> list[Message]:
    """The relevance writers' turns that are not in the pool: "not_now", unread."""
    from relevance.labels import PERSONAS, WRITERS_DIR  # noqa: PLC0415

    out = []
    for writer in PERSONAS:
        for row in _rows(WRITERS_DIR / writer / "questions.jsonl"):
            for i, turn in enumerate(row["turns"]):
                mid = f"{row['id']}#{i}"
                if mid not in pool_ids:
                    out.append(Message(mid, turn, writer, "ordinary", False, (("unread", "not_now"),)))
    return out


def load_messages(data_dir: Path = DATA_DIR) -> list[Message]:
    """Every labelled message, with each reader's vote, then the ordinary turns."""
    votes: dict[str, list[tuple[str, str]]] = {}
    texts: dict[str, tuple[str, str, str]] = {}
    medicine: set[str] = set()
    for writer in WRITERS:
        path = data_dir / "writers" / writer / "messages.jsonl"
        for row in _rows(path):
            texts[row["id"]] = (row["text"], writer, "writer")
            votes.setdefault(row["id"], []).append((f"writer:{writer}", row["intended"]))
            if writer in MEDICINE_ROUNDS:
                medicine.add(row["id"])
    for row in _rows(data_dir / "pool.jsonl"):
        texts[row["id"]] = (row["text"], row["writer"], "pool")
        if row.get("topic") == "medicine":
            medicine.add(row["id"])
    for path in sorted((data_dir / "labels").glob("*.jsonl")):
        for row in _rows(path):
            if row["id"] not in texts:
                raise GuideError(f"{path}: label for unknown message {row['id']!r}. Label only the messages of the input file.")
            votes.setdefault(row["id"], []).append((path.stem, row["label"]))
    out = []
    for mid, (text, writer, source) in texts.items():
        mine = tuple(votes.get(mid, ()))
        bad = [label for _, label in mine if label not in LABELS]
        if bad or not any(who != f"writer:{writer}" for who, _ in mine):
            raise GuideError(f"message {mid!r}: {'labels ' + str(bad) if bad else 'no labeller label'}; every message needs one of {LABELS}.")
        out.append(Message(mid, text, writer, source, any(label == "now" for _, label in mine), mine, mid in medicine))
    return out + ordinary_turns({mid for mid, (_, _, source) in texts.items() if source == "pool"})


def agreement(messages: list[Message]) -> dict[str, object]:
    """How often the readers of a message agreed, by pair of readers' kinds."""
    pairs: dict[str, list[int]] = {}
    for m in messages:
        if m.source == "ordinary":
            continue
        kinds = {("writer" if who.startswith("writer:") else who): label for who, label in m.votes}
        names = sorted(kinds)
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                pairs.setdefault(f"{a} ~ {b}", []).append(int(kinds[a] == kinds[b]))
    return {k: {"messages": len(v), "agree": round(sum(v) / len(v), 3)} for k, v in sorted(pairs.items())}

