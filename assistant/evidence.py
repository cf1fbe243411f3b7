"""Do the retrieved passages answer the question? The relevance model reads the two together.

Every statement of the retrieved passages is scored once by the relevance model
(``assistant.relevance``): P(the sentence answers the question), from the cross-encoder with the
bi-encoder's cosine (``RelevanceModel.answering``; they order and choose the sentences shown). A
small calibrated model, fitted with it on the tuning data and shipped in its manifest, turns the
cross-encoder's best probability, and whether the
question asks for something that needs specific evidence (a dose, a cost, side effects, a number
of people...) none of the passages gives, into P(the guides answer it):
- not about health or care at all ("tell me one joke": ``assistant.topic``), when a question opens a
  conversation, names nothing the documents are about and no passage answers it in full: the fixed
  phrase, with no guide text;
- below ``covered``: the guides don't cover it; the answer is the fixed phrase, with no guide text;
- from ``full`` up, with no asked-for aspect missing: a full answer;
- in between, or with an aspect missing: what the guides say that is related, after one sentence
  saying what they don't.

The same scores choose the sentences an answer shows (``choose_answer``), and every one is kept in
the answer's provenance, so ``ask --json`` shows why each sentence was or was not shown.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from assistant.lexical import (
    MG_AS_DOSE,
    MIN_TYPO_LENGTH,
    STOPWORDS,
    VOWELS,
    english_words,
    informal_spelling,
    misspelt_english,
    respelt,
    stem,
    straighten,
    words,
)
from assistant.query import Query
from assistant.relevance import Candidate, Neighbour, RelevanceModel, Thresholds, chunk_sentences
from assistant.topic import load_topic_model
from assistant.types import Chunk, Coverage, Passage
from assistant.vectors import TextVectors
from core.settings import Settings
from index.sentences import text_hash

log = logging.getLogger(__name__)

EVERYDAY_REASON = "not about health or care (P {p:.3f})"  # ask --json's reason
REPEAT_COSINE = 0.9  # a sentence this close to one already shown says the same (the guides repeat themselves)
_I = re.IGNORECASE


@dataclass(frozen=True)
class Aspect:
    name: str  # as the user reads it: "The guides don't say anything about {name}"
    asked: re.Pattern[str]
    answered: re.Pattern[str]


ASPECTS = (
    # "mg" is read as a dose as the safety check reads it (``MG_AS_DOSE``): alone it is as often myasthenia gravis
    Aspect("doses", re.compile(rf"\b(dos(e|es|age|ing)|how much \w+ (should|do|can)|milligrams?)\b|{MG_AS_DOSE}", _I), re.compile(r"\b\d+\s?(mg|milligrams?|ml)\b|\bdos(e|age)\b", _I)),
    Aspect("side effects", re.compile(r"\bside[- ]?effects?\b|\badverse\b", _I), re.compile(r"\bside[- ]?effects?\b|\badverse\b", _I)),
    Aspect("costs", re.compile(r"\b(cost|costs|price|pay|afford|insurance|expensive|cheap|covered by)\b", _I), re.compile(r"\b(cost|price|insurance|\$|€|£)", _I)),
    Aspect("how long people live", re.compile(r"\b(life expectancy|how long (will|do|does|can) \w+ (live|survive|have)|how long \w+ left)\b", _I), re.compile(r"\blife expectancy\b|\b\d+ (years?|months?)\b", _I)),
    Aspect(
        "how many people",
        re.compile(r"\b(how (many|common)|prevalence|incidence|statistics|number of (people|patients))\b", _I),
        re.compile(r"\b\d[\d,.]*\s+(people|patients|participants|individuals|adults|children|cases|americans)\b|\bper \d", _I),
    ),
    Aspect("brand names", re.compile(r"\bbrand( names?)?\b", _I), re.compile(r"\bbrand\b|®|™", _I)),
    Aspect("prevention", re.compile(r"\bprevent(ion|ing|ed)?\b|\bavoid getting\b", _I), re.compile(r"\bprevent", _I)),
    Aspect("whether it is inherited", re.compile(r"\b(inherit\w*|hereditary|pass(ed)? (it )?(on|down)|run in (the )?famil)", _I), re.compile(r"\b(inherit|hereditary|famil)", _I)),
    # "no treatments that could stop or reverse the course of ALS" answers "can ALS be cured?" (the
    # calibration writers and dev_tune label it answered; 3 such questions were refused for it).
    Aspect(
        "a cure",
        re.compile(r"\bcur(e|es|ed|able)\b", _I),
        re.compile(r"\bcur(e|ed|able)\b|\b(stop|halt|reverse)\w*( or (stop|halt|reverse)\w*)? (the )?(course|progression)\b", _I),
    ),
    Aspect("diet", re.compile(r"\b(diet|foods?|eat|eating|nutrition)\b", _I), re.compile(r"\b(diet|food|eat|nutrition\w*)\b", _I)),
    Aspect("how it is diagnosed", re.compile(r"\b(diagnos\w*|how (do|does|did|can) (they|doctors?|you) (know|tell|test|find out))\b", _I), re.compile(r"\bdiagnos", _I)),
    Aspect("where to get it", re.compile(r"\b(where (can|do|should|to)|near (me|us|boston|\w+ city)|which (hospital|clinic|center|centre)s?|in my area)\b", _I), re.compile(r"\b(hospital|clinic|cent(er|re)s? in|available at)\b", _I)),
)


@dataclass(frozen=True)
class Scored:
    """A statement of a retrieved passage and P(it answers the question)."""

    candidate: Candidate
    passage: Passage
    probability: float  # P(it answers), the answer's reading (cross-encoder, cosine, and the bank's neighbour): what orders and chooses the sentences shown
    model_probability: float  # P(it answers), the cross-encoder alone: what the coverage decision reads
    cosine: float | None = None  # the bi-encoder's cosine of the question and the sentence (None: not read)
    neighbour: float | None = None  # cosine to the closest labelled question it answers (None: not in the question bank)
    neighbour_question: str | None = None  # that labelled question
    vote: float | None = None  # the share of the bank's closest questions that it answers (None: not in the question bank)

    def to_dict(self) -> dict[str, object]:
        return {"n": self.passage.n, "text": self.candidate.text, "probability": round(self.probability, 4),
                "cross_encoder": round(self.model_probability, 4),
                "cosine": None if self.cosine is None else round(self.cosine, 4),
                "neighbour": None if self.neighbour is None else round(self.neighbour, 4),
                "neighbour_question": self.neighbour_question,
                "vote": None if self.vote is None else round(self.vote, 4)}


@dataclass(frozen=True)
class Evidence:
    coverage: Coverage
    best: float  # the cross-encoder's P of its likeliest answering sentence (the coverage model's input)
    chance: float = 0.0  # P(the guides answer the question), from the coverage model
    reason: str = ""
    question: str = ""  # the question as read (Query.text)
    missing_aspects: tuple[str, ...] = field(default=())
    unknown_names: tuple[str, ...] = field(default=())  # words it asks about that no passage and no dictionary knows
    sentences: tuple[Scored, ...] = field(default=())  # every statement of the passages, likeliest first
    everyday: bool = False  # not about health or care at all (``assistant.topic``)


class EvidenceJudge:
    def __init__(
        self, model: RelevanceModel, settings: Settings, vectors: TextVectors | None, names_guide_thing: Callable[[Query], bool],
        documents_know: Callable[[str, bool], bool],
    ) -> None:
        self.model = model
        # whether a passage of the indexed documents uses a word (``QueryReader.knows``), retrieved or
        # not: only a word none uses may be named as one the guides say nothing about
        self.documents_know = documents_know
        # whether a question names what the documents are about (a condition, a medicine...): then it is
        # about them, however few its words, and is never read as an everyday request
        self.names_guide_thing = names_guide_thing
        self.vectors = vectors  # for the cosine the answer's reading weighs (None: the cross-encoder alone)
        # Diseases the guides are not about (the domain file's "not_about"); named in a question,
        # they must be named in the passages too, or a passage would answer about another disease.
        self.domain = settings.domain
        self.other_diseases = self.domain.other_diseases  # compiled once
        # Not about health or care at all ("tell me one joke"): not answered from the guides. The
        # model reads the index embedder's vector of the question; with another embedder it is not used.
        topic = load_topic_model() if vectors is not None else None
        if topic is not None and topic.embedder != settings.index.embedding_model:
            log.warning("the everyday-request model reads %s vectors, the index uses %s: not used (train it for this embedder "
                        "with 'python -m relevance topic')", topic.embedder, settings.index.embedding_model)
            topic = None
        self.topic = topic

    def _other_diseases_asked(self, query: Query, passages_text: str) -> list[str]:
        """The diseases the guides are not about that the question asks about and no passage names.

        Such a question is not answered from these guides, whether it asks about the disease alone or
        sets it beside one they cover ("lupus and scleroderma same thing?", "morphea on her trunk: will
        it turn into scleroderma?"): the guides can say nothing of the other. The calibration writers
        labelled 24 of 26 such questions "not answered" and none "answered" (`relevance/README.md`,
        stop 39). What is asked is the turn's own words; a follow-up's carried subject counts only when
        the turn names no condition the guides cover ("and in scleroderma?" after a turn on a drug's
        history as a cancer drug asks about scleroderma)."""
        if self.other_diseases is None:
            return []
        scope = query.own_words if self.domain.named_conditions(query.own_words) else query.text
        named = {_disease_key(m.group(0)) for m in self.other_diseases.finditer(straighten(passages_text))}
        asked = (m.group(0) for m in self.other_diseases.finditer(straighten(scope)))
        return list(dict.fromkeys(d for d in asked if _disease_key(d) not in named))

    def _everyday(self, query: Query, passages: Sequence[Passage], scored: Sequence[Scored]) -> float | None:
        """P(the question is an everyday request, not about health or care) when it reaches the
        everyday-request model's cut-off (``assistant.topic``), else None. Not read for a question that
        names what the documents are about, nor when a passage is the person's own upload (their
        document may be about anything)."""
        cosines = [s.cosine for s in scored if s.cosine is not None]
        if self.topic is None or self.vectors is None or not cosines:
            return None
        if self.names_guide_thing(query) or any(p.chunk.owner for p in passages):
            return None
        everyday = self.topic.everyday(self.vectors.get([query.text])[0], max(cosines))
        return everyday if everyday >= self.topic.cut else None

    def assess(self, query: Query, passages: Sequence[Passage], opens: bool = True) -> Evidence:
        """``opens``: the question opens a conversation. Only such a question is read for whether it
        is about health or care at all: a follow-up ("and how do I sign up") takes its topic from its
        conversation, which its own words may not carry. A question a passage answers in full is
        about the documents, whatever its words, and is not read for it either."""
        if not passages:
            return Evidence("none", 0.0, 0.0, "nothing retrieved", query.text)
        scored = score_sentences(self.model, query.text, passages, self.vectors)
        best = max((s.model_probability for s in scored), default=0.0)
        text = " ".join(p.chunk.embedding_text() for p in passages)
        missing = missing_aspects(query.text, text)
        t = self.model.thresholds
        chance = t.coverage(best, bool(missing))
        evidence = Evidence("full", best, chance, "", query.text, missing, _unknown_names(query, text, self.documents_know), tuple(scored))
        other = self._other_diseases_asked(query, text)
        if other:
            return _with(evidence, "none", f"the guides are not about {', '.join(other)}")
        everyday = self._everyday(query, passages, scored) if opens and chance < t.full else None
        if everyday is not None:
            return replace(evidence, coverage="none", reason=EVERYDAY_REASON.format(p=everyday), everyday=True)
        if chance < t.covered:
            return _with(evidence, "none", f"P(covered) {chance:.2f} is below {t.covered:.2f}")
        if missing or chance < t.full:
            why = f"the passages do not give {', '.join(missing)}" if missing else f"P(covered) {chance:.2f} is below {t.full:.2f}"
            return _with(evidence, "partial", why)
        return _with(evidence, "full", f"P(covered) {chance:.2f}")


def _disease_key(name: str) -> str:
    """A disease's name as a question or a passage may spell it: "Raynaud's", "Raynaud’s" and "raynauds" alike."""
    return re.sub(r"'?s$", "", straighten(name).lower())


