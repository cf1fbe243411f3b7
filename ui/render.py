"""Safe rendering of questions, answers and passages for the chat page.

Everything a user or a document typed is shown as text and never interpreted:

- chat messages are Markdown, so text gets ``&lt;``-style escapes for ``<``, ``>`` and
  entity-like ``&``, and backslashes before the few characters Markdown would act on
  (the message stays readable, because the chat's copy button copies it as is);
- the sources panel and notices are HTML, so every piece of text goes through
  ``html.escape``; only the markup written here is markup.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.phrases import AS_THE_GUIDE_SAYS, NOT_COVERED_ANSWER, PLAIN_EDITION_NOTE, WORDS_USED
from assistant.safety import KINDS
from assistant.types import Answer, Citation, Passage
from assistant.wording import AnswerSentence
from index.plain import GlossaryEntry

CITATION_MARKER = re.compile(r"\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\]")
WHOLE_DOCUMENT_CHARS = 12_000  # documents up to this long are shown whole around a passage
CONTEXT_CHARS = 2_500  # otherwise: this much text either side of the passage
SNIPPET_CHARS = 150

_MD_ANYWHERE = re.compile(r"([\\`*_\[\]|~])")
_MD_LINE_START = re.compile(r"^(\s*)(?:([#>+=-])|(\d+)([.)]))", re.MULTILINE)
_ENTITY_LIKE = re.compile(r"&(?=#?\w+;)")


# --- Markdown (chat messages) ----------------------------------------------------------
def md_text(text: str) -> str:
    """``text`` as Markdown that displays exactly ``text``: no HTML, links, emphasis or lists."""
    text = _ENTITY_LIKE.sub("&amp;", text).replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_ANYWHERE.sub(r"\\\1", text)
    return _MD_LINE_START.sub(_escape_line_start, text)


def _escape_line_start(match: re.Match[str]) -> str:
    indent, mark, number, dot = match.groups()
    return f"{indent}\\{mark}" if mark else f"{indent}{number}\\{dot}"


def answer_markdown(text: str) -> str:
    """An answer as Markdown: its text escaped, its ``[n]`` citation markers kept as they are."""
    parts: list[str] = []
    position = 0
    for match in CITATION_MARKER.finditer(text):
        parts.append(md_text(text[position : match.start()]))
        parts.append(re.sub(r"\s+", "", match.group(0)).replace(";", ","))
        position = match.end()
    parts.append(md_text(text[position:]))
    return "".join(parts).strip()


def answer_bubble(answer: Answer) -> str:
    """A finished answer as the chat shows it: in plain words with its citations, and, one click
    or tap away, the guide's own sentences ("As the guide says") when any sentence is shown in
    plain words."""
    return answer_markdown(answer.answer or NOT_COVERED_ANSWER) + glossary_html(answer.glossary) + as_guide_says_html(answer.sentences)


def glossary_html(glossary: Sequence[GlossaryEntry]) -> str:
    """The hard words the answer's plain sentences use, each explained once (escaped, one line)."""
    if not glossary:
        return ""
    items = "".join(f"<li><b>{_e(g.term)}</b>: {_e(g.explanation)}</li>" for g in glossary)
    return f'\n\n<div class="words-used"><p class="words-used-heading">{_e(WORDS_USED)}</p><ul>{items}</ul></div>'


def as_guide_says_html(sentences: Sequence[AnswerSentence]) -> str:
    """A closed ``<details>`` with the answer's sentences as the guide words them, or "" when the
    answer is already in the guide's words, with one line on where the plain wording comes from.
    All text escaped; kept on one line so that the chat's Markdown leaves it as one HTML block."""
    if not any(s.plain for s in sentences):
        return ""
    note = f'<p class="plain-note">{_e(PLAIN_EDITION_NOTE)}</p>' if any(s.origin == "edition" for s in sentences) else ""
    items = []
    for s in sentences:
        cite = f" [{s.n}]" if s.n is not None else ""
        changed = ' class="reworded"' if s.plain else ""
        items.append(f"<li{changed}>{_e(s.guide_text)}{cite}</li>")
    return (
        f'\n\n{note}<details class="as-guide-says"><summary>{_e(AS_THE_GUIDE_SAYS)}</summary>'
        f'<ul class="guide-words">{"".join(items)}</ul></details>'
    )


