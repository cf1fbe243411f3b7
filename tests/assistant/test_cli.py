"""The command lines as a script would use them (real subprocesses, real stack)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.phrases import NOT_COVERED
from core.settings import REPO_ROOT


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory) -> dict[str, str]:
    data = tmp_path_factory.mktemp("cli") / "data"
    env = {**os.environ, "GUIDES_DATA_DIR": str(data), "PYTHONPATH": str(REPO_ROOT)}
    subprocess.run([sys.executable, "-m", "index", "build", "--no-progress"], cwd=REPO_ROOT, env=env, check=True, capture_output=True)
    return env


def _run(env, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "assistant", *args], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600)


def test_ask_json_gives_the_documented_answer(cli_env):
    result = _run(cli_env, "ask", "--json", "--generator", "extractive", "What is tofersen?")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["coverage"] in ("full", "partial") and answer["generator"] == "extractive" and answer["safety"] is None
    assert answer["citations"][0]["document_title"] == "Treatment for ALS treatment resistance"
    assert set(answer["timings_ms"]) >= {"retrieval", "first_token", "total"}


def test_ask_without_a_generator_says_which_one_it_chose(cli_env):
    env = {**cli_env, "GUIDES_GENERATOR__MODEL_PATH": "/nonexistent/model.gguf"}
    result = _run(env, "ask", "--generator", "auto", "What is the capital of France?")
    assert result.returncode == 0, result.stderr
    assert "(generator: extractive)" in result.stderr
    assert NOT_COVERED in result.stdout


def test_by_default_answers_are_the_guides_checked_sentences_even_with_the_model_installed(cli_env, local_model_file):
    # the local model held fewer facts and made people wait (evals/README.md): it is opt-in
    env = {**cli_env, "GUIDES_GENERATOR__MODEL_PATH": str(local_model_file)}
    result = _run(env, "ask", "--json", "What is tofersen?")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["generator"] == "extractive"


def test_batch_answers_the_last_turn_of_each_conversation(cli_env, tmp_path: Path):
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps({"id": "a", "turns": ["Which medicines are approved for ALS?", "Which one of those slows decline?"], "kind": "x"}) + "\n"
        + json.dumps({"id": "b", "turns": ["My dad is choking and can't breathe"]}) + "\n"
    )
    out = tmp_path / "out.jsonl"
    result = _run(cli_env, "batch", "--generator", "extractive", str(source), str(out))
    assert result.returncode == 0, result.stderr
    rows = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert "edaravone" in rows["a"]["answer"].lower() and "approved for ALS" in rows["a"]["standalone_question"]
    assert rows["b"]["safety"] == "emergency" and rows["b"]["citations"] == []


def test_a_malformed_batch_file_is_refused_with_its_line_number(cli_env, tmp_path: Path):
    source = tmp_path / "bad.jsonl"
    source.write_text('{"id": "a", "turns": ["ok?"]}\n{"id": "b", "turns": "not a list"}\n')
    result = _run(cli_env, "batch", str(source), str(tmp_path / "out.jsonl"))
    assert result.returncode == 2
    assert "bad.jsonl:2" in result.stderr and "turns" in result.stderr
    assert not (tmp_path / "out.jsonl").exists()


def test_index_status_lists_the_guides(cli_env):
    result = subprocess.run([sys.executable, "-m", "index", "status"], cwd=REPO_ROOT, env=cli_env, capture_output=True, text=True)
    assert result.returncode == 0 and "4 complete" in result.stdout and "scleroderma-guide" in result.stdout


def test_ask_shows_plain_words_and_what_the_guide_says(cli_env):
    """A sentence of the plain-language edition is printed in plain words; the guide's own sentence
    is printed under "As the guide says"; the JSON has both wordings of every sentence."""
    from assistant.phrases import AS_THE_GUIDE_SAYS

    question = "What is tofersen?"
    as_json = json.loads(_run(cli_env, "ask", "--json", "--generator", "extractive", question).stdout)
    sentences = as_json["sentences"]
    assert sentences and all(s["text"] and s["guide_text"] for s in sentences)
    first = sentences[0]
    assert first["plain"] is True and first["origin"] == "edition" and first["text"] != first["guide_text"]
    assert first["text"] in as_json["answer"] and first["guide_text"] not in as_json["answer"]

    result = _run(cli_env, "ask", "--generator", "extractive", question)
    assert result.returncode == 0, result.stderr
    answer_text, rest = result.stdout.split(f"{AS_THE_GUIDE_SAYS}:", 1)
    assert first["text"] in answer_text and first["guide_text"] not in answer_text
    assert first["guide_text"] in rest.split("Sources:")[0]