# The words the aspects are asked with: a misspelling of one ("side efect", "dosege") is read as it.
ASPECT_RESPELL_CUTOFF = 0.8  # difflib ratio
ASPECT_WORDS = tuple(
    """dose doses dosage dosing side effect effects adverse cost costs price insurance expensive afford prevalence
    incidence statistics brand prevent prevention inherited hereditary cure curable diet nutrition diagnosed
    diagnosis diagnose hospital clinic""".split()
)
_FIRST_QUESTION = re.compile(r"(?:^|(?<=[.!?]))\s*[^.!?]*\?")


def asking_part(question: str) -> str:
    """The part of a message that asks: from its first question on. A story before it tells what
    happened ("he was diagnosed two years ago"), not what is asked."""
    match = _FIRST_QUESTION.search(question)
    return question[match.start():].strip() if match else question


def missing_aspects(question: str, passages_text: str) -> tuple[str, ...]:
    """What the question asks for that needs specific evidence (a dose, a cost...) the text never gives."""
    asked = respelt(asking_part(question), ASPECT_WORDS, ASPECT_RESPELL_CUTOFF, min_length=4)
    return tuple(a.name for a in ASPECTS if a.asked.search(asked) and not a.answered.search(passages_text))


def score_sentences(
    model: RelevanceModel, question: str, passages: Sequence[Passage], vectors: TextVectors | None = None,
    keep: Callable[[str], bool] | None = None,
) -> list[Scored]:
    """Every statement of the passages with P(it answers), likeliest first. The model keeps each
    pair's score, so the gate, the answer and the suggestions pay for a pair once. With ``vectors``
    the probability also weighs the bi-encoder's cosine and, when the question bank knows every
    candidate (by its text: all are the guides' sentences), the closest labelled question each
    answers (``RelevanceModel.answering``). ``keep`` chooses the sentences read (default: statements,
    ``is_statement``)."""
    keep = keep or is_statement
    found = [(c, p) for p in passages for c in chunk_sentences(p.chunk) if keep(c.text)]
    texts = [c.model_text for c, _ in found]
    alone = model.score(question, texts)
    near: list[Neighbour | None] = [None] * len(texts)
    if vectors is not None and model.reading is not None and texts:
        asked = vectors.get([question])[0]
        cosines = [float(x) for x in vectors.get(texts) @ asked]
        if model.bank is not None:
            near = model.bank.neighbours(asked, [text_hash(c.text) for c, _ in found])
            if any(n is None for n in near):  # a sentence the bank does not know: the whole answer is read without it
                near = [None] * len(texts)
        probabilities = model.answering(question, texts, cosines, near)
    else:
        cosines, probabilities = [None] * len(texts), alone
    questions = model.bank.questions if model.bank is not None else []
    scored = [Scored(c, p, pr, a, cos, None if n is None else n.cosine, questions[n.row] if n is not None and n.row >= 0 else None,
                     None if n is None else n.vote)
              for (c, p), pr, a, cos, n in zip(found, probabilities, alone, cosines, near, strict=True)]
    return sorted(scored, key=lambda s: (-s.probability, s.passage.n, s.candidate.start))


