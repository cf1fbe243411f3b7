"""The chat for people who tire quickly, use a phone, eye-gaze or a switch: in light and dark,
on a desktop (1280x900) and a phone (390x844), in a real Chromium.

Each state is saved as a screenshot in test-artifacts/a11y-*.png.
"""

from __future__ import annotations

import re
import time

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.ui.chat_page import ask, bot_count, contrast_ratio, last_answer, status, user_messages, wait_for_answer
from tests.ui.conftest import ARTIFACTS, open_chat
from ui.session import STOPPED

pytestmark = pytest.mark.browser

VIEWS = {
    "light-desktop": {"color_scheme": "light", "viewport": {"width": 1280, "height": 900}},
    "dark-desktop": {"color_scheme": "dark", "viewport": {"width": 1280, "height": 900}},
    "light-phone": {"color_scheme": "light", "viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "dark-phone": {"color_scheme": "dark", "viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
AA_TEXT = 4.5
MIN_TARGET_PX = 44
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Headless Chromium has no voices (speaking ends at once with an error), so the test stands in
# for the speech engine: it records what the page asks it to say, "speaks" until cancelled, and
# lets the test end an utterance as a voice would.
SPEECH_ENGINE = """
window.__spoken = []; window.__cancelled = 0; window.__utterances = [];
speechSynthesis.speak = (utterance) => { window.__spoken.push(utterance.text); window.__utterances.push(utterance); };
speechSynthesis.cancel = () => { window.__cancelled += 1; };
"""


@pytest.fixture(params=list(VIEWS), ids=list(VIEWS))
def view(request, chromium):
    """A fresh browser context (its own storage) in one of the four views."""
    context = chromium.new_context(**VIEWS[request.param])
    context.name = request.param  # type: ignore[attr-defined]
    yield context
    context.close()


def new_page(view, url: str):
    page = view.new_page()
    page.errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda error: page.errors.append(str(error)))  # type: ignore[attr-defined]
    open_chat(page, url)
    return page


def shot(page, view, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"a11y-{view.name}-{name}.png"))


def is_phone(view) -> bool:
    return view.name.endswith("phone")


def serious_axe_violations(page) -> list[str]:
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]})
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:5]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def box_in_view(page) -> bool:
    box = page.locator("#question textarea").bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


def press(page, view, locator) -> None:
    """A tap on a phone, a click on a desktop."""
    if is_phone(view):
        locator.tap()
    else:
        locator.click()


SMALL_TARGETS = """() => {
  const seen = [];
  const controls = document.querySelectorAll(
    'button, summary, input[type=radio], input[type=checkbox], textarea, input[type=text], a[href], [role=button]');
  for (const el of controls) {
    const target = el.matches('input[type=radio], input[type=checkbox]') ? el.closest('label') || el : el;
    const box = target.getBoundingClientRect();
    const style = getComputedStyle(target);
    if (!box.width || !box.height || style.visibility === 'hidden' || target.closest('[hidden], .hide')) continue;
    if (box.width < 44 || box.height < 44) seen.push(`${target.tagName}#${target.id}.${String(target.className).slice(0, 30)} `
      + `"${(target.getAttribute('aria-label') || target.textContent).trim().slice(0, 30)}" ${Math.round(box.width)}x${Math.round(box.height)}`);
  }
  return seen;
}"""

