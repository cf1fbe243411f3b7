"""Follow-up questions become standalone questions, so retrieval works on turn two.

"Who can get it?" after "What is tofersen?" cannot be searched on its own. A follow-up is
a question that does not name its own subject (no condition, no medicine or other guide
term) and either points back ("it", "those", "the infusions": a definite "the" before a
thing not yet named in this question), starts as a continuation ("and", "what about") or is
only a few words ("side effects"); or one whose only subject is a condition and which points
back with a pronoun ("when is the time to get it for ALS"). It is resolved:
- by the chat model's rewrite when there is one and it adds the subject;
- a question that only names another condition ("and for scleroderma?", "same for sclero")
  asks the previous question again about that condition;
- otherwise by the previous turn's subject: put in place of a lone "it"
  ("Who can get tofersen?"), or added once as "(about: tofersen)". The subject is taken
  from the previous question without its own "(about: ...)", so rewrites never nest.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from assistant.generators import Generator
from assistant.lexical import focus_words, words
from assistant.query import QueryReader, about, bare_question, carried_subject
from assistant.types import Turn
from corpus.domain import whole_word

log = logging.getLogger(__name__)

_REFERS_BACK = re.compile(
    r"\b(it|its|they|them|their|those|these|that|this|one|ones|he|she|him|her|same|other|others|former|latter|either|both|there)\b"
    r"|\bthe (study|studies|trial|trials|drug|drugs|medicine|medicines|treatment|therapy|procedure|results?|research|device|machine|test)\b",
    re.IGNORECASE,
)
# "the sessions", "the infusions": a definite article before a thing this question has not named
# points back to the conversation; "the guide(s)", "the best/same/right ..." and idioms
# ("all the time", "by the way", "at night") do not, nor "the X of Y", which its "of" anchors
# ("the capital of France", "the side effects of tofersen").
_DEFINITE = re.compile(r"\bthe (?!guides?\b|best\b|right\b|same\b|most\b|first\b|last\b|next\b|other\b|new\b|time\b|way\b|day\b|moment\b|future\b|world\b|morning\b|night\b)[a-z]+\b(?!\s+of\b)", re.IGNORECASE)
_PRONOUN = re.compile(r"\b(it|its|they|them|their|those|these|that|this)\b", re.IGNORECASE)
# Words around a condition's name in "and for scleroderma?", "same for sclero", "what about ALS"
_SWITCH_WORDS = frozenset("and for same what about how also the thing question meaning too".split())
_CONTINUES = re.compile(r"^\s*(and|but|also|so|what about|how about|and what|what else|why|how come|anything else|more|then)\b", re.IGNORECASE)
_LEADING_ASK = re.compile(
    r"^\s*(?:(?:can|could) you )?(?:tell me (?:more )?about|explain|what|which|who|how|why|when|where|is|are|do|does|did|can|could|should|will|would)\b"
    r"(?:\s+(?:is|are|was|were|does|do|did|can|could|should|will|would|has|have))?\s*",
    re.IGNORECASE,
)
_TRAILING_VERB = re.compile(r"\s+(find|found|show|showed|say|said|do|does|mean|work|works|involve|help|cover)$", re.IGNORECASE)
_LONE_IT = re.compile(r"\b(it)\b", re.IGNORECASE)
SHORT_QUESTION_WORDS = 3  # "side effects", "who can get": too short to name a subject of its own


def names_subject(question: str, reader: QueryReader) -> bool:
    """The question names what it is about: a condition or a guide term no dictionary knows."""
    query = reader.read(question, brands=False)
    return bool(query.conditions) or any(w in reader.names for w in words(query.text))


def is_follow_up(question: str, reader: QueryReader) -> bool:
    """True when the question leans on what was said before (its brand names as written: "is Rilutek
    the same?" after "does riluzole help" asks about the earlier turn's medicine, and the guides'
    name read in its place would hide that; so in all of this module's readings)."""
    query = reader.read(question, brands=False)
    if any(w in reader.names for w in words(query.text)):
        return False  # it names its medicine, gene or procedure
    if query.conditions:  # only a condition: still a follow-up when a pronoun points back
        return bool(_PRONOUN.search(question)) or bool(_condition_switch(question, reader))
    short = len(words(question)) <= SHORT_QUESTION_WORDS
    return short or bool(_REFERS_BACK.search(question) or _CONTINUES.search(question) or _DEFINITE.search(question))


def _condition_switch(question: str, reader: QueryReader) -> str | None:
    """The condition a question only names ("and for scleroderma?" -> its label), else None."""
    query = reader.read(question, brands=False)
    if len(query.conditions) != 1:
        return None
    label = reader.domain.label(query.conditions[0])
    rest = [w for w in words(query.text) if w not in _SWITCH_WORDS and w not in words(label)]
    return label if not rest else None


def subject_of(turn: Turn, reader: QueryReader) -> str:
    """What a turn was about: its question without the asking words ("What is tofersen?" -> "tofersen")."""
    standalone = turn.standalone_question or turn.question
    bare = bare_question(standalone)
    carried = carried_subject(standalone)
    if carried and not names_subject(bare, reader):
        return carried  # the earlier turn was a follow-up itself: keep its subject, never nest
    subject = _TRAILING_VERB.sub("", _LEADING_ASK.sub("", bare).strip().rstrip("?.! "))
    return subject or bare


def standalone_question(
    question: str, history: Sequence[Turn], reader: QueryReader, generator: Generator | None = None
) -> str:
    """The question as it can be searched without the conversation."""
    if not history or not is_follow_up(question, reader):
        return question
    if generator is not None:
        try:
            rewritten = generator.rewrite(question, history)
        except Exception:  # a failing model must not stop the answer: fall back below
            log.exception("rewriting the follow-up with %s failed; using the previous subject", generator.name)
            rewritten = None
        topic = reader.domain.topic_words
        if rewritten and "(about:" not in rewritten and set(focus_words(rewritten, topic)) - set(focus_words(question, topic)):
            return rewritten
    switched = _condition_switch(question, reader)
    if switched:
        return _with_condition(bare_question(history[-1].standalone_question or history[-1].question), switched, reader)
    subject = subject_of(history[-1], reader)
    if len(subject.split()) <= 3 and len(_LONE_IT.findall(question)) == 1:
        return _LONE_IT.sub(subject, question, count=1)
    return about(question, subject)


def _with_condition(question: str, label: str, reader: QueryReader) -> str:
    """The question asked about another condition: its condition's names replaced (a disease the
    guides are not about too: "Is lupus treated with rituximab?", "and for scleroderma?"), or "for"
    it added."""
    read = reader.read(question, brands=False).text
    swapped = read
    for condition in reader.domain.conditions:
        if condition.label != label:
            swapped = whole_word(condition.label).sub(label, swapped)
    other_diseases = reader.domain.other_diseases
    if swapped == read and other_diseases is not None:
        swapped = other_diseases.sub(label, read)
    return swapped if swapped != read else f"{read.rstrip(' ?.!')} for {label}?"
