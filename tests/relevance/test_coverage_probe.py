"""The coverage probe reads the product's own evidence from an evaluation run: each item's label, its inputs, and
nothing of an item the safety checks routed (it carries no evidence)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

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
