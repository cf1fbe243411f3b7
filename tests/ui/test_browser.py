"""The chat in a real (headless) Chromium, as a patient or caregiver uses it."""

from __future__ import annotations

import json
import re
import time

import pytest

from assistant.phrases import CRISIS, EMERGENCY, EMERGENCY_MENTIONED_NOTICE, NOT_COVERED
from core.settings import Settings
from tests.ui.chat_page import (
    ask,
    bot_count,
    contrast_ratio,
    last_answer,
    status,
    user_messages,
    wait_for_answer,
)
from tests.ui.conftest import ARTIFACTS, open_chat
from ui.feedback import FeedbackStore, feedback_path

pytestmark = pytest.mark.browser


def open_section(page, title: str) -> None:
    page.get_by_role("button", name=re.compile(f"^{re.escape(title)}")).click()


def shot(page, name: str, *, full_page: bool = True) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def test_start_page_explains_itself(chromium, chat_app):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    requested: list[str] = []
    context.on("request", lambda request: requested.append(request.url))
    page = context.new_page()
    open_chat(page, chat_app.url)
    page.wait_for_timeout(1500)  # let fonts and late assets load (the queue's stream never goes idle)
    shot(page, "01-start")
    assert [url for url in requested if not url.startswith(chat_app.url)] == []  # no fonts or scripts from the web
    notice = page.locator("#notice").inner_text()
    assert "not medical advice" in notice and "emergency" in notice
    assert page.get_by_label("Your question").is_visible()
    assert page.locator("#examples button.example").count() == 6
    assert contrast_ratio(page, "#notice p") >= 7
    context.close()


def test_answer_streams_with_citations_and_a_source_opens_in_its_guide(page):
    answer = ask(page, "What treatments are approved for ALS?")
    assert "riluzole" in answer.lower()
    citations = page.locator("#chat .bot-row").last.locator("button.cite-link")
    assert citations.count() >= 1
    # the sources panel names the guide of every cited passage
    titles = page.locator("#sources .sources-turn .source .title").all_inner_texts()
    assert titles and all("ALS" in title for title in titles)
    assert "Answer ready" in status(page)
    shot(page, "02-answer")

    # one click on a citation opens its passage, highlighted inside its document
    citations.first.click()
    number = citations.first.get_attribute("data-n")
    opened = page.locator(f"#src-0-{number}")
    assert opened.get_attribute("open") is not None
    mark = opened.locator(".in-doc mark")
    assert mark.is_visible()
    document_text = opened.locator(".in-doc").inner_text()
    assert len(document_text) > len(mark.inner_text()) + 200  # the surrounding text is there too
    shot(page, "03-source-open")
    assert contrast_ratio(page, "#chat .bot-row .message-content p") >= 7
    assert contrast_ratio(page, f"#src-0-{number} .in-doc mark") >= 7


def test_while_a_slow_generator_writes_the_passages_are_already_shown(chromium, slow_chat_app):
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    try:
        open_chat(page, slow_chat_app.url)
        started = time.monotonic()
        page.locator("#question textarea").fill("How does magnetic stimulation work for ALS?")
        page.locator("#question textarea").press("Enter")
        page.wait_for_selector("#chat .bot-row blockquote", timeout=30_000)
        shown_after = time.monotonic() - started
        assert page.locator("#sources .pending .source").count() >= 1
        assert "Found" in status(page) and page.locator("#status .status[data-state=working]").count() == 1
        assert "magnetic" in page.locator("#sources .pending .source").first.inner_text().lower()  # from its guide
        shot(page, "04-passages-first")
        wait_for_answer(page, 1)
        done_after = time.monotonic() - started
        assert shown_after < 2.5 and done_after - shown_after > 2.0  # passages well before the first word
        assert "magnetic" in last_answer(page).lower()
        assert page.locator("#chat .bot-row blockquote").count() == 0  # the preview gave way to the answer
    finally:
        page.close()


def test_follow_up_questions_use_the_conversation(page):
    ask(page, "What does riluzole do?")
    answer = ask(page, "And edaravone?")
    assert "edaravone" in answer.lower()
    assert page.locator("#chat .bot-row").last.locator("button.cite-link").count() >= 1
    # the first answer's sources are still there, folded away
    assert page.locator("#sources details.earlier").count() == 1
    shot(page, "05-follow-up")


