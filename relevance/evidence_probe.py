"""python -m relevance.evidence_probe: would an evidence reader make the coverage decision better? (a probe)

The coverage decision ("not covered" / partial / full) reads the best sentence's P and whether
the question asks for something the guides never give (``relevance.calibrate``). Each sentence is
read alone, so nothing reads the question beside everything the answer would show. This probe
trains an **evidence reader**: a MiniLM cross-encoder that reads (question, the three likeliest
guide sentences together) and gives P(these sentences answer it).

So that it learns mostly whether the *evidence* answers, not which questions our writers ask (the
question prior of ``relevance.prior_probe`` learnt that, and it did not carry to real questions),
every answerable training question is read twice (a question the guides don't answer is only ever
read with 0, so a question prior can still be learnt from those): beside two of its likeliest sentences and its
best-ranked answering sentence (1; the first labelled one when none is among the candidates), and beside the three likeliest sentences that
neither answer nor are labelled context (0). A question the guides do not answer is read beside
its three likeliest sentences (0). Public MedQuAD and COVID-QA questions (the training share of
``relevance.public``) are read the same way: one answer sentence and two sentences of other
answers about the same disease (1), three of those (0), without the guides' "title: " before
each sentence.

The candidates are, as in the assistant, the sentences the shipped relevance model reads: here
the ``CANDIDATES`` guide sentences closest to the question by MiniLM cosine, ordered by the shipped
model's P. The reader's logit then joins the coverage model as a third input; it and its cut-off
are fitted on the calibration writers as ``calibrate.fit_coverage`` fits the shipped one (at most 3%
of their answerable questions refused: ``calibrate.MAX_REFUSED``), next to the same two-input model refitted on the same
candidates. It prints both for every set with sentence labels; dev_test is measured, never fitted
on. Writes only to ``<data dir>/evidence-probe/`` (``figures.json`` and the reader's torch weights). 39 minutes on 2 cores shared
with other runs for most of it (stop 34); ``python -m relevance.evidence_probe N`` reads at most N
questions of each set, to check the code in two minutes (its figures mean nothing).

Its answer (stop 34, ``relevance/README.md``): the reader barely learnt (4,146 examples, one epoch,
loss 0.64 -> 0.61) and, added to the coverage model, lowered its AUC on every set; the product does
not use it.
"""

from __future__ import annotations

import json
import logging
import sys
import random
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from relevance import calibrate

log = logging.getLogger(__name__)

CANDIDATES = 30  # guide sentences per question the shipped model scores (an answer's passages hold about 30)
EVIDENCE = 3  # sentences the reader reads beside the question
PUBLIC_QUESTIONS = 2500  # public questions read (two examples each)
MAX_LENGTH = 256
SEED = 20261205


@dataclass(frozen=True)
class Read:
    """One question's candidates: ids likeliest first and their P."""

    item: calibrate.Labelled  # type: ignore[name-defined]
    question: str
    ids: tuple[str, ...]
    probabilities: np.ndarray


def candidates(items, reader, sentences, model, embed) -> list[Read]:  # noqa: ANN001
    """Every question's ``CANDIDATES`` closest sentences, ordered by the shipped model's P."""
    from relevance.pairs import question_text, reaches_model, sentence_texts  # noqa: PLC0415

    ids = sorted(sentences)
    texts = sentence_texts(sentences)
    vectors = embed([sentences[s].text for s in ids])
    items = [i for i in items if reaches_model(i)]
    questions = [question_text(i.turns, reader) for i in items]
    closeness = embed(questions) @ vectors.T if questions else np.zeros((0, len(ids)))
    out = []
    for item, question, row in zip(items, questions, closeness, strict=True):
        near = [ids[j] for j in np.argsort(-row)[:CANDIDATES]]
        p = np.asarray(model.score(question, [texts[s] for s in near]))
        order = np.argsort(-p)
        out.append(Read(item, question, tuple(near[j] for j in order), p[order]))
    return out


def evidence_text(ids: Sequence[str], sentences: Mapping) -> str:  # type: ignore[type-arg]
    return " ".join(f"{sentences[s].title}: {sentences[s].text}" for s in ids)