FOCUS_RING = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const ring = (node) => { const s = getComputedStyle(node);
    return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2 ? parseFloat(s.outlineWidth) : 0; };
  const label = el.closest('label');
  const width = Math.max(ring(el), label ? ring(label) : 0);
  return { what: `${el.tagName}#${el.id}.${String(el.className).slice(0, 30)} "${(el.getAttribute('aria-label') || el.textContent || '').trim().slice(0, 30)}"`, width };
}"""

DUPLICATE_IDS = """() => {
  const count = {};
  document.querySelectorAll('[id]').forEach((el) => { if (el.id) count[el.id] = (count[el.id] || 0) + 1; });
  return Object.entries(count).filter(([, n]) => n > 1).map(([id]) => id);
}"""


def test_answers_read_well_controls_are_big_and_focused_and_the_box_stays_in_view(view, chat_app):
    page = new_page(view, chat_app.url)
    page.wait_for_timeout(800)
    assert box_in_view(page), "the question box is out of view on the start page"
    assert serious_axe_violations(page) == []
    shot(page, view, "start")

    ask(page, "What does riluzole do?")
    page.wait_for_selector("#chat .options button.option")
    assert box_in_view(page)
    # 1. text is readable in light and in dark: answer, notice, source titles, status, suggestions
    for selector in (
        "#chat .bot-row .message-content p", "#notice strong", "#notice p", "#sources .source .title",
        "#sources .sources-question", "#status .status", "#chat .options button.option",
    ):
        assert contrast_ratio(page, selector) >= AA_TEXT, selector
    assert contrast_ratio(page, "#chat .bot-row .message-content p") >= 7
    shot(page, view, "answer")

    # 2. the question box stays in view wherever the page is scrolled; pinned to the bottom on a phone
    for where in ("document.body.scrollHeight", "document.body.scrollHeight / 2", "0"):
        page.evaluate(f"window.scrollTo(0, {where})")
        page.wait_for_timeout(150)
        assert box_in_view(page), f"the question box is out of view when scrolled to {where}"
    if is_phone(view):
        composer = page.locator("#composer")
        assert composer.evaluate("el => getComputedStyle(el).position") == "fixed"
        box = composer.bounding_box()
        assert abs(box["y"] + box["height"] - 844) <= 1 and box["width"] >= 388
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    shot(page, view, "scrolled-down")

    # 5. every control at least 44 x 44 px, a focus ring on each, no id used twice
    page.locator("#sources details summary").first.click()
    assert page.evaluate(SMALL_TARGETS) == []
    assert page.evaluate(DUPLICATE_IDS) == []
    page.locator("#question textarea").focus()
    rings: dict[str, float] = {}
    for _ in range(45):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUS_RING)
        if focused:
            rings[focused["what"]] = focused["width"]
    assert len(rings) >= 15  # the walk reached the sources, examples and sections
    assert [what for what, width in rings.items() if width < 2] == []
    page.locator("#condition input[value=als]").focus()
    assert page.evaluate(FOCUS_RING)["width"] >= 3  # the condition choices too
    shot(page, view, "focus")
    assert serious_axe_violations(page) == []
    assert page.errors == []


def test_going_on_without_typing_reading_aloud_and_coming_back_after_a_reload(view, chat_app):
    view.add_init_script(SPEECH_ENGINE)
    page = new_page(view, chat_app.url)
    ask(page, "What does riluzole do?")

    # 7. suggested next questions: by tap (or click), then by keyboard as a switch user would
    options = page.locator("#chat .options button.option")
    assert 2 <= options.count() <= 3
    assert page.locator("#chat .options[role=group]").get_attribute("aria-labelledby") == "next-heading"
    shot(page, view, "suggestions")
    picked = options.first.inner_text().strip()
    press(page, view, options.first)
    wait_for_answer(page, 2)
    assert user_messages(page) == ["What does riluzole do?", picked]
    assert page.locator("#chat .bot-row").last.locator("button.cite-link").count() >= 1  # the guides answer it
    options = page.locator("#chat .options button.option")
    assert options.count() >= 1
    picked = options.last.inner_text().strip()
    options.last.focus()
    page.keyboard.press("Space")
    wait_for_answer(page, 3)
    assert user_messages(page)[-1] == picked

    # read aloud: the answer without its [n] markers; pressing again stops
    reader = page.locator("#chat .bot-row").first.locator("button.read-aloud")
    assert reader.inner_text() == "Read aloud" and reader.get_attribute("aria-pressed") == "false"
    press(page, view, reader)
    spoken = page.evaluate("window.__spoken")
    first_answer = page.locator("#chat .bot-row").first.locator(".message-content").inner_text()
    assert len(spoken) == 1 and "riluzole" in spoken[0] and "[1]" not in spoken[0] and "Read aloud" not in spoken[0]
    assert spoken[0].split()[:6] == first_answer.split()[:6]
    assert reader.get_attribute("aria-pressed") == "true" and reader.inner_text() == "Stop reading"
    shot(page, view, "reading-aloud")
    cancelled = page.evaluate("window.__cancelled")
    press(page, view, reader)
    assert reader.get_attribute("aria-pressed") == "false" and page.evaluate("window.__cancelled") > cancelled
    assert page.evaluate("window.__spoken.length") == 1
    press(page, view, reader)  # read again, to the end this time
    page.evaluate("window.__utterances.at(-1).onend(new Event('end'))")
    assert reader.get_attribute("aria-pressed") == "false" and reader.inner_text() == "Read aloud"

    # 6. a reworded follow-up is never shown as the user's question
    ask(page, "And how much does it cost?")
    care = page.locator("#care-team").inner_text()
    assert "And how much does it cost?" in care or "cost" in care
    assert "follow-up to" not in page.locator("body").inner_text()

    # 4. a reload brings the conversation back, with its sources and its handout
    before = user_messages(page)
    page.reload()
    page.wait_for_selector("#question textarea")
    page.wait_for_function(f"document.querySelectorAll('#chat .bot-row').length === {len(before)}", timeout=30_000)
    assert user_messages(page) == before
    assert page.locator("#sources .sources-turn").count() >= 1
    shot(page, view, "after-reload")
    page.get_by_role("button", name=re.compile("^Take this to your care team")).click()
    page.locator("#make-handout").click()
    links = page.locator("#handout-files a")
    links.first.wait_for(timeout=30_000)
    for i in range(links.count()):
        with page.expect_download() as download:
            links.nth(i).click()
        if download.value.suggested_filename.endswith(".md"):
            handout = download.value.path().read_text(encoding="utf-8")
    asked = handout.split("## Questions I want to ask my care team")[1]
    assert "What does riluzole do?" in handout and "And how much does it cost?" in handout
    assert "follow-up to" not in handout and "follow-up to" not in asked

    # and "New conversation" clears what the browser kept
    page.locator("#new-conversation").click()
    page.wait_for_function("document.querySelectorAll('#chat .bot-row').length === 0")
    page.wait_for_timeout(500)
    page.reload()
    page.wait_for_selector("#question textarea")
    page.wait_for_timeout(1500)
    assert bot_count(page) == 0 and page.locator("#sources .sources-empty").is_visible()
    assert page.errors == []


MANY_SENTENCES = "What treatments are approved for ALS?"


def test_stop_elapsed_time_and_a_question_asked_while_waiting(view, stoppable_chat_app, slow_words_assistant):
    generator = slow_words_assistant.generator
    page = new_page(view, stoppable_chat_app.url)
    box = page.locator("#question textarea")
    box.fill(MANY_SENTENCES)  # an answer of several sentences: something is left to stop after the first
    box.press("Enter")
    # 3. while it works: Stop instead of Ask, and the time it has taken
    stop = page.locator("#stop")
    stop.wait_for(state="visible", timeout=30_000)
    assert not page.locator("#ask").is_visible()
    page.wait_for_function("/Working for [2-9] s/.test(document.querySelector('#elapsed').innerText)", timeout=30_000)
    # the feedback and copy icons wait for the finished answer
    assert page.locator("#chat .message-buttons").last.evaluate("el => getComputedStyle(el).visibility") == "hidden"

    # a second Enter is not ignored: the question is kept and asked when this answer ends
    box.fill("What is edaravone?")
    box.press("Enter")
    queued = page.locator("#queued .queued")
    assert "will be asked" in queued.inner_text()
    assert box.input_value() == "What is edaravone?"
    page.wait_for_selector("#status .status[data-state=working][data-turn='1']")
    page.wait_for_function("document.querySelector('#status').innerText.includes('Writing the answer')", timeout=60_000)
    shot(page, view, "writing")

    # Stop ends the model's work, keeps what was checked, and gives the box back
    runs = len(generator.runs)
    run = generator.runs[-1]
    press(page, view, stop)
    page.wait_for_selector("#status .status[data-state=stopped][data-turn='1']", timeout=15_000)
    words = run.words
    assert run.closed and not run.finished
    page.wait_for_timeout(1000)
    assert run.words == words  # nothing more was generated for the stopped answer
    stopped = page.locator("#chat .bot-row").first.inner_text()
    assert re.search(rf"\.\s*\[\d+\]\s*{STOPPED}", stopped), stopped  # a checked sentence, with its citation, kept

    # ... and the kept question goes next, on its own
    page.wait_for_selector("#status .status[data-state=working][data-turn='2']", timeout=30_000)
    assert user_messages(page) == [MANY_SENTENCES, "What is edaravone?"]
    assert queued.inner_text() == ""
    shot(page, view, "stopped-and-next")
    started = time.monotonic()
    while len(generator.runs) == runs and time.monotonic() - started < 30:
        time.sleep(0.1)
    stop.wait_for(state="visible")
    press(page, view, stop)
    page.wait_for_selector("#status .status[data-state=stopped][data-turn='2']", timeout=10_000)
    assert page.locator("#ask").is_visible() and not stop.is_visible()
    assert box.is_editable()
    assert page.evaluate("document.activeElement.closest('#question') !== null")  # back to the box after Stop
    assert page.locator("#elapsed").inner_text().strip() == ""
    assert "Stopped" in status(page)
    shot(page, view, "stopped")
    assert page.errors == []
    assert last_answer(page)
