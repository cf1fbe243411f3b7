"""Questions in patients' own words (issue 7): the headline question and one freshly written
question of each kind that used to fail, on the real stack with the extractive generator.
None of these is in the development set the models were fitted on."""

from __future__ import annotations

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from assistant.chain import AnswerChain
from assistant.citations import SupportChecker
from assistant.generators import ChatGenerator
from assistant.phrases import NOT_COVERED, PARTLY_COVERED
from assistant.wording import render

GAP = PARTLY_COVERED.split("{missing}")[0]
SCLERODERMA_OPTIONS = ("rituximab", "tocilizumab", "abatacept", "stem cell")


def test_the_headline_question_names_what_doctors_can_try(guides_assistant):
    answer = guides_assistant.ask("my mom has scleroderma and methotrexate stopped working, what else can doctors try?")
    assert NOT_COVERED not in answer.answer
    assert any(option in answer.answer.lower() for option in SCLERODERMA_OPTIONS), answer.answer
    assert {c.document_id for c in answer.citations} == {"scleroderma-guide"}


def test_a_story_before_the_question_gets_the_other_options_not_what_they_have(guides_assistant):
    answer = guides_assistant.ask(
        "My wife was diagnosed with scleroderma a few years back. The mycophenolate hasn't done much for "
        "her skin this year and her rheumatologist seems stuck. Is there anything else out there?"
    )
    assert NOT_COVERED not in answer.answer
    first = answer.answer.split("[")[0].lower()
    assert any(option in first for option in SCLERODERMA_OPTIONS), answer.answer  # the options come first


@pytest.mark.parametrize(
    ("question", "expected"),
    [("whats lou gehrigs disease", ("nerve cells", "motor neurons")), ("wat does rilzole do for mnd", ("prolongs survival",))],
)
def test_colloquial_and_misspelt_names_are_understood(guides_assistant, question, expected):
    answer = guides_assistant.ask(question)
    assert answer.coverage != "none", answer.answer
    shown = f"{answer.answer} {render(answer.sentences, as_guide_says=True)}"  # plain words, and the guide's
    assert any(e in shown for e in expected), answer.answer


@pytest.mark.xfail(strict=True, reason="known gap (issue 17, since the bank's vote): the closest labelled question, 'What happens "
                   "if nintedanib and mycophenolate both stop working', at cosine 0.67, takes 0.97 of the vote (the vote is "
                   "relative: when no labelled question is close, the closest still takes it), so the clinical-trials "
                   "sentence it was answered by comes first and the mycophenolate one is not shown")
def test_an_abbreviation_the_guides_spell_out_is_read_as_the_names_not_called_missing(guides_assistant):
    # "MMF" is mycophenolate mofetil, which the scleroderma guide names: the answer must not say the
    # guides know nothing about "mmf", and what it shows must be about that medicine
    answer = guides_assistant.ask("does MMF stop working after a while")
    assert '"mmf"' not in answer.answer.lower(), answer.answer
    assert "mycophenolate mofetil" in answer.answer.lower(), answer.answer
    assert "mycophenolate mofetil" in guides_assistant.chain.reader.read("is mmf safe").text


def test_a_follow_up_without_a_pointer_word_is_resolved_and_never_nested(guides_assistant):
    chat = guides_assistant.conversation()
    chat.ask("What is tofersen?")
    second = chat.ask("who is it for")
    assert "tofersen" in second.standalone_question.lower() and "SOD1" in second.answer
    third = chat.ask("any side effects")
    assert third.standalone_question.count("(about:") <= 1 and "tofersen" in third.standalone_question.lower()
    assert third.coverage != "full"  # the guides say nothing about its side effects
    fresh = chat.ask("What does palliative care focus on for people with ALS?")
    assert fresh.standalone_question == "What does palliative care focus on for people with ALS?"
    assert "comfort" in fresh.answer


def test_a_follow_up_that_says_the_thing_or_only_the_other_condition_is_resolved(guides_assistant):
    chat = guides_assistant.conversation()
    chat.ask("Is rituximab used for scleroderma?")
    second = chat.ask("how often are the infusions")  # no pronoun: "the infusions" points back
    assert "rituximab" in second.standalone_question
    chat = guides_assistant.conversation()
    chat.ask("Which medicines are approved for ALS?")
    other = chat.ask("and for sclero?")  # the same question, about the other condition
    assert other.standalone_question == "Which medicines are approved for scleroderma?"
    assert any(drug in other.answer.lower() for drug in ("methotrexate", "mycophenolate", "nintedanib", "rituximab")), other.answer
    chat = guides_assistant.conversation()
    chat.ask("What is tofersen?")
    fresh = chat.ask("how can I cope with feeling sad all the time")  # a new question, not about tofersen
    assert "tofersen" not in fresh.standalone_question


@pytest.mark.xfail(strict=True, reason="known gap (issue 17): the relevance model scores the 70%/35% sentence 0.004 "
                   "for 'how many patients were still off a breathing machine', so it is refused as not covered")
def test_a_number_asked_as_a_count_gets_the_figures_the_guide_gives(guides_assistant):
    answer = guides_assistant.ask("how many patients were still off a breathing machine after two years of the magnetic stimulation")
    assert NOT_COVERED not in answer.answer
    assert "70%" in answer.answer and "35%" in answer.answer


def test_an_aspect_the_guides_lack_is_answered_as_partial_and_named(guides_assistant):
    answer = guides_assistant.ask("How do doctors diagnose scleroderma?")
    assert answer.coverage == "partial"
    assert f"{GAP}how it is diagnosed" in answer.answer


def test_the_sentence_that_names_the_professionals_wins_over_framing(guides_assistant):
    answer = guides_assistant.ask("who is on the team that looks after someone with als")
    assert "speech-language pathologists" in answer.answer and "neurologists" in answer.answer
    framing = "Managing resistant scleroderma requires a multifaceted approach."
    options = guides_assistant.ask("what do they give for scleroderma when the usual drugs fail")
    first = options.answer.split("[")[0]
    drugs = (*SCLERODERMA_OPTIONS, "nintedanib")  # nintedanib: the guide's option when lung fibrosis resists treatment
    assert framing not in first and any(o in first.lower() for o in drugs), options.answer  # the drugs come first


def _scripted(guides_assistant, *drafts: str) -> AnswerChain:
    model = GenericFakeChatModel(messages=iter([AIMessage(content=d) for d in drafts]))
    return AnswerChain(guides_assistant.settings, guides_assistant.retriever, guides_assistant.vectors, ChatGenerator(model, "scripted"))


def test_a_draft_the_checker_refuses_falls_back_to_checked_guide_sentences(guides_assistant):
    chain = _scripted(guides_assistant, "Scleroderma is cured by drinking green tea every morning [1].")
    answer = list(chain.stream("What can help when scleroderma does not respond to standard treatment?"))[-1].answer
    assert answer.coverage != "none" and NOT_COVERED not in answer.answer
    assert "green tea" not in answer.answer and answer.citations and answer.sentences  # checked guide sentences instead
    assert answer.generator.startswith("extractive (fallback")


def test_a_bug_in_our_checks_is_not_reported_as_a_model_failure(guides_assistant, monkeypatch):
    def broken(self, sentence, cut_off=False):
        raise KeyError("a bug of ours")

    monkeypatch.setattr(SupportChecker, "check", broken)
    chain = _scripted(guides_assistant, "Riluzole modestly prolongs survival [1].")
    with pytest.raises(KeyError, match="a bug of ours"):
        list(chain.stream("What does riluzole do?"))
