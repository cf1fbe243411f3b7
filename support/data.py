"""The (statement, claim) pairs the citation check is fitted and measured on.

- ``labelled``: pairs independent writers wrote from the guides' statements
  (``evals/datasets/support_pairs/<writer>/pairs.jsonl``, briefs beside them): ``TRAINING_WRITERS`` train the
  cross-encoder (``seen_in_training`` finds the test pairs they also wrote), ``TUNING_WRITERS`` choose the
  combiner and cut-offs (``tuning_pairs``), ``TEST_WRITERS`` (writer-a, writer-b) are only measured on.
- ``generated``: pairs made here from the plain-language edition (its reviewed plain
  versions are faithful rewrites of their guide sentence) and from the guides' own clauses, and
  unfaithful ones made from those by swapping a name or figure for one of another statement of the
  same guide, dropping a hedge, adding or dropping a "not", or claiming more: training data.

Each pair is judged as the assistant judges an answer sentence: against the passage (index chunk)
that holds its statement, with the guide's other passages as the context.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from core.errors import GuideError
from core.jsonl import jsonl_lines
from core.settings import REPO_ROOT, Settings
from index.sentences import POINTS_BACK, GuideSentence, load_catalog
from plain.checks import figures, named_terms, procedures

PAIRS_DIR = REPO_ROOT / "evals" / "datasets" / "support_pairs"
TRAINING_WRITERS = ("writer-d", "writer-e", "writer-f", "writer-g", "writer-h", "writer-i", "writer-j", "writer-k")  # s6 (shipped)
TUNING_WRITERS = ("writer-c", "writer-l", "writer-m", "writer-n", "writer-o", "writer-p", "writer-q", "writer-r")
TEST_WRITERS = ("writer-a", "writer-b")
SWAPS = ("swapped_name", "swapped_figure")
GUIDE_VARIANTS = 3  # broken copies of each kind made from each faithful claim of the guides
HEDGE_OR_NOT = ("dropped_hedge", "negation")


@dataclass(frozen=True)
class Pair:
    id: str
    statement_id: str
    claim: str
    faithful: bool
    type: str
    source: str  # the writer, or "generated"


@dataclass(frozen=True)
class Context:
    """A guide as the check sees it: its passages by number, and which holds each sentence."""

    title: str
    passages: dict[int, str]
    passage_of: dict[str, int]  # sentence id -> passage number


def labelled(writers: tuple[str, ...], directory: Path = PAIRS_DIR) -> list[Pair]:
    catalog = guide_catalog()
    pairs = []
    for writer in writers:
        path = directory / writer / "pairs.jsonl"
        if not path.exists():
            raise GuideError(f"{path} is missing: the support pairs come with the repository; restore it with git.")
        for number, row in jsonl_lines(path, "one pair"):
            if row.get("statement_id") not in catalog or row.get("label") not in ("faithful", "unfaithful"):
                raise GuideError(f"{path}:{number}: unknown statement id or label {row.get('statement_id')!r} {row.get('label')!r}.")
            pairs.append(Pair(row["id"], row["statement_id"], row["claim"], row["label"] == "faithful", row["type"], writer))
    return pairs


def tuning_pairs() -> list[Pair]:
    """The tuning writers' pairs, without any whose claim a test writer also wrote: what is measured is never fitted on.
    (writer-c wrote 24 of writer-a's and -b's rewordings and unfaithful claims word for word, found at stop 47; with the
    copies of guide sentences that several writers wrote, 40 of the 1,600 tuning pairs are left out.)"""
    from assistant.support import word_sequence  # noqa: PLC0415

    test = {word_sequence(p.claim) for p in labelled(TEST_WRITERS)}
    return [p for p in labelled(TUNING_WRITERS) if word_sequence(p.claim) not in test]


def seen_in_training(pairs: list[Pair]) -> list[Pair]:
    """The pairs whose claim a training writer also wrote of the same statement, word for word or one word from it
    (``near_copy``, contractions spelt out): a model trained on those has seen them. Dropping the same hedge from the
    same statement gives the same words, so independent writers meet: the shipped model's training writers (s6,
    writer-d to -k) wrote 73 of the test writers' 400 claims or one word from them (found at stop 48). ``python -m
    support report`` gives the test figures with and without them."""
    by_statement: dict[str, list[tuple[str, ...]]] = {}
    for p in labelled(TRAINING_WRITERS):
        by_statement.setdefault(p.statement_id, []).append(claim_words(p.claim))
    return [p for p in pairs if any(near_copy(claim_words(p.claim), t) for t in by_statement.get(p.statement_id, ()))]


_CONTRACTIONS = ((r"\bcan't\b", "can not"), (r"\bwon't\b", "will not"), (r"n't\b", " not"), (r"'s\b", " is"), (r"'re\b", " are"),
                 (r"'ll\b", " will"), (r"'ve\b", " have"), (r"'d\b", " would"))


def claim_words(text: str) -> tuple[str, ...]:
    """A claim's words in order, lower case, contractions spelt out ("don't" is "do not")."""
    from assistant.lexical import straighten  # noqa: PLC0415
    from assistant.support import word_sequence  # noqa: PLC0415

    text = straighten(text).lower()
    for pattern, full in _CONTRACTIONS:
        text = re.sub(pattern, full, text)
    return word_sequence(text)