def writer_examples(reads: Sequence[Read], sentences: Mapping, rng: random.Random) -> list[tuple[str, str, float]]:  # type: ignore[type-arg]
    out = []
    for r in reads:
        answers, context = set(r.item.answers), set(r.item.context)
        if r.item.answerable == "no" or not answers:
            out.append((r.question, evidence_text(r.ids[:EVIDENCE], sentences), 0.0))
            continue
        found = [s for s in r.ids if s in answers] or sorted(answers)
        others = [s for s in r.ids if s not in answers and s not in context]
        with_answer = [found[0], *others[: EVIDENCE - 1]]
        rng.shuffle(with_answer)
        out.append((r.question, evidence_text(with_answer, sentences), 1.0))
        out.append((r.question, evidence_text(others[:EVIDENCE], sentences), 0.0))
    return out


def public_examples(pairs, rng: random.Random, questions: int = PUBLIC_QUESTIONS) -> list[tuple[str, str, float]]:  # noqa: ANN001
    by_question: dict[str, list] = defaultdict(list)  # type: ignore[type-arg]
    for p in pairs:
        by_question[p.question].append(p)
    usable = [q for q, ps in sorted(by_question.items()) if any(p.label == 1.0 for p in ps) and sum(p.label == 0.0 for p in ps) >= EVIDENCE]
    out = []
    for question in rng.sample(usable, min(questions, len(usable))):
        ps = by_question[question]
        positive = rng.choice([p.sentence for p in ps if p.label == 1.0])
        negatives = rng.sample([p.sentence for p in ps if p.label == 0.0], EVIDENCE)
        with_answer = [positive, *negatives[: EVIDENCE - 1]]
        rng.shuffle(with_answer)
        out.append((question, " ".join(with_answer), 1.0))
        out.append((question, " ".join(negatives), 0.0))
    return out


def train_reader(rows: Sequence[tuple[str, str, float]], out: str) -> dict:  # type: ignore[type-arg]
    import torch  # noqa: PLC0415
    from sentence_transformers.cross_encoder import CrossEncoder  # noqa: PLC0415

    from index.embeddings import resolve_model_path  # noqa: PLC0415
    from relevance.build import BASE_MODEL  # noqa: PLC0415
    from relevance.train import TrainConfig, fit  # noqa: PLC0415

    torch.manual_seed(SEED)
    config = TrainConfig(seed=SEED, batch_size=16, max_length=MAX_LENGTH)
    model = CrossEncoder(str(resolve_model_path(BASE_MODEL)), num_labels=1, max_length=MAX_LENGTH, local_files_only=True, device="cpu")
    started = time.perf_counter()
    losses = fit(model, rows, config, config.learning_rate, 1.0, Path(out))
    model.save_pretrained(f"{out}/torch")
    return {"model": model, "seconds": round(time.perf_counter() - started, 1), "loss_first_last": [losses[0], losses[-1]] if losses else []}


def reader_logits(model, reads: Sequence[Read], sentences: Mapping) -> np.ndarray:  # noqa: ANN001  # type: ignore[type-arg]
    import torch  # noqa: PLC0415

    pairs = [(r.question, evidence_text(r.ids[:EVIDENCE], sentences)) for r in reads]
    if not pairs:
        return np.zeros(0)
    scores = model.predict(pairs, batch_size=16, activation_fn=torch.nn.Identity(), show_progress_bar=False)
    return np.asarray(scores, dtype=np.float64).reshape(-1)


