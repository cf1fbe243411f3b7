"""python -m relevance public | train | calibrate | topic | figures | bench

  public  build relevance/data/public_pairs.jsonl.gz from fetched snapshots (--mirror DIR)
  train   train, export, calibrate and report the relevance model (about 40 min on 2 idle cores)
  calibrate fit how an answer weighs the model's score with the bi-encoder's cosine, and which
          sentences it shows, on the calibration writers (the weights are not changed; a few minutes)
  topic   train the everyday-request model (not about health or care: not answered from the guides) (about 2 min;
          --mirror DIR first builds its everyday requests from CLINC150's snapshot)
  figures the shipped model's figures on some writers' questions (those who wrote after it was trained)
  bench   time scoring one question's candidate sentences with the shipped model

Run bench on an idle machine and say so next to the figure: timings here vary with load.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from core.errors import GuideError
from core.logs import configure_logging
from core.settings import REPO_ROOT, Settings
from core.snapshots import DEFAULT_MIRROR


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m relevance", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    public = sub.add_parser("public", help="build the public pairs from fetched repository snapshots")
    public.add_argument("--mirror", type=Path, default=DEFAULT_MIRROR, help="folder of fetched snapshots (owner+name/repo)")
    public.add_argument("--medquad-questions", type=Path, default=REPO_ROOT.parent / "shared" / "evals" / "medquad_questions.jsonl")
    sub.add_parser("train", help="train, export, calibrate and report the model")
    sub.add_parser("calibrate", help="fit the answer's reading (model score and cosine) and selection rule into the shipped manifest")
    topic = sub.add_parser("topic", help="train the everyday-request model into assistant/topic_model/")
    topic.add_argument("--mirror", type=Path, default=None, help="folder of fetched snapshots: build the everyday requests from CLINC150's first")
    figures = sub.add_parser("figures", help="the shipped model's figures on the named writers' questions")
    figures.add_argument("writers", nargs="+", help="writer folder names, e.g. daughter-researcher husband-bulbar")
    bench = sub.add_parser("bench", help="time scoring of candidate sentences")
    bench.add_argument("--candidates", type=int, default=30)
    bench.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    configure_logging()
    try:
        if args.command == "public":
            from relevance.public import build_public_pairs  # noqa: PLC0415

            print(json.dumps(build_public_pairs(args.mirror, args.medquad_questions), indent=1))
        elif args.command == "train":
            from relevance.build import build_model  # noqa: PLC0415

            report = build_model(Settings())
            print(json.dumps(report["figures"], indent=1))
        elif args.command == "calibrate":
            from relevance.build import calibrate_reading  # noqa: PLC0415

            print(json.dumps(calibrate_reading(Settings()), indent=1))
        elif args.command == "topic":
            from relevance.topic import build_everyday_queries, train_topic  # noqa: PLC0415

            if args.mirror is not None:
                print(json.dumps(build_everyday_queries(args.mirror), indent=1))
            print(json.dumps(train_topic(Settings()), indent=1))
        elif args.command == "figures":
            from relevance.build import writer_figures  # noqa: PLC0415

            print(json.dumps(writer_figures(Settings(), args.writers), indent=1))
        else:
            from relevance.bench import bench as run_bench  # noqa: PLC0415

            print(json.dumps(run_bench(Settings(), args.candidates, args.repeat), indent=1))
    except GuideError as error:
        logging.getLogger("relevance").error("%s", error)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
