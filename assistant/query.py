"""Query understanding: what a message asks, in the guides' words, before anything searches.

People write stories, txt-speak, colloquial names and typos ("my mom has sclero and the
methotrexate stopped working, whats next"). A ``Query`` keeps the message as written and
gives the pipeline what it needs:

- ``text``: what is searched and judged: shorthand written out ("whats" -> "what is"), other
  names of a condition replaced by the guides' own ("mnd" -> "ALS", from the corpus's
  domain file), words the guides spell differently corrected to their spelling when the word is
  no English word ("rilzole" -> "riluzole"), and a medicine's brand name read as the guides' name
  for it ("cellcept" or "cellsept" -> "mycophenolate mofetil", from the same file) unless the message is about
  the names themselves ("is radicava the same as edaravone", "is Tiglutik as good as Rilutek");
- ``conditions``: the conditions the message names (a mother with scleroderma: the
  scleroderma guide first), or, when it names none, the one condition whose passages alone
  hold the medicines, genes or procedures it names ("riluzole not working, now what" is about
  ALS: only the ALS passages say "riluzole");
- ``focus``: the words that say what is asked, without the story's people and feelings;
- ``wants_alternatives`` and ``already``: "what else" questions and the treatments the person
  already has, which an answer should not simply repeat back;
- ``brands``: the brand names read so, which the answer names before the first sentence naming
  the medicine (when the turn's own message uses the brand); ``searched``, the text with
  them, so that a document a user adds that uses the brand is still found by it.
"""

from __future__ import annotations

import bisect
import difflib
import logging
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from assistant.lexical import (
    ALTERNATIVES,
    MIN_TYPO_LENGTH,
    abbreviates,
    NARRATIVE_WORDS,
    STOPWORDS,
    content_terms,
    english_words,
    expand_shorthand,
    focus_words,
    stem,
    words,
)
from corpus.domain import BrandName, Domain, whole_word

log = logging.getLogger(__name__)

_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9'-]*")
_NAME = re.compile(r"[a-z]+[0-9a-z]*")  # a word, or a gene's letters and digits ("sod1", "c9orf72"); no figures
READINGS_KEPT = 512  # questions whose reading is kept for reuse
SPELLING_CUTOFF = 0.8  # difflib ratio at which an unknown word is taken for a guide word misspelt
ABBREVIATION_LETTERS = (3, 6)  # a word this short, unknown, may abbreviate names the passages use ("MMF")
INITIALS_RUN = (3, 6)  # letters of an abbreviation read as the initials of a run of words ("SLP": speech-language pathologists; two match by chance)
INITIALS_MAX_PASSAGES = 1000  # above this many passages, abbreviations are not read against their runs of words (about 1 s per 1000 long passages)
MIN_PREFIX = 4  # a word this long or longer that begins a passage word is taken for it cut short ("eval": "evaluations")
# A message that asks about a medicine's names, not about the medicine, keeps its brand names as written
# (``QueryReader._brands_read``): words of brand and generic names, or of a comparison ("is Rilutek the same as the
# one from the other pharmacy"; not "at the same time").
NAME_WORDS = re.compile(r"\b(generics?|brands?|brand-name|trade names?)\b", re.IGNORECASE)
COMPARING = re.compile(r"\b(same(?! time)|equivalent|versus|vs|diff?e?ren\w*|diff?ers?)\b", re.IGNORECASE)  # "difrent" too
# A follow-up rewritten by attaching the previous turn's subject: "who can get it (about: tofersen)".
_ABOUT = re.compile(r"\s*\(about: ([^)]*)\)\s*$")


def about(question: str, subject: str) -> str:
    return f"{question.rstrip()} (about: {subject})"


def bare_question(standalone: str) -> str:
    """A standalone question without the "(about: ...)" it was given."""
    return _ABOUT.sub("", standalone).strip()


def carried_subject(standalone: str) -> str | None:
    """The subject a follow-up carries from an earlier turn ("(about: ...)"), if any."""
    match = _ABOUT.search(standalone)
    return match.group(1) if match else None


_CLAUSE = re.compile(r"[.,;:()!?\"]")


@dataclass(frozen=True)
class Query:
    original: str
    text: str
    conditions: tuple[str, ...] = ()
    focus: tuple[str, ...] = ()
    wants_alternatives: bool = False
    already: tuple[str, ...] = field(default=())  # guide terms the person says they already have
    brands: tuple[BrandName, ...] = ()  # brand names read as the guides' names for the medicines

    @property
    def asked(self) -> str:
        """The last sentence: after a story, the part that asks."""
        parts = [p for p in re.split(r"(?<=[.?!])\s+", self.text.strip()) if len(p.split()) >= 2]
        return parts[-1] if parts else self.text

    @property
    def own_words(self) -> str:
        """What this turn asks, without the subject a follow-up carries from an earlier turn."""
        return bare_question(self.text)

    @property
    def searched(self) -> str:
        """What the search looks for: the text, and the brand names read as the guides' names."""
        return " ".join((self.text, *(b.brand for b in self.brands)))

    def __str__(self) -> str:
        return self.text


