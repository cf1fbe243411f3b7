"""Sentence-transformers embeddings, loaded offline from an installed path.

Implements LangChain's ``Embeddings`` (two methods), so the same object serves our own
code and a user's LangChain code. ``make_embedder`` is the one place it is built.
"""

from __future__ import annotations

import importlib.resources
import logging
from pathlib import Path

from langchain_core.embeddings import Embeddings

from core.errors import GuideError
from core.settings import Settings

log = logging.getLogger(__name__)


def resolve_model_path(name_or_path: str) -> Path:
    """A model folder, given as a path or as an installed package that ships one in ``model/``."""
    path = Path(name_or_path).expanduser()
    if path.is_dir():
        return path
    package = name_or_path.replace("-", "_")
    try:
        candidate = Path(str(importlib.resources.files(package) / "model"))
    except ModuleNotFoundError:
        candidate = None
    if candidate is None or not candidate.is_dir():
        raise GuideError(
            f"Embedding model '{name_or_path}' not found: it is neither a folder nor an installed "
            f"package with a 'model' folder. Install it (pip install {name_or_path}) or set "
            "GUIDES_INDEX__EMBEDDING_MODEL to a sentence-transformers model folder."
        )
    return candidate


class SentenceTransformerEmbeddings(Embeddings):
    """Normalised sentence-transformers vectors (cosine = dot product), on the CPU."""

    def __init__(self, model: str, batch_size: int = 32) -> None:
        from sentence_transformers import SentenceTransformer  # noqa: PLC0415 - heavy import

        self.model_path = resolve_model_path(model)
        self.model_name = model
        self.batch_size = batch_size
        log.info("loading embedding model from %s", self.model_path)
        self._model = SentenceTransformer(str(self.model_path), device="cpu", local_files_only=True)

    @property
    def dimension(self) -> int:
        return int(self._model.get_sentence_embedding_dimension() or 0)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = self._model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return vectors.tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


def make_embedder(settings: Settings) -> Embeddings:
    """The embedder the settings name: every part of the assistant builds it here."""
    return SentenceTransformerEmbeddings(settings.index.embedding_model, settings.index.embedding_batch_size)
