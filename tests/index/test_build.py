"""The index on the real stack: real Chroma, the real packaged embedder."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.errors import GuideError
from core.settings import REPO_ROOT, Settings
from corpus.loaders import load_paths
from index.build import build_index, index_documents, remove_document
from index.store import GuideStore, collection_name
from tests.conftest import GUIDES_DIR


@pytest.fixture
def guides_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "guides"
    shutil.copytree(GUIDES_DIR, folder)
    return folder


def _consistent(store: GuideStore) -> dict[str, int]:
    """Every document complete, and chunks exactly those of the complete documents."""
    complete = store.complete_documents()
    assert set(store.documents()) == set(complete)
    inventory = store.chunk_inventory()
    assert set(inventory) == set(complete)
    assert store.count() == sum(r.n_chunks for r in complete.values())
    return {doc_id: r.n_chunks for doc_id, r in complete.items()}


def test_build_indexes_every_guide_with_offsets_into_the_cleaned_text(settings, embeddings, guides_copy):
    store = GuideStore(settings, embeddings)
    report = build_index(settings, store, [guides_copy])
    assert sorted(report.added) == ["als-living", "als-magnetic-stimulation", "als-treatment", "scleroderma-guide"]
    assert report.problems == [] and report.chunks_embedded == store.count() > 0
    _consistent(store)
    for chunk in store.all_chunks():
        document = store.document(chunk.doc_id)
        assert document is not None and document.text[chunk.start : chunk.end] == chunk.text
        assert chunk.title == document.record.title
        assert len(chunk.text) <= settings.index.chunk_size + 100  # a heading may join the passage it heads


def test_rebuilding_an_unchanged_corpus_embeds_nothing(settings, embeddings, guides_copy):
    store = GuideStore(settings, embeddings)
    build_index(settings, store, [guides_copy])
    before = sorted(c.chunk_id for c in store.all_chunks())
    report = build_index(settings, store, [guides_copy])
    assert report.chunks_embedded == 0 and len(report.unchanged) == 4 and not report.added and not report.updated
    assert sorted(c.chunk_id for c in store.all_chunks()) == before


def test_a_changed_document_replaces_its_chunks_and_a_removed_one_goes(settings, embeddings, guides_copy):
    store = GuideStore(settings, embeddings)
    build_index(settings, store, [guides_copy])
    guide = guides_copy / "001_42009d6747eeb683.txt"
    guide.write_text(guide.read_text(encoding="utf-8").replace("riluzole", "RILUZOLE-X"), encoding="utf-8")
    (guides_copy / "003_4e93204913f71a5e.txt").unlink()

    report = build_index(settings, store, [guides_copy])
    assert report.updated == ["als-treatment"] and report.removed == ["als-magnetic-stimulation"]
    assert 0 < report.chunks_embedded < 10
    counts = _consistent(store)
    assert "als-magnetic-stimulation" not in counts
    texts = [c.text for c in store.all_chunks() if c.doc_id == "als-treatment"]
    assert any("RILUZOLE-X" in t for t in texts) and not any("only FDA-approved medication specifically for ALS is riluzole" in t for t in texts)


def test_guides_from_another_guides_folder_go_when_the_folder_is_changed(tmp_path: Path, embeddings, guides_copy):
    """Pointing GUIDES_CORPUS__GUIDES_DIR at other guides answers from those alone, not from both;
    a document a user added stays."""
    first = Settings(data_dir=tmp_path / "data", corpus={"guides_dir": guides_copy})
    store = GuideStore(first, embeddings)
    build_index(first, store)
    added = tmp_path / "added"
    added.mkdir()
    (added / "note.txt").write_text("Caregiver respite\n\nRespite care gives a caregiver a short break from caring.\n", encoding="utf-8")
    build_index(first, store, [added])
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(guides_copy / "001_42009d6747eeb683.txt", other / "001_42009d6747eeb683.txt")

    second = Settings(data_dir=tmp_path / "data", corpus={"guides_dir": other})
    report = build_index(second, GuideStore(second, embeddings))
    assert sorted(report.removed) == ["als-living", "als-magnetic-stimulation", "als-treatment", "scleroderma-guide"]
    records = GuideStore(second, embeddings).complete_documents()
    _consistent(GuideStore(second, embeddings))
    assert sorted(r.origin for r in records.values()) == ["added", "shipped"], records
    assert {Path(r.source_path).parent for r in records.values()} == {added.resolve(), other.resolve()}


def test_a_moved_install_keeps_its_guides_when_a_chat_adds_a_document(tmp_path: Path, embeddings, guides_copy):
    """After the guides folder moves (a moved install, a deployment that switches a link), the
    guides stay searchable when the next thing indexed is one chat upload, not a full build."""
    data = tmp_path / "data"
    first = Settings(data_dir=data, corpus={"guides_dir": guides_copy})
    build_index(first, GuideStore(first, embeddings))
    moved = guides_copy.rename(tmp_path / "moved-guides")
    second = Settings(data_dir=data, corpus={"guides_dir": moved})
    store = GuideStore(second, embeddings)
    assert build_index(second, store).chunks_embedded == 0  # the same guides, found under the same ids

    note = tmp_path / "note.txt"
    note.write_text("Caregiver respite\n\nRespite care gives a caregiver a short break from caring.\n", encoding="utf-8")
    documents, _ = load_paths([note], domain=second.domain)
    report = index_documents(second, store, documents, owner="session-1", added_by="a chat session")
    assert report.removed == []
    shown = {chunk.doc_id for chunk in store.searchable_chunks()}
    assert {"als-living", "als-magnetic-stimulation", "als-treatment", "scleroderma-guide"} <= shown


def test_an_unreadable_file_is_reported_and_nothing_indexed_is_lost(settings, embeddings, guides_copy):
    store = GuideStore(settings, embeddings)
    build_index(settings, store, [guides_copy])
    before = _consistent(store)
    (guides_copy / "002_c250014aba3c40fd.txt").write_bytes(b"\xff\xfe\x00\x00garbage\x00")
    (guides_copy / "scan.pdf").write_bytes(b"%PDF-1.4 not a pdf")
    report = build_index(settings, store, [guides_copy])
    assert {Path(p.path).name for p in report.problems} == {"002_c250014aba3c40fd.txt", "scan.pdf"}
    assert _consistent(store) == before  # the old version of the unreadable guide stays searchable


def test_a_guides_folder_that_is_not_there_is_refused_and_the_index_is_left_as_it_was(settings, embeddings, guides_copy):
    store = GuideStore(settings, embeddings)
    build_index(settings, store, [guides_copy])
    before = _consistent(store)
    moved = settings.model_copy(update={"corpus": settings.corpus.model_copy(update={"guides_dir": guides_copy.parent / "gone"})})
    with pytest.raises(GuideError, match="GUIDES_CORPUS__GUIDES_DIR"):
        build_index(moved, store)  # before: the build skipped it, and answers came from what the store held
    assert _consistent(store) == before


def test_remove_drops_one_document(settings, embeddings, guides_copy):
    store = GuideStore(settings, embeddings)
    build_index(settings, store, [guides_copy])
    assert remove_document(store, "als-living") is True
    assert "als-living" not in _consistent(store)
    assert remove_document(store, "als-living") is False


def test_settings_that_shape_the_index_get_their_own_collection(settings):
    other = settings.model_copy(update={"index": settings.index.model_copy(update={"chunk_size": 900})})
    assert collection_name(settings) != collection_name(other)
    assert collection_name(settings) == collection_name(Settings(data_dir=settings.data_dir))


def _many_documents(folder: Path, count: int) -> None:
    folder.mkdir()
    base = (GUIDES_DIR / "001_42009d6747eeb683.txt").read_text(encoding="utf-8")
    for i in range(count):
        (folder / f"doc{i:03}.txt").write_text(f"Copy {i} of the treatment guide\n" + base.replace("ALS", f"ALS-{i}"), encoding="utf-8")


def test_a_killed_build_is_repaired_by_the_next_one(tmp_path: Path, embeddings):
    """SIGKILL a real build mid-way; the next build leaves no half document and no duplicate."""
    corpus = tmp_path / "many"
    _many_documents(corpus, 120)
    env = {**os.environ, "GUIDES_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": str(REPO_ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "index", "build", "--no-progress", str(corpus)], cwd=REPO_ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    settings = Settings(data_dir=tmp_path / "data")
    sqlite = settings.chroma_dir / "chroma.sqlite3"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if sqlite.exists() and sqlite.stat().st_size > 2_000_000:  # some batches written
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()

    store = GuideStore(settings, embeddings)
    assert len(store.complete_documents()) < 120, "the build finished before it was killed; the test proved nothing"
    report = build_index(settings, store, [corpus])
    counts = _consistent(store)
    assert len(counts) == 120
    assert set(report.repaired) <= set(counts)
    assert len({c.chunk_id for c in store.all_chunks()}) == store.count()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_chroma_server_serves_the_index_when_a_host_is_set(tmp_path: Path, embeddings, guides_copy):
    """A real `chroma run` server, started here."""
    chroma = Path(sys.executable).parent / "chroma"
    port = _free_port()
    server = subprocess.Popen(
        [str(chroma), "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    try:
        settings = Settings(data_dir=tmp_path / "data", index={"chroma_host": "127.0.0.1", "chroma_port": port})
        deadline = time.monotonic() + 60
        while True:
            try:
                store = GuideStore(settings, embeddings)
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        report = build_index(settings, store, [guides_copy])
        assert len(report.added) == 4
        hits = store.dense_search(embeddings.embed_query("tofersen SOD1 antisense"), k=3)
        assert hits[0][0].doc_id == "als-treatment"
        assert not settings.chroma_dir.exists()  # nothing went to the embedded store
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_an_unreachable_server_gives_a_message_that_says_what_to_do(tmp_path: Path, embeddings):
    from core.errors import GuideError

    settings = Settings(data_dir=tmp_path, index={"chroma_host": "127.0.0.1", "chroma_port": _free_port()})
    with pytest.raises(GuideError, match="chroma run"):
        GuideStore(settings, embeddings)
