"""The plain-language layer's lookup, and the layer shipped with the guides."""

from __future__ import annotations

import logging
from pathlib import Path

from core.settings import Settings
from corpus.loaders import load_paths
from index.plain import PlainEntry, PlainLayer, PlainStore, document_sentences, sentence_key, shipped_layer_path
from plain.rewrite import PROMPT_VERSION

SOURCE = "Lou Gehrig’s disease is another name for ALS, a disease of the nerve cells."


def _store(path: Path, plain: str | None = "ALS is also called Lou Gehrig's disease.") -> PlainStore:
    store = PlainStore(path)
    store.put(PlainEntry(source=SOURCE, plain=plain, model="m", prompt_version="p"))
    store.save()
    return store


def test_lookup_by_the_sentence_as_quoted(tmp_path: Path) -> None:
    _store(tmp_path / "plain.json")
    layer = PlainLayer([tmp_path / "plain.json"])
    assert layer.plain(SOURCE) == "ALS is also called Lou Gehrig's disease."
    # the same sentence with straight quotes and other spacing, as a passage may carry it
    assert layer.plain("Lou Gehrig's disease is another name  for ALS, a disease of the nerve cells. ") is not None
    assert layer.plain("A sentence no guide has.") is None
    assert layer.entry(sentence_key(SOURCE)).source == SOURCE


def test_a_refused_rewrite_is_never_shown(tmp_path: Path) -> None:
    _store(tmp_path / "plain.json", plain=None)
    assert PlainLayer([tmp_path / "plain.json"]).plain(SOURCE) is None


def test_a_missing_or_damaged_layer_means_the_guide_is_quoted(tmp_path: Path, caplog) -> None:
    assert PlainLayer([tmp_path / "none.json"]).plain(SOURCE) is None
    damaged = tmp_path / "plain.json"
    damaged.write_text('{"entries": {"abc": ', encoding="utf-8")
    with caplog.at_level(logging.ERROR):
        layer = PlainLayer([damaged])
    assert layer.plain(SOURCE) is None
    assert "python -m plain build" in caplog.text


def test_a_layer_written_later_is_picked_up(tmp_path: Path) -> None:
    layer = PlainLayer([tmp_path / "plain.json"])
    assert layer.plain(SOURCE) is None
    _store(tmp_path / "plain.json")
    layer.refresh()
    assert layer.plain(SOURCE) is not None


def test_the_shipped_layer_loads_and_every_plain_version_passed_its_checks() -> None:
    """A fresh machine gets the plain versions without running the model, and only checked ones."""
    from plain.checks import JUDGE_MIN, MIN_COSINE, term_problems

    settings = Settings()
    documents, problems = load_paths([settings.corpus.guides_dir])
    assert documents and not problems
    layer = PlainLayer([shipped_layer_path(settings)])  # the model-made layer alone: answers put the edition first
    sentences = {sentence_key(s): s for d in documents for s in document_sentences(d)}
    entries = list(layer)
    assert entries, "corpus/guides/plain.json is missing: run `python -m plain build`"
    assert {sentence_key(e.source) for e in entries} <= set(sentences), "entries for sentences no guide has"
    # every heading and short line is decided without the model, so the build reached every guide
    short = [s for s in sentences.values() if len(s.split()) < 6 or not s.endswith((".", "!"))]
    assert all(layer.entry(sentence_key(s)) is not None for s in short)
    plain = [e for e in entries if e.plain]
    assert plain, "no sentence has a plain version"
    for entry in plain:
        assert layer.plain(entry.source) == entry.plain
        assert entry.prompt_version == PROMPT_VERSION
        assert entry.grade_plain < entry.grade_source
        assert entry.judge["source_entails_plain"] >= JUDGE_MIN and entry.judge["plain_entails_source"] >= JUDGE_MIN
        assert entry.judge["cosine"] >= MIN_COSINE
        assert term_problems(entry.source, entry.plain, settings.domain.medicine_words) == []


def test_answers_quote_the_sentences_the_layer_is_keyed_by() -> None:
    """The extractive answer quotes a passage's sentences; each is a sentence of its document."""
    from index.chunking import chunk_document, sentence_spans

    settings = Settings()
    documents, _ = load_paths([settings.corpus.guides_dir])
    for document in documents:
        keys = {sentence_key(s) for s in document_sentences(document)}
        for chunk in chunk_document(document, settings.index.chunk_size, settings.index.chunk_overlap_sentences):
            quoted = [chunk.text[s:e].strip() for s, e in sentence_spans(chunk.text)]
            assert all(sentence_key(q) in keys for q in quoted), chunk.chunk_id
