"""An update build of 120 changed documents, SIGKILLed at 10 random moments.

After every kill, every document is searchable in one version or the other (never
missing, never in two versions at once, no chunk twice), and once a build is let finish
the chunk set is exactly that of a clean build of the new versions.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from chromadb.api.shared_system_client import SharedSystemClient

from core.settings import REPO_ROOT, Settings
from index.build import build_index
from index.store import GuideStore
from tests.conftest import GUIDES_DIR

DOCUMENTS = 100
KILLS = 10


def _write_corpus(folder: Path, version: str) -> None:
    base = (GUIDES_DIR / "001_42009d6747eeb683.txt").read_text(encoding="utf-8")[:2400]  # a few passages each
    folder.mkdir(exist_ok=True)
    for i in range(DOCUMENTS):
        text = f"Copy {i} of the treatment guide, version {version}\n" + base.replace("ALS", f"ALS-{i}-{version}")
        (folder / f"doc{i:03}.txt").write_text(text, encoding="utf-8")


def _build(corpus: Path, data: Path) -> subprocess.Popen:
    env = {**os.environ, "GUIDES_DATA_DIR": str(data), "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "index", "build", "--no-progress", str(corpus)], cwd=REPO_ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def _store(settings: Settings, embeddings) -> GuideStore:  # type: ignore[no-untyped-def]
    """A fresh client: this process must not answer from what it cached before the build ran."""
    SharedSystemClient.clear_system_cache()
    return GuideStore(settings, embeddings)


def _searchable(settings: Settings, embeddings) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Per document, the one version a search can return; fails on a duplicate or a mixed document."""
    store = _store(settings, embeddings)
    chunks = store.searchable_chunks()
    assert len({c.chunk_id for c in chunks}) == len(chunks), "a chunk is stored twice"
    versions: dict[str, set[str]] = {}
    for chunk in chunks:
        versions.setdefault(chunk.doc_id, set()).add(chunk.doc_hash)
    mixed = [doc_id for doc_id, hashes in versions.items() if len(hashes) > 1]
    assert not mixed, f"searchable in two versions at once: {mixed}"
    complete = store.complete_documents()
    for doc_id, record in complete.items():  # each searchable version is whole
        assert sum(1 for c in chunks if c.doc_id == doc_id) == record.n_chunks
    spans = Counter((c.doc_id, c.start, c.end) for c in chunks)
    assert max(spans.values()) == 1, "a passage is searchable twice"
    return {doc_id: next(iter(hashes)) for doc_id, hashes in versions.items()}


@pytest.mark.soak  # 3-17 minutes (idle to heavily shared machine)
def test_an_update_killed_at_random_moments_never_hides_a_document(tmp_path: Path, embeddings, capsys):
    corpus, data = tmp_path / "corpus", tmp_path / "data"
    settings = Settings(data_dir=data)
    _write_corpus(corpus, "one")
    _build(corpus, data).wait(timeout=900)
    old = _searchable(settings, embeddings)
    assert len(old) == DOCUMENTS

    _write_corpus(corpus, "two")  # every document changes
    started = time.perf_counter()
    process = _build(corpus, data)
    process.wait(timeout=900)
    # An untimed full update on a copy sets the range the kills are drawn from.
    full = time.perf_counter() - started
    seen_new: set[str] = set()
    rng = random.Random(8)
    moments = []
    for _ in range(KILLS):  # each round: a fresh update of the (still partly old) index, killed
        _write_corpus(corpus, f"v{rng.randrange(10**6)}")
        moment = rng.uniform(0.2, 1.0) * full
        moments.append(round(moment, 1))
        process = _build(corpus, data)
        time.sleep(moment)
        process.send_signal(signal.SIGKILL)
        process.wait()
        now = _searchable(settings, embeddings)
        assert set(now) == set(old), f"{len(set(old) - set(now))} documents unsearchable after a kill at {moment:.1f} s"
        seen_new |= {d for d, h in now.items() if h != old[d]}
        old = now

    report = build_index(settings, _store(settings, embeddings), [corpus])  # let one finish
    final = _store(settings, embeddings)
    clean_settings = Settings(data_dir=tmp_path / "clean")
    build_index(clean_settings, GuideStore(clean_settings, embeddings), [corpus])
    clean = GuideStore(clean_settings, embeddings)
    assert sorted((c.chunk_id, c.text) for c in final.all_chunks()) == sorted((c.chunk_id, c.text) for c in clean.all_chunks())
    assert set(final.complete_documents()) == set(clean.complete_documents()) and len(_searchable(settings, embeddings)) == DOCUMENTS
    assert seen_new, "no kill landed after a document was switched: the test proved nothing"
    with capsys.disabled():
        print(
            f"\ncrash: full update of {DOCUMENTS} documents {full:.1f} s; killed at {moments} s; "
            f"{len(seen_new)} documents moved to a newer version across the kills; final build {report.summary().splitlines()[0]}"
        )
