"""The chat page: its layout, and the handlers that connect it to the assistant.

Each browser tab has its own ``ChatSession`` in a ``gr.State``, restored on load from the
copy the browser keeps (``gr.BrowserState``, see ui/session.py); the assistant (models and
index) is shared and loaded once. Everything that uses the assistant runs in one
concurrency group of one: the local model is not thread-safe, the two CPU cores are
better used by one request at a time, and an upload never changes the index under a
running answer. Gradio's queue keeps the others waiting, with their place shown.
"""

from __future__ import annotations

import functools
import html
import logging
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.api import Assistant
from assistant.suggestions import suggest_questions
from assistant.types import Answer
from core.errors import GuideError
from core.settings import Settings
from ui import render
from ui.feedback import FeedbackStore, answer_settings, feedback_path
from ui.handout import Handout, own_questions, write_handout
from ui.session import STORAGE_KEY, STORAGE_SECRET, ChatSession, ChatTurn
from ui.theme import CSS, HEAD_JS, make_theme
from ui.uploads import ACCEPTED_SUFFIXES, add_document

log = logging.getLogger(__name__)

TITLE = "Ask the patient guides"
SUBTITLE = "Answers about ALS and scleroderma, taken only from patient guides, with the source of every statement."
NOTICE = (
    "This is information from patient guides, not medical advice. It doesn't know your situation, so talk to "
    "your doctor or nurse before you change anything. In an emergency, call your local emergency number."
)
PLACEHOLDER = (
    "**Ask a question about ALS or scleroderma.**\n\n"
    "Answers come only from the patient guides. Each statement has a number, like [1], "
    "that opens the passage it comes from."
)
PATIENT_EXAMPLES = (
    "What treatments are approved for ALS?",
    "How does magnetic stimulation work for ALS?",
    "What lifestyle changes help with scleroderma?",
)
CAREGIVER_EXAMPLES = (
    "How can I help someone with ALS stay independent?",
    "What support helps with the emotional side of ALS?",
    "What should I do if ALS treatments stop working?",
)
CONDITION_CHOICES = [("All guides", "all"), ("ALS", "als"), ("Scleroderma", "scleroderma")]
FAILED = (
    "Sorry, something went wrong while answering. Please try again in a moment; "
    "if it keeps happening, tell the people who run this assistant."
)
ANSWERING = {"concurrency_id": "assistant", "concurrency_limit": 1}
STOPPED_STATUS = "Stopped. Ask your next question when you are ready."
KEPT_NOTE = (
    "This conversation is kept in this browser only, so it is still here if you reload the page. "
    "“New conversation” clears it; on a shared computer, press it when you are done."
)


@dataclass
class _Page:
    """The components the handlers read and write, and the controls that trigger them."""

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

    @property
    def answer_outputs(self) -> list[Any]:
        """What an answer updates, in the order of ``ANSWER_OUTPUTS``."""
        return [getattr(self, name) for name in ANSWER_OUTPUTS]


# The outputs of an answer, by name; handlers return them with ``_outputs(name=value)``.
ANSWER_OUTPUTS = ("question", "chatbot", "session", "saved", "sources", "alert", "notice", "status", "ask", "stop")


