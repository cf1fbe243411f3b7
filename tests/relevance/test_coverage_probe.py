"""The coverage probe reads the product's own evidence from an evaluation run: each item's label, its inputs, and
nothing of an item the safety checks routed (its answer is the safety message)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant.support import logit
from relevance.coverage_probe import items


def _item(label: str, best: float, safety: str | None = None, unknown: tuple[str, ...] = ()) -> dict:  # type: ignore[type-arg]
    sentence = {"text": "Riluzole modestly prolongs survival.", "probability": 0.8, "cross_encoder": best,
                "cosine": 0.6, "neighbour": None, "vote": None}
    evidence = {"best": best, "missing_aspects": [], "unknown_names": list(unknown), "sentences": [sentence]}
    return {"item": {"sentence_labels": {"answerable": label}}, "question": "What does riluzole do?", "coverage": "full",
            "safety": safety, "scores": {}, "retrieved": [{"text": "Riluzole modestly prolongs survival."}],
            "provenance": None if safety else {"evidence": evidence}}


def test_a_run_is_read_as_the_product_decided_it(tmp_path: Path) -> None:
    report = {"items": [_item("yes", 0.9), _item("no", 0.01, unknown=("tizanidine",)), _item("no", 0.5, safety="crisis")]}
    (tmp_path / "report.json").write_text(json.dumps(report))
    rows = items(tmp_path)
    assert [r["label"] for r in rows] == ["yes", "no"]  # the crisis-routed item is left out
    assert rows[0]["best_logit"] == pytest.approx(2.197, abs=0.01) and rows[0]["overlap"] == 1.0
    assert rows[1]["unknown"] == 1.0 and rows[0]["vote"] == 0.0


def test_the_figures_are_those_of_a_model_fitted_on_the_first_run_only() -> None:
    from relevance.coverage_probe import INPUT_SETS, coverage, gate

    rng = np.random.default_rng(48)

    def run(separated: bool) -> list[dict]:  # type: ignore[type-arg]
        rows = []
        for k in range(200):
            label = "yes" if k % 2 else "no"
            best = (0.9 if label == "yes" else 0.05) if separated else float(rng.uniform(0.01, 0.99))
            rows.append({"label": label, "coverage": "partial", "precision": 1.0 if label == "yes" else None, "best": best,
                         "best_logit": logit(best), "second_logit": 0.0, "missing": 0.0, "unknown": 0.0,
                         "overlap": 1.0, "reading_logit": logit(best), "vote": 0.0, "neighbour": 0.0, "cosine": 0.5})
        return rows

    runs = {"fitted": run(True), "held apart": run(False)}
    figures = coverage(runs)
    assert len(figures) == len(INPUT_SETS)
    shipped = figures["best+missing"]
    assert shipped["fitted"]["auc"] == 1.0 and shipped["fitted"]["no_refused"] == 1.0
    assert shipped["fitted"]["answerable_refused"] <= 0.03  # the cut-off refuses at most 3% of answerable questions
    assert 0.3 < shipped["held apart"]["auc"] < 0.7  # an input that says nothing there
    shut = gate(runs)["fitted"]["below 0.5"]
    assert shut["no_plain"] == "100 of 100" and shut["answerable_showing_a_labelled_sentence_refused"] == "0 of 100"
