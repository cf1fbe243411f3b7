"""Documents added from the chat: checked, copied, indexed.

A chat session's upload is its own: it is filed under ``data_dir/sessions/<owner>``, its
document id starts with the session's, its chunks carry the session as owner, so only that
session searches it and no one else can replace it; it goes when the session ends. The
shared library (``data_dir/uploads``) is changed only by whoever runs the service: the
command line, or the chat with the admin token (``owner=""``).

A file is read in full in a staging folder before it goes anywhere near the index, so a
bad file is refused with its reason and the index keeps everything it had. Only the new
file is passed to the index build: a build over given paths removes documents whose file
under those paths is gone, and the uploads folder is the one place that must not happen.
Sentences that address the assistant are reported to the uploader; their passages are
never used in answers.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from assistant.api import Assistant
from core.errors import GuideError
from core.settings import Settings
from corpus.loaders import SUPPORTED_SUFFIXES, UnreadableFile, load_file
from corpus.untrusted import Finding
from index.build import BuildReport, build_index, index_documents

log = logging.getLogger(__name__)

ACCEPTED_SUFFIXES = tuple(s for s in (".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx") if s in SUPPORTED_SUFFIXES)
MAX_NAME_CHARS = 80

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class AddedDocument:
    file_name: str
    doc_id: str
    title: str
    passages: int
    conditions: tuple[str, ...]  # as the domain file heads them ("ALS", "Scleroderma")
    status: str  # "added", "updated" or "unchanged"
    path: Path | None = None  # where the added file is kept
    shared: bool = False  # added to the library everyone searches (admin), not just this session's
    flagged: list[Finding] = field(default_factory=list)  # sentences aimed at the assistant, set aside

    def message(self) -> str:
        where = (
            f"It is filed under {', '.join(self.conditions)}."
            if self.conditions
            else "Ask with “All guides” selected to search it."
        )
        if self.status == "unchanged":
            return f"“{self.title}” ({self.file_name}) was already added; nothing changed. {where}"
        verb = "Replaced the earlier copy of" if self.status == "updated" else "Added"
        count = f"{self.passages} passage{'s' if self.passages != 1 else ''}"
        who = (
            "It is in the shared library: everyone using this assistant can now find it."
            if self.shared
            else "Only you can search it, in this conversation window; it is deleted when you close it."
        )
        text = f"{verb} “{self.title}” ({self.file_name}): {count}. You can ask about it now. {where} {who}"
        if self.flagged:
            text += (
                f" Set aside {len(self.flagged)} sentence{'s' if len(self.flagged) != 1 else ''} that "
                "give instructions to the assistant or send readers to a link; the passages holding them are "
                "never used in answers: " + "; ".join(f.describe(90) for f in self.flagged[:3])
                + ("; …" if len(self.flagged) > 3 else "")
            )
        return text


def uploads_dir(settings: Settings) -> Path:
    """The shared library's added documents (indexed at every start)."""
    return settings.uploads_dir


def sessions_dir(settings: Settings) -> Path:
    """Chat sessions' own documents, a folder per session (never indexed at start)."""
    return settings.data_dir / "sessions"


def session_plain_path(settings: Settings, owner: str) -> Path:
    """The plain-language layer of a session's own documents: in its folder, gone with it."""
    return sessions_dir(settings) / owner / "plain.json"


def private_doc_id(owner: str, doc_id: str) -> str:
    """A session's document id: its own, so no other session's file of the same name replaces it."""
    return f"s{owner[:16]}-{doc_id}"


def safe_filename(name: str) -> str:
    """A plain file name (letters, digits, ``.-_``) with an accepted extension, or GuideError."""
    base = Path(str(name).replace("\\", "/")).name
    stem, suffix = os.path.splitext(base)
    suffix = suffix.lower()
    if suffix not in ACCEPTED_SUFFIXES:
        raise GuideError(
            f"“{base or name}” can't be added: {suffix or 'files without an extension'} "
            f"{'files are' if suffix else 'are'} not supported. Use one of: {', '.join(ACCEPTED_SUFFIXES)}."
        )
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip(".-_")[:MAX_NAME_CHARS].strip(".-_")
    if not re.search(r"[A-Za-z0-9]", stem):
        raise GuideError(f"“{base}” can't be added: give the file a name with letters or digits.")
    return stem + suffix