class ReadingReranker:
    """Reranks passages by the answer's reading (``score_sentences``: the cross-encoder with the
    bi-encoder's cosine and, over the guides, the question bank), so the passages an answer is
    chosen from are ranked by the same P that chooses its sentences. A passage scores its best
    statement's P. A passage with no statement (a list, a table, headings: a user's upload may be
    all of these) scores its best sentence's P by the reading without the bank, which is calibrated
    to the same P; it can still be passed whole to a language model."""

    def __init__(self, model: RelevanceModel, vectors: TextVectors) -> None:
        self.model = model
        self.vectors = vectors

    def rank_passages(self, question: str, chunks: Sequence[Chunk]) -> list[float]:
        indexed = [Passage(n=i + 1, chunk=c, score=0.0) for i, c in enumerate(chunks)]  # n: its place, from 1
        best = self._best(question, indexed, is_statement)
        bare = [p for p in indexed if p.n not in best]
        if bare:  # every sentence of theirs read (with the bank only if it knows them all)
            best |= self._best(question, bare, lambda _: True)
        return [best.get(p.n, 0.0) for p in indexed]

    def _best(self, question: str, passages: Sequence[Passage], keep: Callable[[str], bool]) -> dict[int, float]:
        best: dict[int, float] = {}
        for s in score_sentences(self.model, question, passages, self.vectors, keep):
            best[s.passage.n] = max(best.get(s.passage.n, 0.0), s.probability)
        return best


