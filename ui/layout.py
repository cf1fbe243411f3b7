"""The chat page's layout: its texts, its components (``Page``), and the outputs of each
handler, named once (``Outputs``).

A handler returns ``SOME_OUTPUTS(name=value, ...)``: the values in the order Gradio was
given the components (``SOME_OUTPUTS.of(page)``), each output not named left as it is.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import gradio as gr

from core.settings import Settings
from corpus.domain import Domain
from ui import render
from ui.session import STORAGE_KEY, STORAGE_SECRET
from ui.uploads import ACCEPTED_SUFFIXES

TITLE = "Ask the patient guides"
NOTICE = (
    "This is what patient guides say, not medical advice. It does not know you. Talk to your doctor or nurse "
    "before you change anything. In an emergency, call your local emergency number."
)
KEPT_NOTE = (
    "This chat is kept in this browser only, so it is still here if you reload the page. "
    "“New conversation” clears it. On a shared computer, press it when you are done."
)


@dataclass
class Page:
    """The components the handlers read and write, and the controls that trigger them.
    The upload parts are None when uploads are switched off."""

    session: gr.State
    saved: gr.BrowserState
    chatbot: gr.Chatbot
    question: gr.Textbox
    ask: gr.Button
    stop: gr.Button
    condition: gr.Radio
    new: gr.Button
    status: gr.HTML
    alert: gr.HTML
    notice: gr.HTML
    feedback_box: gr.Group
    feedback_note: gr.Markdown
    comment: gr.Textbox
    send_comment: gr.Button
    sources: gr.HTML
    examples: list[tuple[gr.Button, str]]
    own_questions: gr.Textbox
    make_handout: gr.Button
    handout_files: gr.File
    upload_files: gr.File | None = None
    admin_token: gr.Textbox | None = None
    add_documents: gr.Button | None = None
    upload_result: gr.HTML | None = None
    library: gr.HTML | None = None


class Outputs(tuple[str, ...]):
    """The outputs of a handler, by name (``Page`` fields), in the order Gradio gets them."""

    def __new__(cls, *names: str) -> Outputs:
        return super().__new__(cls, names)

    def __call__(self, **values: Any) -> tuple[Any, ...]:
        """A handler's return value; the outputs not named stay as they are."""
        unknown = set(values) - set(self)
        if unknown:
            raise TypeError(f"not one of the outputs {tuple(self)}: {sorted(unknown)}")
        return tuple(values.get(name, gr.skip()) for name in self)

    def of(self, page: Page) -> list[Any]:
        """The components, for the event's ``outputs``."""
        return [getattr(page, name) for name in self]


# What an answer updates (also what a page load and a restored conversation update).
ANSWER_OUTPUTS = Outputs("question", "chatbot", "session", "saved", "sources", "alert", "notice", "status", "ask", "stop")
# "New conversation" also hides the feedback box and the old handout.
RESET_OUTPUTS = Outputs(*ANSWER_OUTPUTS, "feedback_box", "handout_files")
RATING_OUTPUTS = Outputs("feedback_box", "feedback_note", "session")
COMMENT_OUTPUTS = Outputs("feedback_box", "comment", "feedback_note")
UPLOAD_OUTPUTS = Outputs("upload_result", "library", "upload_files")


def build_page(settings: Settings, *, admin_token: bool, library: str) -> Page:
    """Lay the page out (inside a ``gr.Blocks``); ``admin_token``: show the admin token field;
    ``library``: the library list shown at first."""
    session = gr.State(None)  # each tab's ChatSession, made by its first question or restored
    saved = gr.BrowserState(None, storage_key=STORAGE_KEY, secret=STORAGE_SECRET)  # the tab's copy
    domain = settings.domain  # the subject, its guides and examples: corpus/guides/domain.json
    gr.HTML(f"<h1>{html.escape(TITLE)}</h1><p>{html.escape(subtitle(domain))}</p>", elem_id="app-title", js_on_load=None)
    gr.HTML(f'<p role="note"><strong>Please note:</strong> {html.escape(NOTICE)}</p>', elem_id="notice", js_on_load=None)
    uploads: dict[str, Any] = {}
    with gr.Row(equal_height=False, elem_id="columns"):
        with gr.Column(scale=3, min_width=360, elem_id="chat-column"):
            chat = _chat_column(domain)
        with gr.Column(scale=2, min_width=300, elem_id="side-column"):
            sources = gr.HTML(render.sources_panel_html([]), elem_id="sources", js_on_load=None)
            examples = _examples(domain)
            handout = _handout_section()
            if settings.app.uploads_enabled:
                uploads = _upload_section(settings, admin_token, library)
    return Page(session=session, saved=saved, sources=sources, examples=examples, **chat, **handout, **uploads)


