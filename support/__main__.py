"""python -m support train | report | bench

  train   train the support check's cross-encoder on generated pairs (guides and public sentences),
          export it to int8 ONNX, choose its cut-off and rules on the tuning writers (writer-c, -l to -r), and
          write assistant/support_model/ with its training report (about 45 min on 2 idle cores)
  combine refit the combiner, both cut-offs and the hedge veto on the tuning writers for the shipped weights (after a
          change of the rules; seconds, no training)
  report  every variant of the check (today's, rules, model, both) on the test pairs (writer-a's
          and writer-b's, never fitted on) and on the tuning pairs, by kind of error
  bench   ms the check adds per answer sentence (run it on an idle machine)
  nli     build relevance/data/nli_pairs.jsonl.gz (public entailment and paraphrase pairs) from fetched snapshots
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from core.errors import GuideError
from core.logs import configure_logging
from core.settings import REPO_ROOT, Settings
from core.snapshots import DEFAULT_MIRROR

log = logging.getLogger("support")
SEED = 19
PAIRS_KEPT = 1 << 17  # pairs the model keeps scored while fitting and reporting: every pass over the tuning writers from its cache
MODEL_DIR = REPO_ROOT / "assistant" / "support_model"
VERSION = "s6"


def _manifest(files: dict[str, str], threshold: float, combiner: dict, extra: dict) -> dict:  # type: ignore[type-arg]
    """model.json; ``extra`` holds the weights' base model, seed and version (``train``: ``VERSION``; ``combine``: the
    version the weights were trained as, which a refit of the combiner does not change)."""
    from assistant.support import INPUT_FORMAT  # noqa: PLC0415

    return {
        "version": extra.get("version", VERSION), "input_format": INPUT_FORMAT, "model_file": "model_int8.onnx", "tokenizer_file": "tokenizer.json",
        "max_length": 128, "pad_id": 0, "files": files, "threshold": threshold, "combiner": combiner, "shortlist": 3, **extra,
    }


def _best_cut(tuning, variant: str, model, vectors, set_cut) -> tuple[float, dict]:  # type: ignore[no-untyped-def]
    """The cut-off with the best worst-of-the-three-goals on the tuning pairs (then balanced accuracy)."""
    from support.judge import goal_floor, judge_pairs, rates  # noqa: PLC0415

    best: tuple = (-1.0, -1.0, 0.5, {})  # type: ignore[type-arg]
    for t in [x / 40 for x in range(1, 40)]:
        set_cut(t)
        r = rates(judge_pairs(tuning, variant, model, vectors))
        key = (goal_floor(r), (float(r["faithful (kept)"]["right"]) + float(r["unfaithful (rejected)"]["right"])) / 2)
        if key > best[:2]:
            best = (*key, t, r)
    set_cut(best[2])
    return best[2], best[3]


def _choose(files: dict[str, str], extra: dict, vectors) -> dict:  # type: ignore[type-arg,no-untyped-def]
    """The model alone's cut-off, then the combiner and its cut-off, fitted on the tuning writers' pairs for the
    cross-encoder in MODEL_DIR; model.json written with them. Returns what was chosen."""
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415

    from assistant.support import FEATURES, SupportModel  # noqa: PLC0415
    from support.data import tuning_pairs  # noqa: PLC0415
    from support.judge import combiner_rows, goal_floor  # noqa: PLC0415

    # the weights' files are named before they are read; until the combiner is written the product refuses the model
    (MODEL_DIR / "model.json").write_text(json.dumps(_manifest(files, 0.5, {}, extra), indent=1) + "\n")
    model = SupportModel(MODEL_DIR, fitting=True, cache_size=PAIRS_KEPT)
    tuning = tuning_pairs()
    threshold, alone = _best_cut(tuning, "learned", model, vectors, lambda t: setattr(model, "threshold", t))
    x, y = combiner_rows(tuning, model, vectors)
    fit = LogisticRegression(C=1.0, class_weight="balanced", random_state=SEED, max_iter=1000).fit(x, y)
    model.weights = {k: round(float(w), 4) for k, w in zip(FEATURES, fit.coef_[0], strict=True)}
    model.bias = round(float(fit.intercept_[0]), 4)
    cut, together = _best_cut(tuning, "shipped", model, vectors, lambda t: setattr(model, "cut", t))
    # a dropped hedge failing whatever the combiner says: kept only if it raises the worst of the three goals there
    model.hedge_veto = True
    veto_cut, with_veto = _best_cut(tuning, "shipped", model, vectors, lambda t: setattr(model, "cut", t))
    model.hedge_veto = goal_floor(with_veto) > goal_floor(together)
    if model.hedge_veto:
        cut, together = veto_cut, with_veto
    combiner = {"weights": model.weights, "bias": model.bias, "threshold": cut, "hedge_veto": model.hedge_veto, "rows": len(y)}
    (MODEL_DIR / "model.json").write_text(json.dumps(_manifest(files, threshold, combiner, extra), indent=1) + "\n")
    return {"model_alone_threshold": threshold, "model_alone_tuning": alone, "combiner": combiner, "tuning": together}


def _test_rates(vectors) -> dict:  # type: ignore[type-arg,no-untyped-def]
    """Every variant of the check as model.json now stands, on the test writers' pairs (never fitted on)."""
    from assistant.support import SupportModel  # noqa: PLC0415
    from support.data import TEST_WRITERS, labelled  # noqa: PLC0415
    from support.judge import VARIANTS, judge_pairs, rates  # noqa: PLC0415

    model, test = SupportModel(MODEL_DIR, cache_size=PAIRS_KEPT), labelled(TEST_WRITERS)
    return {v: rates(judge_pairs(test, v, model, vectors)) for v in VARIANTS}