def choose_answer(scored: Sequence[Scored], thresholds: Thresholds, vectors: TextVectors) -> list[Scored]:
    """The sentences an answer shows, likeliest first: the best, then others at least
    ``thresholds.answer`` likely and ``thresholds.relative`` of the best, skipping repeats, at most
    ``thresholds.max_sentences`` (all three fitted). Nothing is added to fill a length."""
    if not scored:
        return []
    best = scored[0].probability
    wanted = [s for s in scored if s is scored[0] or thresholds.shows(s.probability, best)]
    vectors_of = vectors.get([s.candidate.text for s in wanted])
    chosen: list[int] = []
    for index in range(len(wanted)):
        if any(float(np.dot(vectors_of[index], vectors_of[j])) > REPEAT_COSINE for j in chosen):
            continue
        chosen.append(index)
        if len(chosen) == thresholds.max_sentences:
            break
    return [wanted[i] for i in chosen]


def is_statement(sentence: str) -> bool:
    """A sentence that can stand in an answer: not a heading or a question the guide asks itself."""
    sentence = sentence.strip()
    return len(sentence) > 30 and sentence.endswith((".", "!", '."', ".”")) and not sentence.endswith("?")


def asked_sentence(text: str) -> str:
    """The sentence of a message that asks: its last question ("How long will he live? He is 78,
    ALS two years." asks the first), else its last sentence ("tell me about tofersen")."""
    parts = _sentences(text)
    return ([p for p in parts if p.rstrip().endswith("?")] or parts or [text])[-1]


