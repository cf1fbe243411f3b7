"""The sheet of words a partial answer may name as missing, over the tuning questions (stop 42).

    GUIDES_DATA_DIR=<data dir> python evals/datasets/gap_words/make_sheet.py evals/datasets/gap_words/sheet.jsonl

Every word ``assistant.evidence._unknown_names`` names for the last turn of the training and calibration
writers' conversations and of dev_tune, read against the whole guides, with one question it appears in and how
many use it; shuffled with seed 7. The test writers, dev_test and MedQuAD stay out.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

from assistant import Assistant
from assistant.evidence import _unknown_names
from evals.dataset import load_dataset
from index.sentences import load_catalog
from relevance.labels import TEST_WRITERS, load_writers

DEV_TUNE = Path(__file__).resolve().parents[1] / "dev_tune.jsonl"


def main(out: Path) -> None:
    bot = Assistant(generator="extractive")
    reader = bot.chain.reader
    questions = [item.turns[-1] for item in load_writers(load_catalog(bot.settings.corpus.guides_dir)) if item.writer not in TEST_WRITERS]
    questions += [item.turns[-1] for item in load_dataset(DEV_TUNE).items]
    found: dict[str, list[str]] = {}
    for question in questions:
        for word in _unknown_names(reader.read(question), "", reader.knows):
            found.setdefault(word, []).append(question)
    rows = sorted(found.items())
    random.Random(7).shuffle(rows)
    out.write_text("".join(json.dumps({"n": n, "word": w, "question": qs[0], "times": len(qs)}) + "\n" for n, (w, qs) in enumerate(rows, 1)))
    print(f"{len(questions)} questions, {len(rows)} words -> {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
