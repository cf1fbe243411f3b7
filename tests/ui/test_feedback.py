"""Feedback is durable, one row per answer, and exportable with what produced the answer."""

from __future__ import annotations

import json

from core.settings import Settings
from tests.ui.fakes import RILUZOLE_ANSWER as ANSWER
from ui.feedback import FeedbackStore, answer_settings, main



def test_a_rating_and_comment_are_stored_and_survive_a_restart(tmp_path):
    settings = Settings(data_dir=tmp_path)
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    row_id = store.rate(session_id="s1", turn=0, rating="helpful", answer=ANSWER, settings=answer_settings(settings, "als"))
    store.comment(row_id, "  Very clear.  ")

    rows = FeedbackStore(tmp_path / "feedback.sqlite3").rows()  # a new process would see the same
    assert len(rows) == 1
    row = rows[0]
    assert (row["rating"], row["comment"], row["question"]) == ("helpful", "Very clear.", ANSWER.question)
    assert row["citations"][0]["document_title"] == "ALS guide"
    assert row["settings"]["condition"] == "als" and row["settings"]["retrieval"]["top_k"] == settings.retrieval.top_k
    assert "openai_api_key" not in json.dumps(row["settings"])
    assert row["full_answer"] == ANSWER.to_dict()


def test_changing_the_rating_updates_the_same_row(tmp_path):
    store = FeedbackStore(tmp_path / "f.sqlite3")
    first = store.rate(session_id="s1", turn=0, rating="helpful", answer=ANSWER, settings={})
    again = store.rate(session_id="s1", turn=0, rating="not_helpful", answer=ANSWER, settings={})
    other = store.rate(session_id="s2", turn=0, rating=None, answer=ANSWER, settings={})
    assert first == again != other
    assert [r["rating"] for r in store.rows()] == ["not_helpful", None]


def test_export_for_evaluators(tmp_path, capsys):
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    store.rate(session_id="s1", turn=0, rating="helpful", answer=ANSWER, settings={"condition": "all"})
    store.rate(session_id="s1", turn=1, rating="not_helpful", answer=ANSWER, settings={"condition": "all"})
    out = tmp_path / "export" / "feedback.jsonl"
    assert main(["--data-dir", str(tmp_path), "export", str(out)]) == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["rating"] for line in lines] == ["helpful", "not_helpful"]
    assert main(["--data-dir", str(tmp_path), "summary"]) == 0
    assert "2 answers rated: 1 helpful, 1 not helpful" in capsys.readouterr().out
