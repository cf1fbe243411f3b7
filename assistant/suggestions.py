"""Questions to ask next that the guides do answer, so a person who can't type much can go on.

Candidates come from the passages an answer cites (what they name and what they are about),
so they stay near the person's topic, in the words of a plain question; each is then put to the
same gate as a typed question (retrieval, then the relevance model in ``EvidenceJudge.assess``)
and kept only when the model scores the guides as answering it fully. After an answer the
guides don't give, there are none. Nothing here calls a language model: suggestions cost a few
retrievals and relevance scores.

    from assistant.suggestions import suggest_questions
    answer = bot.ask("What does riluzole do?")
    suggest_questions(bot, answer)   # e.g. ["What does edaravone do for people with ALS?", ...]
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Iterable, Sequence
from typing import TYPE_CHECKING

from assistant.lexical import STOPWORDS, SUBJECT_WORDS, focus_words, stem, words
from assistant.safety import BLOCKING, check_safety
from assistant.types import Answer
from corpus.domain import Domain
from index.chunking import Chunk

if TYPE_CHECKING:
    from assistant.api import Assistant

log = logging.getLogger(__name__)

MAX_SUGGESTIONS = 3
MAX_CHECKED = 16  # candidates put to the evidence gate per answer, at most (a retrieval each)

# "such as methotrexate, mycophenolate mofetil, or cyclophosphamide"; "like rituximab"
_LIST = re.compile(r"\b(?:such as|like|including|includes?)\s+([^.;:()]+)", re.IGNORECASE)
_LIST_SPLIT = re.compile(r",\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+")
# "Another approved drug, edaravone, ..."; "the drug tofersen"
_NAMED = re.compile(r"\b(?:drug|medication|medicine),\s+([a-z][a-z-]{4,}),|\bthe (?:drug|medication|medicine)\s+([a-z][a-z-]{4,})\b")
# The subject of a sentence that says what something does: "Physical therapy helps maintain ...",
# "Stem cell therapy also offers hope ...", "Smoking cessation, skin moisturization, ... can mitigate ..."
_SUBJECT = re.compile(
    r"(?:^|[.!?]\s+)(?:(?:[A-Z][a-z]+ly|However|Moreover|Therefore|Thus),\s+)?"
    r"([A-Za-z][a-z-]+(?: [a-z-]+){0,3}?)(?:,[^.]{0,80}?)?\s+(?:also\s+)?"
    r"(helps?|can help|may help|improves?|can improve|can mitigate|can reduce|offers?|empowers?|plays?|forms?)\b"
)
# A question the guide asks itself as a heading ("How does magnetic stimulation work?")
_HEADING = re.compile(r"^[A-Z][^\n?]{10,110}\?$", re.MULTILINE)
_POINTS_BACK = re.compile(r"\b(this|that|these|those|it|its|they|them)\b", re.IGNORECASE)
# Head words of things a person can do or be given: asked about as "How can X help ...?"
HELPING = frozenset(
    "therapy therapies treatment treatments transplantation stimulation support care management rehabilitation "
    "exercise exercises interventions medicine medicines agents drugs moisturization cessation education".split()
)
# Verbs that start list items which are aims, not things ("aim to slow progression and reduce symptoms")
ACTIONS = frozenset(
    "reduce reducing improve improving slow slowing increase increasing maintain maintaining keep keeping make "
    "making provide providing help helping support supporting prevent preventing manage managing delay".split()
)
# Modifiers too vague to name a thing ("various treatments", "primary treatments")
VAGUE = frozenset(
    "primary various common comprehensive many several different new current existing standard available effective "
    "specific certain significant initial main general overall potential possible additional alternative further "
    "identify targeted individual early late severe appropriate".split()
)
# Prepositions the stop-word list lacks: a phrase after one is not named by it ("despite therapy")
PREPOSITIONS = frozenset("despite without within toward towards via among upon unlike versus beyond across".split())
# Words of the question templates, not of what they ask about
TEMPLATE_WORDS = frozenset({"help", "work", "know"})
# Head words of other things worth a question of their own ("genetic testing", "clinical trials")
THINGS = frozenset("testing trials mutations technologies devices strategies".split())
_PHRASE = re.compile(r"\b((?:[a-z][a-z-]+ ){1,2})([a-z]+)\b")
# Words too general to make a question on their own ("What should people know about approach?")
GENERIC = frozenset(
    "approach approaches factors factor research studies study results result challenge challenges options option "
    "ways way role part hope cases case areas area aspects outcomes data trials trial future life quality".split()
)


def suggest_questions(
    assistant: Assistant,
    answer: Answer,
    asked: Sequence[str] = (),
    condition: str | None = None,
    limit: int = MAX_SUGGESTIONS,
) -> list[str]:
    """Up to ``limit`` questions the guides answer, about what ``answer``'s passages cover and
    not already asked (``asked``: the conversation's questions, in the user's words)."""
    if answer.safety in BLOCKING or answer.coverage == "none" or not answer.retrieved:
        return []  # after a safety notice or an answer the guides don't give, a new topic would jar
    cited = {c.chunk_id for c in answer.citations}
    topics = {c for p in answer.retrieved if p.chunk.chunk_id in cited for c in p.chunk.conditions}
    # the passages the answer cites first, then others about the same condition, then the rest;
    # then the other passages of the guides it cites, when those gave too few
    passages = sorted(
        answer.retrieved,
        key=lambda p: (p.chunk.chunk_id not in cited, bool(topics) and not topics & set(p.chunk.conditions), p.n),
    )
    chunks = [p.chunk for p in passages]
    documents = {c.document_id for c in answer.citations}
    rest = [c for c in assistant.retriever.chunks if c.doc_id in documents and c.chunk_id not in {k.chunk_id for k in chunks}]
    domain = assistant.settings.domain
    done = [_topic(q, domain.topic_words) for q in [*asked, answer.question, answer.standalone_question] if q]
    found: list[str] = []
    checked = 0
    for question in candidate_questions([*chunks, *sorted(rest, key=lambda c: (c.doc_id, c.ordinal))], domain):
        if len(found) >= limit or checked >= MAX_CHECKED:
            break
        wanted = _topic(question, domain.topic_words)
        if not wanted or any(wanted <= seen for seen in done):
            continue
        checked += 1
        if answered_by_guides(assistant, question, condition):
            found.append(question)
            done.append(wanted)
    return found


def answered_by_guides(assistant: Assistant, question: str, condition: str | None = None) -> bool:
    """True when the guides fully cover ``question``: the gate a typed question goes through."""
    if check_safety(question) is not None:
        return False
    condition = None if condition in (None, "", "all") else condition
    _, _, evidence = assistant.chain.assess(question, condition)  # read, searched and judged as if typed
    log.debug("suggestion %r: %s (%s)", question, evidence.coverage, evidence.reason)
    return evidence.coverage == "full"


def candidate_questions(chunks: Sequence[Chunk], domain: Domain | None = None) -> list[str]:
    """Plain questions about what the passages name and discuss, in the passages' order, each topic
    once; a passage's condition is named as the domain file labels it (as its key without one)."""
    seen: list[set[str]] = []
    out: list[str] = []
    topic_words = domain.topic_words if domain else frozenset()
    for chunk in chunks:
        condition = _condition_name(chunk.conditions, domain)
        for question in _from_passage(chunk.text, condition, SUBJECT_WORDS | topic_words):
            topic = _topic(question, topic_words)
            # once per topic: "brain magnetic stimulation" adds nothing to "magnetic stimulation"
            if topic and not any(topic <= other or other <= topic for other in seen):
                seen.append(topic)
                out.append(question)
    return out


