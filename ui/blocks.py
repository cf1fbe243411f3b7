"""The chat page: its layout, and the handlers that connect it to the assistant.

Each browser tab has its own ``ChatSession`` in a ``gr.State``, restored on load from the
copy the browser keeps (``gr.BrowserState``, see ui/session.py); the assistant (models and
index) is shared and loaded once. Answers run without a Gradio concurrency limit, so an
emergency or crisis message is answered at once whatever else is running (it needs no
search and no model). Only the local model's part of an answer waits, one person at a
time, in a bounded ``WaitingLine``: a waiting user sees their place and the extractive
answer straight away. Uploads run one at a time in their own group; the retriever swaps
its index atomically, so an upload never changes the index under a running answer.
Documents a tab adds are its own (``ui.libraries``) and leave when the tab closes.
"""

from __future__ import annotations

import dataclasses
import functools
import hmac
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

from assistant.api import Assistant, _condition
from assistant.chain import AnswerChain
from assistant.phrases import NOT_COVERED_ANSWER
from assistant.safety import check_safety
from assistant.suggestions import suggest_questions
from assistant.types import Answer, AnswerEvent
from core.errors import GuideError
from core.settings import Settings
from corpus.untrusted import links, scrub_links
from ui import render
from ui.feedback import FeedbackStore, answer_settings, feedback_path
from ui.handout import Handout, own_questions, write_handout
from ui.libraries import Chains, Libraries, owner_id
from ui.session import STORAGE_KEY, STORAGE_SECRET, ChatSession, ChatTurn
from ui.theme import CSS, HEAD_JS, make_theme
from ui.uploads import ACCEPTED_SUFFIXES, add_document, remove_session_documents
from ui.waiting_line import Ticket, WaitingLine

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
LINE_FULL = (
    "The assistant's language model is busy answering {waiting} other people, and its waiting line is full. "
    "This answer is taken straight from the guides; ask again in a few minutes for a written one."
)
IN_LINE = (
    "You are number {place} in line for the language model's answer. Until then, here is what the guides say, "
    "in their own words."
)
WAITING_NOTE = "_Taken straight from the guides while the language model answers someone else; its answer follows._"
ADMIN_REFUSED = "That admin token is not right, so nothing was added. Leave it empty to add documents just for yourself."
# Answers wait for the language model in a WaitingLine, not in Gradio's queue: emergencies never wait.
ANSWERING = {"concurrency_id": "answers", "concurrency_limit": None}
UPLOADING = {"concurrency_id": "uploads", "concurrency_limit": 1}
WAIT_POLL_S = 1.0  # how often a waiting user's place is re-checked

STOPPED_STATUS = "Stopped. Ask your next question when you are ready."
STOPPED_WAITING = "Stopped waiting for the language model: this answer is taken straight from the guides."
KEPT_NOTE = (
    "This conversation is kept in this browser only, so it is still here if you reload the page. "
    "“New conversation” clears it; on a shared computer, press it when you are done."
)


