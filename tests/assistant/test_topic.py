"""The everyday-request model as it ships: loaded offline from the repo and refused when changed;
a request that is not about health or care opens no guide text, and a health question in a
patient's few words, or a follow-up, is never refused for it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant.phrases import ASK_CARE_TEAM, NOT_COVERED
from assistant.relevance import sha256_of
from assistant.topic import TOPIC_DIR, WEIGHTS_FILE, TopicModel
from core.errors import GuideError

EVERYDAY = "not about health or care"


def test_the_shipped_weights_are_the_ones_its_manifest_names_and_its_report_is_beside_them():
    manifest = json.loads((TOPIC_DIR / "model.json").read_text())
    assert sha256_of(TOPIC_DIR / WEIGHTS_FILE) == manifest["files"][WEIGHTS_FILE]
    assert np.load(TOPIC_DIR / WEIGHTS_FILE).dtype == np.float16
    report = json.loads((TOPIC_DIR / "training_report.json").read_text())
    assert report["figures"]["test writers, answerable"]["refused"] == 0.0  # held apart: no health question refused


def test_a_changed_or_missing_weights_file_is_refused_with_what_to_run(tmp_path: Path):
    copy = tmp_path / "topic"
    shutil.copytree(TOPIC_DIR, copy)
    weights = np.load(copy / WEIGHTS_FILE)
    weights[0] += np.float16(0.5)
    np.save(copy / WEIGHTS_FILE, weights)
    with pytest.raises(GuideError, match="has changed.*python -m relevance topic"):
        TopicModel(copy)
    (copy / WEIGHTS_FILE).unlink()
    with pytest.raises(GuideError, match="missing.*python -m relevance topic"):
        TopicModel(copy)


@pytest.mark.parametrize(
    "question",
    ["tell me one joke", "help me write an email to my boss", "best pizza near me", "Quick crockpot chicken recipe?"],
)
def test_an_everyday_request_gets_a_plain_not_covered_and_no_guide_text(guides_assistant, question):
    # before: "Quick crockpot chicken recipe?" got "The guides don't say anything about 'crockpot' ... What
    # they say that is related:" and a sentence on stem cell transplants
    answer = guides_assistant.ask(question)
    assert answer.coverage == "none" and answer.answer.startswith(NOT_COVERED), answer.answer
    assert answer.sentences == [] and answer.citations == []
    assert answer.provenance["evidence"]["reason"].startswith(EVERYDAY) and answer.everyday
    assert ASK_CARE_TEAM not in answer.answer and "They cover" in answer.answer  # nothing for the care team: what the guides are about


@pytest.mark.parametrize(
    "question",
    [
        "peg tube when",  # a patient's few words: the vector alone reads them as a command
        "loosing weight fast what eat",
        "trach or no trach",
        "What does riluzole do?",
        "best way to help mum eat when swallowing gets hard",
    ],
)
def test_a_health_question_in_few_words_is_not_read_as_an_everyday_request(guides_assistant, question):
    reason = guides_assistant.chain.assess(question)[2].reason
    assert not reason.startswith(EVERYDAY), reason


def test_a_follow_up_takes_its_topic_from_the_conversation(guides_assistant):
    follow_up = "where do i sign"
    assert guides_assistant.chain.assess(follow_up)[2].reason.startswith(EVERYDAY)  # alone, it reads as an everyday request
    chat = guides_assistant.conversation()
    chat.ask("Are there clinical trials for people with ALS whose medicines stopped working?")
    answer = chat.ask(follow_up)
    assert not answer.provenance["evidence"]["reason"].startswith(EVERYDAY), answer.answer
