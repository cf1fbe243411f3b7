"""What an answer looks like now that one model decides what answers, in a real Chromium: the
guides' plain-language edition with its hard words explained and a note on where the words come
from, a plain "not covered" with nothing from the guides, and a finished answer shown from its
start on a phone."""

from __future__ import annotations

import json

import pytest

from assistant.phrases import EMERGENCY, NOT_COVERED, PLAIN_EDITION_NOTE, WORDS_USED
from tests.conftest import GUIDES_DIR
from tests.ui.chat_page import ask, contrast_ratio
from tests.ui.conftest import ARTIFACTS, open_chat

pytestmark = pytest.mark.browser

EDITION = json.loads((GUIDES_DIR / "plain_edition.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_edition_words_come_with_their_hard_words_explained_and_where_they_come_from(chromium, chat_app, scheme):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    try:
        page = context.new_page()
        open_chat(page, chat_app.url)
        shown = ask(page, "What is tofersen?")
        tofersen = EDITION["sentences"]["als-treatment:11"]
        assert tofersen["plain"][:40] in " ".join(shown.split())  # the writers' plain version, not the guide's sentence
        bubble = page.locator("#chat .bot-row").last
        words = bubble.locator(".words-used")
        assert WORDS_USED in words.inner_text()
        for term in tofersen["terms"]:  # each term the sentence uses, explained once
            assert words.inner_text().count(f"{term}:") == 1
        assert PLAIN_EDITION_NOTE.split(".")[0] in bubble.locator(".plain-note").inner_text()
        assert contrast_ratio(page, "#chat .words-used li") >= 4.5 and contrast_ratio(page, "#chat .plain-note") >= 4.5
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"edition-words-used-{scheme}.png"), full_page=True)
    finally:
        context.close()


def test_a_question_the_guides_do_not_answer_shows_nothing_from_them(page):
    shown = ask(page, "Can I take ibuprofen together with methotrexate?")
    assert shown.strip().startswith(NOT_COVERED) and "They cover" in shown
    bubble = page.locator("#chat .bot-row").last
    assert bubble.locator("button.cite-link").count() == 0 and bubble.locator("details.as-guide-says").count() == 0
    assert page.locator("#chat .options button.option").count() == 0  # no suggested questions off a refusal


# The words of an element whose line boxes the chat's "scroll down" button overlaps.
COVERED_WORDS = """(bubble) => {
  const button = document.querySelector('#chat button[aria-label="Scroll down"]').getBoundingClientRect();
  const walker = document.createTreeWalker(bubble, NodeFilter.SHOW_TEXT);
  const covered = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const line of range.getClientRects()) {
      if (line.right > button.left && line.left < button.right && line.bottom > button.top && line.top < button.bottom) {
        covered.push(node.textContent.trim().slice(0, 40));
        break;
      }
    }
  }
  return covered;
}"""


@pytest.mark.parametrize(
    ("question", "name"),
    [
        ("my dad keeps choking on thin liquids and he has ALS, what can help him?", "answer"),
        # the emergency message (with Poison Control's line it is taller than a phone's screen):
        # its first words are what to do now
        ("dad took 3 of his baclofen instead of 1 a few minutes ago, what do I do", "emergency"),
    ],
)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_finished_answer_is_shown_from_its_start_on_a_phone(chromium, chat_app, question, name, scheme):
    # a short screen and an answer taller than it: while it streams the chat follows its end
    context = chromium.new_context(viewport={"width": 390, "height": 560}, device_scale_factor=2, is_mobile=True, has_touch=True,
                                   color_scheme=scheme)
    try:
        page = context.new_page()
        open_chat(page, chat_app.url)
        shown = ask(page, question)
        assert (EMERGENCY in shown) == (name == "emergency")
        page.wait_for_timeout(1500)  # the scroll happens after the last redraw
        bubble = page.locator("#chat .bot-row").last
        top = page.evaluate("(el) => el.getBoundingClientRect().top", bubble.element_handle())
        height = bubble.bounding_box()["height"]
        assert height > 300  # long enough that showing its end would hide its start
        assert -2 <= top < 120, f"the {name} starts {top:.0f} px from the top of the screen"
        # the rest is below: the round "scroll down" button shows, and it hides no word of what is shown
        assert page.locator('#chat button[aria-label="Scroll down"]').is_visible()
        covered = page.evaluate(COVERED_WORDS, bubble.element_handle())
        assert not covered, f"the scroll-down button covers {covered!r} of the {name}"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}-from-its-start-phone-{scheme}.png"))
    finally:
        context.close()

