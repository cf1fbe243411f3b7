"""A tab's uploads in the browser: only that tab lists and searches them; closing the tab
deletes them (Gradio's unload event when its heartbeat stops)."""

from __future__ import annotations

import re
import time

import pytest

from tests.ui.chat_page import ask
from tests.ui.conftest import open_chat

pytestmark = pytest.mark.browser

NOTE = (
    "The Kestrel swallowing routine for ALS\n\n"
    "The Kestrel swallowing routine asks people with ALS to tuck the chin and swallow twice with every mouthful "
    "of soft food, sitting fully upright.\n"
)


def _tab(chromium, url: str):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    open_chat(page, url)
    return context, page


def test_an_upload_belongs_to_its_tab_and_goes_when_the_tab_closes(chromium, chat_app, tmp_path):
    note = tmp_path / "kestrel.txt"
    note.write_text(NOTE, encoding="utf-8")
    mine, page = _tab(chromium, chat_app.url)
    other, other_page = _tab(chromium, chat_app.url)
    try:
        page.get_by_role("button", name=re.compile("^Add your own documents")).click()
        page.locator("#upload-files input[type=file]").set_input_files([str(note)])
        page.locator("#add-documents").click()
        page.wait_for_selector("#upload-result .upload-ok", timeout=120_000)
        assert "Only you can search it" in page.locator("#upload-result").inner_text()
        assert "Kestrel" in page.locator("#library").inner_text()
        assert "tuck the chin" in ask(page, "How does the Kestrel swallowing routine work?")
        folders = list((chat_app.data_dir / "sessions").glob("*/kestrel.txt"))
        assert len(folders) == 1

        other_page.get_by_role("button", name=re.compile("^Add your own documents")).click()
        assert "Kestrel" not in other_page.locator("#library").inner_text()
        assert "Kestrel" not in ask(other_page, "How does the Kestrel swallowing routine work?")
    finally:
        mine.close()
    deadline = time.monotonic() + 60
    while folders[0].exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not folders[0].exists(), "the closed tab's document is still on disk"
    other.close()
