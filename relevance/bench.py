"""How long scoring one question's candidate sentences takes with the shipped int8 model.

``python -m relevance bench``: ``candidates`` statements of the guides (about what the top
passages of one question hold), scored cold (a new question each time, so no pair is cached)
``repeat`` times; prints p50 / p95 / max in milliseconds. Timings vary with load: run it on an
idle machine and say so beside the figure.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from assistant.evidence import is_statement
from assistant.relevance import RelevanceModel, chunk_sentences, load_relevance_model
from core.settings import Settings
from relevance.pairs import guide_reader

QUESTIONS = (
    "my husband has als and riluzole is not helping, is there anything else we can try",
    "can i take ibuprofen with methotrexate",
    "what did the italian study of magnetic stimulation find",
    "how does nintedanib help the lungs in scleroderma",
)


def _candidates(settings: Settings, count: int) -> list[str]:
    from corpus.loaders import load_paths  # noqa: PLC0415
    from index.chunking import chunk_document  # noqa: PLC0415

    documents, _ = load_paths([settings.corpus.guides_dir], domain=settings.domain)
    chunks = [c for d in documents for c in chunk_document(d, settings.index.chunk_size, settings.index.chunk_overlap_sentences)]
    texts = [c.model_text for chunk in chunks for c in chunk_sentences(chunk) if is_statement(c.text)]
    return (texts * (count // max(len(texts), 1) + 1))[:count]


def bench(settings: Settings, candidates: int = 30, repeat: int = 20) -> dict[str, Any]:
    model: RelevanceModel = load_relevance_model(settings)
    reader, _ = guide_reader(settings)
    texts = _candidates(settings, candidates)
    times = []
    for round_ in range(repeat):
        question = reader.read(QUESTIONS[round_ % len(QUESTIONS)]).text + f" {round_}"  # a new question: nothing cached
        started = time.perf_counter()
        model.score(question, texts)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "candidates": len(texts),
        "repeat": repeat,
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
        "max_ms": round(times[-1], 1),
        "model": model.name,
    }