class _Stopped(Exception):  # noqa: N818 - not an error: the user pressed Stop
    """The user pressed Stop while the answer was being written; ``text``: what was written so far."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


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
        if remove_session_documents(assistant):  # left by an earlier run: their sessions are gone
            assistant.retriever.refresh()
        self.libraries = Libraries(assistant)
        self.line = WaitingLine(self.settings.app.max_waiting)
        self.admin_token = admin_token(self.settings)
        self.allowed_links = links(
            stored.text
            for record in assistant.documents()
            if record.origin == "shipped" and (stored := assistant.document(record.doc_id)) is not None
        )
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
            demo.unload(self.end_session)
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
                "Only you can search what you add, in this window; it is deleted when you close it."
            )
            files = gr.File(
                label="Choose files", file_count="multiple", file_types=list(ACCEPTED_SUFFIXES), type="filepath",
                elem_id="upload-files",
            )
            token = gr.Textbox(
                label="Admin token (only to add to the shared library for everyone)", type="password",
                visible=self.admin_token is not None, elem_id="admin-token",
            )
            add = gr.Button("Add my documents", variant="primary", elem_id="add-documents")
            result = gr.HTML("", elem_id="upload-result", js_on_load=None)
            library = gr.HTML(self._library_html(None), elem_id="library", js_on_load=None)
        add.click(
            self.add_files, [files, token], [result, library, files], api_visibility="private",
            show_progress="full", show_progress_on=[result], **UPLOADING,
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
        and the questions to ask next. Stop (``self.stop``) ends the model's work.
        Emergency and crisis guidance comes at once; a model answer waits its turn in the line,
        with the extractive answer shown meanwhile."""
        session = session or ChatSession()
        question = (question or "").strip()
        if not question:
            gr.Warning("Please type a question first.")
            yield _outputs()
            return
        tab, stop = _tab(request), threading.Event()
        self._stops[tab] = stop
        try:
            yield from self._answer(question, session, condition, stop, request)
        finally:
            if self._stops.get(tab) is stop:
                del self._stops[tab]

    def _answer(
        self, question: str, session: ChatSession, condition: str, stop: threading.Event, request: gr.Request | None
    ) -> Iterator[tuple[Any, ...]]:
        number = len(session.turns) + 1
        status = "Searching the guides"
        messages = [
            *session.messages(), _message("user", render.md_text(question)),
            _message("assistant", render.pending_markdown(status)),
        ]
        yield _outputs(
            question="", chatbot=[*messages], alert="", notice="",
            status=render.status_html(_progress(status, (), ""), turn=number),
            ask=gr.update(visible=False), stop=gr.update(value="Stop", interactive=True, visible=True),
        )
        chains = self.libraries.for_owner(owner_id(request.session_hash) if request else None)
        try:
            where = _condition(condition)
            flag = check_safety(question)
            note = ""
            if (flag is not None and flag.blocking) or not chains.uses_model:  # no model: no waiting
                answer = yield from self._stream(chains.chain, question, session, where, messages, number, stop)
            else:
                answer, note = yield from self._through_line(chains, question, session, where, messages, number, stop)
            yield self._finish(question, answer, session, condition, note)
        except _Stopped as stopped:
            log.info("answer %d stopped by the user after %d characters", number, len(stopped.text))
            yield self._end_turn(ChatTurn(question, condition, None, stopped.text, "stopped"), session, STOPPED_STATUS)
        except GuideError as error:  # something the user can fix: say what, in the chat and a notice
            gr.Warning(str(error))
            yield self._end_turn(ChatTurn(question, condition, None, str(error), "failed"), session)
        except Exception:  # any failure: log it, tell this user plainly, keep serving everyone
            log.exception("answering %r failed", question)
            text = self._unreachable() or FAILED
            gr.Warning(text)
            yield self._end_turn(ChatTurn(question, condition, None, text, "failed"), session)

    def stop(self, request: gr.Request | None = None) -> Any:
        """The Stop button: the answer being written ends at the model's next token."""
        running = self._stops.get(_tab(request))
        if running is not None:
            running.set()
        return gr.update(value="Stopping…", interactive=False)

    def _through_line(
        self, chains: Chains, question: str, session: ChatSession, condition: str | None,
        messages: list[dict[str, Any]], number: int, stop: threading.Event,
    ) -> Iterator[tuple[Any, ...]]:
        """The model's answer, one person at a time; while others are ahead, the extractive answer
        and this user's place. A full line gets the extractive answer and is told so; Stop while
        waiting keeps the extractive answer. Returns (answer, note for the status line)."""
        ticket = self.line.join()
        if ticket is None:
            note = LINE_FULL.format(waiting=self.line.length)
            gr.Warning(note)
            answer = yield from self._stream(chains.quick, question, session, condition, messages, number, stop)
            return answer, note
        with ticket:
            shown = None
            if ticket.ahead:
                quick = yield from self._stream(chains.quick, question, session, condition, messages, number, stop)
                shown = render.answer_markdown(self._scrub(quick.answer or NOT_COVERED_ANSWER)) + "\n\n" + WAITING_NOTE
                messages[-1] = _message("assistant", shown)
                if not (yield from self._wait(ticket, messages, number, stop)):
                    return quick, STOPPED_WAITING
            answer = yield from self._stream(chains.chain, question, session, condition, messages, number, stop, shown)
            return answer, ""

    def _wait(
        self, ticket: Ticket, messages: list[dict[str, Any]], number: int, stop: threading.Event
    ) -> Iterator[tuple[Any, ...]]:
        """Show this user's place until their turn comes (True), or until they press Stop (False)."""
        place = -1
        while not stop.is_set():
            ahead = ticket.ahead
            if ahead != place and ahead:
                place = ahead
                status = render.status_html(IN_LINE.format(place=place), "waiting", turn=number)
                yield _outputs(chatbot=[*messages], status=status)
            if ticket.wait(WAIT_POLL_S):
                return True
        return False

    def _stream(
        self, chain: AnswerChain, question: str, session: ChatSession, condition: str | None,
        messages: list[dict[str, Any]], number: int, stop: threading.Event, shown: str | None = None,
    ) -> Iterator[tuple[Any, ...]]:
        """Yield the chat's updates while ``chain`` answers; return its final Answer. ``shown``:
        what the bubble keeps until the first checked sentence (else the progress of the search).
        Raises ``_Stopped`` when the user presses Stop (the chain closes the model's stream)."""
        status, passages, text = "Searching the guides", (), ""
        line = ""
        with closing(chain.stream(question, session.history, condition, stop)) as events:
            for event in events:
                if stop.is_set():
                    break
                if event.kind == "final" and event.answer is not None:
                    return event.answer
                status, passages, text = _advance(event, status, passages, text)
                if text:
                    bubble = render.answer_markdown(self._scrub(text))
                else:
                    bubble = shown or render.pending_markdown(status, passages)
                messages[-1] = _message("assistant", bubble)
                found = event.kind == "passages" and passages
                sources = self._panel(session, render.found_passages_html(passages)) if found else gr.skip()
                previous, line = line, _progress(status, passages, text)
                status_line = render.status_html(line, turn=number) if line != previous else gr.skip()
                yield _outputs(chatbot=[*messages], sources=sources, status=status_line)
        if stop.is_set():
            raise _Stopped(self._scrub(text))
        raise RuntimeError("the answer stream ended without a final answer")

    def _scrub(self, text: str) -> str:
        """No link in an answer that the shipped guides do not hold."""
        return scrub_links(text, self.allowed_links)

    def _scrubbed(self, answer: Answer) -> Answer:
        """The answer without such links, in both its wordings."""
        sentences = [dataclasses.replace(w, text=self._scrub(w.text), guide_text=self._scrub(w.guide_text)) for w in answer.sentences]
        return dataclasses.replace(answer, answer=self._scrub(answer.answer), sentences=sentences)

    def _unreachable(self) -> str | None:
        """The plain message when the failure was the Chroma server being down (as the CLI says it)."""
        try:
            self.assistant.store.check_reachable()
        except GuideError as error:
            return str(error)
        return None

    def _finish(
        self, question: str, answer: Answer, session: ChatSession, condition: str, note: str = ""
    ) -> tuple[Any, ...]:
        index = len(session.turns)
        answer = self._scrubbed(answer)
        turn = ChatTurn(question, condition, answer.to_dict())
        session.turns.append(turn)
        session.source_sections.append(self._sources_section(index, question, answer))
        asks, reason = care_team_suggestions(question, answer)  # always in the user's own words
        session.care_team_questions.extend(q for q in asks if q not in session.care_team_questions)
        session.suggestions = self._suggestions(answer, session, condition)
        return _outputs(
            chatbot=session.messages(), session=session, saved=session.to_saved(), sources=self._panel(session),
            alert=render.alert_html(answer.safety), notice=render.care_team_html(asks, reason),
            status=render.status_html(f"{note} {_done_status(answer)}" if note else _done_status(answer), "done", index + 1),
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
        chains = self.libraries.shared
        try:
            where = _condition(condition)
            flag = check_safety(question or "")
            if (flag is not None and flag.blocking) or not chains.uses_model:
                answer = _final(chains.chain.stream(question, (), where))
            else:
                ticket = self.line.join()
                if ticket is None:
                    answer = _final(chains.quick.stream(question, (), where))
                    answer = dataclasses.replace(answer, generator=f"{answer.generator} (the language model was busy)")
                else:
                    with ticket:
                        while not ticket.wait(WAIT_POLL_S):
                            pass
                        answer = _final(chains.chain.stream(question, (), where))
            return self._scrubbed(answer).to_dict()
        except GuideError as error:
            raise gr.Error(str(error)) from error
        except Exception as error:  # log it; tell the caller plainly (the server down, or our failure)
            log.exception("answering %r on /ask failed", question)
            raise gr.Error(self._unreachable() or FAILED) from error

    def end_session(self, request: gr.Request | None = None) -> None:
        """A tab closed: the documents it added leave the index and the disk."""
        if request is not None and request.session_hash:
            self.libraries.close(owner_id(request.session_hash))

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
        self,
        files: Sequence[str] | None,
        token: str | None,
        request: gr.Request | None = None,
        progress: gr.Progress = gr.Progress(),  # noqa: B008 - how Gradio passes a tracker
    ) -> tuple[Any, ...]:
        if not files:
            gr.Warning("Choose a file to add first.")
            return gr.skip(), gr.skip(), gr.skip()
        owner = owner_id(request.session_hash if request else None)
        shared = bool((token or "").strip())
        if shared and not self._is_admin(token or ""):
            log.warning("upload with a wrong admin token refused")
            gr.Warning(ADMIN_REFUSED)
            return render.upload_result_html([(False, ADMIN_REFUSED)]), gr.skip(), gr.skip()
        if not shared:
            self.libraries.open(owner)
        lines: list[tuple[bool, str]] = []
        for i, path in enumerate(files):
            def step(fraction: float, text: str, i: int = i) -> None:
                progress((i + fraction) / len(files), desc=text)

            try:
                added = add_document(
                    self.assistant, Path(path), Path(path).name, step, owner="" if shared else owner,
                    added_by="the administrator, from the chat" if shared else "a chat session",
                )
                lines.append((True, added.message()))
            except GuideError as error:
                log.info("upload refused: %s", error)
                lines.append((False, str(error)))
            except Exception:  # an unexpected failure: the index keeps what it had
                log.exception("adding %s failed", path)
                problem = self._unreachable()
                lines.append((False, problem or f"“{Path(path).name}” could not be added because of an error on our side. Please try again."))
        if not all(ok for ok, _ in lines):
            gr.Warning("Some files could not be added; see why below.")
        return render.upload_result_html(lines), self._library_html(owner), None

    def _is_admin(self, token: str) -> bool:
        return self.admin_token is not None and hmac.compare_digest(token.strip().encode(), self.admin_token.encode())

    def _library_html(self, owner: str | None) -> str:
        titles = []
        for record in self.libraries.documents(owner):
            if record.owner:
                titles.append(f"{record.title} (yours: only you can search it)")
            elif record.origin == "added":
                titles.append(f"{record.title} (added by {record.added_by or 'the service'}, {record.added_at[:10]})")
            else:
                titles.append(record.title)
        return render.library_html(titles)