def near_copy(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Whether two word sequences are the same but for at most one word changed, added or left out."""
    if abs(len(a) - len(b)) > 1:
        return False
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    j = 0
    while j < min(len(a), len(b)) - i and a[-1 - j] == b[-1 - j]:
        j += 1
    return max(len(a), len(b)) - i - j <= 1


@lru_cache(maxsize=1)
def guide_catalog() -> dict[str, GuideSentence]:
    return load_catalog(Settings().corpus.guides_dir)


@lru_cache(maxsize=1)
def contexts() -> dict[str, Context]:
    """Each guide's passages as the index cuts them, and the passage that holds each sentence."""
    from corpus.loaders import load_paths  # noqa: PLC0415
    from index.chunking import chunk_document  # noqa: PLC0415

    settings = Settings()
    documents, _ = load_paths([settings.corpus.guides_dir])
    catalog = guide_catalog()
    out = {}
    for document in documents:
        chunks = chunk_document(document, settings.index.chunk_size, settings.index.chunk_overlap_sentences)
        passages = {i + 1: c.text for i, c in enumerate(chunks)}
        passage_of = {}
        for sid, sentence in catalog.items():
            if sentence.doc_id == document.doc_id:
                holding = [n for n, text in passages.items() if sentence.text in text]
                if holding:
                    passage_of[sid] = holding[0]
        out[document.doc_id] = Context(document.title, passages, passage_of)
    return out


def generated(seed: int = 19) -> list[Pair]:
    """Tuning pairs from the plain edition and the guides' clauses, and their broken copies."""
    rng = random.Random(seed)
    catalog = guide_catalog()
    faithful: list[Pair] = []
    wordings, caught = reviewed_wordings()
    for n, (sid, plain) in enumerate(wordings):
        if sid not in catalog or len(catalog[sid].text.split()) < 5:
            continue
        faithful.append(Pair(f"gen-{sid}-plain-{n}", sid, plain, True, "paraphrase", "generated"))
        for k, part in enumerate(re.split(r"(?<=[.!?])\s+", plain)):
            if len(part.split()) >= 5 and not POINTS_BACK.match(part) and part != plain:
                faithful.append(Pair(f"gen-{sid}-plain-{n}.{k}", sid, part, True, "paraphrase", "generated"))
    for sid in sorted(catalog):
        if len(catalog[sid].text.split()) >= 5:
            for k, part in enumerate(clauses(catalog[sid].text)):
                faithful.append(Pair(f"gen-{sid}-clause{k}", sid, part, True, "copy", "generated"))
    near_misses = [Pair(f"gen-{sid}-caught-{n}", sid, plain, False, "reviewed_unfaithful", "generated")
                   for n, (sid, plain) in enumerate(caught) if sid in catalog]
    by_doc: dict[str, list[str]] = {}
    for sid, s in catalog.items():
        by_doc.setdefault(s.doc_id, []).append(s.text)
    broken = [
        Pair(f"{pair.id}-{kind}", pair.statement_id, text, False, kind, "generated")
        for pair in faithful
        for kind, text in broken_copies(pair.claim, catalog[pair.statement_id].text, by_doc[catalog[pair.statement_id].doc_id], rng, GUIDE_VARIANTS)
    ]
    return faithful + broken + near_misses


def reviewed_wordings() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(faithful, unfaithful) plain wordings of guide sentences, as (sentence id, wording), from
    every round of the plain edition's record: faithful when every reader of it found it so, and
    unfaithful when a reader found it so for what it says (not only for its reading grade)."""
    from plain.edition import reader_verdicts  # noqa: PLC0415

    by_wording: dict[tuple[str, str], list] = {}
    for v in reader_verdicts():
        by_wording.setdefault((v.sentence_id, v.plain), []).append(v)
    faithful = sorted(k for k, vs in by_wording.items() if all(v.verdict == "faithful" for v in vs))
    unfaithful = sorted(k for k, vs in by_wording.items() if any(v.faults_meaning for v in vs))
    return faithful, unfaithful


_CLAUSE_CUT = re.compile(r",\s*(?:which|while|and|but|although|whereas)\s+|;\s*")


def clauses(sentence: str) -> list[str]:
    """Parts of a sentence that stand as claims of their own (a faithful claim may say less)."""
    parts = [p.strip().rstrip(".") for p in _CLAUSE_CUT.split(sentence)]
    return [p[0].upper() + p[1:] + "." for p in parts if len(p.split()) >= 6 and p != sentence.rstrip(".")]


_HEDGE_DROPS = (
    (r"\bmay (\w+)", r"\1s"), (r"\bmight (\w+)", r"\1s"), (r"\bcould (\w+)", r"\1s"), (r"\bcan help\b", "helps"),
    (r"\bsome (people|patients|individuals|cases)\b", r"\1"), (r"\bpotentially\s+", ""), (r"\bmodestly\s+", ""),
    (r"\bmaybe\s+", ""), (r"\ba little\s+", ""), (r"\bearly\s+", ""), (r"\bpromising\b", "proven"),
    (r"\bnot all (people|patients)\b", r"no \1"), (r"\baims? to (\w+)", r"\1s"), (r"\bpossibly\s+", ""),
    (r"\bin some (people|patients|cases)\b", ""), (r"\bsuggests?\b", "proves"), (r"\bmay be\b", "is"),
)
_NEGATE = (
    (r"\b(is|are|was|were)\b", r"\1 not"), (r"\bnot\s+", ""), (r"\bno\b", "all"), (r"\bnon-", ""),
    (r"\bincreas(e|es|ed|ing)\b", r"reduc\1"), (r"\breduc(e|es|ed|ing)\b", r"increas\1"), (r"\bimprov(e|es|ed|ing)\b", r"worsen"),
    (r"\bslow(s|ed|ing)?\b", r"speed\1 up"), (r"\bhigher\b", "lower"), (r"\blower\b", "higher"), (r"\bmore\b", "less"),
    (r"\bless\b", "more"), (r"\beffective\b", "ineffective"), (r"\bsafe\b", "unsafe"), (r"\bprolong(s|ed)?\b", r"shorten\1"),
    (r"\bdelay(s|ed)?\b", r"speed\1 up"), (r"\bapproved\b", "not approved"), (r"\bcommon\b", "rare"), (r"\brare\b", "common"),
)
_OVERCLAIM = (
    (r"\bslows?\b", "stops"), (r"\bhelps?\b", "cures"), (r"\bsome\b", "all"), (r"\bimproves?\b", "restores"),
    (r"\breduces?\b", "eliminates"), (r"\bmay\b", "will always"), (r"\bmodestly\b", "greatly"), (r"\bmanage\b", "cure"),
    (r"\bdelays?\b", "prevents"), (r"\bcan\b", "always"), (r"\bmany\b", "all"),
)
_GROUPS = ("patients", "caregivers", "children", "adults", "older adults", "women", "men", "families", "doctors",
           "people with the SOD1 gene", "everyone with the disease", "healthy people")
_ORGANS = ("lungs", "skin", "heart", "kidneys", "muscles", "nerve cells", "joints", "brain", "spinal cord", "blood vessels",
           "liver", "stomach", "bones", "eyes")


def broken_copies(claim: str, source: str, context: list[str], rng: random.Random, variants: int = 1) -> Iterator[tuple[str, str]]:
    """Unfaithful versions of a faithful claim, each wrong in one way, named by the way; up to
    ``variants`` of the name swaps (the errors of who does what) per claim."""
    own = named_terms(source) | set(procedures(source))
    others = sorted({n for text in context for n in named_terms(text)} - own - {"als", "scleroderma"})
    mine = sorted(n for n in named_terms(claim) if n not in ("als", "scleroderma"))
    for name, other in [(rng.choice(mine), rng.choice(others)) for _ in range(variants)] if mine and others else []:
        swapped = re.sub(rf"\b{re.escape(name)}s?\b", other, claim, count=1, flags=re.IGNORECASE)
        if swapped != claim:
            yield "swapped_name", swapped
    # a word of this statement's swapped for a word only another statement of the guide has:
    # the words are all the guide's, bound to the wrong statement
    source_words = set(_words(source))
    foreign = sorted({w for text in context if text != source for w in _words(text)} - source_words)
    here = [w for w in _words(claim) if w in source_words]
    for _ in range(variants if here and foreign else 0):
        word = rng.choice(here)
        swapped = re.sub(rf"\b{re.escape(word)}\b", rng.choice(foreign), claim, count=1)
        if swapped != claim:
            yield "swapped_name", swapped
    organs = [o for o in _ORGANS if re.search(rf"\b{o}\b", claim, re.IGNORECASE)]
    if organs:
        organ = rng.choice(organs)
        yield "swapped_name", re.sub(rf"\b{organ}\b", rng.choice([o for o in _ORGANS if o != organ]), claim, count=1, flags=re.IGNORECASE)
    numbers = sorted(figures(claim))
    guide_numbers = sorted({f for text in context for f in figures(text)} - set(numbers)) or ["3", "10", "50%", "90%"]
    if numbers:
        n = rng.choice(numbers)
        swapped = re.sub(rf"(?<![\d.]){re.escape(n)}", rng.choice(guide_numbers), claim, count=1)
        if swapped != claim:
            yield "swapped_figure", swapped
    groups = [g for g in ("patients", "people", "individuals", "caregivers", "families", "adults", "children") if re.search(rf"\b{g}\b", claim)]
    if groups:
        g = rng.choice(groups)
        yield "wrong_group", re.sub(rf"\b{g}\b", rng.choice([x for x in _GROUPS if x != g]), claim, count=1)
    for kind, rules in (("dropped_hedge", _HEDGE_DROPS), ("negation", _NEGATE), ("overclaim", _OVERCLAIM)):
        made = 0
        for pattern, repl in rng.sample(rules, len(rules)):
            changed = re.sub(pattern, repl, claim, count=1, flags=re.IGNORECASE)
            if changed != claim:
                yield kind, changed
                made += 1
                if made == variants:
                    break


_STOP = frozenset("""about above after again against also among because before being below between could during each
from further have having into itself more most other over same should some such than that their them then there these
they this those through under until very were what when where which while with would your people patients""".split())


def _words(text: str) -> list[str]:
    """The longer content words of a text, as written (lower case)."""
    return [w for w in re.findall(r"[a-z][a-z-]{4,}", text.lower()) if w not in _STOP]
