"""The relevance model as it ships: loaded offline from the repo, refused when changed, and the
answers it decides, on the questions the issue that asked for it quoted."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.phrases import NOT_COVERED, RELATED
from assistant.relevance import MODEL_DIR, RelevanceModel
from assistant.suggestions import suggest_questions
from tests.assistant.model_files import assert_files_match_manifest, assert_refused_when_changed


def test_the_shipped_model_is_small_and_its_files_are_the_ones_its_manifest_names():
    assert_files_match_manifest(MODEL_DIR)
    assert (MODEL_DIR / "MODEL_CARD.md").is_file()


def test_a_changed_or_missing_model_file_is_refused_with_what_to_run(tmp_path: Path):
    assert_refused_when_changed(MODEL_DIR, tmp_path, RelevanceModel, "python -m relevance train")


def _guide_sentences(answer) -> list[str]:
    return [s.guide_text for s in answer.sentences]


@pytest.mark.parametrize(
    "question",
    [
        "Can I take ibuprofen together with methotrexate?",
        pytest.param("how does nitroglycerin work", marks=pytest.mark.xfail(
            strict=True, reason="known gap (issue 17): P(covered) lands between the cut-offs, so a nintedanib sentence "
            "is shown as related after saying the guides don't answer it")),
        "What's the weather like in Rome this week?",
        "how much time before tizanidine takes effect",
    ],
)
def test_a_question_the_guides_do_not_answer_gets_a_plain_not_covered_and_no_guide_text(guides_assistant, question):
    answer = guides_assistant.ask(question)
    assert answer.coverage == "none", answer.answer
    assert answer.answer.startswith(NOT_COVERED) and "They cover" in answer.answer
    assert answer.sentences == [] and answer.citations == []
    assert suggest_questions(guides_assistant, answer) == []  # nothing to go on from


def test_the_guides_own_sentence_on_feelings_answers_a_person_struggling(guides_assistant):
    answer = guides_assistant.ask("I'm struggling emotionally, is that normal?")
    assert answer.coverage != "none", answer.answer
    assert any("depression, anxiety" in s for s in _guide_sentences(answer)), answer.answer


def test_an_answer_leads_with_the_sentence_that_answers_and_stays_short(guides_assistant):
    answer = guides_assistant.ask("What does riluzole do?")
    assert "riluzole" in _guide_sentences(answer)[0] and "prolongs survival" in _guide_sentences(answer)[0]
    assert len(answer.answer.split()) <= 80, answer.answer


def test_a_partial_answer_says_first_what_is_missing_then_what_is_related(guides_assistant):
    answer = guides_assistant.ask("What does riluzole do, and how much does it cost?")
    assert answer.coverage == "partial", answer.answer
    gap_end = answer.answer.index(RELATED)
    assert "don't say anything about costs" in answer.answer[:gap_end]
    assert answer.sentences and answer.answer.index(answer.sentences[0].text) > gap_end


def test_every_candidate_sentence_has_its_score_in_the_json(guides_assistant):
    evidence = guides_assistant.ask("What is tofersen?").to_dict()["provenance"]["evidence"]
    assert evidence["sentences"] and all(0.0 <= s["probability"] <= 1.0 for s in evidence["sentences"])
    assert evidence["sentences"][0]["probability"] == evidence["best"]
    assert "tofersen" in evidence["sentences"][0]["text"]


def test_a_story_before_the_question_is_not_read_as_what_is_asked(guides_assistant):
    # seen by an independent reader: the guides "don't say anything about how it is diagnosed",
    # for a question about what riluzole does, because the story said "diagnosed"
    answer = guides_assistant.ask(
        "My dad was diagnosed with ALS about two years ago, he's been on riluzole the whole time and he's still "
        "getting weaker every month. What does riluzole actually do, realistically?"
    )
    assert "diagnosed" not in answer.answer.split(RELATED)[0], answer.answer
    assert "prolongs survival" in " ".join(_guide_sentences(answer)), answer.answer


def test_a_misspelt_request_for_side_effects_is_not_answered_with_other_guide_text(guides_assistant):
    # the guides give no side effects: "side efect" must be read as asking for them
    evidence = guides_assistant.chain.assess("what are the side efect of riluzole")[2]
    assert "side effects" in evidence.missing_aspects
    answer = guides_assistant.ask("what are the side efect of riluzole")
    assert answer.coverage == "none" or "side effects" in answer.answer.split(RELATED)[0], answer.answer


def test_a_shown_sentence_that_leans_on_the_one_before_comes_after_it(guides_assistant):
    # "For example, ..." / "Another approved drug, ..." shown alone read as if something were missing
    from index.sentences import LEANS_BACK, load_catalog

    before = {s.text: s.previous for s in load_catalog(guides_assistant.settings.corpus.guides_dir).values()}
    for question in ("What is edaravone?", "Which medicines are used for scleroderma?"):
        answer = guides_assistant.ask(question)
        shown = " ".join(s.guide_text for s in answer.sentences)
        leaning = [t for s in answer.sentences for t in before if t in s.guide_text and LEANS_BACK.match(t) and before[t]]
        assert leaning, (question, shown)  # both answers hold such a sentence
        for text in leaning:
            assert before[text] in shown and shown.index(before[text]) < shown.index(text), (question, shown)
