"""Added documents: checked, indexed and answerable; a bad file changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import GuideError
from core.settings import Settings
from ui.uploads import add_document, safe_filename, uploads_dir

LEAFLET = (
    "Swallowing tips for people with ALS\n\n"
    "Sit upright when eating and keep your chin slightly tucked when you swallow. "
    "Soft, moist foods such as yoghurt are usually easier to swallow than dry or crumbly foods.\n"
)


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embeddings):
    from assistant.api import Assistant

    settings = Settings(data_dir=tmp_path_factory.mktemp("uploads") / "data", app={"max_upload_mb": 0.05})
    return Assistant(settings, generator="extractive", embeddings=embeddings)


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("My notes (v2).txt", "My-notes-v2.txt"),
        ("../../etc/passwd.md", "passwd.md"),
        ("C:\\Users\\me\\Leaflet.PDF", "Leaflet.pdf"),
        (".hidden.html", "hidden.html"),
    ],
)
def test_file_names_are_made_safe(name, expected):
    assert safe_filename(name) == expected


@pytest.mark.parametrize("name", ["virus.exe", "noextension", "....txt", "data.json"])
def test_unsupported_or_nameless_files_are_refused(name):
    with pytest.raises(GuideError, match="can't be added"):
        safe_filename(name)


def test_an_added_document_is_answerable(assistant, tmp_path):
    before = {r.doc_id for r in assistant.documents()}
    added = add_document(assistant, write(tmp_path, "swallowing tips.txt", LEAFLET), "swallowing tips.txt")
    assert added.status == "added" and added.title == "Swallowing tips for people with ALS" and added.passages >= 1
    assert "You can ask about it now" in added.message()
    assert (uploads_dir(assistant.settings) / "swallowing-tips.txt").is_file()
    assert {r.doc_id for r in assistant.documents()} == before | {added.doc_id}
    answer = assistant.ask("How should I sit when eating to swallow more easily?")
    assert any(c.document_title == added.title for c in answer.citations)

    again = add_document(assistant, write(tmp_path, "swallowing tips.txt", LEAFLET), "swallowing tips.txt")
    assert again.status == "unchanged" and "already added" in again.message()


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", "   \n", "empty"),
        ("binary.txt", b"\x00\x01\x02 binary" * 10, "binary"),
        ("big.txt", "x" * 60_000, "at most 0.05 MB"),
        ("tiny.md", "# Hi", "no readable text"),
    ],
)
def test_a_bad_file_is_refused_and_nothing_indexed_is_lost(assistant, tmp_path, name, content, reason):
    before = {r.doc_id: r.doc_hash for r in assistant.documents()}
    with pytest.raises(GuideError, match=reason):
        add_document(assistant, write(tmp_path, name, content), name)
    assert {r.doc_id: r.doc_hash for r in assistant.documents()} == before
    assert not (uploads_dir(assistant.settings) / name).exists()


def test_an_upload_never_replaces_a_shipped_guide(assistant, tmp_path):
    guide = next(r for r in assistant.documents() if "guides" in r.source_path)
    before = {r.doc_id: r.doc_hash for r in assistant.documents()}
    name = f"{guide.doc_id}.txt"
    with pytest.raises(GuideError, match="already in the library"):
        add_document(assistant, write(tmp_path, name, LEAFLET.replace("Swallowing", "Other")), name)
    assert {r.doc_id: r.doc_hash for r in assistant.documents()} == before


def test_a_new_copy_of_an_added_file_replaces_the_old_one(assistant, tmp_path):
    add_document(assistant, write(tmp_path, "diary.txt", "Exercise diary for ALS\n\nWalk ten minutes every morning with a friend."), "diary.txt")
    newer = add_document(
        assistant, write(tmp_path, "diary.txt", "Exercise diary for ALS\n\nSwim twenty minutes every evening in warm water."), "diary.txt"
    )
    assert newer.status == "updated"
    stored = assistant.document(newer.doc_id)
    assert "Swim twenty minutes" in stored.text and "Walk ten minutes" not in stored.text
    assert not list(uploads_dir(assistant.settings).glob(".*previous"))


DIET = (
    "Eating plan from the Marrow clinic\n\n"
    "The Marrow clinic dietitian suggests five small meals a day with extra calories for people with ALS.\n"
)


def _answer(chains, question):
    from ui.answering import final as _final

    return _final(chains.chain.stream(question, (), None))


def test_a_session_upload_is_searched_only_by_that_session_and_goes_when_it_ends(assistant, tmp_path):
    from ui.libraries import Libraries
    from ui.uploads import sessions_dir

    libraries = Libraries(assistant)
    mine, theirs = "a" * 32, "b" * 32
    libraries.open(mine)
    added = add_document(assistant, write(tmp_path, "eating plan.txt", DIET), "eating plan.txt", owner=mine)
    assert not added.shared and "Only you can search it" in added.message()
    question = "What does the Marrow clinic dietitian suggest?"
    assert any(c.document_id == added.doc_id for c in _answer(libraries.for_owner(mine), question).citations)
    for other in (_answer(libraries.for_owner(theirs), question), assistant.ask(question)):
        assert all(c.document_id != added.doc_id for c in other.citations) and "Marrow" not in other.answer
    assert [r.title for r in libraries.documents(theirs)].count("Eating plan from the Marrow clinic") == 0

    assert libraries.close(mine) == [added.doc_id]
    assert added.doc_id not in assistant.store.documents() and not (sessions_dir(assistant.settings) / mine).exists()
    assert all(c.doc_id != added.doc_id for c in assistant.store.all_chunks())


def test_the_shared_library_records_who_added_what_and_when(assistant, tmp_path):
    added = add_document(
        assistant, write(tmp_path, "clinic hours.txt", DIET.replace("Marrow", "Birch")), "clinic hours.txt",
        added_by="the administrator, from the chat",
    )
    records = assistant.store.documents()
    record = records[added.doc_id]
    assert added.shared and record.origin == "added" and record.added_by == "the administrator, from the chat"
    assert record.added_at[:2] == "20" and not record.owner
    shipped = [r for r in records.values() if "corpus/guides" in r.source_path]
    assert len(shipped) == 4 and all(r.origin == "shipped" and r.added_by == "shipped with the assistant" for r in shipped)


SPEECH = (
    "Speech help from the Alder clinic\n\n"
    "The Alder clinic's speech-language pathologists subsequently endeavour to facilitate communication "
    "utilising alphabet boards prior to progressing to speech-generating devices.\n"
)
SPEECH_PLAIN = "The Alder clinic's speech-language pathologists first help people talk with alphabet boards, then with speech-generating devices."


def test_an_upload_gets_plainer_wording_in_the_background_and_a_private_one_stays_private(assistant, tmp_path):
    """The chat queues the added file's plain-language layer and says so; once written, the
    session's answers show the plain version (the document's own sentence one tap away); other
    sessions never read it, nothing of it is in the shared layer, and it goes with the session."""
    from types import SimpleNamespace

    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    from plain.judge import CachedJudge
    from plain.readability import flesch_kincaid_grade
    from index.plain import uploads_layer_path
    from plain.build import BackgroundPlainBuilder, PlainBuilder
    from tests.plain.test_build import ScriptedJudge
    from ui.documents import PLAIN_LATER, DocumentUploads
    from ui.libraries import Libraries, owner_id
    from ui.uploads import session_plain_path

    libraries = Libraries(assistant)
    builder = BackgroundPlainBuilder(
        # a scripted writer and judge stand in for the local model; the queue, stores and answers are real
        lambda: PlainBuilder(FakeListChatModel(responses=[SPEECH_PLAIN]), CachedJudge(ScriptedJudge()), flesch_kincaid_grade, "m"),
        assistant.chain.plain.store(uploads_layer_path(assistant.settings)),
    )
    uploads = DocumentUploads(assistant, libraries, assistant.settings, plain=builder)
    path = write(tmp_path, "speech help.txt", SPEECH)
    session = SimpleNamespace(session_hash="plain-layer-test")
    owner = owner_id(session.session_hash)
    shown = uploads.add_files([str(path)], "", session, progress=lambda *a, **k: None)
    assert PLAIN_LATER in str(shown)
    assert builder.join(timeout=60)

    question = "How does the Alder clinic help with communication?"
    answer = _answer(libraries.for_owner(owner), question)
    from_upload = [s for s in answer.sentences if "Alder" in s.guide_text]
    assert [(s.text, s.plain) for s in from_upload] == [(SPEECH_PLAIN, True)]
    assert "alphabet boards prior to" in from_upload[0].guide_text  # "as the document says", one tap away
    assert session_plain_path(assistant.settings, owner).is_file()
    shared_layer = uploads_layer_path(assistant.settings)
    assert not shared_layer.exists() or "Alder" not in shared_layer.read_text(encoding="utf-8")
    assert not any("Alder" in s.text for s in _answer(libraries.for_owner("c" * 32), question).sentences)

    libraries.close(owner)
    assert not session_plain_path(assistant.settings, owner).parent.exists()
    builder.close()


def test_a_chat_adding_a_document_does_not_change_how_others_are_answered(assistant):
    """A chat's own chain shares the main one's question reader: opening it once replaced the
    shared extractive generator's reader with an empty one, and everyone's answers got worse."""
    from ui.libraries import Libraries

    question = "riluzol not working anymore, what else is there"  # a misspelt medicine: the reader's work
    before = assistant.ask(question)
    Libraries(assistant).open("d" * 32)
    after = assistant.ask(question)
    assert after.answer == before.answer and after.citations == before.citations


def test_uploads_get_plainer_wording_whichever_generator_answers_once_the_model_is_assembled(assistant, tmp_path, local_model_file):
    # Answers come from the extractive generator by default; the layer's judge needs only the model file.
    from types import SimpleNamespace

    from ui.documents import plain_builder

    with_model = Settings(data_dir=tmp_path / "with", generator={"kind": "extractive", "model_path": local_model_file})
    builder = plain_builder(SimpleNamespace(settings=with_model, chain=assistant.chain))
    assert builder is not None
    builder.close()

    fresh = Settings(data_dir=tmp_path / "fresh", generator={"kind": "extractive"})  # nothing assembled: nothing started
    assert plain_builder(SimpleNamespace(settings=fresh, chain=assistant.chain)) is None
    assert not (tmp_path / "fresh" / "models").exists()
