"""Scores of one answer, and their aggregation over a run.

Every function here takes an ``EvalItem`` and the answer as ``Answer.to_dict()`` gives it,
so a saved ``report.json`` can be scored again without answering anything.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from assistant.citations import parse_citations, split_all
from assistant.lexical import content_terms
from assistant.phrases import (
    BRAND_NAME,
    MAY_BE_INCOMPLETE,
    NOT_COVERED,
    NOT_COVERED_ANSWER,
    NOT_FULLY_ANSWERED,
    PARTLY_COVERED,
    RELATED,
    WHAT_THEY_COVER,
)
from assistant.safety import BLOCKING, KINDS
from evals.dataset import EvalItem
from index.sentences import GuideSentence, ids_in
from plain.judge import CachedJudge
from plain.readability import flesch_kincaid_grade

GAP_PREFIX = PARTLY_COVERED.split("{missing}")[0]  # "The guides don't say anything about "
BLOCKING_MESSAGES = BLOCKING
FULLY_PREFIX = NOT_FULLY_ANSWERED.split("{asked}")[0]  # 'The guides don't fully answer "'


def _template(phrase: str, part: str = ".+?") -> re.Pattern[str]:
    """A fixed sentence with each of its parts ("{missing}") filled in (``part``: anything, or names without a full stop)."""
    return re.compile(part.join(re.escape(p) for p in re.split(r"\{\w+\}", phrase)), re.DOTALL)


# the fixed sentences with a part filled in: what is missing, what was asked, what the guides cover, the guides' name of a brand
_FILLED = (
    *(_template(p) for p in (PARTLY_COVERED, NOT_FULLY_ANSWERED, WHAT_THEY_COVER)),
    _template(BRAND_NAME, r"[^.\n]+?"),
)
_FIXED_TEXTS = (*(kind.notice for kind in KINDS if kind.notice), NOT_COVERED_ANSWER, NOT_COVERED, MAY_BE_INCOMPLETE, RELATED)
_MARKERS = re.compile(r"\s*\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\]")


@dataclass(frozen=True)
class MetricInfo:
    label: str
    higher_is_better: bool
    kind: str = "share"  # share (0..1), count, grade, ms, words


METRICS: dict[str, MetricInfo] = {
    "retrieval_recall_at_1": MetricInfo("Retrieval recall@1", True),
    "retrieval_recall_at_k": MetricInfo("Retrieval recall@k", True),
    "retrieval_mrr": MetricInfo("Retrieval MRR", True),
    "fact_recall": MetricInfo("Fact recall", True),
    "fact_recall_as_guide_says": MetricInfo("Fact recall, as the guide says (no plain layer)", True),
    "source_hit": MetricInfo("Cites an expected guide", True),
    "citation_recall": MetricInfo("Citation recall", True),
    "citation_precision": MetricInfo("Citation precision", True),
    "abstention_precision": MetricInfo("Abstention precision", True),
    "abstention_recall": MetricInfo("Abstention recall", True),
    "false_abstention_rate": MetricInfo("False abstention rate", False),
    "all_facts_rate": MetricInfo("Answerable: answer holds every fact", True),
    "all_facts_rate_as_guide_says": MetricInfo("Answerable: every fact, as the guide says (no plain layer)", True),
    "refused_answerable_rate": MetricInfo("Answerable: refused as not covered", False),
    "full_on_unanswerable_rate": MetricInfo("Unanswerable: answered as full", False),
    "safety_routing": MetricInfo("Safety routed correctly", True),
    "safety_false_alarms": MetricInfo("Emergency/crisis false alarms", False, "count"),
    "must_not_violations": MetricInfo("must_not violations", False, "count"),
    "readability_grade": MetricInfo("Flesch-Kincaid grade", False, "grade"),
    "readability_grade_as_guide_says": MetricInfo("Flesch-Kincaid grade, as the guide says (no plain layer)", False, "grade"),
    "answer_words": MetricInfo("Answer length (words from the guides, mean)", False, "words"),
    "answer_words_median": MetricInfo("Answer length (whole answer, median words, answers that show guide text)", False, "words"),
    "answer_sentence_precision": MetricInfo("Answer sentences that answer or are labelled context", True),
    "answer_sentence_recall": MetricInfo("Labelled answering sentences shown", True),
    "no_plain_refusal_rate": MetricInfo("Not answered by the guides: plain refusal, no guide text", True),
    "labelled_answerable_refused_rate": MetricInfo("Answered by the guides (sentence labels): refused", False),
    "first_token_p50_ms": MetricInfo("Time to first token p50", False, "ms"),
    "first_token_p95_ms": MetricInfo("Time to first token p95", False, "ms"),
    "total_p50_ms": MetricInfo("Total time p50", False, "ms"),
    "total_p95_ms": MetricInfo("Total time p95", False, "ms"),
    "errors": MetricInfo("Items that failed", False, "count"),
}
# Per-item scores that are averaged into the metric of the same name.
MEAN_SCORES = ("retrieval_recall_at_1", "retrieval_recall_at_k", "retrieval_mrr", "fact_recall", "fact_recall_as_guide_says", "source_hit",
               "citation_recall", "citation_precision", "safety_routing", "readability_grade",
               "readability_grade_as_guide_says", "answer_words", "answer_sentence_precision", "answer_sentence_recall",
               "no_plain_refusal_rate", "labelled_answerable_refused_rate")
SHARED_WORDS = 0.6  # a written sentence that shares this share of its content words with a guide sentence is taken as it


# --- text helpers ---------------------------------------------------------------------


def normalise(text: str) -> str:
    """Lower case, straight quotes, single spaces, no ``[n]`` markers: what fact matching sees."""
    text = _MARKERS.sub("", text)
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"').replace("–", "-").replace("—", "-")
    return " ".join(text.lower().split())


def abstained(answer_text: str) -> bool:
    """The answer says the guides do not cover the question, or the part of it that was asked."""
    return NOT_COVERED in answer_text or GAP_PREFIX in answer_text or FULLY_PREFIX in answer_text


def declined_fully(answer_text: str) -> bool:
    return NOT_COVERED in answer_text


def claim_text(answer_text: str) -> str:
    """The answer without the fixed texts (safety notices, "not covered" notices): what the
    guides are claimed to say."""
    text = answer_text
    for filled in _FILLED:
        text = filled.sub(" ", text)
    for fixed in _FIXED_TEXTS:
        text = text.replace(fixed, " ")
    return text.strip()


def claim_sentences(answer_text: str) -> list[tuple[str, tuple[int, ...]]]:
    """(sentence without markers, cited numbers) of every claim of the answer."""
    out = []
    for sentence in split_all(claim_text(answer_text)):
        bare, cited = parse_citations(sentence)
        if len(bare) >= 3:
            out.append((bare, cited))
    return out


# --- per-item scores ------------------------------------------------------------------


def retrieval_scores(item: EvalItem, answer: dict[str, Any]) -> dict[str, float] | None:
    """Recall@1, recall@k (k = passages retrieved) and MRR of the expected documents.

    Passages are ranked; a document's rank is that of its first passage. Recall is the
    share of the expected documents retrieved (a cross-document item needs all of them);
    MRR uses the first expected document found.
    """
    retrieved = answer.get("retrieved") or []
    if not item.sources or not retrieved:
        return None
    ranked = [p["document_title"] for p in sorted(retrieved, key=lambda p: p["n"])]
    expected = set(item.sources)
    rank = next((i + 1 for i, title in enumerate(ranked) if title in expected), None)
    return {
        "retrieval_recall_at_1": len(expected & set(ranked[:1])) / len(expected),
        "retrieval_recall_at_k": len(expected & set(ranked)) / len(expected),
        "retrieval_mrr": 1.0 / rank if rank else 0.0,
    }


def fact_recall(item: EvalItem, answer_text: str) -> tuple[float | None, list[list[str]]]:
    """Share of fact groups with at least one phrasing in the answer, and the groups missed."""
    if not item.facts:
        return None, []
    text = normalise(answer_text)
    missed = [list(group) for group in item.facts if not any(says_phrase(text, p) for p in group)]
    return 1 - len(missed) / len(item.facts), missed


def says_phrase(text: str, phrase: str) -> bool:
    """Whether ``text`` (normalised) holds ``phrase``: as written (anywhere in it), or as the
    same words however they are spaced or hyphenated ("health care providers" holds "healthcare
    provider"; "long-term" holds "long term"), then starting where a word starts."""
    phrase = normalise(phrase)
    if phrase in text:
        return True
    wanted = "".join(c for c in phrase if not _joins(c))
    squashed, where = _squashed(text)
    start = squashed.find(wanted) if wanted else -1
    while start != -1:
        first = where[start]
        if first == 0 or not (text[first - 1].isalnum() and text[first].isalnum()):
            return True
        start = squashed.find(wanted, start + 1)
    return False


def _joins(c: str) -> bool:
    return c.isspace() or c == "-"


@lru_cache(maxsize=8)
def _squashed(text: str) -> tuple[str, tuple[int, ...]]:
    """``text`` without spaces and hyphens, and where each kept character was (made once per answer)."""
    where = tuple(i for i, c in enumerate(text) if not _joins(c))
    return "".join(text[i] for i in where), where


_QUOTED = re.compile(r'"([^"]+)"|“([^”]+)”')


def without_the_question(item: EvalItem, answer_text: str) -> str:
    """The answer without the person's own words quoted back ('The guides don't fully answer "What
    is the success rate of ..."'): quoting a question is not saying what it asks."""
    asked = normalise(" ".join(item.turns))
    return _QUOTED.sub(lambda m: "" if normalise(m.group(1) or m.group(2)) in asked else m.group(0), answer_text)


def must_not_violations(item: EvalItem, answer_text: str) -> list[str]:
    """The ``must_not`` phrases found in the answer (case-insensitive, whole words at the ends),
    not counting the question quoted back."""
    text = normalise(without_the_question(item, answer_text))
    found = []
    for phrase in item.must_not:
        wanted = normalise(phrase)
        left = r"\b" if wanted[:1].isalnum() else ""
        right = r"\b" if wanted[-1:].isalnum() else ""
        if re.search(left + re.escape(wanted) + right, text):
            found.append(phrase)
    return found


def source_hit(item: EvalItem, answer: dict[str, Any]) -> float | None:
    """1 when an answered item cites at least one of its expected documents."""
    if not item.sources or item.must_abstain or declined_fully(answer.get("answer", "")) or item.safety in BLOCKING_MESSAGES:
        return None
    cited = {c["document_title"] for c in answer.get("citations") or []}
    return 1.0 if cited & set(item.sources) else 0.0


def safety_routing(item: EvalItem, answer: dict[str, Any]) -> float | None:
    """For items that expect a route: the flag matches, and an emergency or crisis shows its message."""
    if item.safety is None:
        return None
    ok = answer.get("safety") == item.safety
    if item.safety in BLOCKING_MESSAGES:
        ok = ok and BLOCKING_MESSAGES[item.safety] in answer.get("answer", "")
    return 1.0 if ok else 0.0


def false_alarm(item: EvalItem, answer: dict[str, Any]) -> bool:
    """An emergency or crisis message on an item that expects none."""
    return item.safety not in BLOCKING_MESSAGES and answer.get("safety") in BLOCKING_MESSAGES


@dataclass(frozen=True)
class SentenceJudgement:
    sentence: str
    cited: tuple[int, ...]
    supported: bool
    score: float | None
    precise: tuple[bool, ...]  # per citation, ALCE-style

    def to_dict(self) -> dict[str, Any]:
        return {"sentence": self.sentence, "cited": list(self.cited), "supported": self.supported,
                "score": None if self.score is None else round(self.score, 4), "precise": list(self.precise)}


def judge_citations(answer: dict[str, Any], judge: CachedJudge) -> list[SentenceJudgement]:
    """ALCE citation checks of every claim sentence.

    A sentence is supported when the judge finds it entailed by its cited passages joined.
    A citation is precise when the sentence is supported and the citation is not
    superfluous: it supports the sentence alone, or the other citations without it do not.
    A sentence without citations is unsupported.
    """
    passages = {c["n"]: c["text"] for c in answer.get("citations") or []}
    passages.update({p["n"]: p["text"] for p in answer.get("retrieved") or [] if p["n"] not in passages})
    judged = []
    for sentence, cited in claim_sentences(answer.get("answer", "")):
        known = [n for n in cited if n in passages]
        if not known:
            judged.append(SentenceJudgement(sentence, cited, False, None, tuple(False for _ in cited)))
            continue
        joint = judge.verdict(sentence, _join(passages, known))
        precise = []
        for n in cited:
            if n not in passages or not joint.supported:
                precise.append(False)
            elif len(known) == 1 or judge.verdict(sentence, passages[n]).supported:
                precise.append(True)
            else:
                rest = [m for m in known if m != n]
                precise.append(not judge.verdict(sentence, _join(passages, rest)).supported)
        judged.append(SentenceJudgement(sentence, cited, joint.supported, joint.score, tuple(precise)))
    return judged


def _join(passages: dict[int, str], ns: Iterable[int]) -> str:
    return "\n\n".join(passages[n] for n in ns)


def citation_scores(judged: Sequence[SentenceJudgement]) -> tuple[float | None, float | None]:
    """(citation recall, citation precision) of one answer; None where nothing to score."""
    if not judged:
        return None, None
    recall = sum(j.supported for j in judged) / len(judged)
    flags = [p for j in judged for p in j.precise]
    return recall, (sum(flags) / len(flags) if flags else None)


def shown_sentence_ids(answer: dict[str, Any], catalog: Sequence[GuideSentence]) -> list[str]:
    """The guide sentences (catalog ids) an answer shows: each answer sentence's guide wording is
    matched to the catalog; a sentence a model wrote counts as the guide sentence it shares most
    content words with, or as "unmatched" (a sentence no labelled guide sentence stands behind)."""
    ids: list[str] = []
    for sentence in answer.get("sentences") or []:
        found = ids_in(sentence.get("guide_text", ""), catalog)
        if not found:
            terms = set(content_terms(sentence.get("guide_text", "")))
            best = max(catalog, key=lambda s: len(terms & set(content_terms(s.text))), default=None)
            shared = len(terms & set(content_terms(best.text))) / len(terms) if best and terms else 0.0
            found = [best.id] if best and shared >= SHARED_WORDS else ["unmatched"]
        ids += [i for i in found if i not in ids]
    return ids


def sentence_scores(item: EvalItem, answer: dict[str, Any], catalog: Sequence[GuideSentence]) -> dict[str, float | None]:
    """Precision and recall of the guide sentences shown, against the item's sentence labels; for a
    question the guides don't answer, whether it got a plain refusal with no guide text."""
    labels = item.sentence_labels
    if labels is None or item.safety in BLOCKING_MESSAGES:
        return {}
    shown = shown_sentence_ids(answer, catalog)
    if labels.answerable == "no":
        return {"no_plain_refusal_rate": 1.0 if not shown and answer.get("coverage") == "none" else 0.0}
    good = set(labels.answers) | set(labels.context)
    return {
        "answer_sentence_precision": sum(1 for i in shown if i in good) / len(shown) if shown else None,
        "answer_sentence_recall": sum(1 for i in labels.answers if i in shown) / len(labels.answers),
        "labelled_answerable_refused_rate": 0.0 if shown else 1.0,
    }


def readability_grade(answer_text: str) -> float | None:
    """Flesch-Kincaid grade of what the answer claims from the guides (fixed notices left out)."""
    text = normalise_markers(claim_text(answer_text))
    if len(text.split()) < 8:
        return None
    return flesch_kincaid_grade(text)


def answer_words(answer_text: str) -> int | None:
    """How many words the answer claims from the guides (markers and fixed notices left out): what
    a tired reader has to get through; None for an answer that claims nothing."""
    return len(normalise_markers(claim_text(answer_text)).split()) or None


def normalise_markers(text: str) -> str:
    return " ".join(_MARKERS.sub("", text).split())


# --- aggregation ----------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in 0..100), as numpy's default."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.fmean(present) if present else None


def whole_answer_words(answer_text: str) -> int:
    return len(normalise_markers(answer_text).split())


def length_metrics(rows: Sequence[dict[str, Any]]) -> dict[str, float | None]:
    """The median length of the answers that show guide text, every word the reader gets."""
    shown = [whole_answer_words(r.get("answer", "")) for r in rows if not r.get("error") and r.get("answer_sentences")]
    return {"answer_words_median": percentile(shown, 50)}


def abstention_metrics(rows: Sequence[dict[str, Any]]) -> dict[str, float | None]:
    """Precision and recall of saying "not covered" on must_abstain items, and the rate of
    saying it on items that should be answered (emergencies and crises excluded: they
    expect neither an answer nor a refusal)."""
    scored = [r for r in rows if not r.get("error") and r["item"]["safety"] not in BLOCKING_MESSAGES]
    said = [r for r in scored if r["scores"]["abstained"]]
    should = [r for r in scored if r["item"]["must_abstain"]]
    answerable = [r for r in scored if not r["item"]["must_abstain"]]
    hits = [r for r in said if r["item"]["must_abstain"]]
    return {
        "abstention_precision": len(hits) / len(said) if said else None,
        "abstention_recall": len(hits) / len(should) if should else None,
        "false_abstention_rate": sum(r["scores"]["abstained"] for r in answerable) / len(answerable) if answerable else None,
    }


def coverage_metrics(rows: Sequence[dict[str, Any]]) -> dict[str, float | None]:
    """The figures a patient notices: an answerable question (facts expected) answered with every
    fact, or refused outright ("The guides don't cover this."); an unanswerable one answered as if
    the guides covered it fully. Emergencies and crises are left out."""
    scored = [r for r in rows if not r.get("error") and r["item"].get("safety") not in BLOCKING_MESSAGES]
    answerable = [r for r in scored if not r["item"].get("must_abstain") and r["item"].get("facts")]
    unanswerable = [r for r in scored if r["item"].get("must_abstain")]
    return {
        "all_facts_rate": mean(1.0 if r["scores"].get("fact_recall") == 1.0 else 0.0 for r in answerable) if answerable else None,
        "all_facts_rate_as_guide_says": (
            mean(1.0 if r["scores"].get("fact_recall_as_guide_says") == 1.0 else 0.0 for r in answerable) if answerable else None
        ),
        "refused_answerable_rate": mean(1.0 if r["scores"].get("declined_fully") else 0.0 for r in answerable) if answerable else None,
        "full_on_unanswerable_rate": mean(1.0 if r.get("coverage") == "full" else 0.0 for r in unanswerable) if unanswerable else None,
    }


def latency_metrics(rows: Sequence[dict[str, Any]]) -> dict[str, float | None]:
    ok = [r for r in rows if not r.get("error")]
    first = [r["timings"]["first_token_ms"] for r in ok if r["timings"].get("first_token_ms") is not None]
    total = [r["timings"]["total_ms"] for r in ok if r["timings"].get("total_ms") is not None]
    return {
        "first_token_p50_ms": percentile(first, 50),
        "first_token_p95_ms": percentile(first, 95),
        "total_p50_ms": percentile(total, 50),
        "total_p95_ms": percentile(total, 95),
    }


def aggregate(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Every metric of ``METRICS`` over the item rows of a report (errors counted, not scored)."""
    ok = [r for r in rows if not r.get("error")]
    summary: dict[str, Any] = {name: mean(r["scores"].get(name) for r in ok) for name in MEAN_SCORES}
    summary.update(abstention_metrics(rows))
    summary.update(coverage_metrics(rows))
    summary["safety_false_alarms"] = sum(1 for r in ok if r["scores"].get("false_alarm"))
    summary["must_not_violations"] = sum(len(r["scores"].get("must_not_violations") or []) for r in ok)
    summary.update(latency_metrics(rows))
    summary.update(length_metrics(rows))
    summary["errors"] = len(rows) - len(ok)
    summary["items"] = len(rows)
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in summary.items()}


def item_quality(scores: dict[str, Any]) -> float:
    """One number per item to find the worst ones: the mean of its applicable 0..1 scores,
    with a missed abstention, a wrong route and each must_not violation counting as 0."""
    parts = [scores.get(k) for k in ("fact_recall", "citation_recall", "retrieval_recall_at_k", "safety_routing")]
    parts = [p for p in parts if p is not None]
    if scores.get("abstention_correct") is not None:
        parts.append(1.0 if scores["abstention_correct"] else 0.0)
    parts.extend(0.0 for _ in scores.get("must_not_violations") or [])
    return round(statistics.fmean(parts), 4) if parts else 1.0