class ChatApp:
    """The chat page over one loaded assistant."""

    def __init__(self, assistant: Assistant, feedback: FeedbackStore, settings: Settings | None = None) -> None:
        self.assistant = assistant
        self.settings = settings or assistant.settings
        self.feedback = feedback
        self.handout_dir = Path(tempfile.gettempdir()) / "guides-handouts"
        self._stops: dict[str, threading.Event] = {}  # the Stop switch of each tab's running answer

    # --- layout ----------------------------------------------------------------------
    def build(self) -> gr.Blocks:
        with gr.Blocks(title=TITLE) as demo:
            session = gr.State(None)  # each tab's ChatSession, made by its first question or restored
            saved = gr.BrowserState(None, storage_key=STORAGE_KEY, secret=STORAGE_SECRET)  # the tab's copy
            gr.HTML(
                f"<h1>{html.escape(TITLE)}</h1><p>{html.escape(SUBTITLE)}</p>", elem_id="app-title", js_on_load=None
            )
            gr.HTML(
                f'<p role="note"><strong>Please note:</strong> {html.escape(NOTICE)}</p>', elem_id="notice", js_on_load=None
            )
            with gr.Row(equal_height=False, elem_id="columns"):
                with gr.Column(scale=3, min_width=360, elem_id="chat-column"):
                    chat = self._chat_column()
                with gr.Column(scale=2, min_width=300, elem_id="side-column"):
                    sources = gr.HTML(render.sources_panel_html([]), elem_id="sources", js_on_load=None)
                    examples = self._examples()
                    handout = self._handout_section()
                    if self.settings.app.uploads_enabled:
                        self._upload_section()
            page = _Page(session=session, saved=saved, sources=sources, examples=examples, **chat, **handout)
            self._wire(page)
            demo.load(
                self.restore, [saved], page.answer_outputs, queue=False, api_visibility="private", show_progress="hidden"
            )
            gr.api(self.api_ask, api_name="ask", **ANSWERING)
        return demo

    def _chat_column(self) -> dict[str, Any]:
        parts: dict[str, Any] = {"alert": gr.HTML("", elem_id="alert", js_on_load=None)}
        parts["chatbot"] = gr.Chatbot(
            label="Conversation", show_label=False, elem_id="chat", height=520, min_height=280, buttons=["copy"],
            latex_delimiters=[], placeholder=PLACEHOLDER, autoscroll=True, layout="bubble",
        )
        parts["notice"] = gr.HTML("", elem_id="care-team", js_on_load=None)
        with gr.Group(visible=False, elem_classes=["feedback-box"]) as parts["feedback_box"]:
            parts["feedback_note"] = gr.Markdown(elem_id="feedback-note")
            parts["comment"] = gr.Textbox(label="Anything to add? (optional)", lines=2, elem_id="feedback-comment")
            parts["send_comment"] = gr.Button("Send comment", elem_id="send-comment")
        parts.update(self._composer())
        with gr.Row(equal_height=True, elem_id="conversation-controls"):
            parts["condition"] = gr.Radio(
                CONDITION_CHOICES, value="all", label="Search these guides", elem_id="condition", scale=3
            )
            parts["new"] = gr.Button("New conversation", elem_id="new-conversation", scale=1, min_width=160)
        gr.HTML(f'<p class="kept-note">{html.escape(KEPT_NOTE)}</p>', elem_id="kept-note", js_on_load=None)
        return parts

    def _composer(self) -> dict[str, Any]:
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

    def _examples(self) -> list[tuple[gr.Button, str]]:
        """Questions that run on a click; beside the chat on a wide screen, under the sources on a phone."""
        examples: list[tuple[gr.Button, str]] = []
        with gr.Column(elem_id="examples", variant="panel"):
            for heading, texts, key in (
                ("Questions patients often ask", PATIENT_EXAMPLES, "patient"),
                ("Questions caregivers often ask", CAREGIVER_EXAMPLES, "caregiver"),
            ):
                gr.Markdown(f"**{heading}** (click one to ask it)", elem_classes=["examples-heading"])
                for i, text in enumerate(texts):
                    examples.append((gr.Button(text, elem_id=f"example-{key}-{i}", elem_classes=["example"]), text))
        return examples

    def _handout_section(self) -> dict[str, Any]:
        with gr.Accordion("Take this to your care team", open=False, elem_id="handout"):
            gr.Markdown(
                "Make a handout of this conversation: your questions, the answers, the passages they come from, "
                "and space for your own questions. Download it, or open the page version and print it."
            )
            own = gr.Textbox(
                label="Questions you want to ask your care team (one per line, optional)", lines=3, elem_id="own-questions"
            )
            make = gr.Button("Make my handout", variant="primary", elem_id="make-handout")
            files = gr.File(
                label="Your handout", file_count="multiple", interactive=False, visible=False, elem_id="handout-files"
            )
        return {"own_questions": own, "make_handout": make, "handout_files": files}

    def _upload_section(self) -> None:
        limit = min(self.settings.app.max_upload_mb, self.settings.corpus.max_file_mb)
        with gr.Accordion("Add your own documents", open=False, elem_id="uploads"):
            gr.Markdown(
                f"Add a leaflet or notes ({', '.join(ACCEPTED_SUFFIXES)}; up to {limit:g} MB each). "
                "They are added to the library for everyone using this assistant."
            )
            files = gr.File(
                label="Choose files", file_count="multiple", file_types=list(ACCEPTED_SUFFIXES), type="filepath",
                elem_id="upload-files",
            )
            add = gr.Button("Add to the library", variant="primary", elem_id="add-documents")
            result = gr.HTML("", elem_id="upload-result", js_on_load=None)
            library = gr.HTML(self._library_html(), elem_id="library", js_on_load=None)
        add.click(
            self.add_files, [files], [result, library, files], api_visibility="private",
            show_progress="full", show_progress_on=[result], **ANSWERING,
        )

    def _wire(self, page: _Page) -> None:
        answer = {
            "fn": self.respond,
            "inputs": [page.question, page.session, page.condition],
            "outputs": page.answer_outputs,
            "api_visibility": "private",
            "show_progress": "minimal",
            "show_progress_on": [page.chatbot],
            **ANSWERING,
        }
        running = [page.question.submit(**answer), page.ask.click(**answer)]
        for button, text in page.examples:
            fill = button.click(functools.partial(_same, text), None, page.question, queue=False, api_visibility="private")
            running.append(fill.then(**answer))
        # a suggested next question (shown under the last answer) is asked as if typed
        pick = page.chatbot.option_select(_picked, None, page.question, queue=False, api_visibility="private")
        running.append(pick.then(**answer))
        page.stop.click(self.stop, None, [page.stop], queue=False, api_visibility="private", show_progress="hidden")
        reset = {
            "fn": self.new_conversation,
            "inputs": None,
            "outputs": [*page.answer_outputs, page.feedback_box, page.handout_files],
            "queue": False,
            "api_visibility": "private",
            "cancels": running,  # an answer still being written belongs to the old conversation
        }
        page.new.click(**reset)
        page.chatbot.clear(**reset)  # the chat's own bin icon ends the conversation too
        page.chatbot.like(
            self.rate, [page.session], [page.feedback_box, page.feedback_note, page.session], api_visibility="private"
        )
        page.send_comment.click(
            self.add_comment, [page.session, page.comment], [page.feedback_box, page.comment, page.feedback_note],
            api_visibility="private",
        )
        page.make_handout.click(
            self.make_handout, [page.session, page.own_questions], [page.handout_files], api_visibility="private"
        )

    # --- answering ---------------------------------------------------------------------
    def respond(
        self, question: str, session: ChatSession | None, condition: str, request: gr.Request | None = None
    ) -> Iterator[tuple[Any, ...]]:
        """Stream one answer: status and passages first, then checked sentences, then sources
        and the questions to ask next. Stop (``self.stop``) ends the model's work."""
        session = session or ChatSession()
        question = (question or "").strip()
        if not question:
            gr.Warning("Please type a question first.")
            yield _outputs()
            return
        tab, stop = _tab(request), threading.Event()
        self._stops[tab] = stop
        try:
            yield from self._answer(question, session, condition, stop)
        finally:
            if self._stops.get(tab) is stop:
                del self._stops[tab]

    def _answer(self, question: str, session: ChatSession, condition: str, stop: threading.Event) -> Iterator[tuple[Any, ...]]:
        number = len(session.turns) + 1
        status, passages, text = "Searching the guides", (), ""
        messages = [
            *session.messages(), _message("user", render.md_text(question)),
            _message("assistant", render.pending_markdown(status)),
        ]
        line = _progress(status, passages, text)
        yield _outputs(
            question="", chatbot=[*messages], alert="", notice="", status=render.status_html(line, turn=number),
            ask=gr.update(visible=False), stop=gr.update(value="Stop", interactive=True, visible=True),
        )
        try:
            with closing(self.assistant.stream(question, session.history, condition, stop=stop)) as stream:
                for event in stream:
                    if stop.is_set():
                        break
                    if event.kind == "final" and event.answer is not None:
                        yield self._finish(question, event.answer, session, condition)
                        return
                    if event.kind == "status":
                        status = event.text
                    elif event.kind == "passages":
                        passages = event.passages
                    elif event.kind == "delta":
                        text += event.text
                    bubble = render.answer_markdown(text) if text else render.pending_markdown(status, passages)
                    messages[-1] = _message("assistant", bubble)
                    found = event.kind == "passages" and passages
                    sources = self._panel(session, render.found_passages_html(passages)) if found else gr.skip()
                    previous, line = line, _progress(status, passages, text)
                    status_line = render.status_html(line, turn=number) if line != previous else gr.skip()
                    yield _outputs(chatbot=[*messages], sources=sources, status=status_line)
            if not stop.is_set():
                raise RuntimeError("the answer stream ended without a final answer")
            log.info("answer %d stopped by the user after %d characters", number, len(text))
            yield self._end_turn(ChatTurn(question, condition, None, text, "stopped"), session, STOPPED_STATUS)
        except GuideError as error:  # something the user can fix: say what, in the chat and a notice
            gr.Warning(str(error))
            yield self._end_turn(ChatTurn(question, condition, None, str(error), "failed"), session)
        except Exception:  # any failure: log it, tell this user plainly, keep serving everyone
            log.exception("answering %r failed", question)
            gr.Warning(FAILED)
            yield self._end_turn(ChatTurn(question, condition, None, FAILED, "failed"), session)

    def stop(self, request: gr.Request | None = None) -> Any:
        """The Stop button: the answer being written ends at the model's next token."""
        running = self._stops.get(_tab(request))
        if running is not None:
            running.set()
        return gr.update(value="Stopping…", interactive=False)

    def _finish(self, question: str, answer: Answer, session: ChatSession, condition: str) -> tuple[Any, ...]:
        index = len(session.turns)
        turn = ChatTurn(question, condition, answer.to_dict())
        session.turns.append(turn)
        session.source_sections.append(self._sources_section(index, question, answer))
        asks, reason = care_team_suggestions(question, answer)  # always in the user's own words
        session.care_team_questions.extend(q for q in asks if q not in session.care_team_questions)
        session.suggestions = self._suggestions(answer, session, condition)
        return _outputs(
            chatbot=session.messages(), session=session, saved=session.to_saved(), sources=self._panel(session),
            alert=render.alert_html(answer.safety), notice=render.care_team_html(asks, reason),
            status=render.status_html(_done_status(answer), "done", index + 1),
            ask=gr.update(visible=True), stop=gr.update(visible=False),
        )

    def _end_turn(
        self, turn: ChatTurn, session: ChatSession, status: str = "The answer failed."
    ) -> tuple[Any, ...]:
        """A turn without a finished answer (it failed, or the user stopped it)."""
        session.turns.append(turn)
        session.source_sections.append("")
        session.suggestions = []
        return _outputs(
            chatbot=session.messages(), session=session, saved=session.to_saved(), sources=self._panel(session), alert="",
            notice="", status=render.status_html(status, turn.state, len(session.turns)),
            ask=gr.update(visible=True), stop=gr.update(visible=False),
        )

    def _suggestions(self, answer: Answer, session: ChatSession, condition: str) -> list[str]:
        try:
            return suggest_questions(self.assistant, answer, [t.question for t in session.turns], condition)
        except Exception:  # suggestions are a help, not the answer: log the failure and offer none
            log.exception("suggesting next questions after %r failed", answer.question)
            return []

    def _sources_section(self, turn: int, question: str, answer: Answer | Mapping[str, Any]) -> str:
        data = answer.to_dict() if isinstance(answer, Answer) else answer
        if not data.get("citations"):
            return render.no_sources_html(question, data.get("safety"), str(data.get("coverage")))
        views = []
        for citation in data["citations"]:
            document = self.assistant.document(citation["document_id"])
            views.append(render.source_view(citation, document.text if document else None))
        return render.sources_html(turn, question, views)

    def _panel(self, session: ChatSession, current: str = "") -> str:
        return render.sources_panel_html(session.source_sections, current)

    def api_ask(self, question: str, condition: str = "all") -> dict:
        """Answer one question from the guides. Returns the answer as JSON, exactly as
        `python -m assistant ask --json` prints it. condition: all, als or scleroderma."""
        try:
            return self.assistant.ask(question, condition=condition).to_dict()
        except GuideError as error:
            raise gr.Error(str(error)) from error

    # --- conversation controls --------------------------------------------------------------
    def restore(self, saved: Any) -> tuple[Any, ...]:
        """On page load: the conversation this browser kept, as it was left."""
        session = ChatSession.from_saved(saved)
        if not session.turns:
            return _outputs()
        for index, turn in enumerate(session.turns):
            done = turn.state == "done" and turn.answer is not None
            session.source_sections.append(self._sources_section(index, turn.question, turn.answer) if done else "")
        return _outputs(chatbot=session.messages(), session=session, sources=self._panel(session))

    def new_conversation(self) -> tuple[Any, ...]:
        """A fresh conversation; the browser's saved copy of the old one is replaced too."""
        fresh = ChatSession()
        return (
            *_outputs(
                chatbot=[], session=fresh, saved=fresh.to_saved(), sources=render.sources_panel_html([]), alert="",
                notice="", status="", ask=gr.update(visible=True), stop=gr.update(visible=False),
            ),
            gr.update(visible=False), gr.update(value=None, visible=False),
        )

    def rate(self, session: ChatSession | None, like: gr.LikeData) -> tuple[Any, ...]:
        """A thumb on an answer: store it with everything that produced the answer."""
        session = session or ChatSession()
        index = like.index if isinstance(like.index, int) else like.index[0]
        turn = index // 2
        exchange = session.exchanges[turn] if 0 <= turn < len(session.exchanges) else None
        if exchange is None:
            gr.Warning("This answer can't be rated, because it failed or was stopped.")
            return gr.skip(), gr.skip(), session
        rating = {True: "helpful", False: "not_helpful"}.get(like.liked) if isinstance(like.liked, bool) else None
        session.last_feedback_id = self.feedback.rate(
            session_id=session.id, turn=turn, rating=rating, answer=exchange,
            settings=answer_settings(self.settings, session.conditions[turn]),
        )
        if rating is None:
            return gr.update(visible=False), "", session
        thanks = "Thank you — glad it helped." if rating == "helpful" else "Thank you — that helps us improve."
        return gr.update(visible=True), f"{thanks} Your feedback on answer {turn + 1} is saved.", session

    def add_comment(self, session: ChatSession | None, comment: str) -> tuple[Any, ...]:
        if session is None or session.last_feedback_id is None or not (comment or "").strip():
            gr.Warning("Type a comment first, or just close this by asking your next question.")
            return gr.skip(), gr.skip(), gr.skip()
        self.feedback.comment(session.last_feedback_id, comment)
        gr.Info("Thank you, your comment is saved.")
        return gr.update(visible=False), "", ""

    def make_handout(self, session: ChatSession | None, own_text: str) -> Any:
        session = session or ChatSession()
        exchanges = [e for e in session.exchanges if e is not None]
        extra = own_questions(own_text)
        if not exchanges and not extra:
            gr.Warning("Ask a question first (or type the questions you want to bring), then make the handout.")
            return gr.skip()
        handout = Handout(exchanges=exchanges, care_team_questions=session.care_team_questions, own_questions=extra)
        markdown, page = write_handout(handout, self.handout_dir / session.id)
        gr.Info("Your handout is ready: download it below. Open the .html file to print it.")
        return gr.update(value=[str(page), str(markdown)], visible=True)

    # --- documents ---------------------------------------------------------------------------
    def add_files(
        self, files: Sequence[str] | None, progress: gr.Progress = gr.Progress()  # noqa: B008 - how Gradio passes a tracker
    ) -> tuple[Any, ...]:
        if not files:
            gr.Warning("Choose a file to add first.")
            return gr.skip(), gr.skip(), gr.skip()
        lines: list[tuple[bool, str]] = []
        for i, path in enumerate(files):
            def step(fraction: float, text: str, i: int = i) -> None:
                progress((i + fraction) / len(files), desc=text)

            try:
                added = add_document(self.assistant, Path(path), Path(path).name, step)
                lines.append((True, added.message()))
            except GuideError as error:
                log.info("upload refused: %s", error)
                lines.append((False, str(error)))
            except Exception:  # an unexpected failure: the index keeps what it had
                log.exception("adding %s failed", path)
                lines.append((False, f"“{Path(path).name}” could not be added because of an error on our side. Please try again."))
        if not all(ok for ok, _ in lines):
            gr.Warning("Some files could not be added; see why below.")
        return render.upload_result_html(lines), self._library_html(), None

    def _library_html(self) -> str:
        return render.library_html([record.title for record in self.assistant.documents()])


