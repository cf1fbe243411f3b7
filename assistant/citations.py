"""Check every sentence of an answer against the passage it cites.

A sentence is supported by a passage when one statement of the passage supports it: its names
and figures bound to that statement, its hedges and negations kept, and what it says said there
(``assistant.support``). A sentence its cited passage does not support is re-cited to a retrieved
passage that does, else replaced by the closest statement in the guide's own words when that says
nearly the same, else removed; the reason is kept with the check (``ask --json``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from assistant.lexical import content_terms
from assistant.prompts import leaks_prompt
from assistant.support import StatementJudge, SupportModel, Verdict, load_support_model
from assistant.types import Passage, SentenceCheck
from assistant.vectors import TextVectors
from core.settings import Settings

REWRITE_COSINE = 0.80  # an unsupported sentence this close to a passage statement is replaced by it
REWRITE_COVERAGE = 0.8  # ...or one with this share of its words in a single statement (a hedge dropped, a word changed)
_CLAUSE = re.compile(r",\s*(?:which|who|while|and|but|such as|including)?\s*|;\s*|\s+[—–]\s*|—")
_MARKER = re.compile(r"\s*\[\s*(\d+(?:\s*[,;]\s*\d+)*)\s*\]")
# A marker opened and never closed at the end of a draft: the model was cut off at its length limit
# (as after "Patients with specific genetic mutations [1] [1] [1] ... [1"), so what comes before it is no sentence it finished.
_CUT_MARKER = re.compile(r"\s*\[[\d\s,;]*$")
# A complete sentence of a streamed draft: its end mark, its citation markers, then the next sentence.
_COMPLETE = re.compile(r"(.+?[.!?](?:\s*\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\])*)\s+(?=[\"'(\[]?[A-Z])", re.DOTALL)


def parse_citations(sentence: str) -> tuple[str, tuple[int, ...]]:
    """The sentence without its ``[n]`` markers, and the numbers it cites."""
    cited = tuple(int(n) for group in _MARKER.findall(sentence) for n in re.split(r"\s*[,;]\s*", group))
    bare = _CUT_MARKER.sub("", _MARKER.sub("", sentence)).strip()
    return bare, tuple(dict.fromkeys(cited))


_ENDED = re.compile(r"[.!?…][\"'”’)]*$")


def cut_off(last: str, at_limit: bool) -> bool:
    """Was the last piece of a draft cut off? When it leaves a citation marker open ("... [1] [1] [1"), or when the
    model stopped at its length limit and the piece, without its markers, does not end as a sentence does ("... to
    silence or correct"; a draft that ends by choice may end without a full stop: a list, a quote)."""
    return bool(_CUT_MARKER.search(last)) or (at_limit and not _ENDED.search(parse_citations(last)[0]))


def split_complete(buffer: str) -> tuple[list[str], str]:
    """Complete sentences at the start of a streamed buffer, and the rest."""
    sentences: list[str] = []
    position = 0
    for match in _COMPLETE.finditer(buffer):
        sentences.append(match.group(1).strip())
        position = match.end()
    return sentences, buffer[position:]


def split_all(text: str) -> list[str]:
    """Every sentence of a finished draft."""
    sentences, rest = split_complete(text)
    return sentences + ([rest.strip()] if rest.strip() else [])


class SupportChecker:
    """Verifies draft sentences against the passages retrieved for one question.

    A sentence is supported by a passage when one statement of it supports the sentence
    (``assistant.support``): names and figures bound to that statement, and the support model
    reading the two together finds it said there.
    """

    def __init__(
        self, vectors: TextVectors, settings: Settings, passages: Sequence[Passage], question: str = "",
        model: SupportModel | None = None,
    ) -> None:
        self.vectors = vectors
        domain = settings.domain
        self.judge = StatementJudge(
            {p.n: (p.chunk.title, p.chunk.text) for p in passages}, vectors,
            model or load_support_model(Path(settings.verification.support_model).resolve(), settings.generator.n_threads),
            medicines=domain.medicine_words, topic=domain.topic_words, brands=domain.brand_names,
        )
        self.passages = {p.n: p for p in passages}
        self.emitted: list[str] = []

    def check(self, raw_sentence: str, cut: bool = False) -> tuple[str | None, SentenceCheck]:
        """The sentence to show (with its citation), or None to drop it, and why. ``cut``: the draft ended inside it
        (``cut_off``), so it is never shown as written."""
        bare, cited = parse_citations(raw_sentence)
        valid = tuple(n for n in cited if n in self.passages)
        if not bare or len(bare) < 8 or leaks_prompt(bare):
            return None, SentenceCheck(raw_sentence, cited, "removed", None, 0.0, 0.0, reason="not a sentence of an answer")
        vector = self.vectors.get([bare])[0]
        own = self.judge.judge(bare, valid, vector) if valid else None
        # a sentence cut off where the draft ran out is never shown as written: at most the statement it rewords
        if own is not None and own.supported and not cut:
            return self._emit(f"{bare} [{own.n}]", raw_sentence, cited, "kept", own, "")
        why = "cut off where the draft ended" if cut else own.reason if own is not None else "cites no passage of this answer"
        other = self.judge.judge(bare, [n for n in self.passages if n not in valid], vector)
        if other.supported and not cut:
            return self._emit(f"{bare} [{other.n}]", raw_sentence, cited, "recited", other, f"{why}; passage [{other.n}] says it")
        # said nowhere: the statement it rewords (nearly the same meaning, or nearly all its words),
        # said in the guide's own words; else removed
        judged = [v for v in (own, other) if v is not None and v.n is not None]
        closest = max(judged, key=lambda v: v.cosine + v.coverage, default=None)
        if closest is not None and (closest.cosine >= REWRITE_COSINE or closest.coverage >= REWRITE_COVERAGE):
            return self._emit(f"{closest.statement} [{closest.n}]", raw_sentence, cited, "rewritten", closest, f"{why}; said as the guide says it")
        return None, _check(raw_sentence, cited, "removed", own if own is not None and own.n is not None else (closest or other), why)

    def _emit(self, text: str, raw: str, cited: tuple[int, ...], action, verdict: Verdict, reason: str) -> tuple[str | None, SentenceCheck]:  # type: ignore[no-untyped-def]
        check = _check(raw, cited, action, verdict, reason)
        bare = parse_citations(text)[0]
        if any(_same(bare, seen) for seen in self.emitted):
            return None, replace(check, action="removed", reason="says again what the answer said")
        self.emitted.append(bare)
        return text, check


def _check(raw: str, cited: tuple[int, ...], action, verdict: Verdict, reason: str) -> SentenceCheck:  # type: ignore[no-untyped-def]
    return SentenceCheck(
        raw, cited, action, verdict.n, verdict.coverage, verdict.cosine,
        support_p=round(verdict.p, 3), statement=verdict.statement, reason=reason,
    )


def _markers(ns: Sequence[int]) -> str:
    return "".join(f"[{n}]" for n in ns)


def _same(a: str, b: str) -> bool:
    ta, tb = set(content_terms(a)), set(content_terms(b))
    return bool(ta) and len(ta & tb) / len(ta | tb) >= 0.8
