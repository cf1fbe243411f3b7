"""Check every sentence of an answer against the passage it cites.

Cheap and measurable: a sentence is supported by a passage when
- enough of its content words are in the passage (lexical support, stemmed), and
- it is close in meaning to one of the passage's sentences (embedding support), and
- every figure it states appears in the passage.
A sentence its cited passage does not support is re-cited to a retrieved passage that does,
else rewritten as the closest passage sentence when that says nearly the same, else removed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.lexical import SUBJECT_WORDS, content_terms, numbers, stem
from assistant.prompts import leaks_prompt
from assistant.types import Passage, SentenceCheck
from assistant.vectors import TextVectors
from core.settings import Settings
from index.chunking import sentence_spans

REWRITE_COSINE = 0.80  # an unsupported sentence this close to a passage sentence is replaced by it
_CLAUSE = re.compile(r",\s*(?:which|who|while|and|but|such as|including)?\s*|;\s*|\s+[—–]\s*|—")
_MARKER = re.compile(r"\s*\[\s*(\d+(?:\s*[,;]\s*\d+)*)\s*\]")
# A complete sentence of a streamed draft: its end mark, its citation markers, then the next sentence.
_COMPLETE = re.compile(r"(.+?[.!?](?:\s*\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\])*)\s+(?=[\"'(\[]?[A-Z])", re.DOTALL)


def parse_citations(sentence: str) -> tuple[str, tuple[int, ...]]:
    """The sentence without its ``[n]`` markers, and the numbers it cites."""
    cited = tuple(int(n) for group in _MARKER.findall(sentence) for n in re.split(r"\s*[,;]\s*", group))
    bare = _MARKER.sub("", sentence).strip()
    return bare, tuple(dict.fromkeys(cited))


def split_complete(buffer: str) -> tuple[list[str], str]:
    """Complete sentences at the start of a streamed buffer, and the rest."""
    sentences: list[str] = []
    position = 0
    for match in _COMPLETE.finditer(buffer):
        sentences.append(match.group(1).strip())
        position = match.end()
    return sentences, buffer[position:]


def passage_units(text: str) -> list[str]:
    """The sentences of a passage and their clauses: what answer sentences are compared with.

    A short answer sentence often restates one clause of a long passage sentence;
    comparing with whole sentences only would dilute its similarity.
    """
    sentences = [text[s:e] for s, e in sentence_spans(text)]
    clauses = [c.strip() for s in sentences for c in _CLAUSE.split(s) if len(c.split()) >= 4 and c.strip() != s]
    return sentences + clauses


def split_all(text: str) -> list[str]:
    """Every sentence of a finished draft."""
    sentences, rest = split_complete(text)
    return sentences + ([rest.strip()] if rest.strip() else [])


@dataclass
class _PassageSentences:
    passage: Passage
    sentences: list[str]
    terms: set[str]
    figures: set[str]


class SupportChecker:
    """Verifies draft sentences against the passages retrieved for one question."""

    def __init__(self, vectors: TextVectors, settings: Settings, passages: Sequence[Passage], question: str = "") -> None:
        self.vectors = vectors
        # Words the question already holds, or that name the topic, are no evidence that a
        # passage supports what a sentence adds ("Riluzole cures ALS" adds only "cures").
        self.given = set(content_terms(question)) | {stem(w) for w in SUBJECT_WORDS | settings.domain.topic_words}
        self.min_lexical = settings.verification.min_lexical_support
        self.min_semantic = settings.verification.min_semantic_support
        self.passages = {p.n: self._prepare(p) for p in passages}
        self.emitted: list[str] = []

    def check(self, raw_sentence: str) -> tuple[str | None, SentenceCheck]:
        """The sentence to show (with its citation), or None to drop it, and why."""
        bare, cited = parse_citations(raw_sentence)
        valid = tuple(n for n in cited if n in self.passages)
        if not bare or len(bare) < 8 or leaks_prompt(bare):
            return None, SentenceCheck(raw_sentence, cited, "removed", None, 0.0, 0.0)
        vector = self.vectors.get([bare])[0]
        scored = {n: self._support(bare, vector, ps) for n, ps in self.passages.items()}

        supporting = [n for n in valid if self._supported(*scored[n][:3])]
        if supporting:
            return self._emit(f"{bare} {_markers(supporting)}", raw_sentence, cited, "kept", supporting[0], scored)
        others = sorted((n for n in scored if self._supported(*scored[n][:3])), key=lambda n: -scored[n][1])
        if others:
            return self._emit(f"{bare} {_markers(others[:1])}", raw_sentence, cited, "recited", others[0], scored)
        best_n = max(scored, key=lambda n: scored[n][1], default=None)
        if best_n is not None and scored[best_n][1] >= REWRITE_COSINE:
            replacement = scored[best_n][3]
            return self._emit(f"{replacement} [{best_n}]", raw_sentence, cited, "rewritten", best_n, scored)
        lexical, semantic = (scored[best_n][0], scored[best_n][1]) if best_n is not None else (0.0, 0.0)
        return None, SentenceCheck(raw_sentence, cited, "removed", best_n, round(lexical, 3), round(semantic, 3))

    def _emit(self, text: str, raw: str, cited: tuple[int, ...], action, n: int, scored) -> tuple[str | None, SentenceCheck]:  # type: ignore[no-untyped-def]
        check = SentenceCheck(raw, cited, action, n, round(scored[n][0], 3), round(scored[n][1], 3))
        bare = parse_citations(text)[0]
        if any(_same(bare, seen) for seen in self.emitted):
            return None, SentenceCheck(raw, cited, "removed", n, check.lexical, check.semantic)
        self.emitted.append(bare)
        return text, check

    def _supported(self, lexical: float, semantic: float, figures_ok: bool) -> bool:
        return figures_ok and lexical >= self.min_lexical and semantic >= self.min_semantic

    def _support(self, bare: str, vector: np.ndarray, ps: _PassageSentences) -> tuple[float, float, bool, str]:
        terms = set(content_terms(bare))
        claim = terms - self.given or terms
        lexical = len(claim & ps.terms) / len(claim) if claim else 0.0
        sims = self.vectors.get(ps.sentences) @ vector if ps.sentences else np.zeros(1)
        best = int(np.argmax(sims))
        figures_ok = numbers(bare) <= ps.figures
        return lexical, float(sims[best]), figures_ok, ps.sentences[best] if ps.sentences else ""

    def _prepare(self, passage: Passage) -> _PassageSentences:
        text = passage.chunk.text
        return _PassageSentences(passage, passage_units(text), set(content_terms(passage.chunk.embedding_text())), numbers(text))


def _markers(ns: Sequence[int]) -> str:
    return "".join(f"[{n}]" for n in ns)


def _same(a: str, b: str) -> bool:
    ta, tb = set(content_terms(a)), set(content_terms(b))
    return bool(ta) and len(ta & tb) / len(ta | tb) >= 0.8
