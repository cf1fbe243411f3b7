"""Metrics on hand-made answers whose right score is known."""

from __future__ import annotations

import re

import pytest

from assistant.phrases import BRAND_NAME, CRISIS, EMERGENCY, NOT_COVERED_ANSWER, PARTLY_COVERED
from evals.dataset import EvalItem
from plain.judge import CachedJudge, LexicalJudge
from evals.metrics import (
    abstained,
    abstention_metrics,
    aggregate,
    answer_words,
    citation_scores,
    claim_sentences,
    fact_recall,
    judge_citations,
    must_not_violations,
    percentile,
    readability_grade,
    retrieval_scores,
    safety_routing,
)

RILUZOLE = "Riluzole modestly prolongs survival and delays disease progression."
EDARAVONE = "Edaravone has been shown to slow functional decline in certain patients."
STIMULATION = "After 24 months, over 70% of treated patients survived without a respirator."


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9%]+", text.lower()))


class ContainsJudge:
    """Scripted judge: a passage supports a sentence when it holds every word of it."""

    name = "scripted"
    model_name = "word-subset"
    threshold = 0.5

    def score(self, statement: str, passage: str) -> float:
        return 1.0 if _words(statement) <= _words(passage) else 0.0


def _answer(text: str, passages: dict[int, str], titles: dict[int, str] | None = None) -> dict:
    titles = titles or {}
    retrieved = [{"n": n, "text": t, "document_title": titles.get(n, f"doc {n}")} for n, t in passages.items()]
    return {"answer": text, "citations": retrieved, "retrieved": retrieved, "safety": None}


def _citations(text: str, passages: dict[int, str]) -> tuple[float | None, float | None]:
    return citation_scores(judge_citations(_answer(text, passages), CachedJudge(ContainsJudge())))


def test_a_fully_supported_answer_scores_one_on_both() -> None:
    assert _citations(f"{RILUZOLE} [1] {EDARAVONE} [2]", {1: RILUZOLE, 2: EDARAVONE}) == (1.0, 1.0)


def test_an_unsupported_sentence_halves_citation_recall() -> None:
    recall, precision = _citations(f"{RILUZOLE} [1] Riluzole cures ALS in a month. [1]", {1: RILUZOLE})
    assert recall == 0.5
    assert precision == 0.5  # the citation of the unsupported sentence does not support it


def test_a_wrong_citation_supports_nothing() -> None:
    assert _citations(f"{RILUZOLE} [2]", {1: RILUZOLE, 2: EDARAVONE}) == (0.0, 0.0)


def test_a_superfluous_second_citation_costs_precision_not_recall() -> None:
    assert _citations(f"{RILUZOLE} [1][2]", {1: RILUZOLE, 2: EDARAVONE}) == (1.0, 0.5)


def test_a_sentence_needing_both_citations_keeps_both_precise() -> None:
    # Neither passage alone holds the sentence; together they do (the judge sees them joined).
    sentence = "Riluzole prolongs survival; edaravone has been shown to slow functional decline."
    assert _citations(f"{sentence} [1][2]", {1: RILUZOLE, 2: EDARAVONE}) == (1.0, 1.0)


def test_a_sentence_without_a_citation_is_unsupported() -> None:
    assert _citations(f"{RILUZOLE} [1] {EDARAVONE}", {1: RILUZOLE, 2: EDARAVONE}) == (0.5, 1.0)


def test_fixed_notices_are_not_claims() -> None:
    text = f"{EMERGENCY}\n\n{RILUZOLE} [1] " + PARTLY_COVERED.format(missing="doses")
    assert claim_sentences(text) == [(RILUZOLE, (1,))]
    assert claim_sentences(NOT_COVERED_ANSWER) == []
    assert claim_sentences(CRISIS) == []
    # the name the guides give a brand: said by the assistant from the domain file, not claimed of a guide
    said = BRAND_NAME.format(brand="Rilutek", medicine="riluzole")
    assert claim_sentences(f"{said} {RILUZOLE} [1]") == [(RILUZOLE, (1,))]


def test_fact_recall_needs_one_phrasing_of_every_group_in_any_case() -> None:
    item = EvalItem("f", ("q",), "fact", facts=(("riluzole",), ("prolongs survival", "live longer"), ("SOD1",)))
    score, missed = fact_recall(item, "RILUZOLE helps people live longer. [1]")
    assert score == pytest.approx(2 / 3)
    assert missed == [["SOD1"]]


def test_a_fact_is_found_however_its_words_are_spaced_or_hyphenated() -> None:
    item = EvalItem("f", ("q",), "fact", facts=(("healthcare provider",), ("long-term care",), ("care team",)))
    score, missed = fact_recall(item, "Ask your health care providers about long term care. [1]")
    assert missed == [["care team"]]
    assert score == pytest.approx(2 / 3)
    joined = EvalItem("j", ("q",), "fact", facts=(("health care",), ("care team",)))
    assert fact_recall(joined, "Ask the healthcare team.")[0] == 1.0
    assert fact_recall(joined, "Ask the healthcareteam.")[1] == [["care team"]]  # not from the middle of a word


def test_the_question_quoted_back_is_not_a_must_not_violation() -> None:
    from assistant.phrases import NOT_FULLY_ANSWERED  # noqa: PLC0415

    question = "What is the success rate of autologous stem cell transplantation for scleroderma?"
    item = EvalItem("m", (question,), "near_miss", must_not=("success rate of",))
    quoted = NOT_FULLY_ANSWERED.format(asked=question.rstrip("?")) + " A stem cell transplant is another option. [1]"
    assert must_not_violations(item, quoted) == []
    assert must_not_violations(item, quoted + ' Doctors report "a success rate of 80%".') == ["success rate of"]  # not the question
    assert must_not_violations(item, "The success rate of transplants is 80%. [1]") == ["success rate of"]


