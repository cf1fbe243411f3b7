"""The named API endpoint: gradio_client gets the JSON answer the CLI prints."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from gradio_client import Client

from core.settings import REPO_ROOT

QUESTION = "What does riluzole do?"


@pytest.fixture(scope="module")
def client(chat_app) -> Client:
    return Client(chat_app.url, verbose=False)


def test_ask_returns_the_same_json_as_the_cli(client, chat_app):
    answer = client.predict(QUESTION, "all", api_name="/ask")
    assert "riluzole" in answer["answer"].lower()
    assert answer["citations"] and answer["coverage"] != "none"

    cli = subprocess.run(
        [sys.executable, "-m", "assistant", "ask", QUESTION, "--json", "--generator", "extractive"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=True,
        env={**os.environ, "GUIDES_DATA_DIR": str(chat_app.data_dir)},
    )
    expected = json.loads(cli.stdout)
    assert set(answer) == set(expected)
    for key in ("question", "answer", "coverage", "safety", "citations", "standalone_question", "generator", "not_covered"):
        assert answer[key] == expected[key], key


def test_ask_with_a_condition_and_a_follow_up_free_call(client):
    answer = client.predict("Which treatments can be tried when others fail?", "scleroderma", api_name="/ask")
    assert answer["citations"]
    assert all(c["document_title"].startswith("The Scleroderma") for c in answer["citations"])


def test_a_bad_request_gets_a_plain_error_and_the_endpoint_keeps_serving(client):
    with pytest.raises(Exception, match="Unknown condition"):
        client.predict(QUESTION, "flu", api_name="/ask")
    assert client.predict("I can't breathe", "all", api_name="/ask")["safety"] == "emergency"


def test_only_the_ask_endpoint_is_public(client):
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert list(endpoints) == ["/ask"]


@pytest.mark.browser
def test_the_chat_shows_exactly_the_answer_the_api_gives(client, page):
    from tests.ui.chat_page import ask

    for question in (QUESTION, "What lifestyle changes help with scleroderma?"):
        answer = client.predict(question, "all", api_name="/ask")
        ask(page, question)
        content = page.locator("#chat .bot-row").last.locator(".message-content")
        toggle = content.locator("details.as-guide-says")  # the guide's wording of a plain answer, folded
        # the guide's wording, the note on the plain words and the hard words explained are the
        # chat's additions (the API gives them as "sentences" and "glossary")
        shown = content.evaluate(
            "(el) => { const c = el.cloneNode(true); c.querySelectorAll('details.as-guide-says, .plain-note, .words-used, "
            "button.read-aloud').forEach((x) => x.remove()); document.body.appendChild(c); const t = c.innerText; c.remove(); return t; }"
        )
        assert " ".join(shown.split()) == " ".join(answer["answer"].split())
        if answer["sentences"] and any(s["plain"] for s in answer["sentences"]):  # and what the guide says, as the API has it
            assert all(s["guide_text"][:40] in " ".join(toggle.text_content().split()) for s in answer["sentences"])
