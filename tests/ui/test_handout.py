"""The care-team handout: questions, answers, cited passages, and room for the user's own."""

from __future__ import annotations

from datetime import date

from assistant.phrases import NOT_COVERED_ANSWER
from assistant.types import Answer, Citation
from ui.handout import Handout, handout_html, handout_markdown, own_questions, write_handout


def answer(question: str, text: str, citations: list[Citation]) -> Answer:
    return Answer(question, text, "full" if citations else "none", None, citations, question, "extractive", {})


EXCHANGE = answer(
    "What does riluzole do?", "It modestly prolongs survival. [1]",
    [Citation(1, "als", "Treatment for ALS", "als-0", "Riluzole modestly\nprolongs survival.", 0, 9, 0.8)],
)
NOT_COVERED = answer("<script>alert(1)</script>?", NOT_COVERED_ANSWER, [])


def make() -> Handout:
    return Handout(
        exchanges=[EXCHANGE, NOT_COVERED],
        care_team_questions=["<script>alert(1)</script>?", "Can I travel?"],
        own_questions=own_questions("Can I travel?\n\n- Is there a trial near me?\n"),
        made_on=date(2025, 3, 4),
    )


def test_markdown_handout_has_everything_to_take_along():
    text = handout_markdown(make())
    assert "Prepared on 4 March 2025" in text
    assert "## 1. What does riluzole do?" in text
    assert "It modestly prolongs survival. [1]" in text
    assert "- [1] *Treatment for ALS*: “Riluzole modestly prolongs survival.”" in text
    asks = text.split("## Questions I want to ask my care team")[1]
    assert asks.count("Can I travel?") == 1 and "Is there a trial near me?" in asks
    assert asks.count("- " + "_" * 60) == 5  # space to write


def test_printable_page_escapes_everything_and_has_no_script():
    page = handout_html(make())
    assert "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;?" in page
    assert "<cite>Treatment for ALS</cite>" in page and "Riluzole modestly prolongs survival." in page
    assert "@media print" in page


def test_both_files_are_written(tmp_path):
    markdown, page = write_handout(make(), tmp_path / "out")
    assert markdown.name == "care-team-handout-2025-03-04.md" and page.suffix == ".html"
    assert "What does riluzole do?" in markdown.read_text() and "What does riluzole do?" in page.read_text()


def test_an_empty_conversation_still_gives_a_page_for_own_questions():
    text = handout_markdown(Handout(exchanges=[], own_questions=["What next?"]))
    assert "No questions were asked" in text and "- What next?" in text
