"""A medicine asked about by its brand name is read as the guides' name for it (the domain file's
"brand_names"): "does cellcept help skin" was answered "The guides don't say anything about
"cellcept"", though the guides say much about mycophenolate mofetil."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from assistant.chain import AnswerChain
from assistant.generators import ExtractiveGenerator
from assistant.phrases import BRAND_NAME, STOP_MEDICATION_NOTICE
from assistant.types import Answer, Turn
from core.errors import GuideError
from core.settings import Settings


@pytest.fixture(scope="module")
def domain():
    return Settings().domain


@pytest.mark.parametrize(
    ("message", "read", "brands"),
    [
        ("does cellcept help skin or just lungs", "does mycophenolate mofetil help skin or just lungs", ["CellCept"]),
        ("CellCept's side effects?", "mycophenolate mofetil's side effects?", ["CellCept"]),  # a possessive
        ("switching from Rituxan to cellcept", "switching from rituximab to mycophenolate mofetil", ["Rituxan", "CellCept"]),
        # the names themselves asked about: kept as written (the misspelt medicine is read first)
        ("is radicava the same as edaravon or a difrent drug", "is radicava the same as edaravone or a difrent drug", []),
        ("is tociluzimab the same thing as actemra", "is tocilizumab the same thing as actemra", []),
        ("is the generic cellcept as good", "is the generic cellcept as good", []),
        ("is Tiglutik as good as Rilutek", "is Tiglutik as good as Rilutek", []),  # two names of one medicine
        ("the pharmacy gave riluzole not Rilutek this month", "the pharmacy gave riluzole not Rilutek this month", []),
        ("is Rilutek the same as the one from the other pharmacy", "is Rilutek the same as the one from the other pharmacy", []),
        ("can I take cellcept and riluzole at the same time", "can I take mycophenolate mofetil and riluzole at the same time", ["CellCept"]),
        ("is myfortic the same thing", "is myfortic the same thing", []),  # mycophenolic acid: not the guides' medicine
        # a brand misspelt, or with a plural's "s", is read as the brand
        ("does cellsept help skin", "does mycophenolate mofetil help skin", ["CellCept"]),
        ("the cellcepts", "the mycophenolate mofetil", ["CellCept"]),
    ],
)
def test_a_brand_name_is_read_as_the_guides_name_unless_the_names_are_asked_about(guides_assistant, message, read, brands):
    query = guides_assistant.chain.reader.read(message)
    assert query.text == read and [b.brand for b in query.brands] == brands
    assert all(b.brand in query.searched for b in query.brands)  # still searched, for documents that use it


def test_the_brands_a_message_names_are_found_in_its_order(domain):
    named = domain.brands_named("switching from Rituxan to cellcept")
    assert [(b.brand, b.medicine) for b in named] == [("Rituxan", "rituximab"), ("CellCept", "mycophenolate mofetil")]


@pytest.mark.parametrize(
    ("listed", "problem"),
    [
        ('{"colchicine": [""]}', "one word"),
        ('{"colchicine": ["Colcrys", "colcrys"]}', "listed once"),
        ('{"colchicine": ["Colcrys tablets"]}', "one word"),
        ('{"colchicine": ["gout"]}', "condition"),
        ('{"colchicine": ["Tophaceous"]}', "condition"),  # a word of a condition's name
    ],
)
def test_a_brand_name_that_cannot_be_read_says_what_to_fix(tmp_path, listed, problem):
    from corpus.domain import load_domain

    (tmp_path / "domain.json").write_text(
        '{"conditions": {"gout": {"label": "gout", "names": ["tophaceous gout"]}}, "medicines": ["colchicine"], "brand_names": ' + listed + "}",
        encoding="utf-8",
    )
    with pytest.raises(GuideError, match=problem):
        load_domain(tmp_path)


def test_a_brand_of_a_medicine_the_file_does_not_list_says_what_to_fix(tmp_path):
    from corpus.domain import load_domain

    (tmp_path / "domain.json").write_text(
        '{"conditions": {}, "medicines": ["colchicine"], "brand_names": {"allopurinol": ["Zyloprim"]}}', encoding="utf-8"
    )
    with pytest.raises(GuideError, match=r"brands of \['allopurinol'\], which \"medicines\" does not list"):
        load_domain(tmp_path)


def test_a_brand_name_is_answered_from_the_guides_and_said_first_by_its_name_there(guides_assistant):
    answer = guides_assistant.ask("does cellcept help skin or just lungs")
    lead = BRAND_NAME.format(brand="CellCept", medicine="mycophenolate mofetil")
    assert answer.answer.startswith(lead), answer.answer
    assert "cellcept" not in answer.provenance["evidence"]["unknown_names"]
    assert answer.provenance["brand_names"] == [{"brand": "CellCept", "medicine": "mycophenolate mofetil"}]
    assert any("mycophenolate" in s.guide_text.lower() for s in answer.sentences), answer.answer


@pytest.mark.parametrize(
    ("question", "brand", "read"),
    [("is radicava the same as edaravon or a difrent drug", "radicava", []),
     ("whats the difrence betwen riluzol and rilutek, pharmacy give other box", "rilutek", []),
     # Myfortic (mycophenolic acid) is no brand the file lists: named as missing, and CellCept kept as written
     ("is cellcept the same as myfortic", "myfortic", [])],
)
def test_a_question_about_the_names_themselves_is_not_answered_by_them(guides_assistant, question, brand, read):
    # the guides never say which brand is which medicine: the person is told so, and to ask
    answer = guides_assistant.ask(question)
    assert brand in answer.provenance["evidence"]["unknown_names"] and answer.coverage != "full", answer.answer
    assert [b["brand"] for b in answer.provenance["brand_names"]] == read


def test_a_brand_asked_about_after_its_guides_name_is_not_answered_by_the_reading(guides_assistant):
    first = guides_assistant.ask("does riluzole help")
    same = guides_assistant.ask("is Rilutek the same?", history=[Turn(first.question, first.answer, first.standalone_question)])
    assert same.coverage != "full" and not same.provenance["brand_names"], same.answer


def test_a_question_read_as_written_for_a_leaflet_does_not_change_how_others_are_read(guides_assistant):
    reader = guides_assistant.chain.reader
    as_written = reader.read("whats cellcept for", brands=False)  # a session whose leaflet uses the brand
    assert as_written.text == "what is cellcept for"
    assert reader.read("what is cellcept for").text == "what is mycophenolate mofetil for"  # anyone else's question


def test_a_follow_up_on_a_medicine_named_by_its_brand_keeps_its_own_subject(guides_assistant):
    first = guides_assistant.ask("Is CellCept used for lupus too?")
    follow_up = guides_assistant.ask(
        "what about in scleroderma, is it used there?", history=[Turn(first.question, first.answer, first.standalone_question)]
    )
    assert follow_up.coverage != "none", follow_up.answer  # not refused as a question about lupus
    assert not follow_up.answer.startswith("CellCept is"), follow_up.answer  # said once, in the turn that named it


class RewritingExtractive(ExtractiveGenerator):
    """The extractive answer, with the standalone question a chat model gives a follow-up (scripted here)."""

    def __init__(self, chain: AnswerChain, rewritten: str) -> None:
        super().__init__(chain.vectors, chain.relevance)
        self.rewritten = rewritten

    def rewrite(self, question: str, history: Sequence[Turn]) -> str | None:
        return self.rewritten


def _final(chain: AnswerChain, question: str, history: Sequence[Turn] = ()) -> Answer:
    return next(e.answer for e in chain.stream(question, history) if e.kind == "final" and e.answer is not None)


def test_a_follow_up_rewritten_with_the_brand_does_not_say_the_name_again(guides_assistant):
    # a chat model's rewrite puts the brand in for "it"; the person's own message does not name it
    main = guides_assistant.chain
    rewriting = RewritingExtractive(main, "does CellCept help lung disease in scleroderma?")
    chain = AnswerChain(main.settings, main.retriever, main.vectors, rewriting, main.provenance, main.plain, main.reader, main.relevance)
    first = _final(chain, "does cellcept help skin or just lungs")
    assert "brand name" in first.answer, first.answer
    follow_up = _final(chain, "and the lungs, does it help there?", [Turn(first.question, first.answer, first.standalone_question)])
    assert follow_up.standalone_question == "does CellCept help lung disease in scleroderma?"
    assert follow_up.coverage != "none" and "brand name" not in follow_up.answer, follow_up.answer


def test_a_question_naming_the_guides_name_is_not_read_as_an_earlier_brand_question(guides_assistant):
    # the reader keeps readings: "does radicava help" is read "does edaravone help", which asked as such names no brand
    guides_assistant.ask("does radicava help")
    answer = guides_assistant.ask("does edaravone help")
    assert "brand name" not in answer.answer and not answer.provenance["brand_names"], answer.answer


@pytest.mark.parametrize(
    ("question", "brand", "medicine"),
    [("how long does radicava take", "Radicava", "edaravone"), ("is cellcept safe to take with alcohol", "CellCept", "mycophenolate mofetil"),
     # two brands: each said before the first sentence naming its own medicine, or not at all
     ("what are rituxan and cytoxan used for in scleroderma", "Rituxan", "rituximab"),
     ("what are rituxan and cytoxan used for in scleroderma", "Cytoxan", "cyclophosphamide")],
)
def test_a_brand_is_named_just_before_the_first_sentence_naming_its_medicine_and_not_otherwise(guides_assistant, question, brand, medicine):
    # not ahead of what the guides don't say, nor of a sentence about another medicine it might be taken to explain
    answer = guides_assistant.ask(question)
    said = BRAND_NAME.format(brand=brand, medicine=medicine)
    named = medicine.split()[0]
    if not any(named in s.guide_text.lower() for s in answer.sentences):
        assert said not in answer.answer, answer.answer  # no sentence names it: nothing to explain
        return
    assert answer.answer.count(said) == 1, answer.answer
    before, after = answer.answer.split(said, 1)
    assert not any(named in s.guide_text.lower() for s in answer.sentences if s.text in before), answer.answer
    following = next(s for s in answer.sentences if after.lstrip().startswith(s.text))
    assert named in following.guide_text.lower(), answer.answer


def test_stopping_a_medicine_named_by_its_brand_gets_the_care_team_notice(guides_assistant):
    answer = guides_assistant.ask("can she just stop the CellCept, her stomach is bad")
    assert answer.safety == "stop_medication" and answer.answer.startswith(STOP_MEDICATION_NOTICE), answer.answer


@pytest.mark.parametrize(
    "question",
    ["does omeprazol stop cellcept workin", "can grapefruit stop my meds from working", "will antacids stop the methotrexate working",
     "does ibuprofen stop mycophenolate mofetil working"],
)
def test_something_stopping_a_medicine_working_is_not_stopping_the_medicine(guides_assistant, question):
    answer = guides_assistant.ask(question)
    assert answer.safety != "stop_medication" and STOP_MEDICATION_NOTICE not in answer.answer, answer.answer


@pytest.mark.parametrize(
    "question",
    ["should i stop my meds if they are not working", "does ibuprofen stop methotrexate working, should he stop methotrexate",
     "should i stop riluzole that doesnt work", "can I stop riluzole before working out", "can I come off my meds for work",
     "would stopping methotrexate work better for my skin", "can I stop cellcept working", "can she just stop the cellsept, her stomach is bad",
     # someone stopping it, or words that are not the medicine's between "stop" and "working"
     "can the doctor stop riluzole not working", "can mam stop riluzole not working", "can the neurologist stop my meds not working",
     "can patient stop riluzole no working", "do nurses stop riluzole from working", "can the specialist stop riluzole working",
     "can grandma stop methotrexate working", "can a person stop riluzole working", "can my grandson stop my meds working"],
)
def test_stopping_a_medicine_that_is_not_working_still_gets_the_care_team_notice(guides_assistant, question):
    assert guides_assistant.ask(question).safety == "stop_medication"


def test_an_added_document_that_uses_the_brand_is_still_found_by_it(guides_assistant, tmp_path):
    from ui.answering import final
    from ui.libraries import Libraries
    from ui.uploads import add_document

    leaflet = tmp_path / "clinic leaflet.txt"
    leaflet.write_text(
        "Clinic leaflet. Keep the CellCept capsules in their box at room temperature, out of the reach of children. "
        "Do not open or crush them.\n",
        encoding="utf-8",
    )
    libraries, owner = Libraries(guides_assistant), "b" * 32
    libraries.open(owner)
    try:
        added = add_document(guides_assistant, leaflet, "clinic leaflet.txt", owner=owner)
        answer = final(libraries.for_owner(owner).chain.stream("can I crush the cellcept capsules", (), None))
        # read as "mycophenolate mofetil" alone, the leaflet was found but not used: "The guides don't cover this."
        assert added.doc_id in {c.document_id for c in answer.citations}, answer.answer
        assert not answer.provenance["brand_names"]  # read as written: the leaflet's own word
    finally:
        libraries.close(owner)
