"""Read .txt, .md, .html, .pdf and .docx files into cleaned ``Document``s.

A file that cannot be read is reported by name with the reason (``LoadProblem``); the
others are still loaded, so one bad file never stops an ingestion.
"""

from __future__ import annotations

import codecs
import json
import logging
import re
from collections.abc import Iterable
from pathlib import Path

from core.errors import GuideError
from corpus.cleaning import clean_text
from corpus.domain import Domain, load_domain
from corpus.types import Document, LoadProblem

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx")
CATALOG_NAME = "catalog.json"


class UnreadableFile(GuideError):
    """A file that cannot be turned into text; the message says why and what to do."""


def load_paths(
    paths: Iterable[Path], *, max_file_mb: float = 20.0, domain: Domain | None = None
) -> tuple[list[Document], list[LoadProblem]]:
    """Load every supported file in ``paths`` (files or folders, folders recursively); ``domain``
    as for ``load_file``."""
    documents: list[Document] = []
    problems: list[LoadProblem] = []
    seen_ids: dict[str, str] = {}
    for path in _expand(paths, problems):
        try:
            document = load_file(path, max_file_mb=max_file_mb, domain=domain)
        except UnreadableFile as error:
            log.warning("skipped %s: %s", path, error)
            problems.append(LoadProblem(str(path), str(error)))
            continue
        if document.doc_id in seen_ids:
            problems.append(
                LoadProblem(str(path), f"has the same document id '{document.doc_id}' as "
                            f"{seen_ids[document.doc_id]}; rename one of the two files")
            )
            continue
        seen_ids[document.doc_id] = str(path)
        documents.append(document)
    return documents, problems


def load_file(path: Path, *, max_file_mb: float = 20.0, domain: Domain | None = None) -> Document:
    """Read one file; raise ``UnreadableFile`` with a reason a user can act on. The conditions it is
    about come from a ``catalog.json`` beside it, else from the names of ``domain``'s conditions it
    holds (the domain file beside it when no domain is given)."""
    path = Path(path)
    domain = domain or load_domain(path.parent)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnreadableFile(
            f"'{suffix or 'no extension'}' files are not supported; use one of {', '.join(SUPPORTED_SUFFIXES)}"
        )
    try:
        size = path.stat().st_size
    except OSError as error:
        raise UnreadableFile(f"cannot be opened ({error.strerror}); check the path and permissions") from error
    if size > max_file_mb * 1024 * 1024:
        raise UnreadableFile(f"is {size / 1048576:.1f} MB, over the {max_file_mb:g} MB limit; split it or raise the limit")
    data = path.read_bytes()
    if not data.strip():
        raise UnreadableFile("is empty; add text to it or leave it out")
    reader = {".pdf": _read_pdf, ".docx": _read_docx, ".html": _read_html, ".htm": _read_html}.get(suffix, _read_text)
    raw_title, raw_text = reader(data, suffix)
    text, offset_map = clean_text(raw_text)
    if len(text) < 20:
        raise UnreadableFile("holds no readable text (under 20 characters once cleaned)")
    entry = _catalog_entry(path, domain)
    title = entry.get("title") or raw_title or text.split("\n", 1)[0][:120].strip() or path.stem
    conditions = tuple(entry.get("conditions") or domain.conditions_discussed(text))
    return Document(
        doc_id=entry.get("doc_id") or document_id_for(path),
        title=title,
        text=text,
        source=path.name,
        conditions=conditions,
        path=str(path.resolve()),
        offset_map=offset_map,
    )


def document_id_for(path: Path) -> str:
    """A stable id from the file name: the same file name is the same document."""
    slug = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")
    return slug[:80] or "document"


def _expand(paths: Iterable[Path], problems: list[LoadProblem]) -> Iterable[Path]:
    for path in map(Path, paths):
        if path.is_dir():
            yield from sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
            )
        elif path.exists():
            yield path
        else:
            problems.append(LoadProblem(str(path), "does not exist; check the path"))


def _catalog_entry(path: Path, domain: Domain) -> dict:
    """Title, conditions and id given by a ``catalog.json`` beside the file, if any."""
    catalog = path.parent / CATALOG_NAME
    if not catalog.is_file():
        return {}
    try:
        entry = json.loads(catalog.read_text(encoding="utf-8")).get(path.name, {})
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise UnreadableFile(f"its {catalog} is not valid JSON ({error}); fix or remove it") from error
    known = domain.keys
    unknown = set(entry.get("conditions", [])) - set(known)
    if unknown and known:  # a folder without a domain file has no conditions to check against
        raise UnreadableFile(f"{catalog} names unknown conditions {sorted(unknown)}; use {list(known)} (from domain.json)")
    return entry


_DISGUISED = (  # what a file that is not text really is, by its first bytes
    (b"%PDF", "a PDF document; rename it to end in .pdf"),
    (b"PK\x03\x04", "a Word (.docx) or other zipped file; rename a Word file to end in .docx, or save it as text"),
    (b"\xd0\xcf\x11\xe0", "an old Word (.doc) or Excel file; save it as .docx or as plain text"),
    (b"{\\rtf", "a rich-text (.rtf) file; save it as .docx or as plain text"),
    (b"\x89PNG", "an image (PNG); only text can be added"),
    (b"\xff\xd8\xff", "an image (JPEG); only text can be added"),
    (b"GIF8", "an image (GIF); only text can be added"),
)