def admin_token(settings: Settings) -> str | None:
    """The token that lets a chat user change the shared library: from the environment
    (``GUIDES_APP__ADMIN_TOKEN``) or a file (``GUIDES_APP__ADMIN_TOKEN_FILE``), never a flag."""
    if settings.app.admin_token is not None:
        token = settings.app.admin_token.get_secret_value().strip()
    elif settings.app.admin_token_file is not None:
        try:
            token = Path(settings.app.admin_token_file).read_text(encoding="utf-8").strip().splitlines()[0].strip()
        except (OSError, UnicodeDecodeError, IndexError) as error:
            raise GuideError(
                f"Cannot read the admin token from {settings.app.admin_token_file} ({error}); put the token on its "
                "first line, or unset GUIDES_APP__ADMIN_TOKEN_FILE."
            ) from error
    else:
        return None
    if len(token) < 12:
        raise GuideError("The admin token is shorter than 12 characters; use a longer, random one.")
    return token


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


def _final(events: Iterator[AnswerEvent]) -> Answer:
    for event in events:
        if event.kind == "final" and event.answer is not None:
            return event.answer
    raise RuntimeError("the answer stream ended without a final answer")  # a bug, not a user error


def _advance(event: AnswerEvent, status: str, passages: Sequence[Any], text: str) -> tuple[str, Sequence[Any], str]:
    if event.kind == "status":
        return event.text, passages, text
    if event.kind == "passages":
        return status, event.passages, text
    if event.kind == "delta":
        return status, passages, text + event.text
    return status, passages, text


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

