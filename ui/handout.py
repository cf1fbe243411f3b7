"""“Take this to your care team”: the conversation as a Markdown file and a printable page.

Each question with its answer and the passages the answer cites (with their guide's
title), the questions the guides could not answer, the user's own questions, and
empty lines to write on. The HTML page has no scripts; printing it (or "Save as PDF" in
the print dialog) gives the paper handout.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from assistant.types import Answer
from ui.render import answer_markdown, md_text

TITLE = "My questions and answers for my care team"
INTRO = (
    "These answers come from patient information guides, not from a doctor who knows you. "
    "Please go through them with your care team before you change anything."
)
BLANK_LINES = 5


@dataclass(frozen=True)
class Handout:
    """What goes on the handout."""

    exchanges: Sequence[Answer]  # each answered question's answer
    care_team_questions: Sequence[str] = ()  # questions the guides did not (fully) answer
    own_questions: Sequence[str] = ()  # typed by the user for the handout
    made_on: date = field(default_factory=date.today)

    @property
    def questions_to_ask(self) -> list[str]:
        """The user's questions and the unanswered ones, each once, in order."""
        seen: dict[str, str] = {}
        for question in [*self.own_questions, *self.care_team_questions]:
            key = " ".join(question.lower().split())
            if key and key not in seen:
                seen[key] = question.strip()
        return list(seen.values())


def own_questions(text: str) -> list[str]:
    """One question per non-empty line of what the user typed."""
    return [line.strip(" -*\t") for line in (text or "").splitlines() if line.strip(" -*\t")]


def handout_markdown(handout: Handout) -> str:
    lines = [f"# {TITLE}", "", f"Prepared on {_day(handout.made_on)}. {INTRO}", ""]
    if not handout.exchanges:
        lines += ["No questions were asked in this conversation.", ""]
    for number, exchange in enumerate(handout.exchanges, 1):
        lines += [f"## {number}. {md_text(exchange.question)}", ""]
        lines += [answer_markdown(exchange.answer), ""]
        if exchange.citations:
            lines += ["Where this comes from:", ""]
            for c in exchange.citations:
                lines.append(f"- [{c.n}] *{md_text(c.document_title)}*: “{md_text(' '.join(c.text.split()))}”")
            lines.append("")
    lines += ["## Questions I want to ask my care team", ""]
    lines += [f"- {md_text(q)}" for q in handout.questions_to_ask]
    lines += ["- " + "_" * 60 for _ in range(BLANK_LINES)]
    lines += ["", "## Notes from my appointment", ""]
    lines += ["_" * 70 for _ in range(BLANK_LINES)]
    return "\n".join(lines).rstrip() + "\n"


def handout_html(handout: Handout) -> str:
    e = _e
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(TITLE)}</title><style>{_CSS}</style></head><body><main>",
        f"<h1>{e(TITLE)}</h1>",
        f'<p class="intro">Prepared on {e(_day(handout.made_on))}. {e(INTRO)}</p>',
        '<p class="screen-only">To print it or save it as a PDF, use your browser\'s Print command (Ctrl+P, or ⌘P on a Mac).</p>',
    ]
    if not handout.exchanges:
        parts.append("<p>No questions were asked in this conversation.</p>")
    for number, exchange in enumerate(handout.exchanges, 1):
        parts.append(f'<section class="exchange"><h2>{number}. {e(exchange.question)}</h2>')
        parts.append(f'<p class="answer">{e(exchange.answer)}</p>')
        if exchange.citations:
            items = "".join(
                f'<li><span class="num">[{c.n}]</span> <cite>{e(c.document_title)}</cite>'
                f'<blockquote>{e(" ".join(c.text.split()))}</blockquote></li>'
                for c in exchange.citations
            )
            parts.append(f'<h3>Where this comes from</h3><ul class="sources">{items}</ul>')
        parts.append("</section>")
    asked = "".join(f"<li>{e(q)}</li>" for q in handout.questions_to_ask)
    blanks = '<li class="blank"></li>' * BLANK_LINES
    parts.append(f'<section class="ask"><h2>Questions I want to ask my care team</h2><ul>{asked}{blanks}</ul></section>')
    parts.append('<section class="notes"><h2>Notes from my appointment</h2>' + '<div class="line"></div>' * BLANK_LINES)
    parts.append("</section></main></body></html>")
    return "\n".join(parts)


def write_handout(handout: Handout, folder: Path) -> tuple[Path, Path]:
    """Write the Markdown and the printable HTML handout; return both paths."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"care-team-handout-{handout.made_on.isoformat()}"
    markdown = folder / f"{stem}.md"
    page = folder / f"{stem}.html"
    markdown.write_text(handout_markdown(handout), encoding="utf-8")
    page.write_text(handout_html(handout), encoding="utf-8")
    return markdown, page


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _e(text: str) -> str:
    return html.escape(text, quote=True)


_CSS = """
body { font: 18px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111; background: #fff; margin: 0; }
main { max-width: 46rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.7rem; margin: 0 0 .5rem; }
h2 { font-size: 1.25rem; margin: 1.6rem 0 .4rem; border-top: 2px solid #333; padding-top: .8rem; }
h3 { font-size: 1rem; margin: .8rem 0 .3rem; color: #333; }
.intro { font-style: italic; }
.answer { margin: .3rem 0; }
.sources { padding-left: 0; list-style: none; }
.sources li { margin: .4rem 0; }
.num { font-weight: 700; }
cite { font-style: normal; font-weight: 600; }
blockquote { margin: .25rem 0 .5rem 0; padding-left: .8rem; border-left: 4px solid #888; color: #222; }
.ask ul { padding-left: 1.2rem; }
.ask li { margin: .5rem 0; }
.blank, .line { border-bottom: 1px solid #555; height: 2rem; list-style: none; }
.screen-only { background: #eef3fb; padding: .6rem .8rem; border-radius: 6px; }
@media print {
  .screen-only { display: none; }
  body { font-size: 12pt; }
  section.exchange { break-inside: avoid-page; }
  h2 { break-after: avoid; }
}
"""
