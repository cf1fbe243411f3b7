"""Speed figures of the core pipeline, printed (not asserted): index build, retrieval, answers.

    python -m evals.speed [--generator extractive|local|openai] [--repeats 20]

Builds the four guides into a fresh temporary index (cold: every chunk embedded), rebuilds
it (warm: nothing to embed), times retrieval over a fixed question list, then answers three
questions with the chosen generator and reports, for each, where the seconds went: the
prompt's tokens and how many the model read now (the rest was its cached prefix), the
prefill time, the generation rate, the time to the first checked sentence and the time spent
outside the generator (evidence gate and citation checks). The machine's load average is
printed before and after: the figures mean little without it.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from assistant.generators import Generator
from assistant.types import Passage, Turn
from core.logs import configure_logging
from core.settings import GENERATOR_KINDS, Settings

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


class TimedGenerator(Generator):
    """The generator under test, counting the seconds spent inside its stream."""

    def __init__(self, inner: Generator) -> None:
        self.inner = inner
        self.name = inner.name
        self.model = inner.model
        self.seconds = 0.0

    def stream(self, question: str, passages: Sequence[Passage]) -> Iterator[str]:
        pieces = iter(self.inner.stream(question, passages))
        while True:
            started = time.perf_counter()
            try:
                piece = next(pieces)
            except StopIteration:
                return
            finally:
                self.seconds += time.perf_counter() - started
            yield piece

    def rewrite(self, question: str, history: Sequence[Turn]) -> str | None:
        return self.inner.rewrite(question, history)

    def model_stats(self) -> Any:
        """The local model's counters for its latest call, or None for other generators."""
        return getattr(getattr(self.inner, "chat_model", None), "last_stats", None)


def _load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg()) + f" on {os.cpu_count()} CPUs"


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.speed", description=__doc__.split("\n\n")[0])
    parser.add_argument("--generator", choices=GENERATOR_KINDS, default="extractive")
    parser.add_argument("--repeats", type=int, default=20, help="retrieval timings per question")
    args = parser.parse_args(argv)
    configure_logging(level=logging.WARNING)
    print(_load())
    from assistant.api import Assistant  # noqa: PLC0415
    from assistant.chain import AnswerChain  # noqa: PLC0415
    from index.build import build_index  # noqa: PLC0415
    from index.embeddings import make_embedder  # noqa: PLC0415
    from index.store import open_store  # noqa: PLC0415

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp))
        started = time.perf_counter()
        embeddings = make_embedder(settings)
        load_s = time.perf_counter() - started
        store = open_store(settings, embeddings)
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
        print(f"\nanswers with the {assistant.generator.name} generator ({assistant.generator.model}); {_load()}:")
        timed = TimedGenerator(assistant.generator)
        chain = AnswerChain(settings, assistant.retriever, assistant.vectors, timed)
        chain.warm_up(assistant.retriever.chunks)
        print(
            "| question | prompt tokens (read now) | prefill s | generated tokens | generation tok/s "
            "| first checked sentence s | total s | outside the generator s | coverage | sentences kept/drafted |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|---|---:|")
        for question in ANSWER_QUESTIONS:
            timed.seconds = 0.0
            answer = [e.answer for e in chain.stream(question) if e.kind == "final"][0]
            t, stats = answer.timings_ms, timed.model_stats()
            kept = sum(c.action != "removed" for c in answer.checks)
            outside = t["total"] / 1000 - t["retrieval"] / 1000 - timed.seconds
            model = (
                f"{stats.prompt_tokens} ({stats.prefill_tokens}) | {stats.prefill_s:.2f} | {stats.generated_tokens} | {stats.generation_rate:.1f}"
                if stats and answer.generator == timed.name
                else "— | — | — | —"
            )
            print(
                f"| {question} | {model} | {t['first_token'] / 1000:.2f} | {t['total'] / 1000:.2f} | {outside:.2f} "
                f"| {answer.coverage} | {kept}/{len(answer.checks)} |"
            )
            logging.getLogger(__name__).debug(answer.answer)
        print(_load())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