def care_team_suggestions(question: str, answer: Answer) -> tuple[list[str], str]:
    """What to ask the care team when the guides can't (fully) answer, and why."""
    if answer.safety in render.CARE_TEAM_ADVICE:
        return [question], render.CARE_TEAM_ADVICE[answer.safety]
    if answer.safety in render.SAFETY_ALERTS:
        return [], ""
    if answer.coverage == "none":
        return [question], "The guides don't cover this, so your care team is the best place to ask."
    if answer.not_covered:
        missing = " or ".join(answer.not_covered)
        return [f"What should I know about {aspect}?" for aspect in answer.not_covered], f"The guides don't say anything about {missing}."
    return [], ""


def launch_options(settings: Settings) -> dict[str, Any]:
    """Everything ``launch()`` needs from the settings, for app.py and the tests alike."""
    return {
        "server_name": settings.app.host,
        "server_port": settings.app.port,
        "theme": make_theme(),
        "css": CSS,
        "head": HEAD_JS,
        "footer_links": ["api"],
        "max_file_size": int(min(settings.app.max_upload_mb, settings.corpus.max_file_mb) * 1024 * 1024),
        "show_error": False,
        "quiet": True,
    }


def build_app(assistant: Assistant, feedback: FeedbackStore | None = None) -> gr.Blocks:
    """The chat over a loaded assistant (with feedback in the data directory unless given)."""
    store = feedback or FeedbackStore(feedback_path(assistant.settings))
    return ChatApp(assistant, store).build()


