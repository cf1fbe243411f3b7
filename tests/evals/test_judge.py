"""The citation judges: the LLM judge's prompt and threshold (with a scripted model), the
lexical fallback against the labelled pairs, and threshold calibration."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from langchain_core.messages import BaseMessage

from plain.judge import (
    CALIBRATION_PATH,
    CachedJudge,
    LexicalJudge,
    LLMJudge,
    auc,
    best_threshold,
    calibrate,
    load_calibration,
    load_pairs,
    make_judge,
)

PASSAGE = "After 24 months of treatment, over 70% of patients treated with magnetic stimulation survived without a respirator."


class ScriptedYesNo:
    """Answers P(yes) from a queue and keeps the prompts it was shown."""

    def __init__(self, *probabilities: float) -> None:
        self.queue = list(probabilities)
        self.prompts: list[Sequence[BaseMessage]] = []

    def yes_probability(self, prompt_messages: Sequence[BaseMessage]) -> float:
        self.prompts.append(prompt_messages)
        return self.queue.pop(0)


def test_the_llm_judge_asks_about_the_statement_and_the_passage_and_applies_its_threshold() -> None:
    model = ScriptedYesNo(0.91, 0.12)
    judge = CachedJudge(LLMJudge(model, threshold=0.6, model_name="scripted"))
    yes = judge.verdict("Over 70% survived without a respirator.", PASSAGE)
    no = judge.verdict("Over 90% survived without a respirator.", PASSAGE)
    again = judge.verdict("Over 70% survived without a respirator.", PASSAGE)
    assert (yes.supported, yes.score, no.supported, no.score) == (True, 0.91, False, 0.12)
    assert again == yes and judge.calls == 2  # a repeated pair is not asked twice
    human = model.prompts[0][-1].content
    assert PASSAGE in human and "Over 70% survived without a respirator." in human
    assert "yes or no" in model.prompts[0][0].content
    assert judge.describe() == {"name": "llm", "threshold": 0.6, "model": "scripted", "calls": 2}


def test_make_judge_uses_a_given_model_and_the_calibrated_lexical_threshold() -> None:
    judge = make_judge("llm", model=ScriptedYesNo(0.7))
    assert judge.name == "llm"
    lexical = make_judge("lexical")
    assert lexical.name == "lexical"
    assert lexical.threshold == load_calibration()["lexical"]["threshold"]


def test_the_lexical_fallback_catches_wrong_figures_and_negations_but_not_paraphrase() -> None:
    judge = LexicalJudge(threshold=load_calibration()["lexical"]["threshold"])
    assert judge.score("Over 70% of patients survived without a respirator.", PASSAGE) >= judge.threshold
    assert judge.score("Over 90% of patients survived without a respirator.", PASSAGE) < judge.threshold
    assert judge.score("Patients treated with magnetic stimulation did not survive.", PASSAGE) < judge.threshold
    # Its known weakness, and why the LLM judge is preferred: a faithful paraphrase fails.
    assert judge.score("Most treated people lived two years without needing a breathing machine.", PASSAGE) < judge.threshold


def test_the_labelled_pairs_are_balanced_and_the_calibration_is_recorded() -> None:
    pairs = load_pairs()
    assert len(pairs) >= 30
    assert 0.4 <= sum(p.supported for p in pairs) / len(pairs) <= 0.6
    recorded = load_calibration(CALIBRATION_PATH)
    assert recorded["lexical"]["pairs"] == len(pairs)
    # The recorded figures are what the lexical judge reaches on these pairs today.
    lexical = LexicalJudge(threshold=0.0)
    again = calibrate("lexical", lexical.model_name, lexical.score, pairs)
    assert again.threshold == recorded["lexical"]["threshold"]
    assert again.accuracy == recorded["lexical"]["accuracy"] >= 0.7


def test_calibration_picks_the_threshold_that_separates_the_labels() -> None:
    labelled = [(0.9, True), (0.8, True), (0.65, True), (0.4, False), (0.3, False), (0.1, False)]
    threshold = best_threshold(labelled)
    assert 0.4 < threshold <= 0.65
    assert auc(labelled) == 1.0
    assert auc([(0.5, True), (0.5, False)]) == 0.5


def test_the_llm_judge_needs_the_local_model_when_asked_for_by_name(settings) -> None:
    from core.errors import GuideError

    missing = settings.model_copy(update={"generator": settings.generator.model_copy(update={"model_path": settings.data_dir / "none.gguf"})})
    with pytest.raises(GuideError, match="--judge lexical"):
        make_judge("llm", missing)
    assert make_judge("auto", missing).name == "lexical"