def _decode(data: bytes) -> str:
    """UTF-8 (with or without a byte-order mark) or UTF-16 (with a mark, or plainly UTF-16 by its
    zero bytes); anything else is refused with what it really is."""
    for magic, kind in _DISGUISED:
        if data.startswith(magic):
            raise UnreadableFile(f"is not a text file: it is {kind}")
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise UnreadableFile("is UTF-32 text, which is not supported; save it as UTF-8 (or UTF-16)")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _looks_utf16(data):
        try:
            text = data.decode("utf-16" if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else _utf16_order(data))
        except UnicodeDecodeError as error:
            raise UnreadableFile(
                f"looks like UTF-16 text but is damaged at byte {error.start}; save it again as UTF-8"
            ) from error
        if "\x00" not in text:
            return text
    zero = data.find(b"\x00", 0, 4096)
    if zero >= 0:
        raise UnreadableFile(
            f"is not text: it holds binary data (a zero byte at position {zero}); "
            "export it as .txt (UTF-8), .pdf or .docx"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableFile(
            f"is not UTF-8 text (bad byte at position {error.start}; perhaps saved as Windows or Latin-1 text); "
            "save it with UTF-8 encoding"
        ) from error


def _looks_utf16(data: bytes) -> bool:
    """UTF-16 without a byte-order mark: mostly-ASCII text has a zero in every other byte."""
    sample = data[:4096]
    if len(sample) < 8 or len(sample) % 2:
        return False
    even, odd = sample[0::2], sample[1::2]
    return max(even.count(0), odd.count(0)) > 0.8 * len(odd) and min(even.count(0), odd.count(0)) == 0


def _utf16_order(data: bytes) -> str:
    return "utf-16-le" if data[1::2].count(0) > data[0::2].count(0) else "utf-16-be"


def _read_text(data: bytes, suffix: str) -> tuple[str | None, str]:
    text = _decode(data)
    if suffix in (".md", ".markdown"):
        return _markdown_title(text), _strip_markdown(text)
    return None, text


def _markdown_title(text: str) -> str | None:
    match = re.search(r"^#\s+(.+)$", text, re.MULTILINE)
    return match.group(1).strip() if match else None


def _strip_markdown(text: str) -> str:
    """Markdown marks that would read as noise in a passage; links keep their words."""
    text = re.sub(r"^\s{0,3}#{1,6}\s+", "", text, flags=re.MULTILINE)
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"^\s*[-*+]\s+", "- ", text, flags=re.MULTILINE)
    return text


def _read_html(data: bytes, suffix: str) -> tuple[str | None, str]:
    from bs4 import BeautifulSoup  # noqa: PLC0415 - only needed for HTML

    soup = BeautifulSoup(_decode(data), "html.parser")
    for tag in soup(["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "template"]):
        tag.decompose()
    title = soup.title.get_text(" ", strip=True) if soup.title else None
    heading = soup.find("h1")
    body = soup.body or soup
    blocks = [
        element.get_text(" ", strip=True)
        for element in body.find_all(["h1", "h2", "h3", "h4", "p", "li", "td", "blockquote", "pre"])
        if not element.find_parent(["p", "li", "td", "blockquote"])
    ]
    text = "\n\n".join(block for block in blocks if block) or body.get_text("\n", strip=True)
    return (heading.get_text(" ", strip=True) if heading else None) or title, text


def _read_pdf(data: bytes, suffix: str) -> tuple[str | None, str]:
    import io  # noqa: PLC0415

    from pypdf import PdfReader  # noqa: PLC0415 - only needed for PDF
    from pypdf.errors import PdfReadError  # noqa: PLC0415

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise UnreadableFile("is password-protected; save an unprotected copy")
        pages = [page.extract_text() or "" for page in reader.pages]
        title = (reader.metadata.title if reader.metadata else None) or None
    except UnreadableFile:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        raise UnreadableFile(f"is not a readable PDF ({error}); re-export it or use another copy") from error
    pages = [re.sub(r"(?m)^\s*(page\s+)?\d+(\s+of\s+\d+)?\s*$", "", page, flags=re.IGNORECASE) for page in pages]
    text = "\n\n".join(page.strip() for page in pages if page.strip())
    if not text.strip():
        raise UnreadableFile("has no text layer (a scan?); run it through OCR first")
    return title, text


def _read_docx(data: bytes, suffix: str) -> tuple[str | None, str]:
    import io  # noqa: PLC0415
    import zipfile  # noqa: PLC0415

    from docx import Document as DocxDocument  # noqa: PLC0415 - only needed for .docx

    try:
        doc = DocxDocument(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise UnreadableFile(f"is not a readable Word file ({error}); re-save it as .docx") from error
    text = "\n\n".join(p.text for p in doc.paragraphs if p.text.strip())
    return doc.core_properties.title or None, text
