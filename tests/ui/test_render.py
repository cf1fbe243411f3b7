"""What the page shows is the text that was typed or found, never markup it contained."""

from __future__ import annotations

import html
import re
from types import SimpleNamespace

import pytest
from markdown_it import MarkdownIt

from assistant.phrases import CRISIS, EMERGENCY
from assistant.types import Answer, Citation
from ui import render

MARKDOWN = MarkdownIt("commonmark", {"html": True})  # raw HTML on: the escaping alone must hold


def shown(markdown: str, allowed: str = "p|br ?/?") -> str:
    """The text a reader sees once Markdown is rendered (only ``allowed`` elements in it)."""
    rendered = MARKDOWN.render(markdown)
    assert re.sub(rf"</?({allowed})>", "", rendered).count("<") == 0, rendered
    return html.unescape(re.sub(r"<[^>]+>", "", rendered)).strip()


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "**bold** _it_ `code` ~~gone~~",
        "[a link](javascript:alert(1)) ![img](x.png)",
        "# heading",
        "- a list\n+ another\n1. numbered\n12) also",
        "> quoted",
        "&amp; and &lt;b&gt;",
        "a | table | row",
        "back\\slash",
        "Riluzole (Rilutek) slows ALS; edaravone too.",
    ],
)
def test_typed_text_is_shown_exactly(text):
    assert " ".join(shown(render.md_text(text)).split()) == " ".join(text.split())


def test_plain_sentences_stay_readable_for_copying():
    sentence = "Currently, the only FDA-approved medication is riluzole (it modestly prolongs survival)."
    assert render.md_text(sentence) == sentence


def test_answers_keep_their_citation_markers():
    answer = "Riluzole slows decline. [1] Edaravone <b>too</b>. [2, 3]"
    markdown = render.answer_markdown(answer)
    assert "[1]" in markdown and "[2,3]" in markdown
    assert shown(markdown) == "Riluzole slows decline. [1] Edaravone <b>too</b>. [2,3]"


def test_pending_bubble_shows_the_best_passage():
    passage = SimpleNamespace(n=1, chunk=SimpleNamespace(title="Guide <i>", text="Riluzole <script>x</script> helps."))
    markdown = render.pending_markdown("Searching the guides", [passage])
    assert "Found 1 passage " in markdown
    assert "<script>" not in markdown and "&lt;script&gt;" in markdown
    assert "Riluzole <script>x</script> helps." in shown(markdown, "p|em|blockquote")


def cited(n: int, title: str, text: str, start: int, end: int) -> Citation:
    return Citation(n, "doc", title, f"doc-{n}", text, start, end, 0.5)


DOCUMENT = "Title line\nFirst paragraph about care.\nRiluzole slows ALS. It is taken daily.\nLast paragraph."


def test_a_passage_is_shown_highlighted_inside_its_document():
    start = DOCUMENT.index("Riluzole")
    end = DOCUMENT.index("daily.") + len("daily.")
    citation = cited(2, "ALS <guide>", DOCUMENT[start:end], start, end)
    view = render.source_view(citation, DOCUMENT)
    assert view.before == DOCUMENT[:start] and view.after == DOCUMENT[end:]
    page = render.sources_html(0, "What is riluzole?", [view])
    assert 'id="src-0-2"' in page
    assert "<mark" in page and "Riluzole slows ALS. It is taken daily.</mark>" in page
    assert "ALS &lt;guide&gt;" in page and "<guide>" not in page


def test_wrong_offsets_are_recovered_by_finding_the_passage():
    citation = cited(1, "T", "Last paragraph.", 0, 5)
    view = render.source_view(citation, DOCUMENT)
    assert view.in_document and view.before.endswith("daily.\n")


def test_a_long_document_is_shown_around_the_passage_only():
    long_text = ("Filler sentence about something else.\n" * 2000) + "The passage itself.\n" + ("More filler.\n" * 2000)
    start = long_text.index("The passage")
    citation = cited(1, "T", "The passage itself.", start, start + 19)
    view = render.source_view(citation, long_text)
    assert view.clipped_start and view.clipped_end
    assert len(view.before) <= render.CONTEXT_CHARS + 400 and len(view.after) <= render.CONTEXT_CHARS + 400