class QueryReader:
    """Reads questions against the vocabulary of the indexed passages."""

    def __init__(self, domain: Domain, passages: Iterable[str] = ()) -> None:
        self.domain = domain
        self.vocabulary: frozenset[str] = frozenset()
        self.names: frozenset[str] = frozenset()
        self.idf: dict[str, float] = {}
        self.name_conditions: dict[str, frozenset[str]] = {}
        self.name_phrases: frozenset[tuple[str, ...]] = frozenset()  # runs of names: ("mycophenolate", "mofetil")
        # Readings of recent questions: the chain reads a question, and the extractive generator
        # and the follow-up resolver ask for the same reading again (cleared when the index changes).
        self._read: dict[str, Query] = {}
        self.update(passages)

    def update(self, passages: Iterable[str], conditions: Sequence[Sequence[str]] = ()) -> None:
        """Learn the searchable passages' words (call again when the index changes);
        ``conditions``, one entry per passage, the conditions each is about."""
        texts = list(passages)
        documents = [set(content_terms(t)) for t in texts]
        frequency = Counter(term for terms in documents for term in terms)
        # How specific a (stemmed) word is to few passages: "rituximab" high, "approach" low; 0..1.
        top = math.log(len(texts) + 1) or 1.0
        self.idf = {term: math.log((len(texts) + 1) / count) / top for term, count in frequency.items()}
        self.vocabulary = frozenset(w for t in texts for w in words(t) if len(w) > 2)
        # Guide words no dictionary knows: medicines, genes, named procedures ("tofersen", "c9orf72").
        english = english_words()
        self.names = frozenset(w for w in self.vocabulary if w not in english and _NAME.fullmatch(w))
        about: dict[str, set[str]] = {}
        for text, its_conditions in zip(texts, conditions, strict=False):
            for name in self.names.intersection(words(text)):
                about.setdefault(name, set()).update(its_conditions)
        self.name_conditions = {name: frozenset(c) for name, c in about.items() if c}
        self.name_phrases = frozenset(_name_runs(texts, self.names))
        self._sorted = sorted(self.vocabulary)
        # a misspelt word is corrected to a guide word or to a brand of a guide medicine ("cellsept" -> "cellcept")
        self._spellings = sorted(self.vocabulary | self.domain.brand_words)
        self._stems = frozenset(stem(w) for w in self.vocabulary)
        if len(texts) <= INITIALS_MAX_PASSAGES:
            self._initials = _initials(texts)
        else:
            self._initials = frozenset()
            log.info("%d passages: abbreviations in questions are not read against their runs of words (at most %d)",
                     len(texts), INITIALS_MAX_PASSAGES)
        self._read = {}

    def knows(self, word: str, capitals: bool = False) -> bool:
        """Whether the passages use ``word`` (lower case), as such, by its stem, cut short ("eval":
        "evaluations"), as the parts of a compound of their words or, when the person wrote it in
        capitals, as the initials of a run of their words ("SLP": "speech-language pathologists").
        Only a word they don't use can be named as one they say nothing about."""
        if word in self.vocabulary or stem(word) in self._stems:
            return True
        if len(word) >= MIN_PREFIX:
            at = bisect.bisect_right(self._sorted, word)
            if at < len(self._sorted) and self._sorted[at].startswith(word):
                return True
        parts = [p for p in word.split("-") if p]
        if len(parts) > 1 and all(p in self.vocabulary or p in STOPWORDS for p in parts):
            return True
        return capitals and (word in self._initials or word.removesuffix("s") in self._initials)

    def read(self, question: str, brands: bool = True) -> Query:
        """The question as the guides would word it (see the module's docstring); the same
        question is read once while the index is unchanged. ``brands=False``: its brand names kept
        as written (for documents that use them: ``AnswerChain.search``)."""
        key = question if brands else f"{question}\0as written"
        known = self._read.get(key)
        if known is not None:
            return known
        if len(self._read) >= READINGS_KEPT:
            self._read = {}
        self._read[key] = query = self._reading(question, brands)
        if brands and not query.brands:  # the chain hands on the text as read; reading it again gives the same,
            # unless brands were read: "does edaravone help" asked as such names no brand, though "does radicava help" is read so
            self._read.setdefault(query.text, replace(query, original=query.text))
        return query

    def _reading(self, question: str, read_brands: bool = True) -> Query:
        text = _TOKEN.sub(lambda m: self._spelled(m.group(0)), self.domain.canonical_names(expand_shorthand(question)))
        text, brands = self._brands_read(text) if read_brands else (text, ())
        conditions = self.domain.named_conditions(text) or self._implied_conditions(text)
        focus = tuple(w for w in focus_words(text, self.domain.topic_words) if w not in NARRATIVE_WORDS)
        alternatives = bool(ALTERNATIVES.search(text))
        already = tuple(w for w in dict.fromkeys(words(text)) if w in self.names) if alternatives else ()
        return Query(question, text, conditions, focus, alternatives, already, brands)

    def _brands_read(self, text: str) -> tuple[str, tuple[BrandName, ...]]:
        """The text with each brand name of a guide medicine it uses read as the guides' name for it
        ("does cellcept help" -> "does mycophenolate mofetil help"), and the brands read; none when it
        is about the names themselves: it names one medicine twice ("is Tiglutik as good as Rilutek",
        "the pharmacy gave riluzole not Rilutek", a follow-up's carried "(about: riluzole ...)"), uses
        words of brand and generic names ("is the generic as good") or compares ("is Rilutek the same as
        the one from the other pharmacy"). The guides don't say which
        name is which medicine, and read so such a question would answer itself."""
        brands = self.domain.brands_named(text)
        medicines = [b.medicine for b in brands]
        named_twice = len(set(medicines)) < len(medicines) or any(whole_word(w).search(text) for m in medicines for w in m.split())
        if not brands or named_twice or NAME_WORDS.search(text) or COMPARING.search(text):
            return text, ()
        for brand in brands:
            text = brand.read_in(text)
        return text, brands

    def _implied_conditions(self, text: str) -> tuple[str, ...]:
        """The one condition whose passages alone hold every guide name the text uses, if any."""
        found = [self.name_conditions[w] for w in dict.fromkeys(words(text)) if w in self.name_conditions]
        common = frozenset.intersection(*found) if found else frozenset()
        return tuple(common) if len(common) == 1 else ()

    def specificity(self, text: str, given: Iterable[str] = ()) -> float:
        """Mean corpus specificity (0..1) of the words a text adds to ``given`` ones."""
        known = set(content_terms(" ".join(given)))
        terms = [t for t in content_terms(text) if t not in known and t in self.idf]
        return sum(self.idf[t] for t in terms) / len(terms) if terms else 0.0

    def _spelled(self, token: str) -> str:
        """A word the guides spell differently, in their spelling: an abbreviation of names the
        passages spell out, spelt out ("MMF" -> "mycophenolate mofetil") when exactly one run of
        names gives it (only runs of names, words no dictionary knows: ordinary words make too many
        chance matches), else a misspelt guide word or brand of a guide medicine corrected; any other word unchanged."""
        word = token.lower()
        if word in self.vocabulary or word in STOPWORDS or word in english_words() or word in self.domain.brand_words:
            return token
        if word.endswith("'s") and len(word) > 2:  # "CellCept's", "cellsept's": the word, spelt as the guides do, then its "'s"
            return self._spelled(token[:-2]) + token[-2:]
        shortest, longest = ABBREVIATION_LETTERS
        if shortest <= len(word) <= longest and word.isalpha():
            found = {p for p in self.name_phrases if len(p) <= len(word) and abbreviates(word, p)}
            if len(found) == 1:
                return " ".join(found.pop())
        if len(word) < MIN_TYPO_LENGTH:
            return token
        match = difflib.get_close_matches(word, self._spellings, n=1, cutoff=SPELLING_CUTOFF)
        return match[0] if match else token