def test_a_question_the_guides_do_not_cover_says_so_and_suggests_the_care_team(page):
    answer = ask(page, "Is acupuncture covered by insurance?")
    assert NOT_COVERED in answer
    care = page.locator("#care-team .care-team")
    assert care.is_visible()
    assert "acupuncture covered by insurance" in care.inner_text()
    assert page.locator("#chat .bot-row").last.locator("button.cite-link").count() == 0
    assert "no passages to show" in page.locator("#sources").inner_text()
    assert NOT_COVERED not in care.inner_text() + page.locator("#sources").inner_text()  # said once, in the answer
    shot(page, "06-not-covered")


@pytest.mark.parametrize(
    ("question", "guidance", "name"),
    [
        ("My husband can't breathe and his lips are turning blue", EMERGENCY, "07-emergency"),
        # none of the emergency phrases: the emergency-now model reads it (assistant/urgency.py)
        ("mum went all floppy in her chair and her mouth looks dark, she wont answer me", EMERGENCY, "07-emergency-own-words"),
        ("I don't want to live anymore", CRISIS, "08-crisis"),
    ],
)
def test_emergency_and_crisis_guidance_comes_first(page, question, guidance, name):
    ask(page, "What does riluzole do?")
    ask(page, question)
    alert = page.locator("#alert [role=alert]")
    assert alert.is_visible()
    assert guidance in alert.inner_text()
    assert alert.bounding_box()["y"] < page.locator("#chat").bounding_box()["y"]  # above the conversation
    assert guidance in last_answer(page)
    shot(page, name, full_page=False)
    assert contrast_ratio(page, "#alert .alert p:not(.alert-title)") >= 7


def test_a_question_that_names_an_emergency_not_happening_now_gets_the_emergency_line_then_an_answer(page):
    answer = ask(page, "will she suffocate at the end? what care helps with breathing problems in ALS")
    assert answer.startswith(EMERGENCY_MENTIONED_NOTICE)  # the emergency line comes first...
    assert "will she suffocate at the end" in answer.replace(EMERGENCY_MENTIONED_NOTICE, "")  # ...then the answer
    assert not page.locator("#alert [role=alert]").is_visible()  # no emergency alert: the answer is read
    shot(page, "07-emergency-mentioned", full_page=False)


def test_typed_markup_is_shown_as_text_and_never_runs(page):
    attack = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2"> **bold** [link](javascript:alert(1))'
    ask(page, attack)
    assert page.evaluate("window.__xss") is None
    assert page.errors == []  # no alert dialog, no script error
    shown = user_messages(page)[-1]
    assert "<script>" in shown and "<img src=x" in shown and "**bold**" in shown
    assert page.locator("#chat img[src=x], #chat a[href^=javascript], #sources img, #care-team img").count() == 0
    assert "<script>" in page.locator("#care-team").inner_text() or "<script>" in page.locator("#sources").inner_text()
    shot(page, "09-markup-as-text")