def test_a_passage_whose_document_is_gone_still_shows():
    view = render.source_view(cited(1, "T", "Kept text.", 0, 10), None)
    assert not view.in_document
    assert "no longer in the index" in render.sources_html(0, "q", [view])


def test_document_markup_in_sources_is_escaped():
    evil = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    view = render.SourceView(1, evil, evil, before=evil, after=evil)
    page = render.sources_html(3, evil, [view])
    assert "<img" not in page and "<script" not in page
    assert page.count("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;") >= 3


def test_sources_panel_puts_the_newest_answer_first_and_folds_the_rest():
    panel = render.sources_panel_html(["<section>first</section>", "<section>second</section>"])
    assert panel.index("second") < panel.index("first")
    assert '<details class="earlier">' in panel and panel.index("earlier") < panel.index("first")
    assert "sources-empty" in render.sources_panel_html([])


def test_emergency_and_crisis_alerts():
    emergency = render.alert_html("emergency")
    assert 'role="alert"' in emergency and html.escape(EMERGENCY) in emergency
    assert html.escape(CRISIS) in render.alert_html("crisis")
    assert render.alert_html(None) == "" and render.alert_html("dose") == ""


def test_care_team_suggestions_escape_the_question():
    box = render.care_team_html(["<b>Can I?</b>"], "The guides don't cover this.")
    assert "&lt;b&gt;Can I?&lt;/b&gt;" in box and "<b>" not in box
    assert render.care_team_html([], "why") == ""


def test_status_line_says_what_is_happening():
    line = render.status_html("Searching the guides…", turn=3)
    assert 'role="status"' in line and 'data-turn="3"' in line and 'data-state="working"' in line
    assert render.status_html("") == ""


GUIDE_SENTENCE = "Currently, the only FDA-approved medication specifically for ALS is riluzole, which modestly prolongs survival."
PLAIN_SENTENCE = "The only FDA-approved medication for ALS is riluzole. It modestly prolongs survival."


def _answer(*sentences: dict) -> Answer:
    """An answer as the browser sends a saved one back."""
    text = " ".join(f"{s['text']} [{s['n']}]" for s in sentences)
    return Answer.from_dict({"question": "q", "answer": text, "coverage": "full", "sentences": list(sentences)})


def test_an_answer_in_plain_words_has_the_guides_wording_one_click_away():
    plain = {"text": PLAIN_SENTENCE, "guide_text": GUIDE_SENTENCE, "n": 1, "plain": True}
    same = {"text": "Edaravone may slow decline.", "guide_text": "Edaravone may slow decline.", "n": 2, "plain": False}
    bubble = render.answer_bubble(_answer(plain, same))
    rendered = MARKDOWN.render(bubble)
    before, details = rendered.split("<details", 1)
    assert PLAIN_SENTENCE in html.unescape(before) and GUIDE_SENTENCE not in html.unescape(before)
    assert "<summary>As the guide says</summary>" in details and "open" not in details.split(">", 1)[0]  # closed until asked
    shown_guide = html.unescape(re.sub(r"<[^>]+>", " ", details))
    assert f"{GUIDE_SENTENCE} [1]" in shown_guide and "Edaravone may slow decline. [2]" in shown_guide  # in the answer's order


def test_an_answer_in_the_guides_words_has_no_toggle():
    same = {"text": GUIDE_SENTENCE, "guide_text": GUIDE_SENTENCE, "n": 1, "plain": False}
    assert "<details" not in render.answer_bubble(_answer(same))
    old = Answer.from_dict({"question": "q", "answer": "Old saved answer [1]", "coverage": "full"})  # saved before this existed
    assert "<details" not in render.answer_bubble(old)


def test_guide_wording_from_a_saved_conversation_is_shown_as_text():
    hostile = {"text": "Plain [1]", "guide_text": '<img src=x onerror="alert(1)"> **bold**', "n": 1, "plain": True}
    rendered = MARKDOWN.render(render.answer_bubble(_answer(hostile)))
    assert "<img" not in rendered and "<b>" not in rendered
    assert "&lt;img src=x" in rendered  # shown as the text it is
    for damaged in ({**hostile, "n": "<b>1</b>"}, "not a sentence", {"plain": True}):
        with pytest.raises((ValueError, TypeError)):  # a damaged saved answer is refused, never rendered
            Answer.from_dict({"question": "q", "answer": "Plain [1]", "coverage": "full", "sentences": [damaged]})
