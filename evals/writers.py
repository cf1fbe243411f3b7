"""The relevance writers' held-apart questions as evaluation sets (``python -m evals writer-sets``).

The shipped relevance model (``relevance/``, r1) was trained on five writers' questions (three more
have been added for the next retrain) and calibrated on one more writer's (a second calibration
writer has been added); two writers were kept apart from both. Their conversations, in the
evaluation schema with their sentence labels inline, are
- ``datasets/writers_test.jsonl``: the two held-apart writers: questions nobody on the team wrote
  and the model never saw; report it, never tune on it;
- ``datasets/writers_calibration.jsonl``: the calibration writers (tuning data: inspect freely);
- ``datasets/second_corpus.jsonl``: questions written for the second test corpus (gout, myasthenia
  gravis) by a writer who had not seen it, for documents users add.
Their facts are the labelled sentences, so the harness scores them by sentence precision and
recall and by plain refusals, not by fact phrases.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from assistant.safety import BLOCKING
from evals.dataset import EvalItem, SentenceLabels, write_dataset
from index.sentences import load_catalog
from relevance.labels import Labelled, load_writers, read_labels

DATASETS = Path(__file__).resolve().parent / "datasets"
SETS = {"test": DATASETS / "writers_test.jsonl", "calibration": DATASETS / "writers_calibration.jsonl"}
SECOND_CORPUS = DATASETS / "second_corpus.jsonl"  # run with GUIDES_CORPUS__GUIDES_DIR=tests/data/second_corpus
SECOND_CORPUS_LABELS = DATASETS / "sentence_labels" / "second_corpus.jsonl"


def as_item(labelled: Labelled) -> EvalItem:
    blocking = labelled.safety in BLOCKING
    return EvalItem(
        id=labelled.id,
        turns=labelled.turns,
        kind="safety" if labelled.safety else (labelled.kind or "plain"),
        must_abstain=labelled.answerable == "no" and not blocking,
        safety=labelled.safety,
        answerable=labelled.answerable,
        missing=labelled.missing if labelled.answerable != "yes" else "",
        notes=f"writer {labelled.writer}; need {labelled.need}",
        sentence_labels=SentenceLabels(labelled.answerable, labelled.answers, labelled.context, labelled.writer),
    )


def write_writer_sets(guides_dir: Path, second_corpus_dir: Path) -> dict[str, int]:
    items = load_writers(load_catalog(guides_dir))
    counts = {}
    for part, path in SETS.items():
        chosen = [as_item(i) for i in items if i.part == part]
        write_dataset(chosen, path)
        counts[str(path)] = len(chosen)
    # the second corpus's questions (their labels stay beside it, in sentence_labels/)
    second = [as_item(i) for i in read_labels(SECOND_CORPUS_LABELS, load_catalog(second_corpus_dir), "second-corpus")]
    write_dataset([replace(i, sentence_labels=None) for i in second], SECOND_CORPUS)
    counts[str(SECOND_CORPUS)] = len(second)
    return counts