def _topic(question: str, topic_words: Collection[str] = ()) -> set[str]:
    """The stems of what a question asks about, without its template's words or the guides' topic."""
    return {stem(w) for w in focus_words(question, topic_words) if w not in TEMPLATE_WORDS}


def _from_passage(text: str, condition: str, topic: Collection[str]) -> Iterable[str]:
    """Questions about what a passage names; ``topic``: words that name no topic of their own."""
    who = f"people with {condition}" if condition else "people with these conditions"
    for name in _named_things(text, topic):
        yield f"What does {name} do for {who}?"
    for term, verb in _subjects(text, topic):
        if "help" in verb or "improve" in verb or "mitigate" in verb or "reduce" in verb:
            yield f"How can {term} help {who}?"
        else:
            yield f"What should {who} know about {term}?"
    for term in _phrases(text, topic):
        if term.split()[-1] in HELPING:
            yield f"How can {term} help {who}?"
        else:
            yield f"What should {who} know about {term}?"
    for heading in _HEADING.findall(text):
        if not _POINTS_BACK.search(heading):
            yield heading.strip()
    for term in _listed_terms(text, topic):
        head = term.split()[-1].lower()
        if head in HELPING:
            yield f"How can {term} help {who}?"
        elif term.lower() not in GENERIC:
            yield f"What should {who} know about {term}?"


