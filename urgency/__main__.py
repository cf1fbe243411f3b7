"""python -m urgency train

  train  fine-tune the emergency-now cross-encoder on evals/datasets/safety's training part, export it to
         int8 ONNX, choose its cut-off on the calibration part, and write assistant/urgency_model/ with
         its training report (about 10 min on 2 idle cores; needs requirements-train.txt)
"""

from __future__ import annotations

import argparse
import json
import logging
import sys

from core.errors import GuideError
from core.logs import configure_logging


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m urgency", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("train", help="fit the model and write assistant/urgency_model/")
    args = parser.parse_args(argv)
    configure_logging()
    try:
        if args.command == "train":
            from urgency.train import train  # noqa: PLC0415

            report = train()
            print(json.dumps({k: report[k] for k in ("cut", "training", "calibration", "test", "test_emergencies_the_model_missed")}, indent=1))
    except GuideError as error:
        logging.getLogger("urgency").error("%s", error)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
