"""Retrieval benchmark on MedQuAD: each answer a document, its own question the query.

Indexes the answers into a collection of their own (the guides' index is not touched) with
the project's chunking, embeddings and Chroma store, then ranks documents for a fixed random
sample of questions three ways: BM25 alone, dense alone, and the fused retriever the
assistant uses. A document ranks where its first passage ranks.

A question's relevant documents are its own answer and any document with the very same
answer text (MedQuAD repeats some answers under other questions). Other answers to the
same question text (MedQuAD asks "What is (are) X ?" of several sources) count as misses,
so the figures are a lower bound; the output says how many sampled questions have such twins.

The fusion weight (``settings.retrieval.bm25_weight``) is fitted here: the sampled questions
are split in two (by the seed), the weight that gives the best MRR@10 on one half is chosen,
and all methods are scored on the other half. ``scale_timing`` times retrieval at a size no
MedQuAD index reaches (100,000 chunks) with synthetic vectors: the time depends on the count,
not on what the vectors mean.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import random
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from core.errors import GuideError
from core.settings import REPO_ROOT, Settings
from corpus.cleaning import clean_text
from corpus.types import Document

log = logging.getLogger(__name__)

MEDQUAD_PATH = REPO_ROOT.parent / "shared" / "data" / "medquad" / "medquad.jsonl.gz"
CUTOFFS = (1, 5, 10)
POOL = 60  # passages fetched per method before ranking documents: enough for 10 distinct ones
FUSION_WEIGHTS = tuple(round(0.05 * i, 2) for i in range(21))  # BM25 weights tried, 0 to 1


@dataclass(frozen=True)
class Pair:
    doc_id: str
    question: str
    answer: str
    focus: str
    source: str


def load_medquad(path: Path = MEDQUAD_PATH) -> list[Pair]:
    if not Path(path).is_file():
        raise GuideError(f"MedQuAD not found at {path}; it ships in ../shared/data/medquad/ beside the repository.")
    pairs = []
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            row = json.loads(line)
            # qid repeats across MedQuAD's sources: the line number is the stable id.
            pairs.append(Pair(f"mq{number:05d}", row["question"].strip(), row["answer"], row.get("focus") or "", row.get("source") or ""))
    return pairs


def to_document(pair: Pair) -> Document:
    """The answer as a document; its title is the topic (``focus``), never the question."""
    text, offsets = clean_text(pair.answer)
    return Document(doc_id=pair.doc_id, title=pair.focus or pair.source, text=text, source=f"MedQuAD/{pair.source}",
                    offset_map=offsets)


def sample(pairs: Sequence[Pair], limit: int | None, queries: int, seed: int) -> tuple[list[Pair], list[Pair]]:
    """(documents to index, questions to ask): all documents, or ``limit`` random ones, and
    up to ``queries`` random questions among the indexed documents."""
    rng = random.Random(seed)
    indexed = list(pairs) if not limit or limit >= len(pairs) else rng.sample(list(pairs), limit)
    asked = rng.sample(indexed, min(queries, len(indexed)))
    return indexed, asked


def relevant_sets(indexed: Sequence[Pair], asked: Sequence[Pair]) -> dict[str, set[str]]:
    by_answer: dict[str, set[str]] = defaultdict(set)
    for pair in indexed:
        by_answer[" ".join(pair.answer.split())].add(pair.doc_id)
    return {q.doc_id: by_answer[" ".join(q.answer.split())] for q in asked}


def question_twins(indexed: Sequence[Pair], asked: Sequence[Pair]) -> int:
    """Sampled questions whose exact text is also asked of another indexed document."""
    counts: dict[str, int] = defaultdict(int)
    for pair in indexed:
        counts[pair.question.lower()] += 1
    return sum(1 for q in asked if counts[q.question.lower()] > 1)


# --- scoring --------------------------------------------------------------------------


def distinct(doc_ids: Sequence[str], count: int = max(CUTOFFS)) -> list[str]:
    return list(dict.fromkeys(doc_ids))[:count]


def score_rankings(rankings: dict[str, list[str]], relevant: dict[str, set[str]]) -> dict[str, float]:
    """Recall@1/5/10 (a relevant document among the first k) and MRR (over the first 10)."""
    scores: dict[str, float] = {f"recall@{k}": 0.0 for k in CUTOFFS}
    scores["mrr"] = 0.0
    for query_id, ranking in rankings.items():
        rank = next((i + 1 for i, d in enumerate(ranking) if d in relevant[query_id]), None)
        for k in CUTOFFS:
            scores[f"recall@{k}"] += 1.0 if rank is not None and rank <= k else 0.0
        scores["mrr"] += 1.0 / rank if rank else 0.0
    return {name: round(total / len(rankings), 4) for name, total in scores.items()} if rankings else scores


# --- the run --------------------------------------------------------------------------


@dataclass
class IndexTiming:
    documents: int
    chunks: int
    words: int
    seconds: float
    measured_now: bool
    measured_at: str

    @property
    def chunks_per_second(self) -> float:
        return self.chunks / self.seconds if self.seconds else 0.0

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds else 0.0


@dataclass
class FusionFit:
    """The BM25 weight fitted on one half of the questions, and every method on the other half."""

    fit_queries: int
    test_queries: int
    by_weight: dict[float, dict[str, float]]  # fit half: scores of the fused list per weight
    chosen: float
    test: dict[str, dict[str, float]]  # test half: BM25, dense, equal-vote fusion, fitted fusion
    test_by_weight: dict[float, dict[str, float]] = field(default_factory=dict)  # test half, every weight (not used to choose)


@dataclass
class BenchmarkResult:
    collection: str
    documents_indexed: int
    queries: int
    limit: int | None
    seed: int
    question_twins: int
    index: IndexTiming
    methods: dict[str, dict[str, float]] = field(default_factory=dict)
    query_ms: dict[str, float] = field(default_factory=dict)
    embedding_model: str = ""
    chunk_size: int = 0
    fusion: FusionFit | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["index"]["chunks_per_second"] = round(self.index.chunks_per_second, 1)
        data["index"]["words_per_second"] = round(self.index.words_per_second, 1)
        return data


def run_benchmark(
    medquad: Path,
    data_dir: Path,
    *,
    limit: int | None = None,
    queries: int = 2000,
    seed: int = 13,
    rebuild: bool = False,
    base: Settings | None = None,
    embeddings: Any = None,
    progress: bool | None = None,
    fit_fusion: bool = False,
) -> BenchmarkResult:
    from assistant.retrieval import HybridRetriever  # noqa: PLC0415
    from index.build import index_documents  # noqa: PLC0415
    from index.embeddings import make_embedder  # noqa: PLC0415
    from index.store import drop_index, open_store  # noqa: PLC0415

    pairs = load_medquad(medquad)
    indexed, asked = sample(pairs, limit, queries, seed)
    settings = benchmark_settings(base or Settings(), data_dir, limit, seed)
    embeddings = embeddings or make_embedder(settings)
    if rebuild:
        drop_index(settings)
    store = open_store(settings, embeddings)

    log.info("indexing %d MedQuAD answers into '%s'", len(indexed), store.name)
    documents = [to_document(p) for p in indexed]
    started = time.perf_counter()
    report = index_documents(settings, store, documents, progress=progress)
    timing = _index_timing(settings, store.name, documents, report, time.perf_counter() - started)

    retriever = HybridRetriever(store=store, settings=settings)
    retriever.refresh()
    vectors = embeddings.embed_documents([q.question for q in asked])
    methods = {
        "BM25": lambda q, v: [c.doc_id for c, _ in retriever.keyword_search(q, POOL)],
        "dense": lambda q, v: [c.doc_id for c, _ in store.dense_search(v, POOL)],
        "fused (hybrid)": lambda q, v: [p.chunk.doc_id for p in retriever.search(q, k=POOL, query_vector=v)],
    }
    relevant = relevant_sets(indexed, asked)
    result = BenchmarkResult(
        collection=store.name,
        documents_indexed=len(indexed),
        queries=len(asked),
        limit=limit,
        seed=seed,
        question_twins=question_twins(indexed, asked),
        index=timing,
        embedding_model=settings.index.embedding_model,
        chunk_size=settings.index.chunk_size,
    )
    for name, rank in methods.items():
        rankings, seconds = _rank_all(rank, asked, vectors, progress, name)
        result.methods[name] = score_rankings(rankings, relevant)
        result.query_ms[name] = round(seconds * 1000 / max(len(asked), 1), 2)
        log.info("%s: %s", name, result.methods[name])
    if fit_fusion:
        result.fusion = fit_fusion_weight(retriever, asked, vectors, relevant, settings, seed)
    return result


def fit_fusion_weight(
    retriever: Any, asked: Sequence[Pair], vectors: Sequence[list[float]], relevant: dict[str, set[str]], settings: Settings, seed: int
) -> FusionFit:
    """Choose the BM25 weight on one half of ``asked``: the best MRR@10 (then recall@1, then
    the weight nearest equal votes) among the weights whose recall@5 and @10 are at least the
    better single list's, so the fused list gains at the top without losing depth. Score it
    against both single lists on the other half."""
    from assistant.retrieval import fuse  # noqa: PLC0415

    doc_of = {c.chunk_id: c.doc_id for c in retriever.chunks}
    lists: dict[str, tuple[list[str], list[str]]] = {}
    for question, vector in zip(asked, vectors, strict=True):
        dense, keyword = retriever.candidates(question.question, list(vector))
        lists[question.doc_id] = ([c.chunk_id for c, _ in dense], [cid for cid, _ in keyword])
    order = [q.doc_id for q in asked]
    random.Random(seed).shuffle(order)
    fit_ids, test_ids = order[: len(order) // 2], order[len(order) // 2 :]

    def fused(ids: Sequence[str], weight: float) -> dict[str, list[str]]:
        rankings = {}
        for query_id in ids:
            scores = fuse(*lists[query_id], settings.retrieval.rrf_k, weight)
            rankings[query_id] = distinct([doc_of[c] for c in sorted(scores, key=lambda c: (-scores[c], c))])
        return rankings

    def scored(rankings: dict[str, list[str]]) -> dict[str, float]:
        return score_rankings(rankings, {q: relevant[q] for q in rankings})

    def single(ids: Sequence[str], which: int) -> dict[str, float]:
        return scored({q: distinct([doc_of[c] for c in lists[q][which]]) for q in ids})

    by_weight = {w: scored(fused(fit_ids, w)) for w in FUSION_WEIGHTS}
    floor = {k: max(single(fit_ids, 0)[k], single(fit_ids, 1)[k]) for k in ("recall@5", "recall@10")}
    deep_enough = [w for w in FUSION_WEIGHTS if all(by_weight[w][k] >= floor[k] for k in floor)] or list(FUSION_WEIGHTS)
    chosen = max(deep_enough, key=lambda w: (by_weight[w]["mrr"], by_weight[w]["recall@1"], w))
    test = {
        "BM25": single(test_ids, 1),
        "dense": single(test_ids, 0),
        "fused, equal votes (weight 1)": scored(fused(test_ids, 1.0)),
        f"fused, fitted weight {chosen:g}": scored(fused(test_ids, chosen)),
    }
    test_by_weight = {w: scored(fused(test_ids, w)) for w in FUSION_WEIGHTS}
    return FusionFit(len(fit_ids), len(test_ids), by_weight, chosen, test, test_by_weight)


# --- retrieval time at scale ---------------------------------------------------------


class SyntheticEmbeddings:
    """Unit vectors drawn from a hash of each text: an index of any size without the hours of
    embedding (a LangChain ``Embeddings``). Dense search time depends on the number of vectors
    and their dimension, not on what they mean."""

    def __init__(self, dimension: int = 384) -> None:
        self.dimension = dimension

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)

    def _vector(self, text: str) -> list[float]:
        import numpy as np  # noqa: PLC0415

        seed = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "little")
        vector = np.random.default_rng(seed).standard_normal(self.dimension)
        return (vector / np.linalg.norm(vector)).tolist()


@dataclass
class ScaleTiming:
    chunks: int
    documents: int
    index_seconds: float
    keyword_index_seconds: float
    queries: int
    search_ms: dict[str, float]  # p50, p95: dense + BM25 + fusion, query vector given
    embed_query_ms: dict[str, float]  # p50, p95 of embedding the question


def scale_documents(pairs: Sequence[Pair], chunks: int, settings: Settings) -> tuple[list[Document], int]:
    """MedQuAD answers, repeated as new documents (ids ``<id>x<copy>``), until they make ``chunks`` chunks."""
    from dataclasses import replace  # noqa: PLC0415

    from index.chunking import chunk_document  # noqa: PLC0415

    documents: list[Document] = []
    total, copy = 0, 0
    while total < chunks:
        for pair in pairs:
            doc = replace(to_document(pair), doc_id=f"{pair.doc_id}x{copy}")
            total += len(chunk_document(doc, settings.index.chunk_size, settings.index.chunk_overlap_sentences))
            documents.append(doc)
            if total >= chunks:
                break
        copy += 1
    return documents, total


def scale_timing(
    medquad: Path,
    data_dir: Path,
    *,
    chunks: int = 100_000,
    queries: int = 200,
    seed: int = 13,
    base: Settings | None = None,
    embeddings: Any = None,
    progress: bool | None = None,
) -> ScaleTiming:
    """Retrieval p50/p95 over an index of ``chunks`` chunks of MedQuAD text with synthetic
    vectors (kept in its own collection, reused by later runs). Questions are MedQuAD's; their
    vectors come from ``embeddings`` (the real embedder, timed apart) or are synthetic too."""
    from assistant.retrieval import HybridRetriever  # noqa: PLC0415
    from index.build import index_documents  # noqa: PLC0415
    from index.store import open_store  # noqa: PLC0415

    pairs = load_medquad(medquad)
    settings = base or Settings()
    settings = settings.model_copy(
        update={"data_dir": Path(data_dir).resolve(), "index": settings.index.model_copy(update={"collection_prefix": f"scale{chunks}"})}
    )
    documents, total = scale_documents(pairs, chunks, settings)
    store = open_store(settings, SyntheticEmbeddings())
    started = time.perf_counter()
    index_documents(settings, store, documents, progress=progress)
    index_seconds = time.perf_counter() - started
    retriever = HybridRetriever(store=store, settings=settings)
    started = time.perf_counter()
    retriever.refresh()
    keyword_seconds = time.perf_counter() - started

    asked = random.Random(seed).sample(list(pairs), min(queries, len(pairs)))
    embedder = embeddings or SyntheticEmbeddings()
    embed_ms, search_ms = [], []
    for pair in asked:
        t = time.perf_counter()
        vector = embedder.embed_query(pair.question)
        embed_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        retriever.search(pair.question, query_vector=vector)
        search_ms.append((time.perf_counter() - t) * 1000)
    return ScaleTiming(total, len(documents), round(index_seconds, 1), round(keyword_seconds, 1), len(asked), _p50_p95(search_ms), _p50_p95(embed_ms))


def _p50_p95(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {"p50": round(statistics.median(ordered), 1), "p95": round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], 1)}


def scale_markdown(timing: ScaleTiming) -> str:
    return (
        f"Retrieval at {timing.chunks:,} chunks ({timing.documents:,} documents of MedQuAD text, synthetic vectors), "
        f"{timing.queries} questions: search (dense + BM25 + fusion) p50 {timing.search_ms['p50']:.1f} ms, "
        f"p95 {timing.search_ms['p95']:.1f} ms; embedding the question p50 {timing.embed_query_ms['p50']:.1f} ms, "
        f"p95 {timing.embed_query_ms['p95']:.1f} ms. Building the keyword index took {timing.keyword_index_seconds:,.1f} s"
        f" and writing the index {timing.index_seconds:,.1f} s (0 when it was there already).\n"
    )


def benchmark_settings(base: Settings, data_dir: Path, limit: int | None, seed: int) -> Settings:
    """The project's settings with the benchmark's own data folder and collection (a sample
    gets a collection of its own, so a full index is never mixed with a sampled one)."""
    prefix = "medquad" if not limit else f"medquad-n{limit}-s{seed}"
    return base.model_copy(update={"data_dir": Path(data_dir).resolve(), "index": base.index.model_copy(update={"collection_prefix": prefix})})


def _rank_all(
    rank: Callable[[str, list[float]], list[str]], asked: Sequence[Pair], vectors: Sequence[list[float]], progress: bool | None, name: str
) -> tuple[dict[str, list[str]], float]:
    import sys  # noqa: PLC0415

    from tqdm import tqdm  # noqa: PLC0415

    show = sys.stderr.isatty() if progress is None else progress
    started = time.perf_counter()
    rankings = {
        q.doc_id: distinct(rank(q.question, list(v)))
        for q, v in tqdm(list(zip(asked, vectors, strict=True)), desc=name, unit="query", disable=not show)
    }
    return rankings, time.perf_counter() - started




def _index_timing(settings: Settings, collection: str, documents: Sequence[Document], report: Any, seconds: float) -> IndexTiming:
    """This run's indexing time, or, when everything was indexed already, the one recorded
    when the collection was built whole (so the figure is always a real build)."""
    record = settings.data_dir / f"{collection}.timing.json"
    embedded = set(report.added) | set(report.updated) | set(report.repaired)
    words = sum(len(d.text.split()) for d in documents if d.doc_id in embedded)
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    timing = IndexTiming(len(embedded), report.chunks_embedded, words, round(seconds, 1), True, now)
    if report.chunks_embedded and not report.unchanged:  # built whole in this run: worth keeping
        record.write_text(json.dumps(asdict(timing)), encoding="utf-8")
    if not embedded and record.is_file():
        return IndexTiming(**{**json.loads(record.read_text(encoding="utf-8")), "measured_now": False})
    return timing


def to_markdown(result: BenchmarkResult) -> str:
    index = result.index
    scope = (
        f"all {result.documents_indexed:,} MedQuAD answers"
        if not result.limit
        else f"a random {result.documents_indexed:,} of the MedQuAD answers (--limit {result.limit}), questions asked among them only"
    )
    lines = [
        f"Retrieval benchmark: {scope}; {result.queries:,} questions (seed {result.seed}); collection `{result.collection}`",
        f"embedding model {result.embedding_model}, chunks of {result.chunk_size} characters",
        "",
        "| retriever | recall@1 | recall@5 | recall@10 | MRR@10 | ms/query |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, scores in result.methods.items():
        lines.append(
            f"| {name} | {scores['recall@1']:.3f} | {scores['recall@5']:.3f} | {scores['recall@10']:.3f} | {scores['mrr']:.3f} | {result.query_ms[name]:.1f} |"
        )
    if not index.measured_now:
        when = f"recorded when built, {index.measured_at}" if index.measured_at else "not measured: rerun with --rebuild"
    elif index.documents < result.documents_indexed:
        when = f"this run finished an index begun earlier: only the last {index.documents:,} documents were embedded now"
    else:
        when = "this run"
    lines += [
        "",
        f"Indexing ({when}): {index.documents:,} documents, {index.words:,} words, {index.chunks:,} chunks in {index.seconds:,.1f} s "
        f"= {index.chunks_per_second:,.1f} chunks/s, {index.words_per_second:,.0f} words/s.",
        f"{result.question_twins:,} of the {result.queries:,} questions are also asked of another indexed answer "
        "(those other answers count as misses: the figures are a lower bound).",
    ]
    if result.fusion:
        lines += ["", *fusion_markdown(result.fusion)]
    return "\n".join(lines) + "\n"


def fusion_markdown(fit: FusionFit) -> list[str]:
    """The fitted weight, the fit half's curve and the test half's table."""
    curve = ", ".join(f"{w:g}: {s['mrr']:.3f}/{s['recall@5']:.3f}" for w, s in fit.by_weight.items())
    lines = [
        f"Fusion weight fitted on {fit.fit_queries:,} questions (MRR@10/recall@5 by BM25 weight: {curve}); chosen: {fit.chosen:g}"
        " (best MRR@10 among the weights whose recall@5 and @10 match the better single list's).",
        f"Scored on the other {fit.test_queries:,} questions (candidates as the retriever takes them):",
        "",
        "| retriever | recall@1 | recall@5 | recall@10 | MRR@10 |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, scores in fit.test.items():
        lines.append(f"| {name} | {scores['recall@1']:.3f} | {scores['recall@5']:.3f} | {scores['recall@10']:.3f} | {scores['mrr']:.3f} |")
    return lines
