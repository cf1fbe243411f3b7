"""Does one statement of a passage say what a claim says? Who does what, not a bag of words.

A passage is read as its statements: each sentence, with the one before it when it starts by
pointing back ("This approach ...", "It ..."). A claim is supported by a passage when ONE of its
statements supports it. On the three statements closest to the claim:

- the support model, a cross-encoder the project trains (``python -m support train``), reads
  (statement, claim) together and gives P(the statement says it). It ships in
  ``assistant/support_model/`` as int8 ONNX with its manifest (the files' sha256, the cut-offs,
  the combiner), loaded offline, refused with what to run if a file is missing or changed;
- rules bind what the claim says to that statement: every medicine, gene, acronym, named
  procedure and figure of the claim is in it (``names``); no word of the claim that only one or
  two *other* statements hold (``binding``); its hedges ("may", "some", "modestly") kept
  (``hedge``), no "not" added or dropped (``negation``), no absolute ("cures", "all") added
  (``absolute``);
- a logistic combiner, fitted on the tuning writers' pairs, weighs the model's logit, the cosine,
  the share of the claim's words the statement holds and which rules fire, and decides at its
  cut-off, except that a claim with a figure, medicine or gene the statement does not give always
  fails, and, when the fit chose it, so does one that drops a hedge (the issue counts such a sentence as misnamed; ``StatementJudge.unbound_figures``,
  ``unbound_names``). What a statement gives includes, when it points back ("these medications",
  "this resistance"), the sentences before it in its paragraph (``Statement.binds``). The reason
  given for a sentence that fails is that figure or name, else the first rule that counts against
  it, else "the statement does not say this".

``python -m support report`` gives today's check, the rules alone, the model alone and the
combination on pairs kept apart from all fitting.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from assistant.lexical import content_terms
from assistant.relevance import OnnxPairModel, verified_manifest
from core.errors import GuideError
from corpus.domain import BrandName
from index.sentences import sentences_with_previous, with_previous
from plain.checks import ABSOLUTE_SYNONYMS, ABSOLUTES, HEDGES, NUMBER_WORDS, figures, is_medicine, named_terms, negation_count, procedures

log = logging.getLogger(__name__)

MODEL_DIR = Path(__file__).resolve().parent / "support_model"
INPUT_FORMAT = 1  # (statement, claim): the statement with the sentence before it when it points back
RULES = ("names", "binding", "hedge", "negation", "absolute")  # every rule there is; the manifest says which run
# "binding": a word of the claim that only one or two other statements of the passages hold, and not
# this one, ties the claim to those statements instead ("lungs" of a sentence about skin)
RARE_IN = 2
_RETRAIN = "rebuild it with 'python -m support train' (see support/README.md)"

# The clause boundaries a hedge or a negation holds within ("X may help, but Y does not").
_CLAUSE = re.compile(r",\s*(?:which|who|while|whereas|but|although|though|however)\b|;|\s+[—–]\s+|\bwhile\b|\bbut\b|\bwhereas\b", re.IGNORECASE)
# A statement that refers to something named in the sentence before ("these medications", "the study").
_REFERS = re.compile(r"\b(?:this|these|those|such(?!\s+as\b)|the same)\s+\w+|\bthe (?:study|trial|research|drug|medication|treatment|therapy|approach)\b(?:\s+(\w+))?", re.IGNORECASE)
_REFERS_TO_SEVERAL = re.compile(r"\b(?:these|those)\s+\w+", re.IGNORECASE)  # a list may span the sentences before
_GENE = re.compile(r"[a-z][a-z0-9]*\d[a-z0-9]*")  # a gene as named_things folds it: "sod1", "c9orf72"
_CITATION_MARK = re.compile(r"\[[\d,\s\-–]*\]?")  # "[1]", "[1, 2]", "[1-2]" or one cut off at the end: "[1"
_ONE = re.compile(r"\bone\b", re.IGNORECASE)  # "one of the key aspects": an article, not a figure
# A hedge of the statement's clause, by kind (plain.checks' kinds, and three more: an aim, work in progress, how
# often), and the words that keep it in a claim, each kind its own. Drawn from the training writers' pairs (the rules
# are fitted on none): "can lead to" -> "leads to", "trying to rebalance" -> "rebalances", "are being developed" ->
# "silence", "often stems from" -> "comes down to" drop theirs; "not all patients" -> "not every patient", "aims to"
# -> "the idea behind ... is to", "being explored" -> "researchers are looking into" keep theirs.
_HEDGE_TRIGGERS = {
    "modestly": ("modestly", "modest"),
    "possibility": ("may", "might", "could", "potentially", "possibly", "possible", "potential"),
    "can": ("can",),
    "aim": ("aim", "aims", "aiming", "aimed", "trying", "tries", "attempt", "attempting"),
    "some": ("some", "certain", "subset", "not all"),
    "preliminary": ("preliminary", "early trials", "early studies", "early results", "promising"),
    "in progress": ("being developed", "being explored", "being studied", "being investigated", "under investigation",
                    "investigational", "approaching"),
    "frequency": ("often", "usually", "typically", "generally", "frequently"),
}
_KEEPS = {kind: HEDGES.get(kind, ()) + extra for kind, extra in {
    "modestly": ("little", "slight", "somewhat"),
    "possibility": ("hope", "help", "helps", "goal", "intended", "designed", "chance"),
    "can": ("can", "able", "may", "might", "could", "possible", "possibly", "potentially", "help", "helps"),
    "aim": ("aim", "aims", "aiming", "aimed", "try", "tries", "trying", "attempt", "goal", "intended", "designed", "idea",
            "meant", "purpose", "hope"),
    # not "patients who" / "people who": "in patients who take it" is everyone who takes it, not "certain patients"
    "some": ("not all", "few", "others", "one", "not every", "not everyone", "a number of", "smaller group", "particular"),
    "preliminary": ("study", "studies", "trial", "trials", "research", "tested", "testing", "being", "new", "experimental",
                    "hopeful", "hope", "encouraging", "good results"),
    "in progress": ("being developed", "being explored", "being studied", "being investigated", "being tested",
                    "under investigation", "in development", "looking into", "looking at", "researchers", "scientists",
                    "exploring", "investigating", "studying", "research", "experimental", "trials", "working on", "future",
                    "closer", "nearer", "coming", "soon", "one day", "someday"),
    "frequency": ("often", "usually", "typically", "generally", "frequently", "many", "most", "common", "commonly", "tend",
                  "tends", "likely", "sometimes", "can", "may", "mostly", "mainly", "a lot"),
}.items()}
# a hedge said again in its own word keeps it ("approaching", "investigational")
_KEEPS = {kind: keeps + tuple(t for t in _HEDGE_TRIGGERS.get(kind, ()) if t not in keeps) for kind, keeps in _KEEPS.items()}
# Under a negation these keep a hedge too: "not every patient" says "not all patients"; "no treatment has been able
# to stop" says "no treatments that could stop". (A claim that drops the "not" is the negation rule's.)
_KEEPS_WHEN_NEGATED = {"some": ("every", "everyone", "everybody", "each"), "possibility": ("able",)}
GOVERNED, GOVERNED_BEFORE = 4, 2  # the words after (and before) a hedge that say what it hedges (``dropped_hedge``)


@dataclass(frozen=True)
class Statement:
    """One statement of a passage: a sentence, with the sentence before when it points back."""

    text: str  # what the model reads
    sentence: str
    previous: str = ""
    title: str = ""  # the document's title: what every statement of it is about
    earlier: tuple[str, ...] = ()  # the sentences before it in its paragraph, in order

    @cached_property
    def clauses(self) -> list[str]:
        return [c.strip() for c in _CLAUSE.split(self.sentence) if c and len(c.split()) >= 2]

    @cached_property
    def terms(self) -> frozenset[str]:
        return frozenset(content_terms(self.text))

    @cached_property
    def binds(self) -> str:
        """The text a claim's names must be found in (the names and binding rules read it): the
        statement, the document's title and, when the statement refers back, what it refers to: for
        "these"/"those", every sentence before it in its paragraph ("resistance to these treatments"
        after riluzole's sentence, then edaravone's); else the sentence before it, and those before that
        one while they name nothing, and all before one that says "these"/"those" ("patients facing this
        resistance" after "Resistance ... may stem from ..." and "not all patients respond to these
        medications", back to riluzole and edaravone's)."""
        before = _referred_to(self.sentence, self.earlier)
        return " ".join(t for t in (self.title, *before, self.text) if t)


def _points_back(sentence: str) -> bool:
    """It refers to something said before ("these medications", "the drug"); "the drug tofersen" names it."""
    return any(not (m.group(1) and is_medicine(m.group(1))) for m in _REFERS.finditer(sentence))


def _referred_to(sentence: str, earlier: tuple[str, ...]) -> tuple[str, ...]:
    """The sentences before ``sentence`` in its paragraph that it may refer back to (``Statement.binds``)."""
    if not earlier or not _points_back(sentence):
        return ()
    if _REFERS_TO_SEVERAL.search(sentence):
        return earlier
    for at in range(len(earlier) - 1, -1, -1):
        if _REFERS_TO_SEVERAL.search(earlier[at]):  # it points back to a list: any sentence before it may name it
            return earlier
        if named_terms(earlier[at]) and not _points_back(earlier[at]):
            return earlier[at:]
    return earlier


def dropped_hedge(source: str, claim: str, said: str = "") -> str | None:
    """The hedge of ``source`` (what the statement says) that ``claim`` drops: one whose kind none of the claim's
    words keeps, unless the claim only copies another part of the statement (``said``: the statement, with the
    sentence before when it points back; default ``source``) than the words the hedge governs ("Tofersen is an antisense therapy
    targeting SOD1 mutations" of "... has shown potential in reducing disease progression")."""
    keeps_negated = negation_count(claim) > 0
    for kind, triggers in _HEDGE_TRIGGERS.items():
        trigger = _has(source, triggers)
        if trigger and not _has(claim, _KEEPS[kind] + (_KEEPS_WHEN_NEGATED.get(kind, ()) if keeps_negated else ())):
            if not _copies_another_part(claim, source, said or source, trigger, kind):
                return trigger
    return None


def _governed(source: str, trigger: str, kind: str) -> list[str]:
    """The content words a hedge of ``source`` governs: the ``GOVERNED`` after it in its clause ("potential in *reducing
    disease progression*"), and for a hedge of how many or how often, or of how early the evidence is, the
    ``GOVERNED_BEFORE`` before it too ("*slow functional decline* in certain patients")."""
    at = re.search(rf"(?<![a-z0-9]){re.escape(trigger)}(?![a-z0-9])", source.lower())
    if not at:
        return []
    governed = content_terms(_CLAUSE.split(source[at.end():])[0])[:GOVERNED]
    if kind in ("some", "frequency", "preliminary"):
        governed += content_terms(_CLAUSE.split(source[: at.start()])[-1])[-GOVERNED_BEFORE:]
    return governed


def _copies(claim: str, said: str) -> bool:
    """Every content word of the claim is one of ``said``'s: it copies (part of) it, in no words of its own."""
    taken = set(content_terms(claim))
    return bool(taken) and taken <= set(content_terms(said))


def _copies_another_part(claim: str, source: str, said: str, trigger: str, kind: str) -> bool:
    """The claim copies the statement, and none of the words the hedge governs is among its words: the ``GOVERNED``
    words after it in its clause ("potential in *reducing disease progression*"), and for a hedge of how many or how
    often, or of how early the evidence is, the ``GOVERNED_BEFORE`` before it too ("*slow functional decline* in
    certain patients", "*disease progression* in early trials"). "Edaravone is another approved drug" copies another
    part of "Another approved drug, edaravone, has been shown to slow functional decline in certain patients"."""
    if not _copies(claim, said):
        return False
    governed = _governed(source, trigger, kind)
    return bool(governed) and not set(content_terms(claim)) & set(governed)


def statements(text: str, title: str = "") -> list[Statement]:
    """The statements of a passage, in order (headings and fragments of under four words left out)."""
    found, earlier = [], []
    for _, _, sentence, previous in sentences_with_previous(text):
        earlier = [*earlier, previous] if previous else []  # a paragraph's first sentence has none before it
        if len(sentence.split()) >= 4:
            found.append(Statement(with_previous(sentence, previous), sentence, previous, title, tuple(earlier)))
    return found


def passage_units(text: str) -> list[str]:
    """What the check embeds of a passage: its statements and their clauses."""
    return [u for s in statements(text) for u in (s.text, *s.clauses)]


@dataclass(frozen=True)
class Verdict:
    """How the best statement of some passages bears on a claim, and why not when it does not support it."""

    supported: bool
    p: float  # the support model's probability that the statement says it (0 when it was not asked)
    n: int | None  # the passage of the statement
    statement: str  # the statement judged (the best one)
    reason: str = ""  # what is wrong, in words; "" when supported
    cosine: float = 0.0
    coverage: float = 0.0  # share of the claim's words the statement holds


FEATURES = ("logit", "cosine", "coverage", *RULES)  # what the combiner weighs, per (claim, statement)


class SupportModel:
    """The shipped support cross-encoder, run with ONNX Runtime, and the combiner fitted with it:
    a logistic model over the cross-encoder's logit, the cosine and word share, and which rules
    fire, whose probability decides at its cut-off."""

    def __init__(self, folder: Path = MODEL_DIR, threads: int = 2, cache_size: int = 4096, fitting: bool = False) -> None:
        """``fitting``: the combiner is being fitted (``python -m support``), so the manifest may have none yet."""
        self.folder = Path(folder)
        manifest = verified_manifest(self.folder, "support check's model", INPUT_FORMAT, _RETRAIN)
        self._pairs = OnnxPairModel(self.folder, manifest, threads)
        self.threshold = float(manifest["threshold"])  # the cross-encoder alone (reported, not used to answer)
        combiner = manifest.get("combiner") or {}
        if not combiner and not fitting:  # a train or combine cut short: a check without its combiner would keep every sentence
            raise GuideError(f"The support check's model in {self.folder} has no fitted combiner. Run `python -m support combine`.")
        self.weights = {k: float(combiner.get("weights", {}).get(k, 0.0)) for k in FEATURES}
        self.bias = float(combiner.get("bias", 0.0))
        self.cut = float(combiner.get("threshold", 0.5))
        # a dropped hedge fails whatever the combiner says, when the fit chose it (``python -m support combine``)
        self.hedge_veto = bool(combiner.get("hedge_veto", False))
        self.shortlist = int(manifest.get("shortlist", 3))
        self.name = f"support {manifest.get('version', '?')} ({manifest['files'][manifest['model_file']][:12]})"
        self._cache: OrderedDict[tuple[str, str], float] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def probabilities(self, pairs: Sequence[tuple[str, str]]) -> list[float]:
        """P(statement says claim) for each (statement, claim), the cross-encoder alone; each pair is scored once and kept."""
        with self._lock:
            known = {p: self._cache[p] for p in pairs if p in self._cache}
        todo = sorted({p for p in pairs if p not in known})
        if todo:
            fresh = {p: 1.0 / (1.0 + math.exp(-float(z))) for p, z in zip(todo, self._pairs.logits(todo), strict=True)}
            with self._lock:
                self._cache.update(fresh)
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
            known.update(fresh)
        return [known[p] for p in pairs]

    def combined(self, features: dict[str, float]) -> float:
        z = self.bias + sum(self.weights[k] * features[k] for k in FEATURES)
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


def logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


@lru_cache(maxsize=4)
def load_support_model(folder: Path, threads: int = 2) -> SupportModel:
    log.info("loading the support check's model from %s", folder)
    return SupportModel(folder, threads)


def _has(text: str, phrases: Iterable[str]) -> str | None:
    """The first of ``phrases`` the text says, as whole words ("can't" is not "can")."""
    low = " " + re.sub(r"[^a-z0-9%]+", " ", re.sub(r"n['’]t\b", " not", text.lower())) + " "
    return next((p for p in phrases if f" {p} " in low), None)


def named_things(text: str, medicines: Collection[str]) -> set[str]:
    """Medicines, genes, acronyms, capitalised names, named procedures ("~") and figures ("#"), folded."""
    text = _ONE.sub("a", text)
    return named_terms(text, medicines) | {f"~{p}" for p in procedures(text)} | {f"#{f}" for f in figures(text)}


def _said(name: str, text: str, medicines: Collection[str]) -> bool:
    """Does ``text`` give the named thing ``name`` (a medicine, gene, name or procedure; figures are
    ``unbound_figures_of``'s)?"""
    if name.startswith("~"):
        return name[1:] in procedures(text)
    words = {w.lower().rstrip("s") for w in re.findall(r"[A-Za-z0-9]+", text)}
    return name.rstrip("s") in words or name in named_terms(text, medicines)


_WORDS = "|".join(sorted((w for w, n in NUMBER_WORDS.items() if n.isdigit()), key=len, reverse=True))
_NUMBER = rf"\b(\d+(?:\.\d+)?|{_WORDS})\b"
_SHARE = re.compile(rf"{_NUMBER}\s*(?:%|percent\b|per cent\b)")  # "70%", "70 percent"
_FRACTION = re.compile(rf"{_NUMBER}\s+(?:out of|in)(?:\s+every)?\s+{_NUMBER}")  # "seven out of ten", "70 in every 100"
# a time: "24 months", "36-month", "two years", "two-and-a-half years", "72 hours" ("a day" is not read: "once a day"
# is how often, and ``_ONE`` reads "one" as "a")
_TIME = re.compile(rf"{_NUMBER}((?:[\s-]+and)?[\s-]+a[\s-]+half)?[\s-]+(minute|hour|day|week|month|year)s?\b")
_MONTHS = {"minute": 12 / 365.25 / 24 / 60, "hour": 12 / 365.25 / 24, "day": 12 / 365.25, "week": 12 * 7 / 365.25, "month": 1.0, "year": 12.0}
# "twice" as a comparison of two groups ("twice as many", "about double"), not "twice a day"
_TWICE = re.compile(r"\btwice as\b|\bdoubled?\s+(?:the|in|among|that)\b|\b(?:about|nearly|roughly|almost)\s+(?:twice|double)\b")


@dataclass(frozen=True)
class Quantity:
    """A share (in percent), a time (in months) or a ratio, where a text says it and the figure tokens that name it."""

    kind: str
    value: float
    tokens: frozenset[str]
    span: tuple[int, int]
    decimals: int | None = None  # a written percent's decimals; None for a share said as "N in M"

    def same(self, other: Quantity) -> bool:
        """The same kind and value; "N in M" is a written percent when it rounds to it at the percent's own precision
        ("1 in 3" is "33%", "1 in 200" is not "1%")."""
        if self.kind != other.kind:
            return False
        if (self.decimals is None) != (other.decimals is None) and self.kind == "share":
            fraction, written = (self, other) if self.decimals is None else (other, self)
            return round(fraction.value, written.decimals) == written.value  # type: ignore[arg-type]
        return abs(self.value - other.value) <= 1e-6 * max(1.0, abs(self.value))


def _number(word: str) -> tuple[float, str]:
    """The value of a number ("36", "seven") and its figure token as ``figures`` names it ("36", "7")."""
    token = NUMBER_WORDS.get(word, word)
    return float(token), token


@lru_cache(maxsize=8192)
def quantities(text: str) -> tuple[Quantity, ...]:
    """Each share, time and comparing "twice" of ``text`` (read as ``_ONE`` reads it, lower case)."""
    low, found = _ONE.sub("a", text).lower(), []
    for m in _SHARE.finditer(low):
        value, token = _number(m.group(1))
        decimals = len(token.partition(".")[2])
        found.append(Quantity("share", value, frozenset(figures(m.group(0))) or frozenset({token}), m.span(), decimals))
    for m in _FRACTION.finditer(low):
        (a, ta), (b, tb) = _number(m.group(1)), _number(m.group(2))
        if b:
            found.append(Quantity("share", 100 * a / b, frozenset({ta, tb}), m.span()))
    for m in _TIME.finditer(low):
        value, token = _number(m.group(1))
        found.append(Quantity("time", (value + (0.5 if m.group(2) else 0.0)) * _MONTHS[m.group(3)], frozenset({token}), m.span()))
    found += [Quantity("ratio", 2.0, frozenset({"x2"}), m.span()) for m in _TWICE.finditer(low)]
    return tuple(found)


def _blanked(text: str, spans: Iterable[tuple[int, int]]) -> str:
    for start, end in spans:
        text = text[:start] + " " * (end - start) + text[end:]
    return text


@lru_cache(maxsize=8192)
def unbound_figures_of(claim: str, text: str) -> frozenset[str]:
    """The figure tokens of ``claim`` that ``text`` does not give, decided where each is said. A quantity of the claim
    that ``text`` gives in other words is given ("two years" for "24 months"; "seven out of ten" or "70 percent" for
    "70%"; "twice as many" for 70% against 35%); one of a kind ``text`` gives, with another value, is not, whatever its
    numbers ("24 years", "36-month", "24 days" for "24 months"; "0.1%" for "0.4%"). Any other figure must be one
    ``text`` writes ("two in ten" is not 35%)."""
    given = quantities(text)
    shares = [q for q in given if q.kind == "share"]
    said = list(given) + [Quantity("ratio", a.value / b.value, frozenset(), (0, 0)) for a in shares for b in shares if b.value and a is not b]
    kinds = {q.kind for q in said}
    unbound: set[str] = set()
    read = [q for q in quantities(claim) if q.kind in kinds]  # a quantity of a kind the text does not give is read as written
    for q in read:
        if not any(q.same(s) for s in said):
            unbound |= q.tokens
    written = figures(_ONE.sub("a", text))  # its quantities' numbers too: "aged 65" is "65 years of age"
    rest = figures(_blanked(_ONE.sub("a", claim).lower(), (q.span for q in read)))
    return frozenset(unbound | (rest - written))


def word_sequence(text: str) -> tuple[str, ...]:
    """Every word of a text, in order, lower case: two texts with the same words say the same (a statement says itself;
    a tuning claim is a test claim)."""
    return tuple(re.findall(r"[a-z0-9%]+", text.lower()))


def _shown(name: str) -> str:
    return re.sub(r"\\b|\(\?:|[()?]", "", name.lstrip("~#")).replace("|", " or ")


class StatementJudge:
    """Judges claims against the statements of a question's passages.

    ``passages``: (title, text) of each passage by number. ``vectors``: unit vectors of texts
    (the index's embedder), cached by the caller. ``mode``: ``shipped`` (the combiner: what answers
    use), ``learned`` (the cross-encoder alone) or ``rules`` (the rules alone, with "says it" as half
    the claim's words and a cosine of 0.5); the last two are for the report.
    """

    def __init__(
        self, passages: dict[int, tuple[str, str]], vectors, model: SupportModel | None,  # type: ignore[no-untyped-def]
        medicines: Collection[str] = (), topic: Collection[str] = (), mode: str = "shipped", brands: Sequence[BrandName] = (),
    ) -> None:
        self.passages = {n: statements(text, title) for n, (title, text) in passages.items()}
        self.vectors, self.model, self.medicines = vectors, model, medicines
        # a claim's brand name is read as the guides' name of its medicine ("CellCept" as "mycophenolate mofetil"),
        # as the question was: a passage that says the brand itself (a user's leaflet) is read as written
        self.brands = tuple(brands)
        self.mode = mode if model is not None else "rules"
        # the guides' own subject ("ALS", "scleroderma") is what every statement is about
        self.topic = {w.lower().rstrip("s") for w in topic}
        self._df: dict[str, int] = {}
        for s in {s.sentence: s for ss in self.passages.values() for s in ss}.values():
            for t in set(content_terms(s.sentence)):
                self._df[t] = self._df.get(t, 0) + 1
        units = [u for ss in self.passages.values() for s in ss for u in (s.text, *s.clauses)]
        if units:
            self.vectors.get(units)  # one batch for the whole context

    def judge(self, claim: str, ns: Iterable[int], claim_vector: np.ndarray | None = None) -> Verdict:
        """The verdict of the best statement of passages ``ns`` on ``claim``."""
        candidates = [(n, s) for n in ns for s in self.passages.get(n, ())]
        if not candidates:
            return Verdict(False, 0.0, None, "", "the cited passage has no statement")
        read = self._with_guides_names(_CITATION_MARK.sub(" ", claim).strip(), candidates)  # "[1" left by a cut-off draft is no figure
        vector = self.vectors.get([read])[0] if claim_vector is None or read != claim else claim_vector
        claim = read
        terms = set(content_terms(claim))
        scored = [(*self.closeness(s, vector, terms), n, s) for n, s in candidates]
        scored.sort(key=lambda x: -(x[0] + x[1]))
        shortlist = scored[: self.model.shortlist if self.model else 3]
        ps = self.model.probabilities([(s.text, claim) for _, _, _, s in shortlist]) if self.model and self.mode != "rules" else [0.0] * len(shortlist)
        verdicts = []
        for p, (cosine, coverage, n, s) in zip(ps, shortlist, strict=True):
            problems, vetoed = self.problems(claim, s), ""
            if self.mode == "rules":
                score, said = float(not problems and coverage >= 0.5 and cosine >= 0.5), not problems and coverage >= 0.5 and cosine >= 0.5
            elif self.mode == "learned":
                score, said = p, p >= self.model.threshold  # type: ignore[union-attr]
            else:
                features = self.features(p, cosine, coverage, problems)
                score = self.model.combined(features)  # type: ignore[union-attr]
                # a statement says itself, whatever the combiner makes of a copy of it
                said = score >= self.model.cut or word_sequence(claim) == word_sequence(s.sentence)  # type: ignore[union-attr]
                if said and (unbound := self.unbound_figures(claim, s)):
                    # a figure is a fact of its own: one the statement does not give is never weighed away
                    said, vetoed = False, f"gives the figure {', '.join(unbound)}, which the statement does not"
                elif said and (unbound := self.unbound_names(claim, s)):
                    # so is a medicine or a gene: "riluzole slows decline" where edaravone does is not weighed away
                    said, vetoed = False, f"names {', '.join(unbound)}, which the statement does not give it"
                elif said and self.model.hedge_veto and "hedge" in problems:  # type: ignore[union-attr]
                    # and, when chosen, a hedge: "slows decline in patients who take it" for "in certain patients"
                    said, vetoed = False, problems["hedge"]
            reason = "" if said else vetoed or next(
                (m for r, m in problems.items() if self.mode == "rules" or (self.model and self.model.weights[r] < 0)),
                "the statement does not say this",
            )
            verdicts.append(Verdict(said, score, n, s.text, reason, round(cosine, 3), round(coverage, 3)))
        return max(verdicts, key=lambda v: (v.supported, v.p, v.cosine))

    def _with_guides_names(self, claim: str, candidates: Sequence[tuple[int, Statement]]) -> str:
        """The claim with each brand name no candidate statement uses read as the guides' name of its medicine."""
        for brand in self.brands:
            if brand.named_as_brand(claim) and not any(brand.named_as_brand(s.binds) for _, s in candidates):
                claim = brand.read_in(claim)
        return claim

    def unbound_figures(self, claim: str, statement: Statement) -> list[str]:
        """The figures of the claim ("70%", "two", "36-month") its statement, with what it binds, does not give
        (``unbound_figures_of``). A citation marker, whole or cut off ("[1]", "[1"), is not a figure."""
        return sorted(unbound_figures_of(_CITATION_MARK.sub(" ", claim), statement.binds))

    def unbound_names(self, claim: str, statement: Statement) -> list[str]:
        """The medicines and genes of the claim ("riluzole", "SOD1") its statement, with what it binds, does not give."""
        named = named_things(_CITATION_MARK.sub(" ", claim), self.medicines)
        return sorted(n for n in named if (is_medicine(n, self.medicines) or _GENE.fullmatch(n)) and n not in self.topic
                      and not _said(n, statement.binds, self.medicines))

    def closeness(self, statement: Statement, claim_vector: np.ndarray, claim_terms: set[str]) -> tuple[float, float]:
        """(cosine of the claim with the statement or its closest clause, share of the claim's words it holds)."""
        cosine = float(np.max(self.vectors.get([statement.text, *statement.clauses]) @ claim_vector))
        coverage = len(claim_terms & statement.terms) / len(claim_terms) if claim_terms else 0.0
        return cosine, coverage

    @staticmethod
    def features(p: float, cosine: float, coverage: float, problems: dict[str, str]) -> dict[str, float]:
        return {"logit": logit(p), "cosine": cosine, "coverage": coverage, **{r: float(r in problems) for r in RULES}}

    def problems(self, claim: str, statement: Statement) -> dict[str, str]:
        """What each rule finds wrong with the claim as a reading of the statement, by rule."""
        found: dict[str, str] = {}
        missing = sorted(
            n for n in named_things(claim, self.medicines)
            if not n.startswith("#") and n.lstrip("~").rstrip("s") not in self.topic and not _said(n, statement.binds, self.medicines)
        ) + sorted(f"#{f}" for f in unbound_figures_of(claim, statement.binds))
        if missing:
            found["names"] = f"names {', '.join(_shown(m) for m in missing)}, which the statement does not give it"
        bound = set(content_terms(statement.binds))
        misbound = sorted(t for t in set(content_terms(claim)) - bound if 0 < self._df.get(t, 0) <= RARE_IN and t not in self.topic)
        if misbound:
            found["binding"] = f"says '{misbound[0]}', which another statement says, not this one"
        source = self._drawn_on(claim, statement)
        if trigger := dropped_hedge(source, claim, statement.text):
            found["hedge"] = f"drops the hedge '{trigger}'"
        if (negation_count(source) > 0) != (negation_count(claim) > 0):
            found["negation"] = "adds a 'not'" if negation_count(claim) else "drops a 'not' (not, no, never, without...)"
        said = {w.lower() for w in re.findall(r"[A-Za-z]+", statement.text)}
        added = sorted(
            w for w in {w.lower() for w in re.findall(r"[A-Za-z]+", claim)} & ABSOLUTES - said
            if not said & set(ABSOLUTE_SYNONYMS.get(w, ()))
        )
        if added:
            found["absolute"] = f"says '{added[0]}', which the statement does not"
        return found

    def _drawn_on(self, claim: str, statement: Statement) -> str:
        """The clauses of the statement the claim takes most of its words from (all of it when unclear)."""
        terms = set(content_terms(claim))
        overlap = [(len(terms & set(content_terms(c))), c) for c in statement.clauses]
        best = max((k for k, _ in overlap), default=0)
        if best == 0:
            return statement.text
        return " ".join(c for k, c in overlap if k >= max(1, best / 2))

__all__ = ["FEATURES", "RULES", "StatementJudge", "SupportModel", "Verdict", "load_support_model", "named_things", "passage_units", "statements"]