def probe(settings=None, limit: int | None = None) -> dict:  # noqa: ANN001  # type: ignore[type-arg]
    """``limit``: at most this many questions of each set (a quick check of the code, not a figure)."""
    from assistant.evidence import missing_aspects  # noqa: PLC0415
    from assistant.relevance import RelevanceModel  # noqa: PLC0415
    from core.settings import Settings  # noqa: PLC0415
    from relevance.build import SECOND_CORPUS, SENTENCE_LABELS, _text_of, embedder, training_items  # noqa: PLC0415
    from relevance.labels import load_writers, read_labels  # noqa: PLC0415
    from relevance.pairs import guide_reader  # noqa: PLC0415
    from relevance.prior_probe import coverage_figures  # noqa: PLC0415
    from relevance.public import load_public_pairs  # noqa: PLC0415
    from relevance.train import TrainConfig, split_public  # noqa: PLC0415

    settings = settings or Settings()
    work = settings.data_dir / "evidence-probe"
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    reader, sentences = guide_reader(settings)
    items = load_writers(sentences)
    embed = embedder(settings)
    model = RelevanceModel()
    train, _ = training_items(items, embed)
    train = train[:limit]
    rng = random.Random(SEED)
    train_reads = candidates(train, reader, sentences, model, embed)
    public_train, _ = split_public(load_public_pairs(), TrainConfig())
    own = writer_examples(train_reads, sentences, rng)
    rows = own + public_examples(public_train, rng, limit or PUBLIC_QUESTIONS)
    rng.shuffle(rows)
    log.info("%d examples (%d from writers), candidates read in %.0f s", len(rows), len(own), time.perf_counter() - started)
    trained = train_reader(rows, str(work))
    log.info("trained in %s s", trained["seconds"])

    def measured(subset, set_reader, set_sentences) -> tuple:  # noqa: ANN001
        reads = candidates(list(subset)[:limit], set_reader, set_sentences, model, embed)
        guides = _text_of(set_sentences)
        base = np.array([[float(r.probabilities[0]), float(bool(missing_aspects(r.question, guides)))] for r in reads])
        return reads, np.column_stack([base, reader_logits(trained["model"], reads, set_sentences)])

    sets: dict[str, tuple] = {  # type: ignore[type-arg]
        "calibration writers": measured([i for i in items if i.part == "calibration"], reader, sentences),
        "test writers": measured([i for i in items if i.part == "test"], reader, sentences),
    }
    for name in ("dev_test", "medquad_abstention"):
        path = SENTENCE_LABELS / f"{name}.jsonl"
        if path.is_file():
            sets[name] = measured(read_labels(path, sentences), reader, sentences)
    second = SENTENCE_LABELS / "second_corpus.jsonl"
    if second.is_file():
        second_reader, second_sentences = guide_reader(Settings(corpus={"guides_dir": SECOND_CORPUS}, data_dir=settings.data_dir))
        sets["second corpus"] = measured(read_labels(second, second_sentences), second_reader, second_sentences)

    class _Item:  # fit_coverage reads s.item.answerable
        def __init__(self, read: Read) -> None:
            self.item = read.item

    cal_reads, cal_rows = sets["calibration writers"]
    two = calibrate.fit_coverage([_Item(r) for r in cal_reads], cal_rows[:, :2])
    three = calibrate.fit_coverage([_Item(r) for r in cal_reads], cal_rows)
    alone = calibrate.fit_coverage([_Item(r) for r in cal_reads], cal_rows[:, 2:])

    def chance(fitted: dict, inputs: np.ndarray) -> np.ndarray:  # type: ignore[type-arg]
        return 1.0 / (1.0 + np.exp(-(fitted["intercept"] + inputs @ np.asarray(fitted["weights"]))))

    figures = {}
    for name, (reads, inputs) in sets.items():
        wrapped = [_Item(r) for r in reads]
        figures[name] = {
            "two inputs (as shipped, refitted on these candidates)": coverage_figures(wrapped, chance(two, inputs[:, :2]), two["covered"]),
            "with the evidence reader": coverage_figures(wrapped, chance(three, inputs), three["covered"]),
            "the evidence reader alone": coverage_figures(wrapped, chance(alone, inputs[:, 2:]), alone["covered"]),
        }
    result = {"examples": len(rows), "writer_examples": len(own), "train_questions": len(train), "training_seconds": trained["seconds"],
              "loss_first_last": trained["loss_first_last"], "coverage_with_reader": three, "coverage_two_inputs": two,
              "seconds_total": round(time.perf_counter() - started, 1), "figures": figures}
    (work / "figures.json").write_text(json.dumps(result, indent=1) + "\n")
    return result


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    print(json.dumps(probe(limit=int(sys.argv[1]) if len(sys.argv) > 1 else None), indent=1))