def test_an_added_document_becomes_answerable_and_a_bad_file_is_refused(page, tmp_path, chat_app):
    leaflet = tmp_path / "Zephyr breathing leaflet.txt"
    leaflet.write_text(
        "The Zephyr breathing exercise for ALS\n\n"
        "The Zephyr breathing exercise is a slow breathing routine that people with ALS can practise with a "
        "respiratory therapist. You breathe in through the nose for four counts and out through pursed lips for six "
        "counts, ten times, twice a day.\n\n"
        "The Zephyr breathing exercise can help people with ALS keep their chest muscles working. "
        'A note typed by someone: <img src=x onerror="window.__xss = 3"> must show as text.\n',
        encoding="utf-8",
    )
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n", encoding="utf-8")
    open_section(page, "Add your own documents")
    page.wait_for_selector("#library li", timeout=30_000)  # the shipped guides are listed once the section renders
    documents_before = page.locator("#library li").count()

    page.locator("#upload-files input[type=file]").set_input_files([str(empty)])
    page.locator("#add-documents").click()
    page.wait_for_selector("#upload-result .upload-error", timeout=60_000)
    assert "empty" in page.locator("#upload-result").inner_text()
    assert page.locator("#library li").count() == documents_before  # nothing lost, nothing added
    shot(page, "10-upload-refused")

    page.locator("#upload-files input[type=file]").set_input_files([str(leaflet)])
    page.locator("#add-documents").click()
    page.wait_for_selector("#upload-result .upload-ok", timeout=120_000)
    assert "Zephyr" in page.locator("#upload-result").inner_text()
    assert page.locator("#library li").count() == documents_before + 1
    assert len(list((chat_app.data_dir / "sessions").glob("*/Zephyr-breathing-leaflet.txt"))) == 1  # this tab's own
    shot(page, "11-upload-added")

    answer = ask(page, "How do you do the Zephyr breathing exercise?")
    assert "Zephyr" in answer
    assert "The Zephyr breathing exercise for ALS" in page.locator("#sources .sources-turn").first.inner_text()
    page.locator("#sources details summary").first.click()
    assert page.evaluate("window.__xss") is None
    # the guides still answer as before
    assert "riluzole" in ask(page, "What does riluzole do?").lower()


def test_feedback_is_stored_with_what_produced_the_answer(page, chat_app):
    ask(page, "What does riluzole do?")
    page.locator("#chat button[aria-label='Like']").last.click()
    page.wait_for_selector(".feedback-box", state="visible")
    page.locator("#feedback-comment textarea").fill("Clear and short, thank you.")
    shot(page, "12-feedback")
    page.locator("#send-comment").click()
    page.wait_for_selector(".feedback-box", state="hidden")

    rows = _wait_for_rows(FeedbackStore(feedback_path(Settings(data_dir=chat_app.data_dir))), "Clear and short, thank you.")
    row = rows[-1]
    assert row["rating"] == "helpful"
    assert row["question"] == "What does riluzole do?"
    assert "riluzole" in row["answer"].lower()
    assert row["citations"] and row["citations"][0]["document_title"]
    assert row["settings"]["condition"] == "all" and row["generator"] == "extractive"
    assert row["full_answer"]["provenance"]["collection"]
    assert row["full_answer"]["answer"] == row["answer"]


def test_handout_for_the_care_team(page, chromium):
    ask(page, "What does riluzole do?")
    ask(page, "Is acupuncture covered by insurance?")
    open_section(page, "Take this to your care team")
    page.locator("#own-questions textarea").fill("Can I join a clinical trial?")
    page.locator("#make-handout").click()
    links = page.locator("#handout-files a")
    links.first.wait_for(timeout=30_000)
    assert links.count() == 2
    contents = {}
    for i in range(2):
        with page.expect_download() as download:
            links.nth(i).click()
        path = download.value.path()
        contents[download.value.suggested_filename] = path.read_text(encoding="utf-8")
    markdown = next(text for name, text in contents.items() if name.endswith(".md"))
    page_html = next(text for name, text in contents.items() if name.endswith(".html"))
    for text in (markdown, page_html):
        assert "What does riluzole do?" in text
        assert "Treatment for ALS treatment resistance" in text or "Living with ALS treatment resistance" in text
        assert "Can I join a clinical trial?" in text
        assert "acupuncture covered by insurance" in text  # not covered: on the list for the care team
    assert "<script" not in page_html
    shot(page, "13-handout-ready")

    viewer = chromium.new_page()
    viewer.set_content(page_html)
    viewer.screenshot(path=str(ARTIFACTS / "14-handout-page.png"), full_page=True)
    viewer.close()