def train() -> dict:  # type: ignore[type-arg]
    from support.train import train as train_model  # noqa: PLC0415

    started = time.perf_counter()
    work = Settings().data_dir / "support-train"
    work.mkdir(parents=True, exist_ok=True)
    run = train_model(MODEL_DIR, work, SEED)
    from support.judge import Vectors  # noqa: PLC0415

    vectors = Vectors()  # the index's embedder, loaded once for the choice and the test figures
    chosen = _choose(run["files"], {"base_model": run["base_model"], "seed": SEED}, vectors)
    report = {
        "version": VERSION,
        "about": "The support check (assistant/support.py): a cross-encoder trained by `python -m support train` on pairs "
                 "generated from the guides and public sentences (support/train.py), and a logistic combiner of its logit, "
                 "the cosine, the word share and the rules, fitted on the tuning writers' pairs; both cut-offs and the hedge veto chosen there "
                 "(the best worst-of-the-three-goals, then balanced accuracy). Figures of the test writers' pairs, never "
                 "fitted on, for every variant.",
        "training": {k: run[k] for k in ("rows", "positive", "config", "base_model", "run")},
        "chosen": chosen,
        "test": _test_rates(vectors),
        "seconds": round(time.perf_counter() - started, 1),
    }
    (MODEL_DIR / "training_report.json").write_text(json.dumps(report, indent=1) + "\n")
    return report


def combine() -> dict:  # type: ignore[type-arg]
    """The combiner, both cut-offs and the hedge veto fitted again on the tuning writers for the shipped cross-encoder, whose
    weights stay as they are (after a change of the rules it weighs); model.json and the training report's
    choices and test figures written again."""
    from support.judge import Vectors  # noqa: PLC0415

    manifest = json.loads((MODEL_DIR / "model.json").read_text())
    vectors = Vectors()
    chosen = _choose(manifest["files"], {"base_model": manifest["base_model"], "seed": manifest["seed"],
                                         "version": manifest["version"]}, vectors)
    path = MODEL_DIR / "training_report.json"
    report = json.loads(path.read_text())
    report |= {"chosen": chosen, "test": _test_rates(vectors),
               "combined_again": "the combiner and cut-offs refitted by `python -m support combine` after the rules changed; "
                                 "the cross-encoder's weights and training are as trained"}
    path.write_text(json.dumps(report, indent=1) + "\n")
    return report


def report() -> dict:  # type: ignore[type-arg]
    from assistant.support import SupportModel  # noqa: PLC0415
    from support.data import TEST_WRITERS, labelled, seen_in_training, tuning_pairs  # noqa: PLC0415
    from support.judge import VARIANTS, Vectors, judge_pairs, rates  # noqa: PLC0415

    model, vectors = SupportModel(MODEL_DIR, cache_size=PAIRS_KEPT), Vectors()
    out: dict = {}  # type: ignore[type-arg]
    test = labelled(TEST_WRITERS)
    seen = {p.id for p in seen_in_training(test)}
    unseen = [p for p in test if p.id not in seen]
    sets = {"test (writer-a, writer-b)": test, f"test, less the {len(seen)} the training writers also wrote (or one word from)": unseen,
            "tuning (writer-c, -l to -r)": tuning_pairs()}
    for name, pairs in sets.items():
        out[name] = {v: rates(judge_pairs(pairs, v, model, vectors)) for v in VARIANTS}
    judged = judge_pairs(labelled(TEST_WRITERS), "shipped", model, vectors)
    out["test misses (shipped)"] = [
        {"id": j.pair.id, "type": j.pair.type, "claim": j.pair.claim, "reason": j.reason} for j in judged if j.supported != j.pair.faithful
    ]
    return out


