"""The chat's handlers, called as Gradio calls them (no browser)."""

from __future__ import annotations

import html
from pathlib import Path

import gradio as gr
import pytest

from assistant.phrases import NOT_COVERED
from core.settings import Settings
from ui import render
from ui.blocks import FAILED, ChatApp, ChatSession, care_team_suggestions
from ui.feedback import FeedbackStore
from ui.libraries import Chains


@pytest.fixture
def app(guides_assistant, tmp_path) -> ChatApp:
    return ChatApp(guides_assistant, FeedbackStore(tmp_path / "feedback.sqlite3"))


def run(app: ChatApp, question: str, messages=None, session=None, condition="all") -> list[tuple]:
    return list(app.respond(question, messages or [], session, condition))


def test_an_answer_streams_status_then_passages_then_text_then_sources(app):
    outputs = run(app, "What does riluzole do?")
    box, messages, _, _, _, _, status = outputs[0]
    assert box == "" and messages[0] == {"role": "user", "content": "What does riluzole do?"}
    assert messages[1]["content"].startswith("_Searching the guides")
    assert 'data-state="working"' in status and 'data-turn="1"' in status
    assert any(isinstance(o[3], str) and "Found in the guides" in o[3] for o in outputs)  # passages before the answer

    _, messages, session, sources, alert, notice, status = outputs[-1]
    assert "riluzole" in messages[-1]["content"].lower() and "[1]" in messages[-1]["content"]
    assert isinstance(session, ChatSession) and len(session.history) == 1 and session.exchanges[0]["citations"]
    assert 'id="src-0-' in sources and "<mark" in sources
    assert alert == "" and notice == "" and 'data-state="done"' in status


def test_follow_ups_use_this_session_only(app):
    first = run(app, "What does riluzole do?")[-1]
    follow = run(app, "And edaravone?", first[1], first[2])[-1]
    assert "edaravone" in follow[1][-1]["content"].lower()
    assert len(follow[2].history) == 2 and len(follow[1]) == 4
    fresh = run(app, "And edaravone?")[-1]  # another tab: no history
    assert len(fresh[2].history) == 1


def test_not_covered_answers_suggest_the_care_team(app):
    *_, (_, messages, session, sources, _, notice, _) = run(app, "What is the capital of France?")
    assert NOT_COVERED in messages[-1]["content"]
    assert "Ask your care team" in notice and "capital of France" in notice
    assert session.care_team_questions == ["What is the capital of France?"]
    assert "don't cover" in html.unescape(sources)


def test_an_emergency_shows_the_alert(app):
    *_, (_, messages, _, _, alert, notice, status) = run(app, "He is choking and turning blue")
    assert 'role="alert"' in alert and "emergency" in messages[-1]["content"].lower()
    assert notice == "" and "guidance above" in status


def test_an_empty_question_changes_nothing(app):
    assert run(app, "   ") == [(gr.skip(),) * 7]


def test_a_question_the_assistant_refuses_is_explained_in_the_chat(app):
    *_, (_, messages, session, _, _, _, status) = run(app, "why " * 600)
    assert "characters long" in messages[-1]["content"]
    assert session.exchanges == [None] and 'data-state="failed"' in status


class BrokenChain:
    def stream(self, question, history, condition):
        yield from ()
        raise RuntimeError("the model crashed")


def test_an_unexpected_failure_gives_a_plain_message(guides_assistant, tmp_path):
    app = ChatApp(guides_assistant, FeedbackStore(tmp_path / "f.sqlite3"))
    app.libraries.shared = Chains(None, BrokenChain(), BrokenChain())  # type: ignore[arg-type]
    *_, (_, messages, session, _, _, _, status) = run(app, "What does riluzole do?")
    assert messages[-1]["content"] == render.md_text(FAILED)
    assert session.exchanges == [None] and 'data-state="failed"' in status
    box, _, _ = app.rate(session, gr.LikeData(None, {"index": 1, "value": [], "liked": True}))
    assert box == gr.skip() and FeedbackStore(tmp_path / "f.sqlite3").rows() == []


def test_rating_and_commenting_an_answer(app):
    *_, (_, _, session, *_rest) = run(app, "What does riluzole do?")
    box, note, session = app.rate(session, gr.LikeData(None, {"index": 1, "value": ["..."], "liked": False}))
    assert box["visible"] is True and "answer 1" in note
    app.add_comment(session, "Too long")
    (row,) = app.feedback.rows()
    assert (row["rating"], row["comment"], row["turn"]) == ("not_helpful", "Too long", 0)
    box, _, _ = app.rate(session, gr.LikeData(None, {"index": 1, "value": ["..."], "liked": ""}))  # un-clicked
    assert box["visible"] is False and app.feedback.rows()[0]["rating"] is None


def test_the_handout_holds_the_conversation(app):
    first = run(app, "What does riluzole do?")[-1]
    second = run(app, "What is the capital of France?", first[1], first[2])[-1]
    update = app.make_handout(second[2], "Can I drive?")
    paths = [Path(p) for p in update["value"]]
    assert {p.suffix for p in paths} == {".md", ".html"}
    text = next(p for p in paths if p.suffix == ".md").read_text()
    assert "What does riluzole do?" in text and "Can I drive?" in text and "capital of France" in text


def test_the_api_answer_is_the_cli_json(app):
    answer = app.api_ask("What does riluzole do?", "als")
    assert answer["coverage"] != "none" and answer["citations"]
    assert set(answer) >= {"question", "answer", "coverage", "safety", "citations", "timings_ms", "provenance"}


def test_uploads_can_be_switched_off(guides_assistant, tmp_path):
    def element_ids(settings: Settings) -> set[str]:
        demo = ChatApp(guides_assistant, FeedbackStore(tmp_path / "f.sqlite3"), settings).build()
        return {c.get("props", {}).get("elem_id") for c in demo.config["components"]}

    on = Settings(data_dir=tmp_path)
    off = Settings(data_dir=tmp_path, app={"uploads_enabled": False})
    assert "upload-files" in element_ids(on)
    assert "upload-files" not in element_ids(off) and "chat" in element_ids(off)


def test_care_team_suggestions_for_partial_answers(guides_assistant):
    answer = guides_assistant.ask("What does riluzole do?")
    answer.not_covered = ["its cost"]
    asks, reason = care_team_suggestions("What does riluzole cost?", answer)
    assert asks == ["What should I know about its cost?"] and "its cost" in reason