def _named_things(text: str, topic: Collection[str]) -> list[str]:
    names = []
    for match in _NAMED.finditer(text):
        name = (match.group(1) or match.group(2)).lower()
        if name not in STOPWORDS and name not in topic and name not in GENERIC and name not in names:
            names.append(name)
    return names


def _subjects(text: str, topic: Collection[str]) -> list[tuple[str, str]]:
    found = []
    for match in _SUBJECT.finditer(text):
        term, verb = match.group(1).lower(), match.group(2)
        term_words = words(term)
        if term_words and not any(w in STOPWORDS or w in topic or w in GENERIC or w.endswith("ly") for w in term_words):
            found.append((term, verb))
    return found


def _phrases(text: str, topic: Collection[str]) -> list[str]:
    """Two- and three-word names of treatments and other things ("stem cell therapy", "genetic testing")."""
    found: list[str] = []
    for sentence in re.split(r"[.;:!?,()]", text.lower()):
        for match in _PHRASE.finditer(sentence):
            head = match.group(2)
            if head not in HELPING and head not in THINGS:
                continue
            modifiers = [w for w in match.group(1).split() if w]
            # keep the modifiers right before the head that name it (no stop, topic or -ly words)
            while modifiers and (modifiers[0] in STOPWORDS or modifiers[0] in topic or modifiers[0] in GENERIC
                                 or modifiers[0].endswith(("ly", "ed", "ing")) or modifiers[0] in ACTIONS
                                 or modifiers[0] in VAGUE):
                modifiers.pop(0)
            # ...and none before a word that ends a noun's modifiers: "receive appropriate support",
            # "withdraw certain interventions", "requires specialized treatments" are about "support"
            cut = [i for i, w in enumerate(modifiers) if _ends_modifiers(w)]
            modifiers = modifiers[cut[-1] + 1:] if cut else modifiers
            if modifiers and not any(w in STOPWORDS or w in topic for w in modifiers):
                term = " ".join([*modifiers, head])
                if term not in found:
                    found.append(term)
    return found


def _ends_modifiers(word: str) -> bool:
    """A word no modifier of a noun stands before: a vague one ("certain"), a participle
    ("specialized"), a verb's -s form ("resists"), a preposition ("despite"), an aim ("reduce")."""
    verb_s = word.endswith("s") and not word.endswith(("ss", "us", "is", "ous"))
    return (word in VAGUE or word in ACTIONS or word in PREPOSITIONS or verb_s
            or (len(word) > 4 and word.endswith(("ed", "ing"))))


def _listed_terms(text: str, topic: Collection[str]) -> list[str]:
    """The items of the passage's lists ("such as A, B, or C"), each of one to four words."""
    terms: list[str] = []
    for match in _LIST.finditer(text):
        for item in _LIST_SPLIT.split(match.group(1)):
            item = re.sub(r"^(?:the|a|an|other|some|more)\s+", "", item.strip(), flags=re.IGNORECASE)
            item_words = words(item)
            if not 1 <= len(item_words) <= 4 or not re.fullmatch(r"[A-Za-z][A-Za-z -]*", item):
                continue
            if item_words[0] in STOPWORDS or item_words[0] in ACTIONS or any(w in topic for w in item_words):
                continue
            if "to" in item_words[1:] or any(_ends_modifiers(w) for w in item_words[:-1]):
                continue  # "the decision to pursue", "withdraw certain interventions": a clause, not a thing
            if any(w.endswith("ed") and len(w) > 4 for w in item_words):  # "volume being lowered": an event, not a thing
                continue
            if item not in terms:
                terms.append(item)
    return terms


def _condition_name(conditions: Sequence[str], domain: Domain | None) -> str:
    names = [domain.label(c) if domain else c for c in conditions]
    return names[0] if len(names) == 1 else ""
