"""The whole pipeline pointed at other guides, with their own domain file (issue 11): what is
about the subject comes from `domain.json` beside the guides, not from the code."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from assistant.phrases import NOT_COVERED
from core.errors import GuideError
from core.settings import Settings

SECOND = Path(__file__).resolve().parents[1] / "data" / "second_corpus"


@pytest.fixture(scope="module")
def other_assistant(tmp_path_factory, embeddings):
    from assistant.api import Assistant

    settings = Settings(data_dir=tmp_path_factory.mktemp("second") / "data", corpus={"guides_dir": SECOND})
    return Assistant(settings, generator="extractive", embeddings=embeddings)


def test_its_guides_answer_with_citations_and_its_names_for_a_condition(other_assistant):
    answer = other_assistant.ask("what causes podagra")  # another name for gout, from its domain file
    assert answer.coverage != "none", answer.answer
    assert "uric acid" in answer.answer and {c.document_id for c in answer.citations} == {"gout"}
    only = other_assistant.ask("Is it an autoimmune disease?", condition="mg")  # a key of its domain file
    assert {c.document_id for c in only.citations} == {"myasthenia-gravis"}


def test_a_disease_its_guides_are_not_about_is_refused(other_assistant):
    answer = other_assistant.ask("What is amyotrophic lateral sclerosis?")
    assert answer.coverage == "none" and NOT_COVERED in answer.answer


def test_the_condition_choices_are_its_own(other_assistant):
    with pytest.raises(GuideError, match="use one of: all, gout, mg"):
        other_assistant.ask("What causes gout?", condition="als")


def test_the_chat_shows_its_subject_and_its_example_questions(other_assistant):
    from ui.blocks import build_app

    config = json.dumps(build_app(other_assistant).config, default=str)
    assert "Answers about gout and myasthenia gravis" in config and not re.search(r"\bALS\b|scleroderma", config)
    assert "example-reader-0" in config and "What causes gout?" in config
    assert "Myasthenia gravis" in config  # its guide choice, labelled from its file


def test_a_malformed_domain_file_says_what_to_fix(tmp_path):
    from corpus.domain import load_domain

    (tmp_path / "domain.json").write_text('{"conditions": {"x": {"names": ["x"]}}}', encoding="utf-8")
    with pytest.raises(GuideError, match="label"):
        load_domain(tmp_path)


def test_the_model_is_told_whom_it_helps_from_its_file(other_assistant):
    from assistant.generators import make_generator

    generator = make_generator(other_assistant.settings, other_assistant.vectors, "openai")  # no request is made
    answer = other_assistant.ask("What causes gout?")
    system = generator.prompt("What causes gout?", answer.retrieved)[0].content
    assert system.startswith("You help people living with gout or myasthenia gravis, and their families,")
    assert "ALS" not in system


def test_an_added_document_is_filed_under_the_condition_it_names_by_its_file(other_assistant, tmp_path):
    from ui.answering import final
    from ui.libraries import Libraries
    from ui.uploads import add_document

    notes = tmp_path / "toe notes.txt"
    notes.write_text(
        "Night flares. My big toe swells at night when my gout flares. Ice wrapped in a towel eases the podagra.\n",
        encoding="utf-8",
    )
    libraries, owner = Libraries(other_assistant), "c" * 32
    libraries.open(owner)
    added = add_document(other_assistant, notes, "toe notes.txt", owner=owner)
    assert added.conditions == ("Gout",) and "It is filed under Gout." in added.message()
    answer = final(libraries.for_owner(owner).chain.stream("What eases a swollen toe at night?", (), "gout"))
    assert added.doc_id in {c.document_id for c in answer.citations}  # found under its guide choice
    libraries.close(owner)


def test_what_a_question_asks_is_read_without_its_topic_words(other_assistant):
    query = other_assistant.chain.reader.read("How is gout treated?")  # "gout" names every guide's subject
    assert "gout" not in query.focus and "treated" in query.focus


def test_a_list_written_as_a_single_word_says_what_to_fix(tmp_path):
    from corpus.domain import load_domain

    (tmp_path / "domain.json").write_text('{"conditions": {}, "medicines": "colchicine"}', encoding="utf-8")
    with pytest.raises(GuideError, match='"medicines" must be a list'):
        load_domain(tmp_path)