def test_two_sessions_never_see_each_other(chromium, chat_app):
    contexts = [chromium.new_context(viewport={"width": 1100, "height": 900}) for _ in range(2)]
    try:
        first, second = (context.new_page() for context in contexts)
        for page in (first, second):
            open_chat(page, chat_app.url)
        first.locator("#question textarea").fill("What does riluzole do?")
        second.locator("#question textarea").fill("What is scleroderma?")
        first.locator("#question textarea").press("Enter")
        second.locator("#question textarea").press("Enter")  # queued behind the first
        wait_for_answer(first, 1)
        wait_for_answer(second, 1)
        assert user_messages(first) == ["What does riluzole do?"]
        assert user_messages(second) == ["What is scleroderma?"]
        # a follow-up in one session is answered from its own history only
        assert "edaravone" in ask(first, "And edaravone?").lower()
        assert user_messages(second) == ["What is scleroderma?"]
        assert bot_count(second) == 1
        assert "scleroderma" in second.locator("#sources").inner_text().lower()
        assert "riluzole" not in second.locator("#sources").inner_text().lower()
    finally:
        for context in contexts:
            context.close()


def test_condition_filter_and_new_conversation(page):
    page.get_by_label("Scleroderma").check()
    ask(page, "Which treatments can be tried when others fail?")
    titles = page.locator("#sources .sources-turn .source .title").all_inner_texts()
    assert titles and all("Scleroderma" in title for title in titles)
    page.locator("#new-conversation").click()
    page.wait_for_function("document.querySelectorAll('#chat .bot-row').length === 0")
    assert page.locator("#sources .sources-empty").is_visible()
    # the new conversation has no memory of the old one
    ask(page, "What does riluzole do?")
    assert user_messages(page) == ["What does riluzole do?"]


def test_example_questions_run_on_click(page):
    page.locator("#example-caregiver-0").click()
    wait_for_answer(page, 1)
    assert user_messages(page) == ["How can I help someone with ALS stay independent?"]
    assert page.locator("#chat .bot-row").last.locator("button.cite-link").count() >= 1


def test_a_failing_request_shows_a_plain_error_and_the_chat_keeps_working(page):
    ask(page, "why " * 600)  # over the assistant's question length limit
    assert "characters long" in last_answer(page)
    assert page.locator("#status .status[data-state=failed]").is_visible()
    assert page.get_by_text("please keep it under").first.is_visible()
    shot(page, "15-error", full_page=False)
    assert "riluzole" in ask(page, "What does riluzole do?").lower()


def test_copying_an_answer_gives_its_plain_text(chromium, chat_app):
    context = chromium.new_context(permissions=["clipboard-read", "clipboard-write"])
    try:
        page = context.new_page()
        open_chat(page, chat_app.url)
        answer = ask(page, "What does riluzole do?")
        page.locator("#chat button[aria-label='Copy message']").last.click()
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied.startswith(answer.split(".")[0]) and "[1]" in copied
        assert "<" not in copied and "\\" not in copied  # no markup, no escapes
    finally:
        context.close()


def test_keyboard_only_use(page):
    page.locator("#question textarea").focus()
    page.keyboard.type("What does riluzole do?")
    page.keyboard.press("Enter")
    wait_for_answer(page, 1)
    citation = page.locator("#chat .bot-row").last.locator("button.cite-link").first
    citation.focus()
    page.keyboard.press("Enter")
    number = citation.get_attribute("data-n")
    assert page.locator(f"#src-0-{number}").get_attribute("open") is not None
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"  # focus moved to the source


def test_phone_screen(chromium, chat_app):
    context = chromium.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        open_chat(page, chat_app.url)
        shot(page, "16-phone-start", full_page=False)
        ask(page, "What does riluzole do?")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing runs off the side
        chat, sources = page.locator("#chat").bounding_box(), page.locator("#sources").bounding_box()
        assert sources["y"] > chat["y"] + chat["height"]  # sources under the chat
        assert chat["width"] > 330
        font_px = page.evaluate("parseFloat(getComputedStyle(document.querySelector('#chat .bot-row .message-content p')).fontSize)")
        assert font_px >= 16
        shot(page, "17-phone-answer", full_page=False)
        page.locator("#sources").scroll_into_view_if_needed()
        page.locator("#sources details summary").first.click()
        shot(page, "18-phone-source", full_page=False)
    finally:
        context.close()


def _wait_for_rows(store: FeedbackStore, comment: str, timeout: float = 10.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = [r for r in store.rows() if r["comment"] == comment]
        if rows:
            return rows
        time.sleep(0.2)
    raise AssertionError(f"no feedback row with comment {comment!r}: {json.dumps(store.rows())[:500]}")
