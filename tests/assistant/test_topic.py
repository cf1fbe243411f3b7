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
from assistant.types import Answer
from core.errors import GuideError

def test_the_shipped_weights_are_the_ones_its_manifest_names_with_their_report_and_card():
    manifest = json.loads((TOPIC_DIR / "model.json").read_text())
    assert sha256_of(TOPIC_DIR / WEIGHTS_FILE) == manifest["files"][WEIGHTS_FILE]
    assert np.load(TOPIC_DIR / WEIGHTS_FILE).dtype == np.float16
    assert (TOPIC_DIR / "training_report.json").is_file() and "CC BY 3.0" in (TOPIC_DIR / "MODEL_CARD.md").read_text()


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
    ["tell me one joke", "help me write an email to my boss", "best pizza near me", "Quick crockpot chicken recipe?",
     # t1 gave these the ALS definition and clinical-trial text as "related" (P 0.9873 and 0.9855 under its cut-off 0.9874).
     # t2 trained on writers' wordings close to them ("tell me a joke i need one"): a guard against losing them again,
     # not a measure of what it reads unseen (that is the training report's held-apart rows); "tell me a joke" clears
     # t2's cut-off by 0.003
     "tell me a joke", "any good shows on netflix?"],
)
def test_an_everyday_request_gets_a_plain_not_covered_and_no_guide_text(guides_assistant, question):
    # before: "Quick crockpot chicken recipe?" got "The guides don't say anything about 'crockpot' ... What
    # they say that is related:" and a sentence on stem cell transplants
    answer = guides_assistant.ask(question)
    assert answer.coverage == "none" and answer.answer.startswith(NOT_COVERED), answer.answer
    assert answer.sentences == [] and answer.citations == [] and answer.everyday
    assert ASK_CARE_TEAM not in answer.answer and "They cover" in answer.answer  # nothing for the care team: what the guides are about
    assert Answer.from_dict(answer.to_dict()).everyday  # a saved chat keeps it


@pytest.mark.parametrize(
    ("question", "condition"),
    [
        ("feeding tube when", None),  # a patient's few words: the vector alone reads them as a command
        ("feeding tube when", "als"),  # the person chose ALS: fewer passages, a lower closest cosine
        ("loosing weight fast what eat", None),
        ("breathing machine at night or not", None),
        ("What does riluzole do?", None),
        ("is a beer or two on friday ok with methotrexate", None),  # names a medicine the guides name: never everyday
    ],
)
def test_a_health_question_in_few_words_is_not_read_as_an_everyday_request(guides_assistant, question, condition):
    evidence = guides_assistant.chain.assess(question, condition)[2]
    assert not evidence.everyday, evidence.reason


def test_a_follow_up_takes_its_topic_from_the_conversation(guides_assistant):
    follow_up = "where do i sign"
    assert guides_assistant.chain.assess(follow_up)[2].everyday  # alone, it reads as an everyday request
    chat = guides_assistant.conversation()
    chat.ask("Are there clinical trials for people with ALS whose medicines stopped working?")
    answer = chat.ask(follow_up)
    assert not answer.everyday, answer.answer


def test_a_saved_answer_is_everyday_only_if_it_said_so():
    saved = {"question": "q", "answer": "a", "coverage": "none", "everyday": "no"}  # a browser may send back anything
    assert not Answer.from_dict(saved).everyday and not Answer.from_dict({**saved, "everyday": None}).everyday
