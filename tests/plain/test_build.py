"""The builder's own logic, with a scripted chat model and a scripted judge: what is kept,
what is cached, and how an upload gets its layer in the background."""

from __future__ import annotations

import json
from pathlib import Path

from langchain_core.language_models.fake_chat_models import FakeListChatModel

from corpus.types import Document
from plain.judge import CachedJudge
from plain.readability import flesch_kincaid_grade
from index.plain import PlainLayer, PlainStore, sentence_key
from plain.build import BackgroundPlainBuilder, PlainBuilder, recheck

HARD = "Currently, the only FDA-approved medication specifically for ALS is riluzole, which modestly prolongs survival and delays disease progression."
PLAIN_1 = "Riluzole is the only FDA-approved medicine made for ALS."
PLAIN_2 = "It modestly helps people live longer and slows the disease."
PLAIN = f"{PLAIN_1} {PLAIN_2}"
HARD2 = "Smoking cessation, skin moisturization, sun protection, and prompt treatment of infections can mitigate disease exacerbations."
PLAIN2 = "Stopping smoking, keeping skin moist, sun protection and treating infections quickly can help stop flare-ups."


class ScriptedJudge:
    """Scores by statement; every other pair is supported."""

    name = "scripted"
    model_name = "scripted"
    threshold = 0.5

    def __init__(self, scores: dict[str, float] | None = None) -> None:
        self.scores = scores or {}
        self.calls: list[tuple[str, str]] = []

    def score(self, statement: str, passage: str) -> float:
        self.calls.append((statement, passage))
        return self.scores.get(statement, 0.9)


def _doc(*sentences: str, doc_id: str = "doc") -> Document:
    return Document(doc_id=doc_id, title="A guide", text="A guide\n" + " ".join(sentences), source="test")


def test_kept_refused_and_cached(tmp_path: Path) -> None:
    model = FakeListChatModel(responses=[PLAIN, PLAIN2])
    judge = ScriptedJudge()
    store = PlainStore(tmp_path / "plain.json")
    builder = PlainBuilder(model, CachedJudge(judge), flesch_kincaid_grade, "model-a")
    stats = builder.build([_doc(HARD, HARD2)], store)

    layer = PlainLayer([tmp_path / "plain.json"])
    assert layer.plain(HARD) == PLAIN
    assert layer.plain(HARD2) is None  # "stop flare-ups" is an absolute the source does not make
    assert "stop" in store.get(sentence_key(HARD2)).reason
    assert layer.plain("A guide") is None  # a heading is left as it is
    assert stats.plain == 1 and stats.rewritten == 2
    # both directions were judged for the kept one (each of its sentences forward), none for
    # the one the cheap checks refused
    assert (PLAIN_1, HARD) in judge.calls and (PLAIN_2, HARD) in judge.calls and (HARD, PLAIN) in judge.calls
    assert all(PLAIN2 not in call for call in judge.calls)

    again = PlainBuilder(FakeListChatModel(responses=["unused"]), CachedJudge(ScriptedJudge()), flesch_kincaid_grade, "model-a")
    stats = again.build([_doc(HARD, HARD2)], PlainStore(tmp_path / "plain.json"))
    assert stats.rewritten == 0 and stats.cached == stats.sentences  # nothing is sent to the model twice


def test_a_new_model_rewrites(tmp_path: Path) -> None:
    store = PlainStore(tmp_path / "plain.json")
    PlainBuilder(FakeListChatModel(responses=[PLAIN]), CachedJudge(ScriptedJudge()), flesch_kincaid_grade, "model-a").build([_doc(HARD)], store)
    stats = PlainBuilder(FakeListChatModel(responses=[PLAIN]), CachedJudge(ScriptedJudge()), flesch_kincaid_grade, "model-b").build([_doc(HARD)], store)
    assert stats.rewritten == 1
    assert store.get(sentence_key(HARD)).model == "model-b"


def test_the_judge_refuses_either_way(tmp_path: Path) -> None:
    store = PlainStore(tmp_path / "plain.json")
    forward = ScriptedJudge({PLAIN_2: 0.1})  # the source does not support one sentence of the rewrite
    PlainBuilder(FakeListChatModel(responses=[PLAIN]), CachedJudge(forward), flesch_kincaid_grade, "m").build([_doc(HARD)], store)
    assert store.get(sentence_key(HARD)).plain is None
    assert "does not support" in store.get(sentence_key(HARD)).reason
    assert (HARD, PLAIN) not in forward.calls  # refused: the backward question is not asked

    store = PlainStore(tmp_path / "other.json")
    backward = ScriptedJudge({HARD: 0.52})  # above the calibrated threshold, below the layer's stricter one
    PlainBuilder(FakeListChatModel(responses=[PLAIN]), CachedJudge(backward), flesch_kincaid_grade, "m").build([_doc(HARD)], store)
    assert "loses part" in store.get(sentence_key(HARD)).reason


