"""Suggested next questions: about what the answer's passages cover, and all answered by the guides."""

from __future__ import annotations

import pytest

from assistant.suggestions import _topic, answered_by_guides, candidate_questions, suggest_questions
from index.chunking import Chunk


@pytest.mark.parametrize(
    "question",
    ["What does riluzole do?", "What lifestyle changes help with scleroderma?", "How can I help someone with ALS stay independent?"],
)
def test_each_suggestion_is_fully_answered_by_the_guides_and_new(guides_assistant, question):
    answer = guides_assistant.ask(question)
    suggestions = suggest_questions(guides_assistant, answer, [question])
    topic = guides_assistant.settings.domain.topic_words
    assert 2 <= len(suggestions) <= 3
    for suggestion in suggestions:
        follow = guides_assistant.ask(suggestion)
        assert follow.coverage == "full" and follow.citations, suggestion  # the same gate and answer a user would get
        assert not _topic(suggestion, topic) <= _topic(question, topic)  # not the question just asked, reworded
    assert len({frozenset(_topic(s, topic)) for s in suggestions}) == len(suggestions)


def test_suggestions_come_from_the_passages_the_answer_cites(guides_assistant):
    answer = guides_assistant.ask("What does riluzole do?")
    cited = " ".join(c.text.lower() for c in answer.citations)
    first = suggest_questions(guides_assistant, answer, ["What does riluzole do?"])[0]
    assert any(stem in cited for stem in _topic(first, guides_assistant.settings.domain.topic_words))


def test_nothing_is_suggested_after_emergency_guidance_or_an_answer_the_guides_do_not_give(guides_assistant):
    assert suggest_questions(guides_assistant, guides_assistant.ask("He is choking and can't breathe")) == []
    assert suggest_questions(guides_assistant, guides_assistant.ask("What is the capital of France?")) == []


def test_the_gate_refuses_what_the_guides_do_not_cover(guides_assistant):
    assert answered_by_guides(guides_assistant, "What does edaravone do for people with ALS?")
    assert not answered_by_guides(guides_assistant, "What does insulin do for people with diabetes?")
    assert not answered_by_guides(guides_assistant, "How much riluzole should I take?")  # a dose: for the care team


def test_candidates_read_as_plain_questions(guides_assistant):
    chunk = Chunk(
        "c1", "d1", "A guide", "Some patients may not respond to medications such as methotrexate, or cyclophosphamide. "
        "Physical therapy helps maintain joint mobility. Another approved drug, edaravone, slows decline.\n"
        "How does magnetic stimulation work?\nWhat does this mean for patients?", 0, 200, 0, ("scleroderma",),
    )
    questions = candidate_questions([chunk], guides_assistant.settings.domain)
    assert "What does edaravone do for people with scleroderma?" in questions
    assert "What should people with scleroderma know about methotrexate?" in questions
    assert "How can physical therapy help people with scleroderma?" in questions
    assert "How does magnetic stimulation work?" in questions
    assert not any("this mean" in q for q in questions)  # a heading that points back makes no question alone


def test_a_suggestion_asks_about_a_thing_not_a_piece_of_a_clause(guides_assistant):
    # Phrases where a verb, a preposition or a vague word stands before the thing: once suggested
    # as "How can receive appropriate support help people with ALS?"
    chunk = Chunk(
        "c1", "d1", "A guide", "Families want patients to receive appropriate support at home. "
        "This includes decisions about whether to pursue or withdraw certain interventions. "
        "Living with ALS that resists treatment is hard, despite therapy. "
        "Organ involvement requires specialized treatments. Physical therapy helps maintain joint mobility.",
        0, 300, 0, ("als",),
    )
    questions = candidate_questions([chunk], guides_assistant.settings.domain)
    assert "How can physical therapy help people with ALS?" in questions
    for clause in ("receive", "withdraw", "pursue", "resists", "despite", "requires"):
        assert not any(clause in q for q in questions), questions