def _chat_column(domain: Domain) -> dict[str, Any]:
    parts: dict[str, Any] = {"alert": gr.HTML("", elem_id="alert", js_on_load=None)}
    parts["chatbot"] = gr.Chatbot(
        label="Conversation", show_label=False, elem_id="chat", height=520, min_height=280, buttons=["copy"],
        latex_delimiters=[], placeholder=placeholder(domain), autoscroll=True, layout="bubble",
    )
    parts["notice"] = gr.HTML("", elem_id="care-team", js_on_load=None)
    with gr.Group(visible=False, elem_classes=["feedback-box"]) as parts["feedback_box"]:
        parts["feedback_note"] = gr.Markdown(elem_id="feedback-note")
        parts["comment"] = gr.Textbox(label="Anything to add? (optional)", lines=2, elem_id="feedback-comment")
        parts["send_comment"] = gr.Button("Send comment", elem_id="send-comment")
    parts.update(_composer())
    with gr.Row(equal_height=True, elem_id="conversation-controls"):
        parts["condition"] = gr.Radio(condition_choices(domain), value="all", label="Search these guides", elem_id="condition", scale=3)
        parts["new"] = gr.Button("New conversation", elem_id="new-conversation", scale=1, min_width=160)
    gr.HTML(f'<p class="kept-note">{html.escape(KEPT_NOTE)}</p>', elem_id="kept-note", js_on_load=None)
    return parts


def _composer() -> dict[str, Any]:
    """The question box with Ask and Stop, and what is happening: pinned to the bottom of the
    screen on phones, and kept in view on larger screens (see ui/theme.py)."""
    parts: dict[str, Any] = {}
    with gr.Column(elem_id="composer"):
        parts["status"] = gr.HTML("", elem_id="status", js_on_load=None)
        gr.HTML('<p class="elapsed" role="timer"></p>', elem_id="elapsed", js_on_load=None)
        gr.HTML('<p class="queued" role="status" aria-live="polite"></p>', elem_id="queued", js_on_load=None)
        with gr.Row(equal_height=True, elem_id="ask-row"):
            parts["question"] = gr.Textbox(
                label="Your question", placeholder="Type your question here", lines=1, max_lines=5,
                scale=5, min_width=160, elem_id="question",
            )
            parts["ask"] = gr.Button("Ask", variant="primary", scale=1, min_width=88, elem_id="ask")
            parts["stop"] = gr.Button("Stop", variant="stop", scale=1, min_width=88, elem_id="stop", visible=False)
    return parts


def subtitle(domain: Domain) -> str:
    return f"Answers about {domain.topic}, taken only from patient guides, with the source of every statement."


def placeholder(domain: Domain) -> str:
    return (
        f"**Ask a question about {domain.topic}.**\n\n"
        "Answers come only from the patient guides. Each statement has a number, like [1], "
        "that opens the passage it comes from."
    )


def condition_choices(domain: Domain) -> list[tuple[str, str]]:
    """The guides a question can be limited to: all, or one condition's."""
    return [("All guides", "all"), *((domain.heading(key), key) for key in domain.keys)]


def _examples(domain: Domain) -> list[tuple[gr.Button, str]]:
    """Questions that run on a click; beside the chat on a wide screen, under the sources on a phone."""
    examples: list[tuple[gr.Button, str]] = []
    with gr.Column(elem_id="examples", variant="panel"):
        for group in domain.examples:
            gr.Markdown(f"**{group.heading}** (click one to ask it)", elem_classes=["examples-heading"])
            for i, text in enumerate(group.questions):
                examples.append((gr.Button(text, elem_id=f"example-{group.id}-{i}", elem_classes=["example"]), text))
    return examples


def _handout_section() -> dict[str, Any]:
    with gr.Accordion("Take this to your care team", open=False, elem_id="handout"):
        gr.Markdown(
            "Make a handout of this conversation: your questions, the answers, the passages they come from, "
            "and space for your own questions. Download it, or open the page version and print it."
        )
        own = gr.Textbox(
            label="Questions you want to ask your care team (one per line, optional)", lines=3, elem_id="own-questions"
        )
        make = gr.Button("Make my handout", variant="primary", elem_id="make-handout")
        files = gr.File(label="Your handout", file_count="multiple", interactive=False, visible=False, elem_id="handout-files")
    return {"own_questions": own, "make_handout": make, "handout_files": files}


def _upload_section(settings: Settings, admin_token: bool, library: str) -> dict[str, Any]:
    limit = min(settings.app.max_upload_mb, settings.corpus.max_file_mb)
    with gr.Accordion("Add your own documents", open=False, elem_id="uploads"):
        gr.Markdown(
            f"Add a leaflet or notes ({', '.join(ACCEPTED_SUFFIXES)}; up to {limit:g} MB each). "
            "Only you can search what you add, in this window; it is deleted when you close it."
        )
        parts: dict[str, Any] = {
            "upload_files": gr.File(
                label="Choose files", file_count="multiple", file_types=list(ACCEPTED_SUFFIXES), type="filepath",
                elem_id="upload-files",
            ),
            "admin_token": gr.Textbox(
                label="Admin token (only to add to the shared library for everyone)", type="password",
                visible=admin_token, elem_id="admin-token",
            ),
            "add_documents": gr.Button("Add my documents", variant="primary", elem_id="add-documents"),
            "upload_result": gr.HTML("", elem_id="upload-result", js_on_load=None),
            "library": gr.HTML(library, elem_id="library", js_on_load=None),
        }
    return parts