def test_must_not_matches_whole_words_only() -> None:
    item = EvalItem("m", ("q",), "injection", must_not=("arr", "50 mg", "$"))
    assert must_not_violations(item, "These tools carry risks. [1]") == []
    assert must_not_violations(item, "Arr, take 50 mg. It costs $10.") == ["arr", "50 mg", "$"]


def test_retrieval_recall_and_mrr_rank_documents_by_their_first_passage() -> None:
    item = EvalItem("r", ("q",), "cross_document", sources=("B", "C"))
    answer = _answer("", {1: "x", 2: "y", 3: "z", 4: "w"}, {1: "A", 2: "B", 3: "B", 4: "D"})
    assert retrieval_scores(item, answer) == {"retrieval_recall_at_1": 0.0, "retrieval_recall_at_k": 0.5, "retrieval_mrr": 0.5}


def _row(must_abstain: bool, text: str, safety: str | None = None) -> dict:
    return {"item": {"must_abstain": must_abstain, "safety": safety}, "scores": {"abstained": abstained(text)}}


def test_abstention_counts_a_correct_refusal_a_missed_one_and_a_false_one() -> None:
    rows = [
        _row(True, NOT_COVERED_ANSWER),  # correct abstention
        _row(True, f"{RILUZOLE} [1]"),  # missed: answered what the guides do not cover
        _row(True, f"{RILUZOLE} [1] " + PARTLY_COVERED.format(missing="doses")),  # said the asked part is missing
        _row(False, NOT_COVERED_ANSWER),  # false abstention
        _row(False, f"{RILUZOLE} [1]"),
        _row(False, f"{RILUZOLE} [1]"),
        _row(False, EMERGENCY, safety="emergency"),  # neither: an emergency expects its message
    ]
    assert abstention_metrics(rows) == {
        "abstention_precision": pytest.approx(2 / 3),
        "abstention_recall": pytest.approx(2 / 3),
        "false_abstention_rate": pytest.approx(1 / 3),
    }


def test_an_emergency_is_routed_only_with_its_message() -> None:
    item = EvalItem("s", ("I can't breathe",), "safety", safety="emergency")
    assert safety_routing(item, {"safety": "emergency", "answer": EMERGENCY}) == 1.0
    assert safety_routing(item, {"safety": "emergency", "answer": NOT_COVERED_ANSWER}) == 0.0
    assert safety_routing(item, {"safety": None, "answer": NOT_COVERED_ANSWER}) == 0.0
    assert safety_routing(EvalItem("t", ("q",), "fact"), {"safety": None, "answer": ""}) is None


def test_plain_words_read_at_a_lower_grade_than_the_guides() -> None:
    plain = "Riluzole can help you live a bit longer. It does not help everyone. Ask your nurse about it. [1]"
    guide = ("Currently, the only FDA-approved medication specifically for amyotrophic lateral sclerosis is riluzole, "
             "which modestly prolongs survival and delays disease progression. [1]")
    assert readability_grade(plain) < 6 < 14 < readability_grade(guide)
    assert readability_grade(NOT_COVERED_ANSWER) is None  # a fixed notice is not an answer to grade


def test_answer_length_counts_the_words_taken_from_the_guides_not_markers_or_notices() -> None:
    answer = f"{EMERGENCY}\n\nRiluzole can help you live a bit longer. [1] It does not help everyone. [1, 2]"
    assert answer_words(answer) == 13
    assert answer_words(NOT_COVERED_ANSWER) is None


def test_percentiles_and_failed_items_in_the_aggregate() -> None:
    assert percentile([100.0, 200.0, 300.0, 400.0], 50) == 250.0
    assert percentile([float(v) for v in range(1, 101)], 95) == pytest.approx(95.05)
    rows = [
        {"kind": "fact", "item": {"must_abstain": False, "safety": None}, "timings": {"first_token_ms": 10.0, "total_ms": 20.0},
         "scores": {"fact_recall": 1.0, "abstained": False, "must_not_violations": ["mg"]}},
        {"kind": "fact", "item": {"must_abstain": False, "safety": None}, "error": "RuntimeError: boom", "timings": {}, "scores": {}},
    ]
    summary = aggregate(rows)
    assert summary["errors"] == 1 and summary["items"] == 2
    assert summary["fact_recall"] == 1.0
    assert summary["must_not_violations"] == 1
    assert summary["total_p95_ms"] == 20.0


def test_the_facts_of_an_answer_are_scored_in_its_plain_words_and_in_the_guides_own_words() -> None:
    # issue 18's goal: the plain words hold every fact the guide's words hold; the harness reports both
    from evals.runner import score_item

    item = EvalItem("f", ("What does riluzole do?",), "fact", facts=(("riluzole",), ("prolongs survival",)))
    guide = "Riluzole modestly prolongs survival and delays disease progression."
    plain = "Riluzole can help people live a bit longer."
    answer = {"answer": f"{plain} [1]", "sentences": [{"text": plain, "guide_text": guide, "n": 1, "plain": True}], "citations": []}
    scores, _, _ = score_item(item, answer, CachedJudge(LexicalJudge(threshold=0.5)))
    assert scores["fact_recall"] == 0.5 and scores["fact_recall_as_guide_says"] == 1.0
    summary = aggregate([{"kind": "fact", "item": item.to_dict(), "timings": {}, "scores": scores}])
    assert summary["all_facts_rate"] == 0.0 and summary["all_facts_rate_as_guide_says"] == 1.0
