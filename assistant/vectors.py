"""Sentence vectors with a cache: the extractive generator, the evidence check and the
citation check embed the same passage sentences, so each is embedded once."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np
from langchain_core.embeddings import Embeddings


class TextVectors:
    def __init__(self, embeddings: Embeddings, max_items: int = 20_000) -> None:
        self.embeddings = embeddings
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._max = max_items
        self._lock = threading.Lock()  # the chat answers several users from threads

    def get(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors, one row per text."""
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        with self._lock:
            found = {t: self._cache[t] for t in texts if t in self._cache}
        missing = list(dict.fromkeys(t for t in texts if t not in found))
        if missing:
            fresh = dict(zip(missing, self.embeddings.embed_documents(missing), strict=True))
            with self._lock:
                for text, vector in fresh.items():
                    found[text] = self._cache[text] = np.asarray(vector, dtype=np.float32)
                while len(self._cache) > self._max:
                    self._cache.popitem(last=False)
        return np.stack([found[t] for t in texts])