def naming_sentence(text: str, names_something: Callable[[str], bool]) -> str | None:
    """The sentence that asks (``asked_sentence``) if it names what is asked (``names_something``:
    a focus word), else the last sentence before it that does ("Anything in the guide?" gives way
    to "He wants to know what's still approved."); None when no sentence names anything."""
    asked = asked_sentence(text)
    if names_something(asked):
        return asked
    parts = _sentences(text)
    before = parts[: parts.index(asked)] if asked in parts else []
    return next((p for p in reversed(before) if names_something(p)), None)


def _sentences(text: str) -> list[str]:
    return [p for p in re.split(r"(?<=[.?!])\s+", text.strip()) if p.strip()]


def _unknown_names(query: Query, passages_text: str, documents_know: Callable[[str, bool], bool]) -> tuple[str, ...]:
    """Focus words of the sentence that asks (``asked_sentence``: not the story around it) that
    name something the guides don't mention ("tizanidine"): no retrieved passage has them (as such, by
    stem or misspelt), nor any other passage the question reader was given (``documents_know``: the
    indexed guides and shared library; "The guides don't say anything about X" is said of the guides,
    not of what was retrieved; a session's own upload counts only where retrieved), no English dictionary knows
    them, and they are no English word misspelt (``misspelt_english``: "clincs") or typed as said
    (``informal_spelling``: "comin"). A word with no vowel ("tms", "hsct", "wrks") is an abbreviation
    or text-speak whose meaning cannot be checked against the guides (they may spell it out), so it
    is never named."""
    vocabulary = {w for w in words(passages_text) if w not in STOPWORDS and len(w) > 2}
    stems = {stem(v) for v in vocabulary}
    english = english_words()
    asked = set(words(asked_sentence(query.text)))
    return tuple(
        w for w in query.focus
        if w in asked and w not in english and w not in vocabulary and stem(w) not in stems
        and any(v in w for v in VOWELS)
        and not (len(w) >= MIN_TYPO_LENGTH and difflib.get_close_matches(w, vocabulary, n=1, cutoff=0.85))
        and not misspelt_english(w, english) and not informal_spelling(w, english)
        and not documents_know(w, typed_in_capitals(w, query.original))
    )


def typed_in_capitals(word: str, message: str) -> bool:
    """Whether the person typed ``word`` (lower case) in capitals, a plural's "s" apart ("ILD", "OTs"):
    an abbreviation, whose letters may be the initials of words the guides use."""
    return any(re.search(rf"\b{re.escape(w.upper())}s?\b", message) for w in {word, word.removesuffix("s")} if w)


def _with(evidence: Evidence, coverage: Coverage, reason: str) -> Evidence:
    return replace(evidence, coverage=coverage, reason=reason)
