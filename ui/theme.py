"""How the chat looks: large type, strong contrast, system fonts (nothing fetched from the web)."""

from __future__ import annotations

import gradio as gr

SYSTEM_FONTS = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"]


def make_theme() -> gr.themes.Base:
    """Gradio's default theme with stronger text and button contrast, in light and dark."""
    return gr.themes.Default(
        primary_hue="blue",
        neutral_hue="slate",
        text_size="lg",
        font=SYSTEM_FONTS,
        font_mono=["ui-monospace", "Menlo", "Consolas", "monospace"],
    ).set(
        body_text_color="#111827",
        body_text_color_dark="#f3f4f6",
        body_text_color_subdued="#374151",
        body_text_color_subdued_dark="#d1d5db",
        block_label_text_color="#1f2937",
        block_label_text_color_dark="#e5e7eb",
        block_title_text_color="#111827",
        block_title_text_color_dark="#f3f4f6",
        block_info_text_color="#374151",
        block_info_text_color_dark="#d1d5db",
        input_placeholder_color="#4b5563",
        input_placeholder_color_dark="#cbd5e1",
        button_primary_background_fill="*primary_700",
        button_primary_background_fill_dark="*primary_600",
        button_primary_background_fill_hover="*primary_800",
        button_primary_background_fill_hover_dark="*primary_700",
        button_primary_text_color="white",
        button_primary_text_color_dark="white",
        button_secondary_text_color="#111827",
        button_secondary_text_color_dark="#f3f4f6",
        button_secondary_background_fill="#eef2f7",
        button_secondary_background_fill_dark="#334155",
        button_secondary_background_fill_hover="#dbe3ee",
        button_secondary_background_fill_hover_dark="#475569",
        button_secondary_border_color="#94a3b8",
        button_secondary_border_color_dark="#94a3b8",
        button_cancel_background_fill="#b91c1c",
        button_cancel_background_fill_dark="#dc2626",
        button_cancel_background_fill_hover="#991b1b",
        button_cancel_background_fill_hover_dark="#b91c1c",
        button_cancel_text_color="white",
        button_cancel_text_color_dark="white",
        chatbot_text_size="*text_lg",
        color_accent_soft="#dbeafe",
        color_accent_soft_dark="#1e3a8a",
    )


