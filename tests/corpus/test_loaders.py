from pathlib import Path

import pytest

from corpus.loaders import UnreadableFile, load_file, load_paths


def _pdf_with_text(text: str) -> bytes:
    """A minimal one-page PDF whose text layer holds ``text``."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_each_supported_format_loads_with_title_text_and_provenance(tmp_path: Path):
    from docx import Document as Docx

    (tmp_path / "notes.txt").write_text("Breathing exercises\nBreathing exercises help people with ALS keep strength.\n")
    (tmp_path / "guide.md").write_text("# Skin care in scleroderma\n\nUse **moisturiser** every day, see [the guide](http://x).\n")
    (tmp_path / "page.html").write_text(
        "<html><head><title>Site</title><script>alert(1)</script></head><body><nav>Home</nav>"
        "<h1>Feeding tubes</h1><p>A feeding tube can help when swallowing is hard.</p><footer>Share</footer></body></html>"
    )
    (tmp_path / "leaflet.pdf").write_bytes(_pdf_with_text("Tofersen is an antisense therapy for SOD1 ALS."))
    docx = Docx()
    docx.add_paragraph("Physical therapy keeps joints moving in scleroderma.")
    docx.save(tmp_path / "therapy.docx")

    documents, problems = load_paths([tmp_path])
    assert problems == []
    by_id = {d.doc_id: d for d in documents}
    assert by_id["guide"].title == "Skin care in scleroderma"
    assert "Use moisturiser every day, see the guide." in by_id["guide"].text
    assert by_id["page"].title == "Feeding tubes" and "alert" not in by_id["page"].text and "Home" not in by_id["page"].text
    assert "antisense therapy" in by_id["leaflet"].text
    assert "Physical therapy" in by_id["therapy"].text
    assert by_id["notes"].source == "notes.txt" and by_id["notes"].path == str(tmp_path / "notes.txt")
    assert by_id["notes"].conditions == ()  # ALS named once only: no condition claimed


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("broken.pdf", b"%PDF-1.4 this is not really a pdf", "not a readable PDF"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is an image"),
        ("renamed.txt", b"%PDF-1.7\n%\xe2\xe3 binary stream", "rename it to end in .pdf"),
        ("notes.txt", b"PK\x03\x04\x14\x00\x06\x00word/document.xml", "a Word"),
        ("data.txt", b"\x00\x01\x02\x03 some bytes \x00\xff" * 8, "binary data"),
        ("wide.txt", "Notes about ALS and riluzole, saved wide.".encode("utf-32"), "UTF-32"),
        ("empty.md", b"   \n\n", "empty"),
        ("latin1.txt", "Sclérodermie et traitement résistant, une longue phrase.".encode("latin-1"), "Latin-1 text"),
        ("sheet.xlsx", b"PK\x03\x04", "not supported"),
    ],
)
def test_unreadable_files_are_reported_by_name_and_the_rest_still_load(tmp_path: Path, name, content, reason):
    (tmp_path / name).write_bytes(content)
    (tmp_path / "good.txt").write_text("Good file\nRiluzole modestly prolongs survival in ALS patients.\n")
    with pytest.raises(UnreadableFile, match=reason):
        load_file(tmp_path / name)
    documents, problems = load_paths([tmp_path / name, tmp_path / "good.txt"])
    assert [d.doc_id for d in documents] == ["good"]
    assert len(problems) == 1 and problems[0].path.endswith(name) and reason in problems[0].reason


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-16", b""), ("utf-16-le", b""), ("utf-16-be", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-8", b"")],
)
def test_utf16_and_utf8_with_a_byte_order_mark_are_read(tmp_path: Path, encoding, prefix):
    """Notepad and Word save "Unicode" text as UTF-16 (with a byte-order mark, or without one)."""
    text = "Swallowing tips\r\nSit upright when eating; soft foods such as yoghurt are easier — 2 mg/day.\r\n"
    (tmp_path / "tips.txt").write_bytes(prefix + text.encode(encoding))
    document = load_file(tmp_path / "tips.txt")
    assert document.title == "Swallowing tips"
    assert "Sit upright when eating; soft foods such as yoghurt are easier — 2 mg/day." in document.text
    assert "\ufeff" not in document.text and "\x00" not in document.text


def test_missing_path_is_a_problem_not_a_crash(tmp_path: Path):
    documents, problems = load_paths([tmp_path / "nope.txt"])
    assert documents == [] and "does not exist" in problems[0].reason
