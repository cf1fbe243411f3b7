"""Build the plain-language layer of a set of documents, once, and cache it.

The writer and the judge should be two llama.cpp contexts over the same GGUF (the weights
are mapped once): each then keeps its own long fixed prompt start read, and the judge runs
only on rewrites that pass the cheap checks. Each sentence's result is written to the layer file as soon as it is
known, keyed by the sentence's hash and valid for one model and prompt version, so an
interrupted build resumes and an unchanged sentence is never sent to the model again.
"""

from __future__ import annotations

import logging
import queue
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from langchain_core.language_models.chat_models import BaseChatModel

from core.priority import lower_this_thread
from corpus.loaders import load_file
from corpus.types import Document
from index.plain import PlainEntry, PlainLayer, PlainStore, document_sentences, sentence_key, uploads_layer_path
from index.chunking import sentence_spans
from plain.checks import JUDGE_MIN, MIN_COSINE, Medicines, grade_problem, term_problems
from plain.rewrite import PROMPT_VERSION, guide_glossary, rewrite
from plain.rules import plain_version, rules_model_name

log = logging.getLogger(__name__)

PENDING = "pending checks"
NO_PLAIN_MEANS = "no plain means applies"  # the rules changed nothing and no model was asked
AUDIT_REFUSED = "audit:"  # a rewrite a person found unfaithful (evals/plain_audit.jsonl); no check overrules it
MIN_WORDS = 6  # shorter sentences (and headings) are left as the guide wrote them
ALREADY_PLAIN_GRADE = 6.0  # at or below this grade a sentence is already plain
BACKGROUND_NICENESS = 10  # an upload's layer is built at low priority: answers come first (core.priority)


class Verdicts(Protocol):
    """The calibrated judge (``plain.judge.CachedJudge``): does ``passage`` support ``statement``?"""

    threshold: float

    def verdict(self, statement: str, passage: str) -> Any: ...


@dataclass
class BuildStats:
    sentences: int = 0
    rewritten: int = 0  # sent to the model in this run
    cached: int = 0
    kept_original: dict[str, int] = field(default_factory=dict)
    plain: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        refused = ", ".join(f"{n} {why}" for why, n in sorted(self.kept_original.items(), key=lambda x: -x[1]))
        return (
            f"{self.sentences} sentences: {self.plain} have a checked plain version; originals kept: {refused or 'none'}. "
            f"{self.rewritten} rewritten now, {self.cached} from the cache, {self.seconds:.0f} s."
        )


def skip_reason(sentence: str, grade: Callable[[str], float | None]) -> str | None:
    """Why a sentence is not sent to the model at all, or None."""
    if not sentence.rstrip().endswith((".", "!")) or len(sentence.split()) < MIN_WORDS:
        return "heading or short line"
    value = grade(sentence)
    if value is not None and value <= ALREADY_PLAIN_GRADE:
        return "already plain"
    return None


Similarity = Callable[[str, str], float]


def cheap_check(
    source: str,
    candidate: str,
    grade: Callable[[str], float | None],
    similarity: Similarity | None = None,
    medicines: Medicines = (),
) -> PlainEntry:
    """The entry for one rewrite after the checks that need no LLM: refused, or PENDING the judge.
    ``medicines``: the guides' own (the domain file's), which a rewrite must keep."""
    entry = PlainEntry(source=source, plain=None, model="", prompt_version=PROMPT_VERSION, candidate=candidate)
    problem, entry.grade_source, entry.grade_plain = grade_problem(source, candidate, grade)
    problems = term_problems(source, candidate, medicines) + ([problem] if problem else [])
    if similarity is not None:
        entry.judge["cosine"] = round(similarity(source, candidate), 4)
        if entry.judge["cosine"] < MIN_COSINE:
            problems.append(f"drifts from the source (cosine {entry.judge['cosine']:.2f})")
    entry.reason = "; ".join(problems) if problems else PENDING
    return entry


def check(
    source: str, candidate: str, grade: Callable[[str], float | None], judge: Verdicts | None, medicines: Medicines = ()
) -> PlainEntry:
    """The entry for one rewrite: ``plain`` set only when every check passes."""
    entry = cheap_check(source, candidate, grade, medicines=medicines)
    if entry.reason != PENDING:
        return entry
    return judge_check(entry, judge)


