"""The check variants measured on the pairs.

- ``today``: the check as it was before issue 19 (kept here only to report against): enough of
  the claim's new words anywhere in the cited passage, a cosine of 0.5 with one of its sentences
  or clauses, and its figures somewhere in the passage.
- ``rules``: every rule of ``assistant.support`` (names and figures bound to one statement,
  hedges, negations, absolutes), with a fixed "says it" test (half the words, cosine 0.5).
- ``learned``: the support model alone, at its cut-off.
- ``shipped``: as the assistant runs it (the model and the rules, weighed by the combiner its
  manifest holds, and a figure the statement does not give always failing). ``combiner_rows``
  fits the combiner without that requirement: it holds after the combiner, whatever its fit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.lexical import SUBJECT_WORDS, content_terms, numbers, stem
from assistant.support import FEATURES, StatementJudge, SupportModel
from core.settings import Settings
from index.chunking import sentence_spans
from support.data import HEDGE_OR_NOT, SWAPS, Pair, contexts, guide_catalog

VARIANTS = ("today", "rules", "learned", "shipped")
_OLD_CLAUSE = re.compile(r",\s*(?:which|who|while|and|but|such as|including)?\s*|;\s*|\s+[—–]\s*|—")


@dataclass
class Judged:
    pair: Pair
    supported: bool
    reason: str


def Vectors():  # noqa: N802 - stands where a class stood; what the app uses, unchanged
    """Cached unit vectors of texts from the index's embedder: the app's own ``TextVectors``."""
    from assistant.vectors import TextVectors  # noqa: PLC0415
    from index.embeddings import make_embedder  # noqa: PLC0415

    return TextVectors(make_embedder(Settings()))


def judges(model: SupportModel | None, vectors, mode: str) -> dict[str, StatementJudge]:  # type: ignore[no-untyped-def]
    """A judge for each guide, whose passages are the index's chunks of it."""
    domain = Settings().domain
    return {
        doc: StatementJudge({n: (c.title, t) for n, t in c.passages.items()}, vectors, model, domain.medicine_words,
                            domain.topic_words, mode=mode, brands=domain.brand_names)
        for doc, c in contexts().items()
    }


def judge_pairs(pairs: Sequence[Pair], variant: str, model: SupportModel, vectors) -> list[Judged]:  # type: ignore[no-untyped-def]
    """Each pair judged against the passage that holds its statement, the guide's others as context."""
    catalog, ctxs = guide_catalog(), contexts()
    if variant == "today":
        return [_today(p, ctxs[catalog[p.statement_id].doc_id], vectors) for p in pairs]
    by_doc = judges(model, vectors, variant)
    out = []
    for p in pairs:
        doc = catalog[p.statement_id].doc_id
        verdict = by_doc[doc].judge(p.claim, [ctxs[doc].passage_of[p.statement_id]])
        out.append(Judged(p, verdict.supported, verdict.reason))
    return out


def _today(pair: Pair, ctx, vectors) -> Judged:  # type: ignore[no-untyped-def]
    text = ctx.passages[ctx.passage_of[pair.statement_id]]
    given = {stem(w) for w in SUBJECT_WORDS | Settings().domain.topic_words}
    terms = set(content_terms(pair.claim))
    claim = terms - given or terms
    lexical = len(claim & set(content_terms(f"{ctx.title}\n{text}"))) / len(claim) if claim else 0.0
    sentences = [text[s:e] for s, e in sentence_spans(text)]
    units = sentences + [c.strip() for s in sentences for c in _OLD_CLAUSE.split(s) if len(c.split()) >= 4 and c.strip() != s]
    semantic = float(np.max(vectors.get(units) @ vectors.get([pair.claim])[0]))
    ok = numbers(pair.claim) <= numbers(text) and lexical >= 0.5 and semantic >= 0.5
    return Judged(pair, ok, "" if ok else f"lexical {lexical:.2f}, semantic {semantic:.2f}")


def rates(judged: Sequence[Judged]) -> dict[str, dict[str, float | int]]:
    """Per type and per goal group: how many pairs, and the share the check got right (kept if
    faithful, else rejected)."""
    by: dict[str, list[bool]] = {}
    for j in judged:
        right = j.supported == j.pair.faithful
        by.setdefault(j.pair.type, []).append(right)
        by.setdefault("faithful (kept)" if j.pair.faithful else "unfaithful (rejected)", []).append(right)
        if j.pair.type in SWAPS:
            by.setdefault("swapped names and figures", []).append(right)
        if j.pair.type in HEDGE_OR_NOT:
            by.setdefault("dropped hedges and negations", []).append(right)
    return {k: {"n": len(v), "right": round(sum(v) / len(v), 3)} for k, v in sorted(by.items())}


def goal_floor(r: dict[str, dict[str, float | int]]) -> float:
    """The worst of the three goals' figures (faithful kept, swaps rejected, hedges and negations rejected)."""
    return min(float(r[k]["right"]) for k in ("faithful (kept)", "swapped names and figures", "dropped hedges and negations") if k in r)


def combiner_rows(pairs: Sequence[Pair], model: SupportModel, vectors) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[no-untyped-def]
    """The combiner's features of (claim, statement) for every statement of each pair's passage:
    1 for a faithful claim with its own statement, else 0."""
    catalog, ctxs = guide_catalog(), contexts()
    by_doc = judges(model, vectors, "shipped")
    xs, ys = [], []
    for p in pairs:
        doc = catalog[p.statement_id].doc_id
        judge = by_doc[doc]
        own = catalog[p.statement_id].text
        vector = vectors.get([p.claim])[0]
        terms = set(content_terms(p.claim))
        for statement in judge.passages[ctxs[doc].passage_of[p.statement_id]]:
            is_own = statement.sentence == own
            if not is_own and own in statement.text:
                continue
            cosine, coverage = judge.closeness(statement, vector, terms)
            prob = model.probabilities([(statement.text, p.claim)])[0]
            f = judge.features(prob, cosine, coverage, judge.problems(p.claim, statement))
            xs.append([f[k] for k in FEATURES])
            ys.append(int(is_own and p.faithful))
    return np.array(xs), np.array(ys)
