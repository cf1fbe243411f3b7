"""Answers in plain words, in a real browser: the guide's own sentence one tap away ("As the
guide says"), on a phone in dark mode and by keyboard, and the cited passage still highlighted."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.settings import Settings
from index.chunking import sentence_spans
from index.plain import PlainEntry, PlainLayer, PlainStore
from plain.rewrite import PROMPT_VERSION
from tests.ui.chat_page import ask, contrast_ratio
from tests.ui.conftest import ARTIFACTS, CHROMIUM_ARGS, InProcessApp, free_port, open_chat

pytestmark = pytest.mark.browser

QUESTION = "What does riluzole do?"


@pytest.fixture(scope="module")
def plain_app(tmp_path_factory, embeddings) -> Iterator[tuple[InProcessApp, str, str]]:
    """The chat over the shipped guides, its answers looking plain versions up in a layer file
    that has one for the first sentence of the answer to QUESTION."""
    from assistant.api import Assistant
    from ui.blocks import build_app, launch_options

    folder = tmp_path_factory.mktemp("plain-chat")
    settings = Settings(data_dir=folder / "data", app={"port": free_port()})
    assistant = Assistant(settings, generator="extractive", embeddings=embeddings)
    first = assistant.ask(QUESTION).sentences[0].guide_text
    guide = next(first[s:e].strip() for s, e in sentence_spans(first))
    plain = "Riluzole is the one medicine made for ALS that the FDA has approved."
    store = PlainStore(folder / "plain.json")
    store.put(PlainEntry(source=guide, plain=plain, model="test", prompt_version=PROMPT_VERSION))
    store.save()
    assistant.chain.plain = PlainLayer([folder / "plain.json"])
    demo = build_app(assistant)
    demo.queue().launch(prevent_thread_lock=True, **launch_options(settings))
    yield InProcessApp(demo.local_url, settings.data_dir), guide, plain
    demo.close()


def test_plain_words_first_and_the_guides_sentence_one_tap_away(chromium, plain_app, tmp_path):
    app, guide, plain = plain_app
    context = chromium.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True, color_scheme="dark",
        permissions=["clipboard-read", "clipboard-write"],
    )
    try:
        page = context.new_page()
        open_chat(page, app.url)
        shown = ask(page, QUESTION)
        first_plain = plain.split(". ")[0]
        assert first_plain in shown and guide not in shown  # the plain version, the guide's words folded away
        bubble = page.locator("#chat .bot-row").last
        assert bubble.locator("button.cite-link").count() >= 1  # with its citation

        toggle = bubble.locator("details.as-guide-says > summary")
        box = toggle.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44  # easy to tap
        toggle.focus()
        assert page.evaluate("document.activeElement.tagName") == "SUMMARY"  # reachable by keyboard
        page.keyboard.press("Enter")
        guide_words = bubble.locator("details.as-guide-says .guide-words")
        guide_words.wait_for(state="visible")
        assert guide[:60] in " ".join(guide_words.inner_text().split())
        assert contrast_ratio(page, "#chat details.as-guide-says .guide-words li") >= 4.5  # readable in dark mode
        assert contrast_ratio(page, "#chat details.as-guide-says > summary") >= 4.5
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing runs off the phone's side
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "as-the-guide-says-phone-dark.png"))

        page.keyboard.press("Enter")  # and closed again
        guide_words.wait_for(state="hidden")

        page.locator("#chat button[aria-label='Copy message']").last.click()
        copied = page.evaluate("navigator.clipboard.readText()")
        assert first_plain in copied and "<" not in copied  # the text, without the toggle's markup

        # the cited passage is still shown highlighted in its guide
        page.locator("#sources").scroll_into_view_if_needed()
        page.locator("#sources details summary").first.click()
        assert page.locator("#sources details[open] .in-doc mark").first.inner_text().strip()
    finally:
        context.close()
