"""Plain versions made without a model: shorter sentences and plainer words, every fact kept."""

from __future__ import annotations

import pytest

from plain.readability import flesch_kincaid_grade
from plain.checks import term_problems
from plain.rules import WORD_LIST, plain_version, simple_words, split_clauses, swap_words

# Sentences in the guides' style (not all from them), and what the rules must make of them.
CASES = [
    (
        "Notably, the drug tofersen, an antisense therapy targeting SOD1 mutations, has shown potential in reducing "
        "disease progression in early trials.",
        "Notably, the drug tofersen has shown potential in reducing disease progression in early trials. "
        "Tofersen is an antisense therapy targeting SOD1 mutations.",
    ),
    (
        "Scleroderma, also known as systemic sclerosis, is a complex autoimmune disease characterized by the hardening "
        "of the skin.",
        "Scleroderma is also known as systemic sclerosis. It is a complex autoimmune disease characterized by the "
        "hardening of the skin.",
    ),
    (
        "While many patients respond well to initial therapies, a subset faces persistent resistance, making "
        "management more complicated.",
        "Many patients respond well to first therapies. But a subset faces persistent resistance. This makes "
        "management more complicated.",
    ),
    (
        "ALS is a neurodegenerative disease affecting motor neurons, the nerve cells that control voluntary movement.",
        "ALS is a neurodegenerative disease affecting motor neurons. Motor neurons are the nerve cells that control "
        "voluntary movement.",
    ),
    (
        "Currently, the only FDA-approved medication for ALS is riluzole, which modestly prolongs survival.",
        "Now, the only FDA-approved medication for ALS is riluzole. It modestly prolongs survival.",
    ),
]


@pytest.mark.parametrize(("source", "expected"), CASES)
def test_long_sentences_are_split_and_every_term_is_kept(source: str, expected: str) -> None:
    plain = plain_version(source)
    assert plain == expected
    assert term_problems(source, plain) == []  # every medicine, gene, figure, procedure and hedge is kept
    assert flesch_kincaid_grade(plain) < flesch_kincaid_grade(source) - 1


def test_a_list_is_never_cut_as_if_it_were_an_aside() -> None:
    source = ("This resistance can be attributed to several factors, including genetic differences, disease severity, "
              "the extent of fibrosis, and individual variations in immune response.")
    assert len(split_clauses(source)) == 1


def test_a_plain_word_that_would_claim_more_is_not_used() -> None:
    """"discontinue" -> "stop" is in plain-word lists, but "stop" is an absolute the source lacks."""
    pairs = (("discontinue", "stop"), ("commence", "begin"))  # both from plainlanguage.gov's list
    source = "Some patients may discontinue treatment or commence another."
    assert swap_words(source, source, pairs) == "Some patients may discontinue treatment or begin another."
    assert swap_words("Individuals may utilize aids.", "Individuals may utilize aids.") == "People may use aids."


def test_the_word_list_is_one_general_list_with_its_source_named() -> None:
    head = WORD_LIST.read_text(encoding="utf-8").split("\n# columns")[0]
    assert "plainlanguage.gov" in head and "Everyday Words for Public Health Communication" in head
    pairs = dict(simple_words())
    assert pairs["approximately"] == "about" and pairs["utilize"] == "use" and pairs["individuals"] == "people"
    assert all(formal.lower() != plain.lower() for formal, plain in pairs.items())


def test_a_sentence_no_rule_applies_to_gets_no_plain_version() -> None:
    assert plain_version("Stem cell therapy also offers hope for ALS treatment resistance.") is None