def add_document(
    assistant: Assistant,
    source: Path,
    original_name: str,
    progress: Progress | None = None,
    *,
    owner: str = "",
    added_by: str | None = None,
) -> AddedDocument:
    """Check, copy and index one uploaded file; GuideError says why a file was refused.
    ``owner``: the chat session the document is private to, or "" for the shared library."""
    settings = assistant.settings
    if owner and not re.fullmatch(r"[0-9a-f]{16,64}", owner):
        raise ValueError(f"not a session id: {owner!r}")  # a bug, never user input
    report = progress or (lambda fraction, text: None)
    name = safe_filename(original_name)
    limit_mb = min(settings.app.max_upload_mb, settings.corpus.max_file_mb)
    size = Path(source).stat().st_size
    if size > limit_mb * 1024 * 1024:
        raise GuideError(f"“{name}” is {size / 1048576:.1f} MB; files can be at most {limit_mb:g} MB. Split it into smaller files.")

    report(0.1, f"Reading {name}")
    staging = settings.data_dir / ".upload-staging" / uuid.uuid4().hex
    staging.mkdir(parents=True)
    try:
        staged = staging / name
        shutil.copyfile(source, staged)
        try:
            document = load_file(staged, max_file_mb=limit_mb, domain=settings.domain)
        except UnreadableFile as error:
            raise GuideError(f"“{name}” can't be added: it {error}.") from error
        target = (sessions_dir(settings) / owner if owner else uploads_dir(settings)) / name
        doc_id = private_doc_id(owner, document.doc_id) if owner else document.doc_id
        _refuse_clash(assistant, doc_id, target)

        report(0.4, f"Adding {name} to the index")
        target.parent.mkdir(parents=True, exist_ok=True)
        backup = _move_aside(target)
        os.replace(staged, target)
        try:
            build = _index(assistant, target, doc_id, owner, added_by)
        except BaseException:
            _restore(target, backup)
            raise
        if build.problems:
            _restore(target, backup)
            raise GuideError(f"“{name}” can't be added: {build.problems[0].reason}.")
        if backup is not None:
            backup.unlink(missing_ok=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)

    report(1.0, f"{name} is ready")
    domain = settings.domain
    record = next((r for r in assistant.documents() if r.doc_id == doc_id), None)
    status = "added" if doc_id in build.added else "updated" if doc_id in build.updated else "unchanged"
    log.info("upload %s: %s as %s (%s)", name, status, doc_id, build.summary())
    return AddedDocument(
        file_name=name,
        doc_id=doc_id,
        title=record.title if record else document.title,
        passages=(record.n_chunks - record.flagged_chunks) if record else 0,
        conditions=tuple(domain.heading(c) for c in (record.conditions if record else document.conditions)),
        status=status,
        path=target,
        shared=not owner,
        flagged=build.flagged.get(doc_id, []),
    )


def _index(assistant: Assistant, target: Path, doc_id: str, owner: str, added_by: str | None) -> BuildReport:
    settings = assistant.settings
    if not owner:
        build = build_index(settings, assistant.store, [target], added_by=added_by)
        assistant.retriever.refresh()  # the shared library changed
        return build
    try:  # a session's document, under its own id; its session's retriever refreshes itself
        document = load_file(target, max_file_mb=settings.corpus.max_file_mb, domain=settings.domain)
        document = dataclasses.replace(document, doc_id=doc_id)
    except UnreadableFile as error:
        raise GuideError(f"“{target.name}” can't be added: it {error}.") from error
    return index_documents(settings, assistant.store, [document], owner=owner, added_by=added_by or "a chat session")


def remove_session_documents(assistant: Assistant, owner: str | None = None) -> list[str]:
    """Remove a session's documents (or, with no owner, every session's: left by an earlier run)
    from the index and the disk; the ids removed."""
    removed = [
        record.doc_id
        for record in assistant.store.documents().values()
        if record.owner and (owner is None or record.owner == owner)
    ]
    for doc_id in removed:
        assistant.store.remove_document(doc_id)
    folder = sessions_dir(assistant.settings) / owner if owner else sessions_dir(assistant.settings)
    shutil.rmtree(folder, ignore_errors=True)
    if removed:
        log.info("removed %d document(s) of %s", len(removed), f"session {owner[:8]}" if owner else "ended sessions")
    return removed


def _refuse_clash(assistant: Assistant, doc_id: str, target: Path) -> None:
    """A new copy of an added file replaces the old one; nothing may replace another document
    (a shipped guide, or an added file whose name differs only in spelling)."""
    for record in assistant.store.documents().values():
        if record.doc_id == doc_id and Path(record.source_path).resolve() != target.resolve():
            raise GuideError(
                f"“{target.name}” can't be added: a document with nearly the same name (“{record.title}”) "
                "is already in the library. Rename your file and add it again."
            )


def _move_aside(target: Path) -> Path | None:
    if not target.exists():
        return None
    backup = target.with_name(f".{target.name}.previous")
    os.replace(target, backup)
    return backup


def _restore(target: Path, backup: Path | None) -> None:
    """Put the earlier file back (or remove the new one), so the folder matches the index."""
    target.unlink(missing_ok=True)
    if backup is not None:
        os.replace(backup, target)