def table(result: dict) -> str:  # type: ignore[type-arg]
    from support.judge import VARIANTS  # noqa: PLC0415

    lines = []
    for name, variants in result.items():
        if not isinstance(variants, dict) or "shipped" not in variants:
            continue
        lines += [f"\n{name}", f"{'':36}" + "".join(f"{v:>9}" for v in VARIANTS)]
        for row, figures in variants["shipped"].items():
            lines.append(f"{row + ' (' + str(figures['n']) + ')':36}" + "".join(f"{variants[v][row]['right']:>9.3f}" for v in VARIANTS))
    return "\n".join(lines)


def bench(repeat: int, folders: Sequence[Path] = (MODEL_DIR,)) -> dict:  # type: ignore[type-arg]
    """ms per answer sentence: the check of one claim against its passage (vectors of the passages and
    of the claim are made by the answer path anyway and are not counted); with several model
    folders, each timed in turn, twice, in one run (a ratio that load on the machine spoils less)."""
    from assistant.support import SupportModel  # noqa: PLC0415
    from support.data import TEST_WRITERS, labelled  # noqa: PLC0415
    from support.judge import Vectors, judge_pairs  # noqa: PLC0415

    pairs = labelled(TEST_WRITERS)[:repeat]
    vectors = Vectors()
    judge_pairs(pairs[:3], "shipped", SupportModel(folders[0]), vectors)  # load and embed the guides once
    vectors.get([p.claim for p in pairs])
    timed: dict[str, list[float]] = {}
    for _ in range(2 if len(folders) > 1 else 1):
        for folder in folders:
            model = SupportModel(folder)  # a fresh one: no pair is scored from its cache
            start = time.perf_counter()
            judge_pairs(pairs, "shipped", model, vectors)
            timed.setdefault(model.name, []).append(round((time.perf_counter() - start) * 1000 / len(pairs), 2))
    if len(folders) == 1:
        return {"sentences": len(pairs), "ms_per_sentence": next(iter(timed.values()))[0]}
    return {"sentences": len(pairs), "ms_per_sentence": timed}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m support", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("train", help="train, export, choose cut-off and rules, report")
    sub.add_parser("combine", help="refit the combiner, cut-offs and hedge veto on the tuning writers, weights unchanged")
    sub.add_parser("report", help="every variant on the test and tuning pairs")
    b = sub.add_parser("bench", help="ms per answer sentence")
    b.add_argument("--repeat", type=int, default=200)
    b.add_argument("--model", type=Path, action="append", dest="folders",
                   help="a support model folder to time (repeatable; default: the shipped one)")
    nli = sub.add_parser("nli", help="build the public entailment and paraphrase pairs from fetched repository snapshots")
    nli.add_argument("--mirror", type=Path, default=DEFAULT_MIRROR, help="folder of fetched snapshots (owner+name/repo)")
    args = parser.parse_args(argv)
    configure_logging()
    try:
        if args.command == "train":
            result = train()
            print(table({"test (writer-a, writer-b)": result["test"]}))
            print(json.dumps(result["chosen"]["combiner"]))
        elif args.command == "combine":
            result = combine()
            print(table({"test (writer-a, writer-b)": result["test"]}))
            print(json.dumps(result["chosen"]["combiner"]))
        elif args.command == "report":
            result = report()
            (REPO_ROOT / "support" / "report.json").write_text(json.dumps(result, indent=1) + "\n")
            print(table(result))
        elif args.command == "nli":
            from support.nli import build_nli_pairs  # noqa: PLC0415

            print(json.dumps(build_nli_pairs(args.mirror), indent=1))
        else:
            print(json.dumps(bench(args.repeat, args.folders or (MODEL_DIR,))))
    except GuideError as error:
        print(error, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