def _initials(texts: Iterable[str]) -> frozenset[str]:
    """The initials, ``INITIALS_RUN`` letters long, of every run of words within a clause of the texts
    that neither starts nor ends with a stopword, with hyphenated words read as one word or apart
    ("speech-language pathologists": "slp" and "sp")."""
    shortest, longest = INITIALS_RUN
    found: set[str] = set()
    for text in texts:
        for clause in _CLAUSE.split(text.lower()):
            found_words = re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", clause)
            for start, first in enumerate(found_words):
                if first in STOPWORDS:
                    continue
                for end in range(start + 1, min(start + longest, len(found_words)) + 1):
                    run = found_words[start:end]
                    if run[-1] in STOPWORDS:
                        continue
                    for initials in ("".join(w[0] for w in run), "".join(p[0] for w in run for p in w.split("-") if p)):
                        if shortest <= len(initials) <= longest:
                            found.add(initials)
    return frozenset(found)


def _name_runs(texts: Iterable[str], names: frozenset[str], longest: int = 6) -> set[tuple[str, ...]]:
    """Every run of two to ``longest`` names standing together in a clause of the texts."""
    runs: set[tuple[str, ...]] = set()
    for text in texts:
        for clause in _CLAUSE.split(text):
            found = words(clause)
            for start in range(len(found)):
                end = start
                while end < len(found) and end - start < longest and found[end] in names:
                    end += 1
                    if end - start >= 2:
                        runs.add(tuple(found[start:end]))
    return runs
