"""The conversation the browser keeps: it comes back as it was, and whatever the browser sends
back is checked and shown as text."""

from __future__ import annotations

import json

import pytest

from tests.ui.fakes import RILUZOLE_ANSWER as ANSWER
from ui import render
from ui.session import SAVED_VERSION, STOPPED, STOPPED_EARLY, ChatSession, ChatTurn



def conversation() -> ChatSession:
    return ChatSession(
        turns=[
            ChatTurn("What does riluzole do?", "als", ANSWER),
            ChatTurn("<b>And</b> edaravone?", "all", None, "Sorry, it failed.", "failed"),
            ChatTurn("How is it taken?", "all", None, "It is taken by mouth. [1]", "stopped"),
        ],
        care_team_questions=["How is it taken?"],
        suggestions=["What does edaravone do for people with ALS?"],
    )


def test_a_conversation_survives_the_round_trip_through_the_browser():
    session = conversation()
    saved = json.loads(json.dumps(session.to_saved()))  # what localStorage holds is JSON
    back = ChatSession.from_saved(saved)
    assert back.to_saved() == session.to_saved() and back.id == session.id
    assert back.messages() == session.messages()
    assert [t.question for t in back.history] == ["What does riluzole do?"]  # failed and stopped turns are not history
    assert back.exchanges == [ANSWER, None, None] and back.conditions == ["als", "all", "all"]


def test_messages_show_the_users_words_as_text_and_mark_a_stopped_answer():
    messages = conversation().messages()
    assert messages[2]["content"] == render.md_text("<b>And</b> edaravone?") and "<b>" not in messages[2]["content"]
    assert messages[5]["content"].endswith(f"_{STOPPED}_") and "taken by mouth. [1]" in messages[5]["content"]
    assert messages[-1]["options"] == [{"value": "What does edaravone do for people with ALS?",
                                        "label": "What does edaravone do for people with ALS?"}]
    assert "options" not in messages[1]
    early = ChatTurn("Q?", "all", None, "", "stopped").bubble()
    assert early == f"_{STOPPED_EARLY}_"


@pytest.mark.parametrize(
    "saved",
    [
        None, "text", 42, [], {}, {"turns": []},
        {"version": 99, "turns": [{"question": "q", "state": "done", "answer": ANSWER.to_dict()}]},
        {"version": 1, "turns": ["not a turn"]},
        {"version": 1, "turns": [{"question": "q", "state": "done", "answer": None}]},
        {"version": 1, "turns": [{"question": "q", "state": "done", "answer": {**ANSWER.to_dict(), "citations": [{"n": "x"}]}}]},
        {"version": 1, "turns": [{"question": "q", "state": "done", "answer": {**ANSWER.to_dict(), "coverage": "most"}}]},
        {"version": 1, "turns": [{"question": ["not", "text"], "state": "failed", "shown": "x"}]},
        {"version": 1, "turns": [{"question": "q", "state": "hacked"}]},
    ],
)
def test_anything_unreadable_starts_a_fresh_conversation(saved):
    session = ChatSession.from_saved(saved)
    assert session.turns == [] and session.messages() == []


def test_an_unknown_condition_falls_back_to_all_guides():
    saved = conversation().to_saved()
    saved["turns"][0]["condition"] = "'; drop table"
    assert ChatSession.from_saved(saved).conditions[0] == "all"


def test_a_conversation_saved_before_answers_had_their_newer_fields_still_loads():
    """What an earlier version of the chat left in a browser: answers without the fields added since."""
    old = {k: v for k, v in ANSWER.to_dict().items() if k not in ("retrieved", "not_covered", "checks", "provenance")}
    saved = {"version": SAVED_VERSION, "id": "abc", "turns": [{"question": "What does riluzole do?", "condition": "als",
                                                               "answer": old, "shown": "", "state": "done"}]}
    session = ChatSession.from_saved(saved)
    assert session.exchanges == [ANSWER] and session.messages()[1]["content"] == render.answer_markdown(ANSWER.answer)


def test_a_real_answer_comes_back_from_the_browser_unchanged(guides_assistant):
    """Feedback on an answer rated after a reload stores the same JSON as before it."""
    answer = guides_assistant.ask("What does riluzole do?")
    assert answer.retrieved and answer.checks  # the parts that are nested in the JSON
    session = ChatSession(turns=[ChatTurn(answer.question, "all", answer)])
    back = ChatSession.from_saved(json.loads(json.dumps(session.to_saved())))
    assert back.exchanges[0].to_dict() == answer.to_dict() and back.history == session.history