def judge_check(entry: PlainEntry, judge: Verdicts | None) -> PlainEntry:
    """The calibrated judge, both ways, on a rewrite that passed the cheap checks.

    Forward, each sentence of the rewrite on its own (a false sentence beside a true one
    passes when judged together: "Forsen helps stop SOD1. It works like a magic pill." scored
    0.52 whole, 0.07 for its second sentence); backward, the source against the whole rewrite.
    The scores are kept in the entry, so ``decide`` can be re-applied without the model.
    """
    source, candidate = entry.source, entry.candidate
    if judge is None:
        entry.reason = "no judge"
        return entry
    floor = judge.threshold
    scores = []
    for sentence in split_sentences(candidate):
        scores.append(judge.verdict(sentence, source).score)  # the source says what this sentence says
        if scores[-1] < floor:
            break  # refused whatever the rest scores
    entry.judge["source_entails_plain"] = round(min(scores), 4)
    if min(scores) >= floor:
        entry.judge["plain_entails_source"] = round(judge.verdict(source, candidate).score, 4)
    return decide(entry, floor)


def split_sentences(text: str) -> list[str]:
    return [text[s:e].strip() for s, e in sentence_spans(text)] or [text]


def decide(entry: PlainEntry, calibrated: float) -> PlainEntry:
    """Keep the rewrite when both judge scores clear the stricter of the calibrated threshold
    and ``JUDGE_MIN``; the cheap checks have passed already."""
    need = max(calibrated, JUDGE_MIN)
    forward = entry.judge.get("source_entails_plain")
    backward = entry.judge.get("plain_entails_source")
    if forward is None or forward < need:
        entry.plain, entry.reason = None, f"judge: the source does not support it ({forward or 0:.2f})"
    elif backward is None or backward < need:
        entry.plain, entry.reason = None, f"judge: it loses part of the source ({backward or 0:.2f})"
    else:
        entry.plain, entry.reason = entry.candidate, ""
    return entry


def recheck(
    store: PlainStore,
    calibrated: float,
    grade: Callable[[str], float | None],
    similarity: Similarity | None,
    medicines: Medicines = (),
) -> int:
    """Re-apply the checks that need no LLM, and ``decide`` on the stored judge scores, to every
    rewrite (after a check or threshold is made stricter); the number of decisions changed.
    A rewrite the earlier checks refused before the judge saw it stays refused."""
    changed = 0
    for entry in list(store.entries.values()):
        if not entry.candidate or entry.reason == PENDING or entry.reason.startswith(AUDIT_REFUSED):
            continue  # a human audit's refusal stands
        before = entry.plain
        checked = cheap_check(entry.source, entry.candidate, grade, similarity, medicines)
        checked.model = entry.model
        checked.prompt_version = entry.prompt_version
        judged = {k: v for k, v in entry.judge.items() if k != "cosine"}
        checked.judge.update(judged)
        if checked.reason == PENDING:
            checked = decide(checked, calibrated) if judged else checked
            if not judged:
                checked.reason = entry.reason  # never judged: refused as before
        changed += checked.plain != before
        store.put(checked)
    store.save()
    return changed