# Colours by role; HEAD (below) defines them for light and for dark (Gradio puts ``dark`` on <body>).
CSS = """
.gradio-container { max-width: 1200px !important; margin: 0 auto; }
#app-title h1 { font-size: 1.8rem; margin: 0 0 .2rem; color: var(--pg-text); }
#app-title p { margin: 0; color: var(--pg-text-soft); }
#notice { background: var(--pg-note-bg); border-left: 5px solid var(--pg-accent); border-radius: 6px; padding: .6rem .9rem; }
#notice p, #notice strong { margin: 0; color: var(--pg-text); }

/* the answer area */
#chat .message { line-height: 1.55; }
#chat .message-content, #chat .message-content p, #chat .message-content em { color: var(--pg-text); }
#chat .bot blockquote, #chat blockquote { border-left: 4px solid var(--pg-border); padding-left: .7rem; margin: .4rem 0; color: var(--pg-text); }
#chat .placeholder, #chat .placeholder p, #chat .placeholder strong { color: var(--pg-text); }
#status .status { margin: .2rem 0; color: var(--pg-text); font-weight: 600; min-height: 1.5em; }
#status .status[data-state=failed] { color: var(--pg-error); }
.elapsed, .queued { margin: .2rem 0; color: var(--pg-text-soft); font-weight: 600; }
.queued:empty, .elapsed:empty { display: none; }
.queued { color: var(--pg-text); background: var(--pg-note-bg); border-radius: 6px; padding: .3rem .6rem; }

/* the question box, with Ask and Stop: always in view */
#composer { position: sticky; bottom: 0; z-index: 100;  /* above Gradio's layers (up to 50), below its notices */ background: var(--pg-page); padding: .3rem 0 .4rem;
  box-shadow: 0 -8px 10px -10px rgba(0, 0, 0, .45); gap: .2rem; }
#status { padding-right: 10.5rem; }
#elapsed { position: absolute; right: .2rem; top: .3rem; width: auto !important; min-width: 0 !important; }
#ask-row { align-items: stretch; }
#ask, #stop { min-height: 48px; font-weight: 700; }
#chat { height: max(300px, calc(100vh - 460px)) !important; }

/* suggested next questions under the last answer: one tap each */
#chat .options { display: flex; flex-direction: column; align-items: stretch; gap: .45rem; margin: .4rem 0 .6rem; }
#chat .next-heading { margin: .6rem 0 0; font-weight: 700; color: var(--pg-text); }
#chat .options button.option { min-height: 44px; text-align: left; justify-content: flex-start; display: flex; font-size: 1rem; line-height: 1.35; color: var(--pg-text);
  background: var(--button-secondary-background-fill); border: 2px solid var(--pg-border); border-radius: 8px;
  padding: .55rem .9rem; cursor: pointer; max-width: none; }
#chat .options button.option:hover { background: var(--button-secondary-background-fill-hover); }
/* "As the guide says": the guide's own sentences under an answer given in plain words */
#chat details.as-guide-says { margin: .5rem 0 .2rem; border: 2px solid var(--pg-border); border-radius: 8px; background: var(--pg-panel); }
#chat details.as-guide-says > summary { cursor: pointer; min-height: 44px; min-width: 44px; display: flex; align-items: center;
  padding: .3rem .8rem; font-weight: 700; color: var(--pg-text); }
#chat details.as-guide-says > summary:focus-visible { outline: 3px solid var(--pg-cite-border); outline-offset: 2px; }
#chat details.as-guide-says[open] > summary { border-bottom: 1px solid var(--pg-border); }
#chat .guide-words { margin: .4rem 0; padding: 0 .8rem 0 1.8rem; color: var(--pg-text); }
#chat .guide-words li { margin: .25rem 0; color: var(--pg-text); }
#chat .words-used { margin: .6rem 0 .2rem; padding: .3rem .8rem; border-left: 4px solid var(--pg-border); background: var(--pg-note-bg); border-radius: 4px; }
#chat .words-used-heading { margin: .2rem 0; font-weight: 600; color: var(--pg-text); }
#chat .words-used ul { margin: .2rem 0; padding-left: 1.2rem; color: var(--pg-text); }
#chat .plain-note { margin: .5rem 0 .2rem; font-size: .95rem; color: var(--pg-text-soft); }
.kept-note { margin: .2rem 0; color: var(--pg-text-soft); font-size: .95em; }

/* emergency and crisis guidance: first thing on the page */
.alert { border: 3px solid var(--pg-alert-border); background: var(--pg-alert-bg); border-radius: 8px; padding: .8rem 1rem; margin-bottom: .5rem; }
.alert p { margin: .2rem 0; color: var(--pg-text); font-size: 1.1rem; }
.alert .alert-title { color: var(--pg-alert-title); font-weight: 800; font-size: 1.3rem; }
.alert-crisis { border-color: var(--pg-crisis-border); background: var(--pg-crisis-bg); }
.alert-crisis .alert-title { color: var(--pg-crisis-title); }

/* what to ask the care team when the guides don't cover it */
.care-team { border: 2px solid var(--pg-care-border); background: var(--pg-care-bg); border-radius: 8px; padding: .7rem 1rem; }
.care-team p, .care-team li { color: var(--pg-text); margin: .2rem 0; }
.care-team-title { font-weight: 800; color: var(--pg-care-title) !important; }

/* the sources panel */
.sources-heading { font-size: 1.3rem; margin: 0 0 .3rem; color: var(--pg-text); }
.sources-question { font-size: 1.05rem; margin: .3rem 0; color: var(--pg-text); }
.source-list { list-style: none; padding: 0; margin: 0; }
.source details { border: 1px solid var(--pg-border); border-radius: 8px; margin: .4rem 0; background: var(--pg-panel); }
.source summary { cursor: pointer; padding: .55rem .7rem; color: var(--pg-text); min-height: 44px; }
.source .num { font-weight: 800; color: var(--pg-num); }
.source .title { font-weight: 700; color: var(--pg-text); }
.source .quote { display: block; color: var(--pg-text-soft); font-size: .95em; margin-top: .15rem; }
.source details[open] summary { border-bottom: 1px solid var(--pg-border); background: var(--pg-panel-open); }
.in-doc { white-space: pre-wrap; max-height: 24rem; overflow-y: auto; padding: .6rem .8rem; color: var(--pg-text); line-height: 1.55; }
.in-doc mark { background: var(--pg-mark-bg); color: var(--pg-mark-text); border-bottom: 2px solid #a16207; }
.in-doc .clip { color: var(--pg-text-soft); }
.sources-turn.pending .hint, .hint { color: var(--pg-text-soft); font-size: .95em; }
.earlier { margin-top: .8rem; }
.earlier > summary { cursor: pointer; font-weight: 700; color: var(--pg-text); padding: .6rem 0; min-height: 44px; }
.sources-empty, .no-sources { color: var(--pg-text); }

/* citations in answers become buttons that open their source (see HEAD_JS) */
button.cite-link { font: inherit; font-weight: 700; color: var(--pg-cite); background: var(--pg-cite-bg); border: 1px solid var(--pg-cite-border);
  border-radius: 6px; padding: 0 .35em; margin: 0 .1em; cursor: pointer; line-height: 1.3; min-width: 44px; min-height: 44px;
  vertical-align: middle; }
button.cite-link:hover { filter: brightness(1.1); }
button.read-aloud { font: inherit; font-size: .95em; font-weight: 600; color: var(--pg-text); background: var(--pg-panel);
  border: 2px solid var(--pg-border); border-radius: 8px; padding: .35rem .8rem; margin-top: .5rem; min-height: 44px; min-width: 44px;
  cursor: pointer; }
button.read-aloud[aria-pressed=true] { background: var(--pg-cite-bg); border-color: var(--pg-cite-border); }
details.flash > summary { animation: flash 1.2s ease-out 1; }
@keyframes flash { from { background: #fde047; } to { background: transparent; } }

/* every control is at least 44 px square, and easy to hit */
#chat .message-buttons button, #chat .top-panel button { min-width: 44px; min-height: 44px; }
#chat button[aria-label="Scroll down"] { min-width: 44px; min-height: 44px; }  /* shown when an answer is read from its start */
/* Gradio centres that button over the messages, where it hid a line of the answer ("fol[low] it while help comes"
   in the emergency text on a phone): it sits in the right-hand margin beside the answers' bubbles, and below the
   pinned question box (z-index 100) when the page scrolls the chat under it */
#chat .scroll-down-button-container { left: auto; right: 0; transform: none; z-index: 50; }
#chat .message-buttons button svg, #chat .top-panel button svg { width: 22px; height: 22px; }
#condition label { min-height: 44px; align-items: center; }
#condition input[type=radio] { width: 22px; height: 22px; }
button.lg, button.md, button.sm, button.label-wrap { min-height: 44px; }
#question textarea { min-height: 48px; }

#examples { gap: .45rem; }
#examples .examples-heading { background: transparent; }
#examples .examples-heading p { margin: .4rem 0 0; }
#examples button.example { justify-content: flex-start; text-align: left; font-weight: 500; }
.upload-result p { margin: .2rem 0; }
.upload-ok { color: var(--pg-ok); }
.upload-error { color: var(--pg-error); font-weight: 600; }
.library li { margin: .1rem 0; }

@media (max-width: 640px) {
  #app-title h1 { font-size: 1.45rem; }
  #notice { padding: .45rem .7rem; font-size: .95em; }
  #chat { height: 58vh !important; min-height: 280px !important; }
  .in-doc { max-height: 18rem; }
  /* the question box is pinned to the bottom of the screen, as in every chat app */
  #composer { position: fixed; left: 0; right: 0; bottom: 0; margin: 0; padding: .35rem .6rem calc(.45rem + env(safe-area-inset-bottom));
    border-top: 2px solid var(--pg-border); box-shadow: 0 -6px 14px rgba(0, 0, 0, .25); }
  #composer #question label > span { font-size: .9rem; }
  #status { padding-right: 0; }
  #status .status { font-size: .95rem; margin: 0; min-height: 0; }
  #elapsed { position: static; }
}
"""

