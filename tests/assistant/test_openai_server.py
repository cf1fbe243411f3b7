"""The OpenAI-compatible generator against a real server: llama-cpp-python's own
(`python -m llama_cpp.server`) on the same GGUF, on a free loopback port."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.chain import AnswerChain
from assistant.citations import split_all
from assistant.phrases import MAY_BE_INCOMPLETE
from assistant.generators import ChatGenerator, make_generator
from core.settings import REPO_ROOT, Settings

MODEL_ALIAS = "guides-local"
START_TIMEOUT_S = 180  # loading 1.1 GB on a busy 2-core machine


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_until_serving(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"llama_cpp.server exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/models", timeout=2) as response:
                if MODEL_ALIAS in response.read().decode():
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"llama_cpp.server did not answer within {START_TIMEOUT_S} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def openai_url(local_model_file: Path, tmp_path_factory) -> Iterator[str]:
    """llama-cpp-python's OpenAI-compatible server on the local GGUF; stopped afterwards."""
    port = _free_port()
    log = tmp_path_factory.mktemp("openai-server") / "server.log"
    command = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(local_model_file), "--model_alias", MODEL_ALIAS,
        "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096", "--n_threads", "2",
    ]  # fmt: skip
    with log.open("w") as out:
        server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_until_serving(url, server, log)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _openai_settings(base: Settings, url: str) -> Settings:
    generator = base.generator.model_copy(update={"kind": "openai", "openai_base_url": url, "openai_model": MODEL_ALIAS, "timeout_s": 300.0})
    return base.model_copy(update={"generator": generator})


@pytest.mark.slow
def test_the_openai_generator_answers_through_a_real_server(openai_url, guides_assistant):
    settings = _openai_settings(guides_assistant.settings, openai_url)
    generator = make_generator(settings, guides_assistant.vectors)
    chain = AnswerChain(settings, guides_assistant.retriever, guides_assistant.vectors, generator)

    events = list(chain.stream("What does riluzole do?"))
    answer = events[-1].answer

    assert isinstance(generator, ChatGenerator) and generator.model == MODEL_ALIAS
    assert answer.generator == "openai", answer.generator  # not the extractive fallback
    assert answer.coverage != "none" and "riluzole" in answer.answer.lower()
    assert "".join(e.text for e in events if e.kind == "delta") == answer.answer
    by_n = {c.n: c for c in answer.citations}
    # every checked sentence cites a passage of the answer (a plain version may say it in several short sentences)
    assert answer.sentences and all(s.n in by_n for s in answer.sentences), answer.sentences
    for sentence in (s for s in split_all(answer.answer) if s != MAY_BE_INCOMPLETE):
        assert any(sentence.split(" [")[0] in s.text for s in answer.sentences), sentence


@pytest.mark.slow
def test_the_command_line_answers_with_generator_openai(openai_url, tmp_path: Path):
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "GUIDES_DATA_DIR": str(tmp_path / "data"),
        "GUIDES_GENERATOR__OPENAI_BASE_URL": openai_url,
        "GUIDES_GENERATOR__OPENAI_MODEL": MODEL_ALIAS,
        "GUIDES_GENERATOR__TIMEOUT_S": "300",
    }
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "ask", "--json", "--generator", "openai", "What is tofersen?"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["generator"] == "openai" and answer["provenance"]["generator_model"] == MODEL_ALIAS
    assert answer["coverage"] != "none" and "tofersen" in answer["answer"].lower()
    assert any(c["document_id"] == "als-treatment" for c in answer["citations"])


def test_an_unreachable_server_gives_the_checked_extractive_answer(guides_assistant):
    settings = _openai_settings(guides_assistant.settings, f"http://127.0.0.1:{_free_port()}/v1")
    chain = AnswerChain(settings, guides_assistant.retriever, guides_assistant.vectors, make_generator(settings, guides_assistant.vectors))

    answer = [e.answer for e in chain.stream("What does riluzole do?") if e.kind == "final"][0]

    assert answer.generator.startswith("extractive (fallback: openai failed")
    assert answer.coverage != "none" and "riluzole" in answer.answer.lower() and answer.citations