class PlainBuilder:
    """Rewrites and checks the sentences of documents into a ``PlainStore``.

    With ``rules``, a sentence is first rewritten without a model (``plain.rules``: clause
    splits, the guide's own words for a term, a published plain-word list); the model (when
    given) rewrites only what that version could not make pass the checks. Either way the
    result goes through every check. ``model_name`` names the writers in the cache key;
    ``medicines`` are the guides' own (the domain file's), which every rewrite must keep.
    """

    def __init__(
        self,
        model: BaseChatModel | None,
        judge: Verdicts | None,
        grade: Callable[[str], float | None],
        model_name: str,
        similarity: Similarity | None = None,
        rules: bool = False,
        medicines: Medicines = (),
    ) -> None:
        self.model = model
        self.judge = judge
        self.grade = grade
        self.model_name = model_name
        self.similarity = similarity
        self.rules = rules
        self.medicines = medicines

    def is_current(self, entry: PlainEntry | None) -> bool:
        return (
            entry is not None
            and entry.model == self.model_name
            and entry.prompt_version == PROMPT_VERSION
            and entry.reason != PENDING
        )

    def build(self, documents: Sequence[Document], store: PlainStore, limit: int | None = None) -> BuildStats:
        started = time.perf_counter()
        stats = BuildStats()
        todo: list[tuple[str, dict[str, str]]] = []
        seen: set[str] = set()
        for document in documents:
            glossary = guide_glossary(document.text)
            for sentence in document_sentences(document):
                key = sentence_key(sentence)
                if key in seen:
                    continue
                seen.add(key)
                stats.sentences += 1
                if self.is_current(store.get(key)):
                    stats.cached += 1
                    continue
                reason = skip_reason(sentence, self.grade)
                if reason:
                    store.put(self._entry(sentence, None, reason))
                    continue
                todo.append((sentence, glossary))
        store.save()
        todo = todo[:limit] if limit is not None else todo
        for number, (sentence, glossary) in enumerate(todo, 1):
            t0 = time.perf_counter()
            entry = store.get(sentence_key(sentence))
            resumed = entry is not None and entry.reason == PENDING and entry.model == self.model_name and entry.prompt_version == PROMPT_VERSION
            if not resumed:  # else rewritten by an interrupted run; only the judge is left
                entry = self._write(sentence, glossary)
                stats.rewritten += 1
            assert entry is not None
            if entry.reason == PENDING:
                store.put(entry)
                store.save()  # the rewrite is kept even if the judge is interrupted
                entry = judge_check(entry, self.judge)
                if entry.plain is None and self.rules and self.model is not None and entry.candidate != "":
                    entry = self._judged(self._model_rewrite(sentence, glossary))
            store.put(entry)
            store.save()
            log.info("sentence %d/%d (%.1f s): %s\n  -> %s\n  %s", number, len(todo), time.perf_counter() - t0,
                     sentence, entry.candidate, entry.reason or "plain version kept")
        for entry in (store.get(k) for k in seen):
            if entry is None:
                continue
            if entry.plain:
                stats.plain += 1
            else:
                kind = re.sub(r"\s*[(:].*", "", entry.reason.split(";")[0]) or "unknown"
                kind = re.sub(r"^(drops|adds|uses|repeats|says) .*", r"\1 a term or word", kind)
                stats.kept_original[kind] = stats.kept_original.get(kind, 0) + 1
        stats.seconds = time.perf_counter() - started
        return stats

    def _write(self, sentence: str, glossary: dict[str, str]) -> PlainEntry:
        """The first rewrite that passes the cheap checks: the rules', else the model's."""
        if self.rules:
            candidate = plain_version(sentence, self.medicines)
            if candidate is not None:
                entry = cheap_check(sentence, candidate, self.grade, self.similarity, self.medicines)
                entry.model = self.model_name
                if entry.reason == PENDING or self.model is None:
                    return entry
            if self.model is None:
                return self._entry(sentence, None, NO_PLAIN_MEANS)
        return self._model_rewrite(sentence, glossary)

    def _model_rewrite(self, sentence: str, glossary: dict[str, str]) -> PlainEntry:
        assert self.model is not None
        written = rewrite(self.model, sentence, glossary, self.medicines)
        entry = cheap_check(sentence, written, self.grade, self.similarity, self.medicines)
        entry.model = self.model_name
        return entry

    def _judged(self, entry: PlainEntry) -> PlainEntry:
        return judge_check(entry, self.judge) if entry.reason == PENDING else entry

    def _entry(self, sentence: str, plain: str | None, reason: str, candidate: str = "") -> PlainEntry:
        return PlainEntry(
            source=sentence, plain=plain, model=self.model_name, prompt_version=PROMPT_VERSION, reason=reason, candidate=candidate
        )


