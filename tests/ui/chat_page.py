"""What a user does on the chat page, as Playwright steps (shared by the browser tests)."""

from __future__ import annotations

from typing import Any

ANSWER_TIMEOUT_MS = 180_000

# Records, in the page's own clock, when each stage of an answer becomes visible after the
# Enter key: the answer bubble, passages, the first answer text, and the finished answer.
TIMING_PROBE = """
(() => {
  const t = window.__timing = {};
  const before = document.querySelectorAll('#chat .bot-row').length;
  document.querySelector('#question textarea').addEventListener('keydown', (e) => {
    if (e.key === 'Enter') t.start = performance.now();
  }, { capture: true, once: true });
  const seen = () => {
    if (t.start === undefined) return;
    const now = performance.now();
    const bots = document.querySelectorAll('#chat .bot-row');
    if (bots.length <= before) return;
    const last = bots[bots.length - 1];
    if (t.bubble === undefined && last.innerText.trim()) t.bubble = now;
    if (t.passages === undefined && (last.querySelector('blockquote') || document.querySelector('#sources .pending'))) t.passages = now;
    if (t.answer === undefined && last.innerText.trim() && !last.querySelector('em')) t.answer = now;
    if (t.done === undefined && document.querySelector(`#status .status[data-state=done][data-turn="${before + 1}"]`)) t.done = now;
  };
  new MutationObserver(seen).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
})();
"""


def bot_count(page) -> int:
    return page.locator("#chat .bot-row").count()


def ask(page, question: str, *, timeout: float = ANSWER_TIMEOUT_MS) -> str:
    """Type a question, press Enter, wait for the finished answer; return its text."""
    turn = bot_count(page) + 1
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")
    wait_for_answer(page, turn, timeout=timeout)
    return last_answer(page)


def wait_for_answer(page, turn: int, *, timeout: float = ANSWER_TIMEOUT_MS) -> None:
    page.wait_for_selector(
        f'#status .status[data-turn="{turn}"][data-state="done"], #status .status[data-turn="{turn}"][data-state="failed"]',
        timeout=timeout,
    )


def last_answer(page) -> str:
    return page.locator("#chat .bot-row").last.inner_text()


def user_messages(page) -> list[str]:
    return [text.strip() for text in page.locator("#chat .user-row").all_inner_texts()]


def status(page) -> str:
    return page.locator("#status").inner_text().strip()


def timed_ask(page, question: str, *, timeout: float = ANSWER_TIMEOUT_MS) -> dict[str, Any]:
    """Ask, and return milliseconds from Enter to each visible stage (None: never shown):
    ``bubble`` the answer bubble (saying what is happening), ``passages`` the passages found,
    ``answer`` the first answer text, ``done`` the finished answer with its sources."""
    page.evaluate(TIMING_PROBE)
    ask(page, question, timeout=timeout)
    marks = page.evaluate("window.__timing")
    start = marks.get("start")
    return {
        stage: (round(marks[stage] - start) if start is not None and marks.get(stage) is not None else None)
        for stage in ("bubble", "passages", "answer", "done")
    }


def contrast_ratio(page, selector: str) -> float:
    """WCAG contrast of an element's text colour against the first opaque background behind it."""
    return page.evaluate(
        """(selector) => {
          const el = document.querySelector(selector);
          const parse = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
          const lum = ([r, g, b]) => {
            const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
            return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
          };
          let bg = null;
          for (let node = el; node && !bg; node = node.parentElement) {
            const c = parse(getComputedStyle(node).backgroundColor);
            if (c.length === 3 || (c.length === 4 && c[3] > 0.9)) bg = c.slice(0, 3);
          }
          const fg = parse(getComputedStyle(el).color).slice(0, 3);
          const [a, b] = [lum(fg), lum(bg || [255, 255, 255])].sort((x, y) => y - x);
          return (a + 0.05) / (b + 0.05);
        }""",
        selector,
    )
