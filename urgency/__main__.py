"""python -m urgency train | report | crisis | crisis-report | bench

  train  fine-tune the emergency-now cross-encoder on evals/datasets/safety's training part, export it to
         int8 ONNX, choose its cut-off on the calibration part, and write assistant/urgency_model/ with
         its training report (about 4 min on 2 idle cores; needs requirements-train.txt)
  report choose the cut-offs and write the training report again for the weights already in
         assistant/urgency_model/ (seconds; what train ends with); --model DIR: for a copy of other
         weights (say u2's, from git), written into DIR
  crisis fine-tune the crisis cross-encoder (someone thinking of ending their life or harming themselves) on
         evals/datasets/crisis's training part, export it to int8 ONNX, choose its cut-off on the calibration
         part, and write assistant/crisis_model/ with its training report (a few minutes on 2 idle cores)
  crisis-report the cut-off and the report again for the weights in assistant/crisis_model/ (seconds)
  bench  ms the model, the crisis model (crisis_*) and the respelling of emergency words add to each message (the safety check reads every one); run it on an idle machine
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from core.errors import GuideError
from core.logs import configure_logging


def _bench(count: int) -> dict[str, float]:
    """Load time, then ms per message over the test part's messages (each read once, as the chat does)."""
    import time  # noqa: PLC0415

    import numpy as np  # noqa: PLC0415

    from assistant.urgency import load_urgency_model  # noqa: PLC0415
    from urgency.data import load_messages  # noqa: PLC0415

    started = time.perf_counter()
    model = load_urgency_model()
    load_ms = (time.perf_counter() - started) * 1000
    texts = [m.text for m in load_messages() if m.part() == "test"][:count]
    model.chance_now(texts[0])  # the first run allocates
    times = []
    for text in texts:
        t = time.perf_counter()
        model.chance_now(text)
        times.append((time.perf_counter() - t) * 1000)
    from assistant.safety import as_read  # noqa: PLC0415

    as_read(texts[0])  # the dictionary loads once
    t = time.perf_counter()
    for text in texts:
        as_read(text)
    respell_ms = (time.perf_counter() - t) * 1000 / len(texts)
    from assistant.crisis import load_crisis_model  # noqa: PLC0415

    crisis = load_crisis_model()
    crisis.chance(texts[0])
    crisis_times = []
    for text in texts:
        t = time.perf_counter()
        crisis.chance(text)
        crisis_times.append((time.perf_counter() - t) * 1000)
    return {"messages": len(texts), "load_ms": round(load_ms, 1), "p50_ms": round(float(np.percentile(times, 50)), 2),
            "p95_ms": round(float(np.percentile(times, 95)), 2), "max_ms": round(max(times), 2),
            "crisis_p50_ms": round(float(np.percentile(crisis_times, 50)), 2),
            "crisis_p95_ms": round(float(np.percentile(crisis_times, 95)), 2),
            "respelling_ms_per_message": round(respell_ms, 4)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m urgency", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("train", help="fit the model and write assistant/urgency_model/")
    report_cmd = sub.add_parser("report", help="the cut-offs and the report again, for the shipped weights")
    report_cmd.add_argument("--model", type=Path, default=None,
                        help="another model folder (a copy of earlier weights): its cut-offs and report are written there")
    sub.add_parser("crisis", help="fit the crisis model and write assistant/crisis_model/")
    sub.add_parser("crisis-report", help="the crisis model's cut-off and report again, for the shipped weights")
    bench = sub.add_parser("bench", help="time the model on the test part's messages")
    bench.add_argument("--messages", type=int, default=200)
    args = parser.parse_args(argv)
    configure_logging()
    try:
        if args.command == "train":
            from urgency.train import train  # noqa: PLC0415

            report = train()
        elif args.command == "report":
            from urgency.train import calibrate_and_report  # noqa: PLC0415

            report = calibrate_and_report(args.model) if args.model else calibrate_and_report()
        elif args.command in ("crisis", "crisis-report"):
            from urgency.crisis import calibrate_crisis, train_crisis  # noqa: PLC0415

            report = train_crisis() if args.command == "crisis" else calibrate_crisis()
            print(json.dumps({k: report[k] for k in ("cut", "training", "calibration", "test", "test_crisis_missed")}, indent=1))
            return 0
        if args.command in ("train", "report"):
            keys = ("cut", "mention_cut", "training", "calibration", "test", "with_the_phrases_but_surely_not_now", "test_emergencies_the_model_missed")
            print(json.dumps({k: report[k] for k in keys}, indent=1))
        else:
            print(json.dumps(_bench(args.messages), indent=1))
    except GuideError as error:
        logging.getLogger("urgency").error("%s", error)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
