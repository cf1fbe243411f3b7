"""“Add your own documents”: a tab adds files to its own library, or, with the admin token,
to the shared library for everyone."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.api import Assistant
from core.errors import GuideError
from core.settings import Settings
from ui import render
from ui.layout import UPLOAD_OUTPUTS
from ui.libraries import Libraries, owner_id
from index.plain import PlainLayer
from plain.build import BackgroundPlainBuilder, start_uploads_layer
from ui.uploads import AddedDocument, add_document, session_plain_path

log = logging.getLogger(__name__)

PLAIN_LATER = "Plainer words for it are being written. Until then, answers quote it as written."
ADMIN_REFUSED = "That admin token is not right, so nothing was added. Leave it empty to add documents just for yourself."


class DocumentUploads:
    """The upload section's handler and the library list it shows."""

    def __init__(
        self, assistant: Assistant, libraries: Libraries, settings: Settings, plain: BackgroundPlainBuilder | None = None
    ) -> None:
        self.assistant = assistant
        self.libraries = libraries
        self.admin_token = admin_token(settings)
        # writes plain-language versions of added documents' sentences while people go on asking
        self.plain = plain if plain is not None else plain_builder(assistant)

    def add_files(
        self,
        files: Sequence[str] | None,
        token: str | None,
        request: gr.Request | None = None,
        progress: gr.Progress = gr.Progress(),  # noqa: B008 - how Gradio passes a tracker
    ) -> tuple[Any, ...]:
        if not files:
            gr.Warning("Choose a file to add first.")
            return UPLOAD_OUTPUTS()
        owner = owner_id(request.session_hash if request else None)
        shared = bool((token or "").strip())
        if shared and not self._is_admin(token or ""):
            log.warning("upload with a wrong admin token refused")
            gr.Warning(ADMIN_REFUSED)
            return UPLOAD_OUTPUTS(upload_result=render.upload_result_html([(False, ADMIN_REFUSED)]))
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
                lines.append((True, added.message() + self._plain_later(added, owner, shared)))
            except GuideError as error:
                log.info("upload refused: %s", error)
                lines.append((False, str(error)))
            except Exception:  # an unexpected failure: the index keeps what it had
                log.exception("adding %s failed", path)
                problem = unreachable(self.assistant)
                lines.append((False, problem or f"“{Path(path).name}” could not be added because of an error on our side. Please try again."))
        if not all(ok for ok, _ in lines):
            gr.Warning("Some files could not be added; see why below.")
        return UPLOAD_OUTPUTS(
            upload_result=render.upload_result_html(lines), library=self.library_html(owner), upload_files=None
        )

    def library_html(self, owner: str | None) -> str:
        """What the tab of ``owner`` can search (the shared library when None)."""
        titles = []
        for record in self.libraries.documents(owner):
            if record.owner:
                titles.append(f"{record.title} (yours: only you can search it)")
            elif record.origin == "added":
                titles.append(f"{record.title} (added by {record.added_by or 'the service'}, {record.added_at[:10]})")
            else:
                titles.append(record.title)
        return render.library_html(titles)

    def _plain_later(self, added: AddedDocument, owner: str, shared: bool) -> str:
        """Queue the plain-language layer of an added document; the sentence that says so, or ""."""
        if self.plain is None or added.status == "unchanged" or added.path is None:
            return ""
        store = None  # the shared library's: the builder's own
        if not shared:  # the session's own layer, which only its chain reads and which goes with it
            layer = self.libraries.for_owner(owner).chain.plain
            store = layer.store(session_plain_path(self.assistant.settings, owner)) if isinstance(layer, PlainLayer) else None
            if store is None:
                return ""
        self.plain.submit(added.path, store)
        return " " + PLAIN_LATER

    def _is_admin(self, token: str) -> bool:
        return self.admin_token is not None and hmac.compare_digest(token.strip().encode(), self.admin_token.encode())


def plain_builder(assistant: Assistant) -> BackgroundPlainBuilder | None:
    """The background writer of added documents' plain-language layer: only where the local model
    is already assembled (its calibrated judge checks each plain version; nothing is assembled in
    the background), whichever generator answers, and ``app.plain_uploads`` is on."""
    from assistant.model_files import local_model_available  # noqa: PLC0415

    settings = assistant.settings
    layer = assistant.chain.plain
    wanted = (
        settings.app.plain_uploads and settings.app.uploads_enabled and local_model_available(settings, or_assemble=False)
    )
    return start_uploads_layer(settings, layer) if wanted and isinstance(layer, PlainLayer) else None


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


def unreachable(assistant: Assistant) -> str | None:
    """The plain message when a failure was the Chroma server being down (as the CLI says it)."""
    try:
        assistant.store.check_reachable()
    except GuideError as error:
        return str(error)
    return None
