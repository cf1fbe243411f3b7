"""python -m evals run | rescore | compare | export-ragas | retrieval-benchmark | convert-medquad | split-devset | writer-sets | reader-sheet | reader-score | citation-sheet | calibrate-judge

Exit codes: 0 done; 1 a threshold failed (each one is printed); 2 a problem you can fix
(the message says how); 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
import logging
import sys
from pathlib import Path

from core.errors import GuideError
from core.cli import run_guarded
from core.logs import configure_logging
from core.settings import GENERATOR_KINDS, REPO_ROOT, Settings

log = logging.getLogger("evals")

EVALS_DIR = Path(__file__).resolve().parent
RUNS_DIR = REPO_ROOT / "eval-runs"
GOLDEN = EVALS_DIR / "datasets" / "golden.jsonl"
MEDQUAD_QUESTIONS = REPO_ROOT.parent / "shared" / "evals" / "medquad_questions.jsonl"
MEDQUAD_SET = EVALS_DIR / "datasets" / "medquad_abstention.jsonl"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    configure_logging(args.verbose)
    return run_guarded(lambda: args.handler(args))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m evals", description="Measure how good the assistant's answers are.")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-v", "--verbose", action="store_true", help="show library logs")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", parents=[common], help="answer and score a dataset; write report.json/.md/.html")
    run.add_argument("--dataset", type=Path, default=GOLDEN, help=f"JSONL items (default: {GOLDEN.relative_to(REPO_ROOT)})")
    run.add_argument("--generator", choices=GENERATOR_KINDS, help="default: the configured one (auto)")
    run.add_argument("--judge", choices=["auto", "llm", "lexical"], default="auto",
                     help="citation judge: the local LLM, the weaker lexical check, or auto (LLM when its model is there)")
    run.add_argument("--out", type=Path, help="folder for the reports (default: eval-runs/DATASET-GENERATOR)")
    run.add_argument("--thresholds", type=Path, help="fail (exit 1) when a metric misses its threshold, e.g. evals/thresholds.json")
    run.add_argument("--limit", type=int, help="only the first N items (a quick look, not a result)")
    run.set_defaults(handler=_run)

    compare = commands.add_parser("compare", parents=[common], help="what got better or worse between two runs")
    compare.add_argument("old", type=Path, help="folder (or report.json) of the earlier run")
    compare.add_argument("new", type=Path, help="folder (or report.json) of the later run")
    compare.add_argument("--out", type=Path, help="also write the comparison here (.md, or .json for the data)")
    compare.set_defaults(handler=_compare)

    ragas = commands.add_parser("export-ragas", parents=[common], help="a run as RAGAS columns (question, answer, contexts, ground_truth)")
    ragas.add_argument("--out", type=Path, required=True, help="JSONL file (or .json for one list)")
    ragas.add_argument("--run", type=Path, help="run folder (default: the latest under eval-runs/)")
    ragas.add_argument("--layout", choices=["legacy", "current"], default="legacy",
                       help="legacy: question/answer/contexts/ground_truth; current (RAGAS 0.2+): user_input/response/retrieved_contexts/reference")
    ragas.set_defaults(handler=_export_ragas)

    rescore = commands.add_parser("rescore", parents=[common], help="score a saved run again, e.g. with the LLM judge")
    rescore.add_argument("run", type=Path, help="folder (or report.json) of the run")
    rescore.add_argument("--judge", choices=["auto", "llm", "lexical"], default="auto")
    rescore.add_argument("--out", type=Path, required=True, help="folder for the new reports")
    rescore.add_argument("--thresholds", type=Path, help="as for run")
    rescore.add_argument("--dataset", type=Path, help="score against this dataset's items (same ids; e.g. with sentence labels added since)")
    rescore.set_defaults(handler=_rescore)

    bench = commands.add_parser("retrieval-benchmark", parents=[common], help="BM25, dense and fused retrieval on MedQuAD")
    bench.add_argument("--limit", type=int, help="index only N random answers and ask among them (CI-sized); default: all 16,407")
    bench.add_argument("--queries", type=int, default=2000, help="questions sampled as queries (default 2000)")
    bench.add_argument("--seed", type=int, default=13, help="random seed of the samples")
    bench.add_argument("--data-dir", type=Path, help="where the benchmark index lives (default: DATA_DIR/medquad-benchmark)")
    bench.add_argument("--rebuild", action="store_true", help="drop the benchmark index first, so indexing is timed")
    bench.add_argument("--out", type=Path, help="write the figures as JSON here")
    bench.add_argument("--fit-fusion", action="store_true", help="fit the BM25 fusion weight on half the questions, score it on the rest")
    bench.add_argument("--scale-chunks", type=int, help="also time retrieval over this many chunks (synthetic vectors), e.g. 100000")
    bench.add_argument("--medquad", type=Path, help="MedQuAD's medquad.jsonl.gz (default: ../shared/data/medquad/ beside the repository)")
    bench.set_defaults(handler=_benchmark)

    convert = commands.add_parser("convert-medquad", parents=[common], help="MedQuAD consumer questions as an abstention set")
    convert.add_argument("--source", type=Path, default=MEDQUAD_QUESTIONS)
    convert.add_argument("--out", type=Path, default=MEDQUAD_SET)
    convert.set_defaults(handler=_convert)

    devset = commands.add_parser("split-devset", parents=[common], help="the writers' questions as dev_tune.jsonl and the frozen dev_test.jsonl")
    devset.set_defaults(handler=_split_devset)
    writers = commands.add_parser("writer-sets", parents=[common], help="the relevance writers' held-apart questions as evaluation sets")
    writers.set_defaults(handler=_writer_sets)
    reader = commands.add_parser("reader-sheet", parents=[common], help="a seeded sample of runs' answers as the chat shows them, for an independent reader")
    reader.add_argument("runs", type=Path, nargs="+")
    reader.add_argument("--n", type=int, default=50, help="answers from each run")
    reader.add_argument("--seed", type=int, default=19)
    reader.add_argument("--out", type=Path, required=True)
    reader.set_defaults(handler=_reader_sheet)
    audit = commands.add_parser("citation-sheet", parents=[common], help="every generator-written sentence of a run with the passage it cites, for an independent auditor")
    audit.add_argument("run", type=Path)
    audit.add_argument("--out", type=Path, required=True)
    audit.set_defaults(handler=_citation_sheet)
    verdicts = commands.add_parser("reader-score", parents=[common], help="the share of a reader sheet's answers understood")
    verdicts.add_argument("sheet", type=Path)
    verdicts.add_argument("verdicts", type=Path)
    verdicts.set_defaults(handler=_reader_score)


    calibrate = commands.add_parser("calibrate-judge", parents=[common], help="choose the judges' thresholds on labelled pairs")
    calibrate.add_argument("--judge", choices=["llm", "lexical", "both"], default="both")
    calibrate.add_argument("--pairs", type=Path, help="labelled pairs (default: evals/datasets/judge_pairs.jsonl)")
    calibrate.set_defaults(handler=_calibrate)
    return parser


def _reader_sheet(args: argparse.Namespace) -> int:
    from evals.readers import sheet  # noqa: PLC0415

    rows = sheet(args.runs, args.n, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    print(f"{len(rows)} answers -> {args.out}")
    return 0


def _citation_sheet(args: argparse.Namespace) -> int:
    from evals.readers import citation_sheet  # noqa: PLC0415

    rows = citation_sheet(args.run)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    print(f"{len(rows)} sentences -> {args.out}")
    return 0


def _reader_score(args: argparse.Namespace) -> int:
    from evals.readers import score  # noqa: PLC0415

    print(json.dumps(score(args.sheet, args.verdicts), indent=2))
    return 0


def _run(args: argparse.Namespace) -> int:
    from evals.dataset import load_dataset  # noqa: PLC0415
    from plain.judge import make_judge  # noqa: PLC0415
    from evals.runner import evaluate  # noqa: PLC0415
    from evals.thresholds import load_thresholds  # noqa: PLC0415

    dataset = load_dataset(args.dataset)  # check the files before loading any model
    if args.limit:
        dataset.items = dataset.items[: args.limit]
    thresholds = load_thresholds(args.thresholds) if args.thresholds else None
    out = args.out or RUNS_DIR / f"{args.dataset.stem}-{args.generator or 'auto'}"

    from assistant.api import Assistant  # noqa: PLC0415 - loads torch: after the checks above

    settings = Settings()
    assistant = Assistant(settings, generator=args.generator)
    # The local generator's model doubles as the judge: one copy of the weights in memory.
    chat_model = getattr(assistant.generator, "chat_model", None)
    judge = make_judge(args.judge, settings, model=chat_model if hasattr(chat_model, "yes_probability") else None)
    result = evaluate(dataset, assistant, judge, out, thresholds=thresholds, requested_generator=args.generator or "")
    return _conclude(result, out, thresholds is not None)


def _rescore(args: argparse.Namespace) -> int:
    from plain.judge import make_judge  # noqa: PLC0415
    from evals.report import load_report  # noqa: PLC0415
    from evals.runner import rescore  # noqa: PLC0415
    from evals.thresholds import load_thresholds  # noqa: PLC0415

    report = load_report(args.run)
    if args.dataset:
        from evals.dataset import load_dataset  # noqa: PLC0415

        items = {item.id: item.to_dict() for item in load_dataset(args.dataset).items}
        missing = [row["id"] for row in report["items"] if row["id"] not in items]
        if missing:
            print(f"{args.dataset} lacks items of the run: {missing[:5]}", file=sys.stderr)
            return 2
        report["items"] = [{**row, "item": items[row["id"]]} for row in report["items"]]
    thresholds = load_thresholds(args.thresholds) if args.thresholds else None
    result = rescore(report, make_judge(args.judge, Settings()), args.out, thresholds)
    return _conclude(result, args.out, thresholds is not None)


def _conclude(result, out: Path, gated: bool) -> int:  # type: ignore[no-untyped-def]
    _print_summary(result.report, out)
    for failed in result.failed_thresholds:
        print(f"THRESHOLD FAILED: {failed.text}", file=sys.stderr)
    if result.failed_thresholds:
        return 1
    if gated:
        print(f"All {len(result.thresholds)} thresholds met.", file=sys.stderr)
    return 0


def _print_summary(report: dict, out: Path) -> None:  # type: ignore[type-arg]
    from evals.metrics import METRICS  # noqa: PLC0415
    from evals.report import format_value  # noqa: PLC0415

    summary = report["summary"]
    judge = report["meta"]["judge"]
    print(f"{summary['items']} items ({summary['errors']} failed), citations judged by {judge['name']} ({judge['model']})", file=sys.stderr)
    for name, info in METRICS.items():
        print(f"  {info.label:<34} {format_value(name, summary.get(name))}", file=sys.stderr)
    print(f"Reports: {out}/report.html, report.md, report.json", file=sys.stderr)


def _compare(args: argparse.Namespace) -> int:
    from evals.compare import compare_reports, to_markdown  # noqa: PLC0415
    from evals.report import load_report  # noqa: PLC0415

    comparison = compare_reports(load_report(args.old), load_report(args.new))
    text = to_markdown(comparison)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(comparison, indent=1) if args.out.suffix == ".json" else text, encoding="utf-8")
    return 0


def _export_ragas(args: argparse.Namespace) -> int:
    from evals.ragas import write_ragas  # noqa: PLC0415
    from evals.report import load_report  # noqa: PLC0415

    run_dir = args.run or _latest_run()
    count = write_ragas(load_report(run_dir), args.out, args.layout)
    print(f"Wrote {count} rows from {run_dir} to {args.out} ({args.layout} RAGAS columns).", file=sys.stderr)
    return 0


def _latest_run() -> Path:
    reports = sorted(RUNS_DIR.glob("*/report.json"), key=lambda p: p.stat().st_mtime)
    if not reports:
        raise GuideError(f"No run under {RUNS_DIR}; run 'python -m evals run' first or give --run DIR.")
    return reports[-1].parent


def _benchmark(args: argparse.Namespace) -> int:
    from evals.benchmark import MEDQUAD_PATH, run_benchmark, scale_markdown, scale_timing, to_markdown  # noqa: PLC0415
    from index.embeddings import make_embedder  # noqa: PLC0415

    settings = Settings()
    data_dir = args.data_dir or settings.data_dir / "medquad-benchmark"
    medquad = args.medquad or MEDQUAD_PATH
    embeddings = make_embedder(settings)
    result = run_benchmark(
        medquad, data_dir, limit=args.limit, queries=args.queries, seed=args.seed, rebuild=args.rebuild, base=settings,
        embeddings=embeddings, fit_fusion=args.fit_fusion,
    )
    print(to_markdown(result))
    figures = result.to_dict()
    if args.scale_chunks:
        timing = scale_timing(medquad, data_dir, chunks=args.scale_chunks, seed=args.seed, base=settings, embeddings=embeddings)
        print(scale_markdown(timing))
        figures["scale"] = asdict(timing)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    return 0


def _convert(args: argparse.Namespace) -> int:
    from evals.dataset import convert_medquad, guide_titles, load_dataset, write_dataset  # noqa: PLC0415

    settings = Settings()
    items = convert_medquad(args.source, guide_titles(settings.corpus.guides_dir / "catalog.json"))
    write_dataset(items, args.out)
    load_dataset(args.out)  # what was written must read back
    abstain = sum(i.must_abstain for i in items)
    print(f"Wrote {len(items)} items to {args.out}: {abstain} must be declined, {len(items) - abstain} answered.", file=sys.stderr)
    return 0


def _writer_sets(args: argparse.Namespace) -> int:
    from evals.writers import write_writer_sets  # noqa: PLC0415

    second = Path(__file__).resolve().parent.parent / "tests" / "data" / "second_corpus"
    for path, count in write_writer_sets(Settings().corpus.guides_dir, second).items():
        print(f"{path}: {count} items")
    return 0


def _split_devset(args: argparse.Namespace) -> int:
    from evals.devset import TEST, TUNE, write_split  # noqa: PLC0415

    tune, test = write_split()
    print(f"Wrote {tune} tuning items to {TUNE} and {test} frozen test items to {TEST}.", file=sys.stderr)
    return 0


def _calibrate(args: argparse.Namespace) -> int:
    from plain.judge import PAIRS_PATH, LexicalJudge, LLMJudge, calibrate, load_pairs, save_calibration  # noqa: PLC0415

    pairs = load_pairs(args.pairs or PAIRS_PATH)
    results = []
    if args.judge in ("lexical", "both"):
        lexical = LexicalJudge(threshold=0.0)
        results.append(calibrate("lexical", lexical.model_name, lexical.score, pairs))
    if args.judge in ("llm", "both"):
        from assistant.llm import load_local_chat_model  # noqa: PLC0415

        settings = Settings()
        model = load_local_chat_model(settings)
        llm = LLMJudge(model, threshold=0.0, model_name=model.model_path.name)
        results.append(calibrate("llm", llm.model_name, llm.score, pairs))
    save_calibration(results)
    for r in results:
        print(
            f"{r.judge} ({r.model}): threshold {r.threshold}, accuracy {r.accuracy:.3f} (leave-one-out {r.cross_validated_accuracy:.3f}), "
            f"precision {r.precision:.3f}, recall {r.recall:.3f}, F1 {r.f1:.3f}, AUC {r.auc:.3f} on {r.pairs} pairs",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