# Outside the app container (which css= rules are scoped to): the colours of each role in light
# and dark, narrow margins and room for the pinned question box on phones, and what depends on
# the page's state (an answer being written).
# Then progressive enhancement; nothing from the page is ever evaluated:
# - citation markers in the chat's answers become buttons that open and scroll to their passage
#   in the sources panel, and opening a passage scrolls its highlight into view in its document;
# - each finished answer gets a "Read aloud" button (the browser's own speech synthesis;
#   pressing it again stops);
# - while an answer is being written: the time it has taken so far, and a question asked
#   meanwhile (Enter, a suggested or an example question) is kept and asked when it is done;
# - a finished answer is scrolled to its start (the chat follows an answer's end while it streams).
HEAD_JS = r"""
<style>
  body {
    --pg-page: #ffffff; --pg-text: #111827; --pg-text-soft: #374151; --pg-note-bg: #f1f5f9; --pg-accent: #1d4ed8; --pg-border: #64748b;
    --pg-panel: #ffffff; --pg-panel-open: #f8fafc; --pg-num: #1e3a8a; --pg-cite: #1e40af; --pg-cite-bg: #e0e7ff;
    --pg-cite-border: #6366f1; --pg-mark-bg: #fde047; --pg-mark-text: #111827; --pg-focus: #1d4ed8;
    --pg-alert-bg: #fef2f2; --pg-alert-border: #b91c1c; --pg-alert-title: #991b1b;
    --pg-crisis-bg: #f5f3ff; --pg-crisis-border: #6d28d9; --pg-crisis-title: #5b21b6;
    --pg-care-bg: #fffbeb; --pg-care-border: #b45309; --pg-care-title: #78350f; --pg-ok: #14532d; --pg-error: #991b1b;
  }
  body.dark {
    --pg-page: #0b0f19; --pg-text: #f3f4f6; --pg-text-soft: #d1d5db; --pg-note-bg: #1e293b; --pg-accent: #60a5fa; --pg-border: #94a3b8;
    --pg-panel: #111827; --pg-panel-open: #1f2937; --pg-num: #93c5fd; --pg-cite: #e0e7ff; --pg-cite-bg: #312e81;
    --pg-cite-border: #a5b4fc; --pg-mark-bg: #fde047; --pg-mark-text: #111827; --pg-focus: #fbbf24;
    --pg-alert-bg: #450a0a; --pg-alert-border: #f87171; --pg-alert-title: #fecaca;
    --pg-crisis-bg: #2e1065; --pg-crisis-border: #a78bfa; --pg-crisis-title: #ddd6fe;
    --pg-care-bg: #422006; --pg-care-border: #f59e0b; --pg-care-title: #fde68a; --pg-ok: #86efac; --pg-error: #fca5a5;
  }
  /* a focus ring that shows on every control, on light and on dark */
  .gradio-container :is(button, input, textarea, select, summary, a, [tabindex]):focus-visible {
    outline: 3px solid var(--pg-focus) !important; outline-offset: 2px !important;
  }
  .gradio-container label:has(input[type=radio]:focus-visible), .gradio-container label:has(input[type=checkbox]:focus-visible) {
    outline: 3px solid var(--pg-focus); outline-offset: 2px;
  }
  /* Gradio clips its container with overflow: hidden, which would stop the question box from staying in view */
  .gradio-container { overflow: clip !important; }
  footer a, footer button { min-height: 44px; min-width: 44px; display: inline-flex; align-items: center; }
  /* nothing takes room in the question box's area while it has nothing to say */
  #elapsed:has(.elapsed:empty), #queued:has(.queued:empty) { display: none !important; }
  /* no rating or copy icons under an answer that is still being written */
  body[data-answering] #chat .message-buttons:not(:has(~ .bot-row)) { visibility: hidden; }
  @media (max-width: 640px) {
    .gradio-container .main.app { padding-left: 8px !important; padding-right: 8px !important; }
    /* room to scroll past the pinned question box (its height is measured by the script below),
       and focus never hides behind it */
    .gradio-container { padding-bottom: calc(var(--composer-height, 220px) + 16px) !important; }
    html { scroll-padding-bottom: calc(var(--composer-height, 220px) + 16px); }
  }
</style>
<script>
(() => {
  const MARKER = /\[(\d+(?:,\s*\d+)*)\]/g;
  const HAS_MARKER = /\[\d+(?:,\s*\d+)*\]/;
  const $ = (selector) => document.querySelector(selector);
  function botMessages() {
    return Array.from(document.querySelectorAll('#chat .message-row.bot-row, #chat [data-testid="bot"]'))
      .filter((el, i, all) => !all.some((other) => other !== el && other.contains(el)));
  }
  function linkCitations(message, turn) {
    const walker = document.createTreeWalker(message, NodeFilter.SHOW_TEXT, {
      acceptNode: (node) => node.parentElement && !node.parentElement.closest('button, code, pre, blockquote')
        && HAS_MARKER.test(node.nodeValue) ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT,
    });
    const nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    nodes.forEach((node) => {
      const text = node.nodeValue;
      const fragment = document.createDocumentFragment();
      let last = 0;
      text.replace(MARKER, (match, numbers, offset) => {
        fragment.appendChild(document.createTextNode(text.slice(last, offset)));
        numbers.split(',').forEach((n) => {
          n = n.trim();
          const button = document.createElement('button');
          button.type = 'button';
          button.className = 'cite-link';
          button.dataset.turn = String(turn);
          button.dataset.n = n;
          button.textContent = '[' + n + ']';
          button.setAttribute('aria-label', 'Show source ' + n);
          fragment.appendChild(button);
        });
        last = offset + match.length;
        return match;
      });
      fragment.appendChild(document.createTextNode(text.slice(last)));
      node.parentNode.replaceChild(fragment, node);
    });
  }

  // --- copy: an answer in plain words carries its "As the guide says" toggle and the note on where
  // its plain words come from as markup (ui/render.py as_guide_says_html); the chat's copy button
  // copies the answer without them.
  // The "Words used" list (ui/render.py glossary_html) is copied as plain lines.
  const GUIDE_WORDS = /\s*(?:<p class="plain-note">[\s\S]*?<\/p>)?<details class="as-guide-says">[\s\S]*?<\/details>/g;
  const WORDS_USED = /<div class="words-used">[\s\S]*?<\/div>/g;
  function wordsUsedText(html) {
    const list = new DOMParser().parseFromString(html, 'text/html');
    const heading = list.querySelector('.words-used-heading');
    const items = Array.from(list.querySelectorAll('li')).map((li) => '- ' + li.textContent.trim());
    return [heading ? heading.textContent.trim() + ':' : '', ...items].filter(Boolean).join('\n');
  }
  if (navigator.clipboard && navigator.clipboard.writeText) {
    const write = navigator.clipboard.writeText.bind(navigator.clipboard);
    navigator.clipboard.writeText = (text) => write(
      typeof text === 'string' ? text.replace(GUIDE_WORDS, '').replace(WORDS_USED, wordsUsedText).trim() : text);
  }

  // --- read aloud --------------------------------------------------------------------------
  const speech = window.speechSynthesis;
  let speaking = null;  // the button whose answer is being read
  function spokenText(message) {
    const copy = message.querySelector('.message-content').cloneNode(true);
    copy.querySelectorAll('button, .read-aloud, details.as-guide-says, .plain-note').forEach((el) => el.remove());
    return copy.textContent.replace(MARKER, ' ').replace(/\s+/g, ' ').trim();
  }
  function setReading(button, on) {
    button.setAttribute('aria-pressed', on ? 'true' : 'false');
    button.textContent = on ? 'Stop reading' : 'Read aloud';
  }
  function stopReading() {
    if (speaking) setReading(speaking, false);
    speaking = null;
    speech.cancel();
  }
  function readAloud(button) {
    const reading = speaking === button;
    stopReading();
    if (reading) return;
    const message = button.closest('[data-testid="bot"]');
    const utterance = new SpeechSynthesisUtterance(spokenText(message));
    utterance.lang = document.documentElement.lang || 'en';
    utterance.onend = utterance.onerror = () => { if (speaking === button) { setReading(button, false); speaking = null; } };
    speaking = button;
    setReading(button, true);
    speech.speak(utterance);
  }
  function addReadAloud(message, finished) {
    const content = message.querySelector('.message-content');
    const existing = message.querySelector('button.read-aloud');
    if (!speech || !content || !finished) { if (existing && existing !== speaking) existing.remove(); return; }
    if (existing) return;
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'read-aloud';
    setReading(button, false);
    content.after(button);
  }

  // --- the state of the page: an answer being written, the time it takes ---------------------
  let answering = false, pendingTurn = 0, started = 0, timer = 0;
  const turns = () => document.querySelectorAll('#chat .bot-row').length;
  function statusState() {
    const status = $('#status .status');
    return status ? { state: status.dataset.state, turn: Number(status.dataset.turn || 0) } : { state: '', turn: 0 };
  }
  function elapsedText() {
    const seconds = Math.floor((performance.now() - started) / 1000);
    return seconds < 60 ? seconds + ' s' : Math.floor(seconds / 60) + ' min ' + (seconds % 60) + ' s';
  }
  function tick() {
    const out = $('#elapsed .elapsed');
    if (out) out.textContent = answering ? 'Working for ' + elapsedText() : '';
  }
  function setAnswering(on) {
    if (on === answering) return;
    answering = on;
    document.body.toggleAttribute('data-answering', on);
    clearInterval(timer);
    if (on) { started = performance.now(); timer = setInterval(tick, 1000); }
    tick();
    if (!on) finished();
  }
  function note(text) { const out = $('#queued .queued'); if (out) out.textContent = text; }
  function box() { return $('#question textarea'); }
  function setBox(text) {  // as if typed, so Gradio sees the new value
    const area = box();
    Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value').set.call(area, text);
    area.dispatchEvent(new Event('input', { bubbles: true }));
  }
  let queued = false, stopPressed = false;
  function queue(text) {
    if (text !== undefined) setBox(text);
    const typed = box() && box().value.trim();
    queued = Boolean(typed);
    note(typed ? 'Your next question will be asked as soon as this answer is finished.'
               : 'Still answering your last question. Press Stop to end it.');
  }
  function showAnswerStart() {  // a finished answer is read from its start: the chat followed its end while it was written
    const last = botMessages().pop();
    if (!last) return;
    const go = () => last.scrollIntoView({ block: 'start' });
    requestAnimationFrame(go);
    // again while the chat may still follow the end (the suggested questions and buttons under it
    // are drawn after it): only if it is back at its end, so a reader who scrolled keeps their place
    const wrap = last.closest('.bubble-wrap');
    const atEnd = () => !wrap || wrap.scrollHeight - wrap.scrollTop - wrap.clientHeight < 4;
    [300, 700, 1200].forEach((ms) => setTimeout(() => { if (atEnd()) go(); }, ms));
  }
  function finished() {
    if (queued && box() && box().value.trim()) {
      queued = false;
      note('');
      setTimeout(() => { const ask = $('#ask'); if (ask) ask.click(); }, 50);
      return;
    }
    queued = false;
    note('');
    showAnswerStart();
    if (stopPressed && box()) box().focus({ preventScroll: true });  // the Stop button is gone: go on from the question box
    stopPressed = false;
  }
  const phone = window.matchMedia('(max-width: 640px)');
  function submitted() {  // a question was sent: working until its answer's status says otherwise
    pendingTurn = turns() + 1;
    setAnswering(true);
    const chat = $('#chat');  // on a phone, the conversation takes the screen above the question box
    if (phone.matches && chat && Math.abs(chat.getBoundingClientRect().top) > 8) chat.scrollIntoView({ block: 'start' });
  }
  let measured = null;
  function measureComposer() {  // the pinned question box's height, so the page can scroll past it
    const composer = $('#composer');
    if (!composer || composer === measured) return;
    measured = composer;
    new ResizeObserver(() => document.documentElement.style.setProperty('--composer-height', composer.offsetHeight + 'px'))
      .observe(composer);
  }
  function update() {
    measureComposer();
    const { state, turn } = statusState();
    if (state === 'working') setAnswering(true);
    else if (answering && (turn >= pendingTurn || !pendingTurn) && state) { pendingTurn = 0; setAnswering(false); }
    const options = $('#chat .options');
    if (options && !options.hasAttribute('role')) {  // the suggested questions: a labelled group with a visible heading
      const heading = document.createElement('p');
      heading.className = 'next-heading';
      heading.id = 'next-heading';
      heading.textContent = 'The guides can also answer:';
      options.before(heading);
      options.setAttribute('role', 'group');
      options.setAttribute('aria-labelledby', 'next-heading');
    }
    document.querySelectorAll('#chat .next-heading').forEach((heading) => {
      if (heading.nextElementSibling !== $('#chat .options')) heading.remove();
    });
    botMessages().forEach((message, index, all) => {
      linkCitations(message, index);
      const inner = message.matches('[data-testid="bot"]') ? message : message.querySelector('[data-testid="bot"]');
      if (inner) addReadAloud(inner, !answering || index < all.length - 1);
    });
  }

  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing || !event.target.closest) return;
    if (!event.target.closest('#question textarea')) return;
    if (answering) { event.preventDefault(); event.stopImmediatePropagation(); queue(); return; }
    if (event.target.value.trim()) submitted();
  }, true);
  document.addEventListener('click', (event) => {
    const target = event.target.closest ? event.target : null;
    if (!target) return;
    const ask = target.closest('#ask'), suggested = target.closest('#examples button.example, #chat .options button.option');
    if (answering && (ask || suggested)) {
      event.preventDefault(); event.stopImmediatePropagation();
      queue(suggested ? suggested.textContent.trim() : undefined);
      return;
    }
    if ((ask && box() && box().value.trim()) || suggested) submitted();
    if (target.closest('#stop')) stopPressed = true;
    if (target.closest('#new-conversation, #chat button[aria-label="Clear"]')) { pendingTurn = 0; setAnswering(false); stopReading(); }
    const reader = target.closest('button.read-aloud');
    if (reader) { readAloud(reader); return; }
    const button = target.closest('button.cite-link');
    if (!button) return;
    const details = document.getElementById('src-' + button.dataset.turn + '-' + button.dataset.n);
    if (!details) return;
    const earlier = details.closest('details.earlier');
    if (earlier) earlier.open = true;
    details.open = true;
    details.classList.remove('flash'); void details.offsetWidth; details.classList.add('flash');
    details.scrollIntoView({ behavior: 'smooth', block: 'center' });
    details.querySelector('summary').focus({ preventScroll: true });
    reveal(details);
  }, true);
  function reveal(details) {
    const mark = details.querySelector('mark');
    const box = details.querySelector('.in-doc');
    if (mark && box) box.scrollTop = Math.max(0, mark.offsetTop - box.offsetTop - 24);
  }
  document.addEventListener('toggle', (event) => {
    const details = event.target;
    if (details.matches && details.matches('.source details') && details.open) reveal(details);
  }, true);
  let scheduled = false;
  new MutationObserver(() => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => { scheduled = false; update(); });
  }).observe(document.documentElement, { childList: true, subtree: true, characterData: true, attributes: true,
                                          attributeFilter: ['data-state', 'data-turn'] });
})();
</script>
"""