class BackgroundPlainBuilder:
    """Builds the layer of uploaded documents on one worker thread, one document at a time.

    ``submit`` returns at once; answers quote the original sentences until the document's
    entries land in its store (``store``, or the one given with the document: a chat session's
    own), which the answers' ``PlainLayer`` reads. The builder (model, judge) is made on the
    worker, on first use, by ``make_builder``.
    """

    def __init__(self, make_builder: Callable[[], PlainBuilder], store: PlainStore, max_file_mb: float = 20.0) -> None:
        self._make_builder = make_builder
        self._builder: PlainBuilder | None = None
        self.store = store
        self.max_file_mb = max_file_mb
        self._queue: queue.Queue[tuple[Document | Path, PlainStore] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="plain-layer", daemon=True)
        self._thread.start()

    def submit(self, document: Document | Path, store: PlainStore | None = None) -> None:
        """Queue a document (or the file of one, read on the worker) and return at once."""
        self._queue.put((document, store or self.store))

    def join(self, timeout: float | None = None) -> bool:
        """Wait until every submitted document is done; False on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._queue.unfinished_tasks:
            if deadline is not None and time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def close(self) -> None:
        self._queue.put(None)

    def _run(self) -> None:
        lower_this_thread(BACKGROUND_NICENESS)  # below the answers (core.priority)
        while True:
            item = self._queue.get()
            name = "?"
            try:
                if item is None:
                    return
                document, store = item
                name = document.name if isinstance(document, Path) else document.doc_id
                if isinstance(document, Path):
                    if not document.is_file():  # removed meanwhile (a chat session that ended)
                        log.info("%s is gone; no plain-language layer is written for it", document.name)
                        continue
                    document = load_file(document, max_file_mb=self.max_file_mb)
                if self._builder is None:
                    self._builder = self._make_builder()
                stats = self._builder.build([document], store)
                log.info("plain-language layer of %s: %s", document.doc_id, stats.summary())
            except Exception:  # noqa: BLE001 - a failed layer costs plainness only; the answers keep the originals
                log.exception("The plain-language layer of %s failed; its answers quote the document as written.", name)
            finally:
                self._queue.task_done()


def make_builder(settings: Any, use_model: bool = True, rules: bool = False) -> PlainBuilder:
    """The writers (the rules and/or the local model), the calibrated LLM judge on a context of
    the local model, and the grade formula."""
    from assistant.llm import load_local_chat_model  # noqa: PLC0415
    from assistant.model_files import local_model_available  # noqa: PLC0415
    from core.errors import GuideError  # noqa: PLC0415
    from plain.judge import make_judge  # noqa: PLC0415
    from plain.readability import flesch_kincaid_grade  # noqa: PLC0415

    if not local_model_available(settings):
        raise GuideError("The plain-language layer is checked (and written) by the local model: run `make model` first.")
    judge_model = load_local_chat_model(settings)
    judge = make_judge("llm", settings, model=judge_model)
    # A second context for the writer (the weights are mapped once): the judge's keeps its prompt read.
    model = load_local_chat_model(settings) if use_model else None
    names = ([rules_model_name()] if rules else []) + ([model.model_path.name] if model is not None else [])
    return PlainBuilder(
        model, judge, flesch_kincaid_grade, "+".join(names), make_similarity(settings), rules=rules,
        medicines=settings.domain.medicine_words,
    )


def make_similarity(settings: Any) -> Similarity:
    """Cosine of two texts with the index's embedder."""
    import numpy as np  # noqa: PLC0415

    from index.embeddings import make_embedder  # noqa: PLC0415

    embedder = make_embedder(settings)

    def similarity(a: str, b: str) -> float:
        u, v = np.asarray(embedder.embed_documents([a, b]), dtype=float)
        return float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)))

    return similarity


def start_uploads_layer(settings: Any, layer: PlainLayer) -> BackgroundPlainBuilder:
    """The background builder of uploaded documents' layer, writing into ``layer``'s uploads file
    (or, per document, into a chat session's own store). Written as the shipped layer is: by the
    rules, each version checked by the calibrated judge on the local model (loaded on the worker
    at the first upload; without it nothing is built, and that is logged)."""
    store = layer.store(uploads_layer_path(settings))
    if store is None:
        store = PlainStore(uploads_layer_path(settings))
        layer.stores.append(store)
    return BackgroundPlainBuilder(lambda: make_builder(settings, use_model=False, rules=True), store, settings.corpus.max_file_mb)