def pending_markdown(status: str, passages: Sequence[Passage] = ()) -> str:
    """What the answer bubble shows before the first sentence: what is happening, and the
    best passage found, so the reader has something useful at once."""
    if not passages:
        return f"_{md_text(status)}…_"
    best, count = passages[0], len(passages)
    return (
        f"_Found {count} passage{'s' if count != 1 else ''} in the guides; "
        f"checking {'them' if count != 1 else 'it'} and writing the answer…_"
        f"\n\nThe most relevant passage, from *{md_text(best.chunk.title)}*:"
        f"\n\n> {md_text(snippet(best.chunk.text, 400))}"
    )


def snippet(text: str, limit: int = SNIPPET_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:.!?") + "…"


# --- the sources panel (HTML) ------------------------------------------------------------
@dataclass(frozen=True)
class SourceView:
    """A cited passage and the document text around it."""

    n: int
    title: str
    passage: str
    before: str = ""
    after: str = ""
    clipped_start: bool = False
    clipped_end: bool = False
    in_document: bool = True


def source_view(citation: Citation, document_text: str | None) -> SourceView:
    """Locate a citation in its document's cleaned text and keep the surrounding text to show with it."""
    n, title, passage = citation.n, citation.document_title, citation.text
    if not document_text:
        return SourceView(n, title, passage, in_document=False)
    start, end = citation.start, citation.end
    if document_text[start:end] != passage:  # an index built by other code: find the passage
        start = document_text.find(passage)
        if start < 0:
            return SourceView(n, title, passage, in_document=False)
        end = start + len(passage)
    if len(document_text) <= WHOLE_DOCUMENT_CHARS:
        first, last = 0, len(document_text)
    else:
        first = _line_start(document_text, max(0, start - CONTEXT_CHARS))
        last = _line_end(document_text, min(len(document_text), end + CONTEXT_CHARS))
    return SourceView(
        n, title, passage,
        before=document_text[first:start], after=document_text[end:last],
        clipped_start=first > 0, clipped_end=last < len(document_text),
    )


def answer_sources_html(turn: int, question: str, answer: Answer, document_text: Callable[[str], str | None]) -> str:
    """The sources of one answer (``turn`` counts from 0; ``question`` in the user's own words),
    each cited passage shown in its document's text (``document_text(document_id)``)."""
    if not answer.citations:
        return no_sources_html(question, answer.safety, answer.coverage)
    views = [source_view(c, document_text(c.document_id)) for c in answer.citations]
    return sources_html(turn, question, views)


def sources_html(turn: int, question: str, sources: Sequence[SourceView], *, open_first: bool = False) -> str:
    """The cited passages of one answer; each opens to show the passage inside its document."""
    if not sources:
        return ""
    items = "".join(_source_item(turn, view, open_first and i == 0) for i, view in enumerate(sources))
    return (
        f'<section class="sources-turn" aria-label="Sources of the answer to: {_e(snippet(question, 80))}">'
        f'<h3 class="sources-question">Sources for “{_e(snippet(question, 120))}”</h3>'
        f'<ol class="source-list">{items}</ol></section>'
    )


def found_passages_html(passages: Sequence[Passage]) -> str:
    """The passages retrieved for the question being answered (shown before the answer)."""
    items = "".join(
        f'<li class="source"><details><summary><span class="num">[{p.n}]</span> '
        f'<span class="title">{_e(p.chunk.title)}</span>'
        f'<span class="quote">“{_e(snippet(p.chunk.text))}”</span></summary>'
        f'<div class="in-doc"><mark>{_e(p.chunk.text)}</mark></div></details></li>'
        for p in passages
    )
    return (
        '<section class="sources-turn pending"><h3 class="sources-question">Found in the guides</h3>'
        '<p class="hint">The answer is being written and checked against these passages.</p>'
        f'<ol class="source-list">{items}</ol></section>'
    )


def sources_panel_html(turn_sections: Sequence[str], current: str = "") -> str:
    """The whole panel: the newest answer's sources first, earlier ones folded away."""
    parts = ['<h2 class="sources-heading">Sources</h2>']
    if current:
        parts.append(current)
    newest_first = [s for s in reversed(turn_sections) if s]
    if newest_first and not current:
        parts.append(newest_first[0])
        newest_first = newest_first[1:]
    if newest_first:
        earlier = "".join(newest_first)
        parts.append(f'<details class="earlier"><summary>Sources of earlier answers</summary>{earlier}</details>')
    if len(parts) == 1:
        parts.append(
            '<p class="sources-empty">When you ask a question, the passages of the guides that the answer '
            "comes from appear here. Open one to read it highlighted in its guide.</p>"
        )
    return "".join(parts)


def no_sources_html(question: str, safety: str | None, coverage: str) -> str:
    """The sources of an answer that cites nothing, saying why."""
    if safety in SAFETY_ALERTS:
        why = "This is safety guidance, not an answer from the guides, so it has no sources."
    elif coverage == "none":
        why = "There are no passages to show for this question."
    else:
        why = "This answer cites no passages."
    return (
        f'<section class="sources-turn"><h3 class="sources-question">Sources for “{_e(snippet(question, 120))}”</h3>'
        f'<p class="no-sources">{_e(why)}</p></section>'
    )


def _source_item(turn: int, view: SourceView, open_: bool) -> str:
    if view.in_document:
        body = (
            ("<span class='clip'>…</span>" if view.clipped_start else "")
            + _e(view.before)
            + f'<mark id="mark-{turn}-{view.n}">{_e(view.passage)}</mark>'
            + _e(view.after)
            + ("<span class='clip'>…</span>" if view.clipped_end else "")
        )
    else:
        body = f"<mark>{_e(view.passage)}</mark><p class='hint'>The full document is no longer in the index.</p>"
    return (
        f'<li class="source"><details id="src-{turn}-{view.n}"{" open" if open_ else ""}>'
        f'<summary><span class="num">[{view.n}]</span> <span class="title">{_e(view.title)}</span>'
        f'<span class="quote">“{_e(snippet(view.passage))}”</span></summary>'
        f'<div class="in-doc" tabindex="0" role="region" aria-label="Passage {view.n} in {_e(view.title)}">{body}</div>'
        "</details></li>"
    )


# --- notices -----------------------------------------------------------------------------
SAFETY_ALERTS = {kind.name: (kind.title, kind.notice) for kind in KINDS if kind.blocking}


def alert_html(safety: str | None) -> str:
    """The emergency or crisis guidance, shown above the chat before anything else."""
    if safety not in SAFETY_ALERTS:
        return ""
    title, text = SAFETY_ALERTS[safety]
    return (
        f'<div class="alert alert-{safety}" role="alert"><p class="alert-title">{_e(title)}</p>'
        f"<p>{_e(text)}</p></div>"
    )


CARE_TEAM_ADVICE = {kind.name: kind.advice for kind in KINDS if kind.advice}


def care_team_html(questions: Sequence[str], reason: str) -> str:
    """Suggested questions for the care team when the guides don't (fully) answer."""
    if not questions:
        return ""
    items = "".join(f"<li>“{_e(q)}”</li>" for q in questions)
    return (
        '<div class="care-team" role="note"><p class="care-team-title">Ask your care team</p>'
        f"<p>{_e(reason + ' ' if reason else '')}You could ask them:</p><ul>{items}</ul>"
        "<p class='hint'>These questions are saved in your handout (see “Take this to your care team”).</p></div>"
    )


def upload_result_html(lines: Sequence[tuple[bool, str]]) -> str:
    """One line per uploaded file: what was added, or why it was refused."""
    return '<div class="upload-result" role="status">' + "".join(
        f'<p class="{"upload-ok" if ok else "upload-error"}">{"✓" if ok else "✗"} {_e(text)}</p>' for ok, text in lines
    ) + "</div>"


def library_html(titles: Sequence[str]) -> str:
    items = "".join(f"<li>{_e(title)}</li>" for title in titles)
    return f'<p><strong>In the library ({len(titles)} documents):</strong></p><ul class="library">{items}</ul>'


def status_html(text: str, state: str = "working", turn: int | None = None) -> str:
    """The line under the chat saying what is happening; ``state``: working, done or failed;
    ``turn`` numbers the answer it is about (from 1), for tests and assistive tools."""
    if not text:
        return ""
    numbered = f' data-turn="{turn}"' if turn is not None else ""
    return f'<p class="status" role="status" aria-live="polite" data-state="{_e(state)}"{numbered}>{_e(text)}</p>'


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _line_start(text: str, position: int) -> int:
    found = text.rfind("\n", 0, position)
    return found + 1 if found >= 0 and position - found < 400 else position


def _line_end(text: str, position: int) -> int:
    found = text.find("\n", position)
    return found if found >= 0 and found - position < 400 else position
