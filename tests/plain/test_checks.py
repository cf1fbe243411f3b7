"""The checks refuse the bad rewrites the local model wrote in the issue, and keep a faithful one."""

from __future__ import annotations

import pytest

from plain.readability import flesch_kincaid_grade
from plain.build import PENDING, cheap_check
from plain.checks import edition_problems, term_problems

TOFERSEN = (
    "Notably, the drug tofersen, an antisense therapy targeting SOD1 mutations, has shown potential in "
    "reducing disease progression in early trials."
)
RILUZOLE = (
    "Currently, the only FDA-approved medication specifically for ALS is riluzole, which modestly prolongs "
    "survival and delays disease progression."
)
TEAM = (
    "Multidisciplinary teams—including neurologists, physical therapists, speech-language pathologists, and "
    "mental health professionals—work collaboratively to address the diverse needs of the patient."
)
MAGNETIC = (
    "After 24 months of treatment, over 70% of patients treated with magnetic stimulation survived without "
    "the need for a respirator, compared to 35% of patients who had not received the treatment."
)


def test_a_renamed_drug_is_refused() -> None:
    problems = term_problems(TOFERSEN, "Forsen helps stop a disease called SOD1. It works like a magic pill.")
    text = "; ".join(problems)
    assert "drops tofersen" in text
    assert "forsen" in text  # the invented name is caught as an unfamiliar word
    assert "antisense" in text  # the named therapy is gone
    assert "magic" in text and "stop" in text  # and the promise is an added absolute


def test_an_added_claim_and_a_lost_hedge_are_refused() -> None:
    plain = "Riluzole is the only FDA-approved medicine for ALS. It makes people live longer and stop their disease from getting worse."
    text = "; ".join(term_problems(RILUZOLE, plain))
    assert "modestly" in text
    assert "absolute stop" in text


def test_repetition_is_refused() -> None:
    plain = "Doctors, doctors, doctors, physical therapists and others work together to help the patient."
    assert any("doctors" in p for p in term_problems(TEAM, plain))


def test_a_changed_figure_or_its_qualifier_is_refused() -> None:
    rounded = "After two years, most people who had magnetic stimulation lived without a breathing machine, but only 35% of the others did."
    text = "; ".join(term_problems(MAGNETIC, rounded))
    assert "24" in text and "70%" in text
    dropped_over = "After 24 months, 70% of people who had magnetic stimulation lived without a breathing machine. Only 35% of the others did."
    assert any("over" in p for p in term_problems(MAGNETIC, dropped_over))


@pytest.mark.parametrize(
    ("source", "plain"),
    [
        (RILUZOLE, "Riluzole is the only FDA-approved medicine made for ALS. It modestly helps people live longer and slows the disease."),
        (MAGNETIC, "After 24 months of treatment, over 70% of people who had magnetic stimulation lived without a respirator. "
                   "Of people who did not have it, 35% did."),
    ],
)
def test_a_faithful_plainer_rewrite_goes_on_to_the_judge(source: str, plain: str) -> None:
    entry = cheap_check(source, plain, flesch_kincaid_grade)
    assert entry.reason == PENDING, entry.reason
    assert entry.grade_plain < entry.grade_source


def test_a_rewrite_no_plainer_than_the_guide_is_refused() -> None:
    entry = cheap_check(RILUZOLE, RILUZOLE.replace("Currently, ", ""), flesch_kincaid_grade)
    assert "not plainer" in entry.reason


RESISTANCE = (
    "While various treatments exist to manage symptoms and potentially slow disease progression, some individuals "
    "experience resistance to standard therapies, which can significantly impact their quality of life and outlook."
)


def test_a_rewrite_that_drifts_from_its_source_is_refused(embeddings) -> None:
    """The model's rewrite that the LLM judge let through in the first build: the slowing, the
    resistance and the outlook are gone, and 'things they used to do' is new."""
    import numpy as np

    def similarity(a: str, b: str) -> float:
        u, v = np.asarray(embeddings.embed_documents([a, b]))
        return float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)))

    drifted = (
        "While there are many treatments to help people feel better, some people find them not very good. "
        "This can make it hard for them to do things they used to do."
    )
    faithful = (
        "Some treatments can ease symptoms and may slow the disease. But some people do not respond to the usual "
        "treatments. This can greatly affect their quality of life and outlook."
    )
    assert "drifts" in cheap_check(RESISTANCE, drifted, flesch_kincaid_grade, similarity).reason
    assert cheap_check(RESISTANCE, faithful, flesch_kincaid_grade, similarity).reason == PENDING


def test_an_aim_is_not_an_achievement() -> None:
    source = "The primary treatments for ALS, such as riluzole and edaravone, aim to slow disease progression and reduce symptom severity."
    plain = "The main medicines for ALS are riluzole and edaravone. These make the disease go slower and the symptoms less bad."
    assert any("hedge" in p for p in term_problems(source, plain))


def test_a_medicine_the_guides_name_is_kept_even_when_a_dictionary_knows_it():
    from core.settings import Settings

    source = "Some patients may not respond to standard immunosuppressive medications such as methotrexate."
    dropped = "Some patients may not respond to the usual medicines that calm the immune system."
    assert any("methotrexate" in p for p in term_problems(source, dropped, Settings().domain.medicine_words))


def _points_to_nothing(source: str, plain: str) -> bool:
    return any("points to nothing" in p for p in edition_problems(source, plain))


# An answer brings the sentence before only when the guide's sentence starts by pointing back, so a
# plain version that leans on what came before where its guide sentence does not would be shown
# pointing to nothing (each found by an independent reader of the answers).
@pytest.mark.parametrize(("source", "leaning", "standing"), [
    pytest.param(  # "Another option ..." shown alone
        "Autologous stem cell transplantation is another option for severe, refractory cases, aiming to reset the immune system.",
        "Another option for severe cases that resist treatment is a stem cell transplant using the person's own cells. It aims to reset the immune system.",
        "A stem cell transplant using the person's own cells is another option for severe cases that resist treatment. It aims to reset the immune system.",
        id="starts-by-pointing-back"),
    pytest.param(  # "Organs inside the body can be involved too." leaves the reader asking "besides what?"
        "Managing internal organ involvement, such as pulmonary fibrosis, requires specialized treatments.",
        "Organs inside the body can be involved too. An example is pulmonary fibrosis. Managing it needs specialized treatments.",
        "Organs inside the body can be involved in scleroderma. An example is pulmonary fibrosis. Managing it too needs specialized treatments.",
        id="first-sentence-adds-to-one-not-shown"),
])
def test_a_plain_version_that_leans_on_a_sentence_not_shown_is_refused(source: str, leaning: str, standing: str):
    assert _points_to_nothing(source, leaning)
    assert not _points_to_nothing(source, standing)


def test_a_guide_sentence_that_leans_back_itself_may_be_followed():
    assert not _points_to_nothing("These include riluzole.", "These are riluzole and edaravone.")
    assert not _points_to_nothing("Furthermore, advance care planning becomes an essential component of living with ALS.",
                                  "Advance care planning also becomes an essential part of living with ALS.")