def test_an_interrupted_build_resumes_with_the_checks(tmp_path: Path) -> None:
    store = PlainStore(tmp_path / "plain.json")
    PlainBuilder(FakeListChatModel(responses=[PLAIN]), None, flesch_kincaid_grade, "m").build([_doc(HARD)], store)
    # no judge: the rewrite waits, unshown
    assert PlainLayer([tmp_path / "plain.json"]).plain(HARD) is None
    raw = json.loads((tmp_path / "plain.json").read_text())
    raw["entries"][sentence_key(HARD)]["reason"] = "pending checks"
    (tmp_path / "plain.json").write_text(json.dumps(raw))
    model = FakeListChatModel(responses=["never used"])
    stats = PlainBuilder(model, CachedJudge(ScriptedJudge()), flesch_kincaid_grade, "m").build([_doc(HARD)], PlainStore(tmp_path / "plain.json"))
    assert stats.rewritten == 0 and model.i == 0
    assert PlainLayer([tmp_path / "plain.json"]).plain(HARD) == PLAIN


def test_an_upload_gets_its_layer_in_the_background(tmp_path: Path) -> None:
    upload = tmp_path / "my-notes.txt"
    upload.write_text(f"My notes\n{HARD}\n", encoding="utf-8")
    layer = PlainLayer([tmp_path / "shipped.json", tmp_path / "uploads.json"])
    assert layer.plain(HARD) is None  # until the background build is done, the original is used
    background = BackgroundPlainBuilder(
        lambda: PlainBuilder(FakeListChatModel(responses=[PLAIN]), CachedJudge(ScriptedJudge()), flesch_kincaid_grade, "m"),
        layer.stores[1],
    )
    background.submit(upload)
    assert background.join(timeout=60)
    assert layer.plain(HARD) == PLAIN
    assert PlainLayer([tmp_path / "uploads.json"]).plain(HARD) == PLAIN  # and it is on disk for the next start
    background.close()


def test_a_failed_upload_layer_keeps_the_worker_alive(tmp_path: Path) -> None:
    store = PlainStore(tmp_path / "uploads.json")
    background = BackgroundPlainBuilder(
        lambda: PlainBuilder(FakeListChatModel(responses=[PLAIN]), CachedJudge(ScriptedJudge()), flesch_kincaid_grade, "m"), store
    )
    background.submit(tmp_path / "missing.txt")  # unreadable: logged, nothing written
    good = tmp_path / "notes.txt"
    good.write_text(f"Notes\n{HARD}\n", encoding="utf-8")
    background.submit(good)
    assert background.join(timeout=60)
    assert store.get(sentence_key(HARD)).plain == PLAIN
    background.close()


def test_a_stricter_check_is_applied_to_the_stored_layer_without_the_model(tmp_path: Path) -> None:
    store = PlainStore(tmp_path / "plain.json")
    PlainBuilder(FakeListChatModel(responses=[PLAIN]), CachedJudge(ScriptedJudge()), flesch_kincaid_grade, "m").build([_doc(HARD)], store)
    assert store.get(sentence_key(HARD)).plain == PLAIN
    assert recheck(store, 0.5, flesch_kincaid_grade, lambda a, b: 0.9) == 0  # nothing changes
    assert recheck(store, 0.5, flesch_kincaid_grade, lambda a, b: 0.2) == 1  # a drift check now refuses it
    assert PlainLayer([tmp_path / "plain.json"]).plain(HARD) is None
    assert "drifts" in PlainStore(tmp_path / "plain.json").get(sentence_key(HARD)).reason


def test_a_rewrite_the_audit_refused_stays_refused(tmp_path: Path) -> None:
    store = PlainStore(tmp_path / "plain.json")
    PlainBuilder(FakeListChatModel(responses=[PLAIN]), CachedJudge(ScriptedJudge()), flesch_kincaid_grade, "m").build([_doc(HARD)], store)
    entry = store.get(sentence_key(HARD))
    entry.plain, entry.reason = None, "audit: says more than the source"
    store.put(entry)
    assert recheck(store, 0.5, flesch_kincaid_grade, lambda a, b: 0.9) == 0
    assert PlainLayer([tmp_path / "plain.json"]).plain(HARD) is None
