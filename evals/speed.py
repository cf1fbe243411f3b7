"""Speed figures of the core pipeline, printed (not asserted): index build, retrieval, answers.

    python -m evals.speed [--generator extractive|local|openai] [--repeats 20]

Builds the four guides into a fresh temporary index (cold: every chunk embedded), rebuilds
it (warm: nothing to embed), times retrieval over a fixed question list, then answers three
questions with the chosen generator and reports time to first token and total time.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import tempfile
import time
from pathlib import Path

from core.logs import configure_logging
from core.settings import Settings

RETRIEVAL_QUESTIONS = [
    "What does riluzole do?",
    "How can palliative care help someone with ALS?",
    "Which medicines are tried when scleroderma resists treatment?",
    "What did the Italian study of magnetic stimulation find?",
    "What is tofersen?",
    "Is there a drug for lung fibrosis in scleroderma?",
    "What assistive technology helps people with ALS?",
    "Why do some patients not respond to treatment?",
]
ANSWER_QUESTIONS = [
    "What does riluzole do?",
    "How does magnetic stimulation help people with ALS?",
    "What can help when scleroderma does not respond to standard treatment?",
]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.speed", description=__doc__.split("\n\n")[0])
    parser.add_argument("--generator", choices=["extractive", "local", "openai"], default="extractive")
    parser.add_argument("--repeats", type=int, default=20, help="retrieval timings per question")
    args = parser.parse_args(argv)
    configure_logging(level=logging.WARNING)
    from assistant.api import Assistant  # noqa: PLC0415
    from index.build import build_index  # noqa: PLC0415
    from index.embeddings import SentenceTransformerEmbeddings  # noqa: PLC0415
    from index.store import GuideStore  # noqa: PLC0415

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp))
        started = time.perf_counter()
        embeddings = SentenceTransformerEmbeddings(settings.index.embedding_model)
        load_s = time.perf_counter() - started
        store = GuideStore(settings, embeddings)
        cold = build_index(settings, store)
        warm = build_index(settings, store)
        print(f"embedding model load: {load_s:.1f} s")
        print(f"index build, 4 guides, cold: {cold.seconds:.2f} s ({cold.chunks_embedded} chunks embedded)")
        print(f"index build, 4 guides, unchanged: {warm.seconds:.2f} s ({warm.chunks_embedded} chunks embedded)")

        assistant = Assistant(settings, generator=args.generator, embeddings=embeddings, store=store, build=False)
        timings = []
        for question in RETRIEVAL_QUESTIONS:
            assistant.retriever.search(question)  # warm the caches once
            for _ in range(args.repeats):
                t = time.perf_counter()
                assistant.retriever.search(question)
                timings.append((time.perf_counter() - t) * 1000)
        print(
            f"retrieval (embed query + dense + BM25 + fusion), {len(timings)} searches: "
            f"p50 {statistics.median(timings):.1f} ms, p95 {_pct(timings, 0.95):.1f} ms"
        )
        print(f"\nanswers with the {assistant.generator.name} generator ({assistant.generator.model}):")
        print("| question | retrieval ms | first token ms | total ms | coverage | sentences kept/drafted |")
        print("|---|---:|---:|---:|---|---:|")
        for question in ANSWER_QUESTIONS:
            answer = assistant.ask(question)
            t = answer.timings_ms
            kept = sum(c.action != "removed" for c in answer.checks)
            print(f"| {question} | {t['retrieval']:.0f} | {t['first_token']:.0f} | {t['total']:.0f} | {answer.coverage} | {kept}/{len(answer.checks)} |")
            logging.getLogger(__name__).debug(answer.answer)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
