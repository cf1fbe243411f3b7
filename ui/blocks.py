"""The chat page: the handlers that connect its layout (ui/layout.py) to the assistant.

Each browser tab has its own ``ChatSession`` in a ``gr.State``, restored on load from the
copy the browser keeps (``gr.BrowserState``, see ui/session.py); the assistant (models and
index) is shared and loaded once. Answers run without a Gradio concurrency limit, so an
emergency or crisis message is answered at once whatever else is running: on the request's
thread, at the app's priority, with no model (a crisis only the crisis model reads gets its
notice, then the guides' own sentences); every other answer is computed a step at a time on
lower-priority threads (``core.priority``). Only the local model's part of an answer waits, one person at a
time, in a bounded ``WaitingLine``: a waiting user sees their place and the extractive
answer straight away. Uploads run one at a time in their own group; the retriever swaps
its index atomically, so an upload never changes the index under a running answer.
Documents a tab adds are its own (``ui.libraries``) and leave when the tab closes.
Each handler returns its outputs by name (``ui.layout.Outputs``).
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import os
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.api import Assistant
from assistant.chain import AnswerChain
from assistant.phrases import NOT_COVERED_ANSWER
from assistant.safety import SafetyFlag, check_safety
from assistant.suggestions import suggest_questions
from assistant.types import Answer
from core.errors import GuideError
from core.priority import lowered_pool, stepped_on
from core.settings import Settings
from corpus.untrusted import links, scrub_links
from ui import render
from ui.answering import (
    CRISIS_AT_ONCE,
    FAILED,
    FAILED_STATUS,
    IN_LINE,
    LINE_FULL,
    STOPPED_STATUS,
    STOPPED_WAITING,
    WAITING_NOTE,
    Progress,
    Stopped,
    care_team_suggestions,
    done_status,
    final,
)
from ui.documents import DocumentUploads, unreachable
from ui.feedback import FeedbackStore, answer_settings, feedback_path
from ui.handout import Handout, own_questions, write_handout
from ui.layout import (
    ANSWER_OUTPUTS,
    COMMENT_OUTPUTS,
    RATING_OUTPUTS,
    RESET_OUTPUTS,
    TITLE,
    UPLOAD_OUTPUTS,
    Page,
    build_page,
)
from ui.libraries import Chains, Libraries, owner_id
from ui.session import ChatSession, ChatTurn
from ui.theme import CSS, HEAD_JS, make_theme
from ui.uploads import remove_session_documents
from ui.waiting_line import Ticket, WaitingLine

__all__ = ["ANSWER_OUTPUTS", "FAILED", "ChatApp", "ChatSession", "build_app", "care_team_suggestions", "launch_options"]

log = logging.getLogger(__name__)

# Answers wait for the language model in a WaitingLine, not in Gradio's queue: emergencies never wait.
ANSWERING = {"concurrency_id": "answers", "concurrency_limit": None}
UPLOADING = {"concurrency_id": "uploads", "concurrency_limit": 1}
WAIT_POLL_S = 1.0  # how often a waiting user's place is re-checked
Messages = list[dict[str, Any]]  # the chat's messages, as gr.Chatbot takes them


def urgent_chain(flag: SafetyFlag | None, chains: Chains) -> AnswerChain | None:
    """The chain that replies at once, on the request's thread and never in the local model's line,
    to an urgent message (``SafetyFlag.urgent``): the fixed guidance, or, for a crisis only the crisis
    model reads, its notice and then the guides' own sentences. None for any other message."""
    if flag is None or not flag.urgent:
        return None
    return chains.chain if flag.blocking else chains.quick


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
        self.uploads = DocumentUploads(assistant, self.libraries, self.settings)
        self.allowed_links = links(
            stored.text
            for record in assistant.documents()
            if record.origin == "shipped" and (stored := assistant.document(record.doc_id)) is not None
        )
        self._stops: dict[str, threading.Event] = {}  # the Stop switch of each tab's running answer
        # answers are computed below the urgent replies' priority, a step at a time: the answers from the
        # guides on threads one more than the cores; the one answer the local model writes (the line
        # serves one person at a time) on a thread of its own, so that its next words never queue behind others
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 2
        self._answering = lowered_pool(cores + 1, self.settings.app.answer_niceness, "answers")
        self._serving = lowered_pool(1, self.settings.app.answer_niceness, "serving")

    def build(self) -> gr.Blocks:
        with gr.Blocks(title=TITLE) as demo:
            page = build_page(
                self.settings, admin_token=self.uploads.admin_token is not None, library=self.uploads.library_html(None)
            )
            self._wire(page)
            demo.load(
                self.restore, [page.saved], ANSWER_OUTPUTS.of(page), queue=False, api_visibility="private",
                show_progress="hidden",
            )
            gr.api(self.api_ask, api_name="ask", **ANSWERING)
            demo.unload(self.end_session)
        return demo

    def _wire(self, page: Page) -> None:
        if page.add_documents is not None:
            page.add_documents.click(
                self.uploads.add_files, [page.upload_files, page.admin_token], UPLOAD_OUTPUTS.of(page),
                api_visibility="private", show_progress="full", show_progress_on=[page.upload_result], **UPLOADING,
            )
        answer = {
            "fn": self.respond,
            "inputs": [page.question, page.session, page.condition],
            "outputs": ANSWER_OUTPUTS.of(page),
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
            "outputs": RESET_OUTPUTS.of(page),
            "queue": False,
            "api_visibility": "private",
            "cancels": running,  # an answer still being written belongs to the old conversation
        }
        page.new.click(**reset)
        page.chatbot.clear(**reset)  # the chat's own bin icon ends the conversation too
        page.chatbot.like(self.rate, [page.session], RATING_OUTPUTS.of(page), api_visibility="private")
        page.send_comment.click(
            self.add_comment, [page.session, page.comment], COMMENT_OUTPUTS.of(page), api_visibility="private"
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
            yield ANSWER_OUTPUTS()
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
        progress = Progress()
        messages = [
            *session.messages(), _message("user", render.md_text(question)), _message("assistant", progress.pending()),
        ]
        yield ANSWER_OUTPUTS(
            question="", chatbot=[*messages], alert="", notice="",
            status=render.status_html(progress.status(), turn=number),
            ask=gr.update(visible=False), stop=gr.update(value="Stop", interactive=True, visible=True),
        )
        chains = self.libraries.for_owner(owner_id(request.session_hash) if request else None)
        try:
            where = self.assistant.condition_key(condition)
            flag = check_safety(question)
            if flag is not None and flag.urgent and not flag.blocking:  # a crisis read by the model: its alert at once
                yield ANSWER_OUTPUTS(alert=render.alert_html(flag.kind))
            note = ""
            if (urgent := urgent_chain(flag, chains)) is not None:
                answer = yield from self._stream(urgent, question, session, where, messages, number, stop, on=None)
            elif not chains.uses_model:  # no model: no waiting
                answer = yield from self._stream(chains.chain, question, session, where, messages, number, stop, on=self._answering)
            else:
                answer, note = yield from self._through_line(chains, question, session, where, messages, number, stop)
            yield self._finish(question, self._scrubbed(answer), session, condition, note)
        except Stopped as stopped:
            log.info("answer %d stopped by the user after %d characters", number, len(stopped.text))
            yield self._end_turn(ChatTurn(question, condition, None, stopped.text, "stopped"), session, STOPPED_STATUS)
        except GuideError as error:  # something the user can fix: say what, in the chat and a notice
            gr.Warning(str(error))
            yield self._end_turn(ChatTurn(question, condition, None, str(error), "failed"), session)
        except Exception:  # any failure: log it, tell this user plainly, keep serving everyone
            log.exception("answering %r failed", question)
            text = unreachable(self.assistant) or FAILED
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
        messages: Messages, number: int, stop: threading.Event,
    ) -> Iterator[tuple[Any, ...]]:
        """The model's answer, one person at a time; while others are ahead, the extractive answer
        and this user's place. A full line gets the extractive answer and is told so; Stop while
        waiting keeps the extractive answer. Returns (answer, note for the status line)."""
        ticket = self.line.join()
        if ticket is None:
            note = LINE_FULL.format(waiting=self.line.length)
            gr.Warning(note)
            answer = yield from self._stream(chains.quick, question, session, condition, messages, number, stop, on=self._answering)
            return answer, note
        with ticket:
            shown = None
            if ticket.ahead:
                quick = yield from self._stream(chains.quick, question, session, condition, messages, number, stop, on=self._answering)
                shown = render.answer_markdown(self._scrub(quick.answer or NOT_COVERED_ANSWER)) + "\n\n" + WAITING_NOTE
                messages[-1] = _message("assistant", shown)
                if not (yield from self._wait(ticket, messages, number, stop)):
                    return quick, STOPPED_WAITING
            answer = yield from self._stream(chains.chain, question, session, condition, messages, number, stop, on=self._serving, shown=shown)
            return answer, ""

    def _wait(
        self, ticket: Ticket, messages: Messages, number: int, stop: threading.Event
    ) -> Iterator[tuple[Any, ...]]:
        """Show this user's place until their turn comes (True), or until they press Stop (False)."""
        place = -1
        while not stop.is_set():
            ahead = ticket.ahead
            if ahead != place and ahead:
                place = ahead
                status = render.status_html(IN_LINE.format(place=place), "waiting", turn=number)
                yield ANSWER_OUTPUTS(chatbot=[*messages], status=status)
            if ticket.wait(WAIT_POLL_S):
                return True
        return False

    def _stream(
        self, chain: AnswerChain, question: str, session: ChatSession, condition: str | None,
        messages: Messages, number: int, stop: threading.Event, on: ThreadPoolExecutor | None, shown: str | None = None,
    ) -> Iterator[tuple[Any, ...]]:
        """Yield the chat's updates while ``chain`` answers in the light of the conversation; return
        its final Answer. ``shown``: what the bubble keeps until the first checked sentence (else the
        progress of the search). ``on``: the lowered threads that compute it, a step at a time (None:
        this thread, at the app's priority, for an urgent reply). Raises ``Stopped`` when the user presses Stop (the chain
        closes the model's stream)."""
        progress, line = Progress(), ""
        with closing(chain.stream(question, session.history, condition, stop)) as events:
            for event in events if on is None else stepped_on(on, events):
                if stop.is_set():
                    break
                if event.kind == "final" and event.answer is not None:
                    return event.answer
                progress.advance(event)
                if progress.text:
                    bubble = render.answer_markdown(self._scrub(progress.text))
                else:
                    bubble = shown or progress.pending()
                messages[-1] = _message("assistant", bubble)
                found = event.kind == "passages" and progress.passages
                sources = self._panel(session, render.found_passages_html(progress.passages)) if found else gr.skip()
                previous, line = line, progress.status()
                status_line = render.status_html(line, turn=number) if line != previous else gr.skip()
                yield ANSWER_OUTPUTS(chatbot=[*messages], sources=sources, status=status_line)
        if stop.is_set():
            raise Stopped(self._scrub(progress.text))
        raise RuntimeError("the answer stream ended without a final answer")

    def _scrub(self, text: str) -> str:
        """No link in an answer that the shipped guides do not hold."""
        return scrub_links(text, self.allowed_links)

    def _scrubbed(self, answer: Answer) -> Answer:
        """The answer without such links, in both its wordings."""
        sentences = [dataclasses.replace(w, text=self._scrub(w.text), guide_text=self._scrub(w.guide_text)) for w in answer.sentences]
        return dataclasses.replace(answer, answer=self._scrub(answer.answer), sentences=sentences)

    def _finish(
        self, question: str, answer: Answer, session: ChatSession, condition: str, note: str = ""
    ) -> tuple[Any, ...]:
        """The answer is done: its sources, what to ask the care team and next, and why. The next
        questions are searched on this thread: the turn stays open until they are found, and on the
        lowered threads they would queue behind everyone else's answers (review50)."""
        self._add_turn(ChatTurn(question, condition, answer), session)
        asks, reason = care_team_suggestions(question, answer)  # always in the user's own words
        session.care_team_questions.extend(q for q in asks if q not in session.care_team_questions)
        session.suggestions = self._suggestions(answer, session, condition)
        done = f"{note} {done_status(answer)}" if note else done_status(answer)
        return self._turn_outputs(
            session, alert=render.alert_html(answer.safety), notice=render.care_team_html(asks, reason),
            status=render.status_html(done, "done", len(session.turns)),
        )

    def _end_turn(self, turn: ChatTurn, session: ChatSession, status: str = FAILED_STATUS) -> tuple[Any, ...]:
        """A turn without a finished answer (it failed, or the user stopped it); a crisis read in the
        question keeps its alert in view."""
        self._add_turn(turn, session)
        session.suggestions = []
        try:
            flag = check_safety(turn.question)
        except GuideError:  # the check itself failed (a model file missing): the failure is what is shown
            flag = None
        return self._turn_outputs(
            session, alert=render.alert_html(flag.kind if flag else None), notice="",
            status=render.status_html(status, turn.state, len(session.turns)),
        )

    def _turn_outputs(self, session: ChatSession, **shown: Any) -> tuple[Any, ...]:
        return ANSWER_OUTPUTS(
            chatbot=session.messages(), session=session, saved=session.to_saved(), sources=self._panel(session),
            ask=gr.update(visible=True), stop=gr.update(visible=False), **shown,
        )

    def _add_turn(self, turn: ChatTurn, session: ChatSession) -> None:
        """Add a turn to the conversation, with its sources rendered once."""
        self._render_sources(len(session.turns), turn)
        session.turns.append(turn)

    def _render_sources(self, index: int, turn: ChatTurn) -> None:
        if turn.finished is not None:
            turn.sources = render.answer_sources_html(index, turn.question, turn.finished, self._document_text)

    def _document_text(self, doc_id: str) -> str | None:
        document = self.assistant.document(doc_id)
        return document.text if document else None

    def _suggestions(self, answer: Answer, session: ChatSession, condition: str) -> list[str]:
        try:
            return suggest_questions(self.assistant, answer, [t.question for t in session.turns], condition)
        except Exception:  # suggestions are a help, not the answer: log the failure and offer none
            log.exception("suggesting next questions after %r failed", answer.question)
            return []

    def _panel(self, session: ChatSession, current: str = "") -> str:
        return render.sources_panel_html(session.source_sections, current)

    def api_ask(self, question: str, condition: str = "all") -> dict:
        """Answer one question from the guides. Returns the answer as JSON, exactly as
        `python -m assistant ask --json` prints it. condition: "all", or a condition key of the
        guides' domain.json (als, scleroderma)."""
        chains = self.libraries.shared
        try:
            where = self.assistant.condition_key(condition)
            flag = check_safety(question or "")
            if (urgent := urgent_chain(flag, chains)) is not None:
                answer = final(urgent.stream(question, (), where))
                if urgent is not chains.chain:  # a crisis the crisis model reads: say why there is no model answer
                    answer = dataclasses.replace(answer, generator=f"{answer.generator} {CRISIS_AT_ONCE}")
            elif not chains.uses_model:
                answer = final(stepped_on(self._answering, chains.chain.stream(question, (), where)))
            else:
                ticket = self.line.join()
                if ticket is None:
                    answer = final(stepped_on(self._answering, chains.quick.stream(question, (), where)))
                    answer = dataclasses.replace(answer, generator=f"{answer.generator} (the language model was busy)")
                else:
                    with ticket:
                        while not ticket.wait(WAIT_POLL_S):
                            pass
                        answer = final(stepped_on(self._serving, chains.chain.stream(question, (), where)))
            return self._scrubbed(answer).to_dict()
        except GuideError as error:
            raise gr.Error(str(error)) from error
        except Exception as error:  # log it; tell the caller plainly (the server down, or our failure)
            log.exception("answering %r on /ask failed", question)
            raise gr.Error(unreachable(self.assistant) or FAILED) from error

    def end_session(self, request: gr.Request | None = None) -> None:
        """A tab closed: the documents it added leave the index and the disk."""
        if request is not None and request.session_hash:
            self.libraries.close(owner_id(request.session_hash))

    # --- conversation controls --------------------------------------------------------------
    def restore(self, saved: Any) -> tuple[Any, ...]:
        """On page load: the conversation this browser kept, as it was left."""
        session = ChatSession.from_saved(saved)
        if not session.turns:
            return ANSWER_OUTPUTS()
        for index, turn in enumerate(session.turns):
            self._render_sources(index, turn)
        return ANSWER_OUTPUTS(chatbot=session.messages(), session=session, sources=self._panel(session))

    def new_conversation(self) -> tuple[Any, ...]:
        """A fresh conversation; the browser's saved copy of the old one is replaced too."""
        fresh = ChatSession()
        return RESET_OUTPUTS(
            chatbot=[], session=fresh, saved=fresh.to_saved(), sources=render.sources_panel_html([]), alert="",
            notice="", status="", ask=gr.update(visible=True), stop=gr.update(visible=False),
            feedback_box=gr.update(visible=False), handout_files=gr.update(value=None, visible=False),
        )

    def rate(self, session: ChatSession | None, like: gr.LikeData) -> tuple[Any, ...]:
        """A thumb on an answer: store it with everything that produced the answer."""
        session = session or ChatSession()
        index = like.index if isinstance(like.index, int) else like.index[0]
        turn = session.turns[index // 2] if 0 <= index // 2 < len(session.turns) else None
        if turn is None or turn.finished is None:
            gr.Warning("This answer can't be rated, because it failed or was stopped.")
            return RATING_OUTPUTS(session=session)
        rating = {True: "helpful", False: "not_helpful"}.get(like.liked) if isinstance(like.liked, bool) else None
        number = index // 2
        session.last_feedback_id = self.feedback.rate(
            session_id=session.id, turn=number, rating=rating, answer=turn.finished,
            settings=answer_settings(self.settings, turn.condition),
        )
        if rating is None:
            return RATING_OUTPUTS(feedback_box=gr.update(visible=False), feedback_note="", session=session)
        thanks = "Thank you — glad it helped." if rating == "helpful" else "Thank you — that helps us improve."
        note = f"{thanks} Your feedback on answer {number + 1} is saved."
        return RATING_OUTPUTS(feedback_box=gr.update(visible=True), feedback_note=note, session=session)

    def add_comment(self, session: ChatSession | None, comment: str) -> tuple[Any, ...]:
        if session is None or session.last_feedback_id is None or not (comment or "").strip():
            gr.Warning("Type a comment first, or just close this by asking your next question.")
            return COMMENT_OUTPUTS()
        self.feedback.comment(session.last_feedback_id, comment)
        gr.Info("Thank you, your comment is saved.")
        return COMMENT_OUTPUTS(feedback_box=gr.update(visible=False), comment="", feedback_note="")

    def make_handout(self, session: ChatSession | None, own_text: str) -> Any:
        session = session or ChatSession()
        extra = own_questions(own_text)
        if not session.answers and not extra:
            gr.Warning("Ask a question first (or type the questions you want to bring), then make the handout.")
            return gr.skip()
        handout = Handout(session.answers, care_team_questions=session.care_team_questions, own_questions=extra)
        markdown, page = write_handout(handout, self.handout_dir / session.id)
        gr.Info("Your handout is ready: download it below. Open the .html file to print it.")
        return gr.update(value=[str(page), str(markdown)], visible=True)

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
