"""How the chat looks: large type, strong contrast, system fonts (nothing fetched from the web)."""

from __future__ import annotations

import gradio as gr

SYSTEM_FONTS = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"]


def make_theme() -> gr.themes.Base:
    return gr.themes.Default(
        primary_hue="blue",
        neutral_hue="slate",
        text_size="lg",
        font=SYSTEM_FONTS,
        font_mono=["ui-monospace", "Menlo", "Consolas", "monospace"],
    ).set(
        body_text_color="#111827",
        body_text_color_subdued="#374151",
        block_label_text_color="#1f2937",
        block_title_text_color="#111827",
        block_info_text_color="#374151",
        input_placeholder_color="#4b5563",
        button_primary_background_fill="*primary_700",
        button_primary_background_fill_hover="*primary_800",
        button_primary_text_color="white",
        button_secondary_text_color="#111827",
        button_secondary_background_fill="#eef2f7",
        button_secondary_background_fill_hover="#dbe3ee",
        button_secondary_border_color="#94a3b8",
        chatbot_text_size="*text_lg",
        color_accent_soft="#dbeafe",
    )


CSS = """
.gradio-container { max-width: 1200px !important; margin: 0 auto; }
#app-title h1 { font-size: 1.8rem; margin: 0 0 .2rem; }
#app-title p { margin: 0; color: #374151; }
#notice { background: #f1f5f9; border-left: 5px solid #1d4ed8; border-radius: 6px; padding: .6rem .9rem; }
#notice p { margin: 0; color: #111827; }

/* the answer area */
#chat .message { line-height: 1.55; }
#chat .message-content, #chat .message-content p { color: #111827; }
#chat .bot blockquote, #chat blockquote { border-left: 4px solid #64748b; padding-left: .7rem; margin: .4rem 0; color: #1f2937; }
#status .status { margin: .2rem 0; color: #1f2937; font-weight: 600; min-height: 1.5em; }

/* emergency and crisis guidance: first thing on the page */
.alert { border: 3px solid #b91c1c; background: #fef2f2; border-radius: 8px; padding: .8rem 1rem; margin-bottom: .5rem; }
.alert p { margin: .2rem 0; color: #111827; font-size: 1.1rem; }
.alert .alert-title { color: #991b1b; font-weight: 800; font-size: 1.3rem; }
.alert-crisis { border-color: #6d28d9; background: #f5f3ff; }
.alert-crisis .alert-title { color: #5b21b6; }

/* what to ask the care team when the guides don't cover it */
.care-team { border: 2px solid #b45309; background: #fffbeb; border-radius: 8px; padding: .7rem 1rem; }
.care-team p, .care-team li { color: #111827; margin: .2rem 0; }
.care-team-title { font-weight: 800; color: #78350f !important; }

/* the sources panel */
.sources-heading { font-size: 1.3rem; margin: 0 0 .3rem; }
.sources-question { font-size: 1.05rem; margin: .3rem 0; color: #111827; }
.source-list { list-style: none; padding: 0; margin: 0; }
.source details { border: 1px solid #94a3b8; border-radius: 8px; margin: .4rem 0; background: #fff; }
.source summary { cursor: pointer; padding: .55rem .7rem; color: #111827; }
.source summary:focus-visible, .earlier > summary:focus-visible, .in-doc:focus-visible { outline: 3px solid #1d4ed8; outline-offset: 2px; }
.source .num { font-weight: 800; color: #1e3a8a; }
.source .title { font-weight: 700; }
.source .quote { display: block; color: #374151; font-size: .95em; margin-top: .15rem; }
.source details[open] summary { border-bottom: 1px solid #cbd5e1; background: #f8fafc; }
.in-doc { white-space: pre-wrap; max-height: 24rem; overflow-y: auto; padding: .6rem .8rem; color: #1f2937; line-height: 1.55; }
.in-doc mark { background: #fde047; color: #111827; border-bottom: 2px solid #a16207; }
.in-doc .clip { color: #4b5563; }
.sources-turn.pending .hint, .hint { color: #374151; font-size: .95em; }
.earlier { margin-top: .8rem; }
.earlier > summary { cursor: pointer; font-weight: 700; color: #1f2937; padding: .3rem 0; }
.sources-empty { color: #374151; }
.no-sources { color: #1f2937; }

/* citations in answers become buttons that open their source (see HEAD_JS) */
button.cite-link { font: inherit; font-weight: 700; color: #1e40af; background: #e0e7ff; border: 1px solid #6366f1;
  border-radius: 4px; padding: 0 .2em; margin: 0 .05em; cursor: pointer; line-height: 1.3; }
button.cite-link:hover { background: #c7d2fe; }
button.cite-link:focus-visible { outline: 3px solid #1d4ed8; outline-offset: 1px; }
details.flash > summary { animation: flash 1.2s ease-out 1; }
@keyframes flash { from { background: #fde047; } to { background: #f8fafc; } }

#examples { gap: .45rem; }
#examples .examples-heading { background: transparent; }
#examples .examples-heading p { margin: .4rem 0 0; }
#examples button.example { justify-content: flex-start; text-align: left; font-weight: 500; }
.upload-result p { margin: .2rem 0; }
.upload-ok { color: #14532d; }
.upload-error { color: #991b1b; font-weight: 600; }
.library li { margin: .1rem 0; }

@media (max-width: 640px) {
  #app-title h1 { font-size: 1.45rem; }
  #chat { height: 60vh !important; min-height: 300px !important; }
  .in-doc { max-height: 18rem; }
}
"""

# Outside the app container (which css= rules are scoped to): narrow margins on phones.
# Then progressive enhancement; nothing from the page is ever evaluated: citation markers in
# the chat's answers become buttons that open and scroll to their passage in the sources
# panel, and opening a passage scrolls its highlight into view inside the document box.
HEAD_JS = """
<style>
  @media (max-width: 640px) { .gradio-container .main.app { padding-left: 8px !important; padding-right: 8px !important; } }
</style>
<script>
(() => {
  const MARKER = /\\[(\\d+(?:,\\s*\\d+)*)\\]/g;
  const HAS_MARKER = /\\[\\d+(?:,\\s*\\d+)*\\]/;
  function botMessages() {
    return Array.from(document.querySelectorAll('#chat .message-row.bot-row, #chat [data-testid="bot"]'))
      .filter((el, i, all) => !all.some((other) => other !== el && other.contains(el)));
  }
  function enhance() {
    botMessages().forEach((message, turn) => {
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
    });
  }
  function reveal(details) {
    const mark = details.querySelector('mark');
    const box = details.querySelector('.in-doc');
    if (mark && box) box.scrollTop = Math.max(0, mark.offsetTop - box.offsetTop - 24);
  }
  document.addEventListener('click', (event) => {
    const button = event.target.closest && event.target.closest('button.cite-link');
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
  });
  document.addEventListener('toggle', (event) => {
    const details = event.target;
    if (details.matches && details.matches('.source details') && details.open) reveal(details);
  }, true);
  let scheduled = false;
  new MutationObserver(() => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => { scheduled = false; enhance(); });
  }).observe(document.documentElement, { childList: true, subtree: true, characterData: true });
})();
</script>
"""
