"""The MedQuAD retrieval benchmark: its scoring on known rankings, and a small real run."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.retrieval import fuse
from evals.benchmark import (
    FUSION_WEIGHTS,
    MEDQUAD_PATH,
    Pair,
    distinct,
    relevant_sets,
    run_benchmark,
    sample,
    scale_markdown,
    scale_timing,
    score_rankings,
    to_markdown,
)


def test_recall_and_mrr_on_rankings_whose_scores_are_known() -> None:
    relevant = {"q1": {"d1"}, "q2": {"d2", "d2-copy"}, "q3": {"d3"}}
    rankings = {
        "q1": ["d1", "x", "y"],  # rank 1
        "q2": ["x", "y", "z", "w", "v", "d2-copy"],  # rank 6: an identical answer counts
        "q3": ["x"] * 10,  # missed
    }
    scores = score_rankings(rankings, relevant)
    assert scores == {"recall@1": pytest.approx(1 / 3, abs=1e-4), "recall@5": pytest.approx(1 / 3, abs=1e-4),
                      "recall@10": pytest.approx(2 / 3, abs=1e-4), "mrr": pytest.approx((1 + 1 / 6) / 3, abs=1e-4)}


def test_a_lower_bm25_weight_lets_keywords_reorder_the_dense_list_less() -> None:
    dense, keyword = ["a", "b", "c"], ["b", "x"]

    equal = fuse(dense, keyword, rrf_k=60, bm25_weight=1.0)
    assert sorted(equal, key=lambda c: -equal[c])[:2] == ["b", "a"]  # plain RRF: BM25's first wins
    assert equal["a"] == pytest.approx(1 / 61) and equal["b"] == pytest.approx(1 / 62 + 1 / 61)

    weighted = fuse(dense, keyword, rrf_k=60, bm25_weight=0.0)
    assert sorted(weighted, key=lambda c: (-weighted[c], c)) == ["a", "b", "c", "x"]  # dense order, keyword-only hits last


def test_documents_rank_by_their_first_passage() -> None:
    assert distinct(["a", "a", "b", "a", "c"]) == ["a", "b", "c"]


def test_a_limited_run_asks_only_about_documents_it_indexed() -> None:
    pairs = [Pair(f"d{i}", f"q{i}", "same answer" if i < 2 else f"answer {i}", "topic", "src") for i in range(50)]
    indexed, asked = sample(pairs, limit=20, queries=30, seed=1)
    assert len(indexed) == 20 and len(asked) == 20
    assert {q.doc_id for q in asked} <= {d.doc_id for d in indexed}
    assert sample(pairs, 20, 30, seed=1) == (indexed, asked)  # a fixed seed gives the same sample
    relevant = relevant_sets(pairs, pairs[:2])
    assert relevant["d0"] == relevant["d1"] == {"d0", "d1"}


@pytest.mark.slow
def test_a_small_real_run_finds_most_answers_by_their_question(tmp_path: Path, embeddings) -> None:
    result = run_benchmark(MEDQUAD_PATH, tmp_path / "bench", limit=40, queries=40, embeddings=embeddings, progress=False)
    assert result.documents_indexed == 40 and result.queries == 40
    assert set(result.methods) == {"BM25", "dense", "fused (hybrid)"}
    for scores in result.methods.values():
        assert scores["recall@10"] >= 0.8
        assert scores["recall@1"] <= scores["recall@5"] <= scores["recall@10"]
    assert result.index.measured_now and result.index.chunks > 40
    assert "--limit 40" in to_markdown(result)
    again = run_benchmark(MEDQUAD_PATH, tmp_path / "bench", limit=40, queries=40, embeddings=embeddings, progress=False)
    assert not again.index.measured_now and again.index.seconds == result.index.seconds  # the recorded build time
    assert again.methods == result.methods


@pytest.mark.slow
def test_the_fusion_weight_is_fitted_on_one_half_and_scored_on_the_other(tmp_path: Path, embeddings) -> None:
    result = run_benchmark(MEDQUAD_PATH, tmp_path / "bench", limit=40, queries=40, embeddings=embeddings, progress=False, fit_fusion=True)
    fit = result.fusion
    assert fit is not None and fit.fit_queries == fit.test_queries == 20
    assert fit.chosen in FUSION_WEIGHTS and set(fit.by_weight) == set(FUSION_WEIGHTS)
    assert max(s["mrr"] for s in fit.by_weight.values()) == fit.by_weight[fit.chosen]["mrr"]
    assert list(fit.test) == ["BM25", "dense", "fused, equal votes (weight 1)", f"fused, fitted weight {fit.chosen:g}"]
    assert f"chosen: {fit.chosen:g}" in to_markdown(result)


@pytest.mark.slow
def test_retrieval_is_timed_over_an_index_of_the_size_asked(tmp_path: Path, embeddings) -> None:
    timing = scale_timing(MEDQUAD_PATH, tmp_path / "scale", chunks=600, queries=20, embeddings=embeddings)
    assert timing.chunks >= 600 and timing.documents < 600 and timing.queries == 20
    assert 0 < timing.search_ms["p50"] <= timing.search_ms["p95"]
    assert 0 < timing.embed_query_ms["p50"] <= timing.embed_query_ms["p95"]
    assert "Retrieval at 6" in scale_markdown(timing)