def _outputs(**values: Any) -> tuple[Any, ...]:
    """An answer's outputs in ``ANSWER_OUTPUTS`` order; the ones not named stay as they are."""
    unknown = set(values) - set(ANSWER_OUTPUTS)
    if unknown:
        raise TypeError(f"not an answer output: {sorted(unknown)}")
    return tuple(values.get(name, gr.skip()) for name in ANSWER_OUTPUTS)


def _picked(option: gr.SelectData) -> str:
    """The suggested question the user picked under an answer."""
    return str(option.value)


def _tab(request: gr.Request | None) -> str:
    """The browser tab a request comes from (Gradio's session), to find its running answer."""
    return str(getattr(request, "session_hash", None) or "")


def _message(role: str, content: str) -> dict[str, Any]:
    return {"role": role, "content": content}


def _same(text: str) -> str:
    return text


def _progress(status: str, passages: Sequence[Any], text: str) -> str:
    if text:
        return "Writing the answer…"
    if passages:
        count = len(passages)
        return f"Found {count} passage{'s' if count != 1 else ''} in the guides; checking and writing the answer…"
    return f"{status}…"


def _done_status(answer: Answer) -> str:
    if answer.safety in render.SAFETY_ALERTS:
        return "Please read the guidance above."
    if answer.coverage == "none":
        return "The guides don't cover this question."
    count = len(answer.citations)
    return f"Answer ready, from {count} passage{'s' if count != 1 else ''} of the guides. Open a source to read it in its guide."

