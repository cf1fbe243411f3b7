"""Red flags, checked before retrieval.

Emergencies and crisis statements stop everything and get fixed guidance at once: the phrases, and
two models this project trains read them (the emergency-now model, ``assistant.urgency``; the crisis
model, ``assistant.crisis``: someone, the writer or a person they care for, thinking of ending their
life or harming themselves).
Dose, diagnosis and stop-a-medicine questions get a care-team notice; whatever the guides
say about the subject is still given, with citations, never a dose or a diagnosis.
Instruction-like text is flagged and then treated as plain text.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import lru_cache

from assistant.lexical import MG_AS_DOSE, MIN_TYPO_LENGTH, english_words, respelt
from assistant.phrases import (
    CHOKING_ADVICE,
    CHOKING_NOTICE,
    CRISIS,
    CRISIS_TITLE,
    DIAGNOSIS_ADVICE,
    DIAGNOSIS_NOTICE,
    DOSE_ADVICE,
    DOSE_NOTICE,
    EMERGENCY,
    EMERGENCY_MENTIONED_ADVICE,
    EMERGENCY_MENTIONED_NOTICE,
    EMERGENCY_TITLE,
    STOP_MEDICATION_ADVICE,
    STOP_MEDICATION_NOTICE,
)
from core.errors import GuideError
from plain.checks import is_medicine

log = logging.getLogger(__name__)
_I = re.IGNORECASE
# Emergency words as they are typed in a hurry or dictated ("not breating", "lips blu", "chokin",
# "chocking"): a word no dictionary knows, this close to one of these, is read as it, by the
# phrases and by the emergency-now model (which read "pls mam not breating good her lips blu" as
# no emergency, and the respelt message as one, P 0.99).
EMERGENCY_VOCABULARY = tuple(
    """breathe breathing breath breathes blue grey gray lips face skin purple chest pain pains tight unconscious
    wake passed passing seizure fitting gasping overdose bleeding swallow suffocate suffocating choking choked
    turning shallow noisy rattling short""".split()
)
CRISIS_MIN_WORDS = 4  # left when instruction-like words are taken out: fewer, and the crisis model does not read it
RESPELL_CUTOFF = 0.85  # difflib's ratio: "breating" 0.94, "blu" 0.86; "graphing" (0.80) stays graphing
_STOPPING = r"\b(stop|stopping|quit|quitting|come off|coming off|skip|skipping|halve|cut down)\b"
_MEDICINE_WORDS = r"medicines?|medications?|meds|drugs?|pills?|tablets?|treatments?|infusions?|injections?"  # a medicine unnamed


@dataclass(frozen=True)
class GuideNames:
    """The guides' own names some red flags are recognised by, so another corpus brings its own."""

    medicines: Collection[str] = ()  # the domain file's medicines, and guide terms no dictionary knows
    conditions: tuple[str, ...] = ()  # every name of the guides' conditions (the domain file's)


def _stops_a_named_medicine(question: str, names: GuideNames) -> bool:
    """ "stop the edaravone": a stopping word, then within four words a medicine the guides name (also misspelt)."""
    return bool(names.medicines) and any(
        _a_guide_medicine(word, names) for match in _STOPS_NAMED.finditer(question) for word in match.group(2).lower().split()
    )


# "does omeprazole stop cellcept working", "can grapefruit stop my meds from working": a medicine, food or drink
# stopping a medicine working is a question about the medicine failing, not about stopping it. Only then: "stop"
# after a medicine or one of these (the last word of what stops it), then the medicine's name alone (or "my meds",
# "the pills"), then "(from) working". A person ("can I", "can the doctor", "do nurses", "can grandma") or anything
# else stopping it still gets the notice, as does every other stopping word.
_SOMETHING_STOPS = re.compile(
    r"\b(?:does|do|did|can|could|will|would|might|may)\s+(?P<who>[\w-]+(?:\s+[\w-]+){0,2}?)\s+(?P<stop>stop)\s+"
    r"(?:(?:the|my|his|her|their|your|our)\s+)?(?P<what>[\w-]+(?:\s+(?!from\b)[\w-]+)?)\s+(?:from\s+)?workin[g]?\b",
    _I,
)
_MEDICINES_SAID = re.compile(rf"^(?:{_MEDICINE_WORDS})$", _I)
_TAKEN_WITH = re.compile(
    r"^(?:antacids?|vitamins?|supplements?|antibiotics?|steroids?|painkillers?|grapefruits?|alcohol|coffee|caffeine|juice|"
    r"foods?|milk|dairy|smoking|cigarettes?|beer|wine|tea|herbs?|herbal|cbd|cannabis|iron|calcium|magnesium|"
    r"ibuprofen|aspirin|paracetamol|acetaminophen|tylenol|advil|antihistamines?)$",  # common medicines a dictionary knows
    _I,
)


def _only_stops_it_working(question: str, names: GuideNames) -> bool:
    """Every stopping word of the question is a medicine, food or drink stopping a medicine working
    (``_SOMETHING_STOPS``): what stops it ends in a medicine's name or one of ``_TAKEN_WITH``, and the
    words between "stop" and "working" are all a medicine's."""
    stops = {m.start() for m in re.finditer(_STOPPING, question, _I)}
    working = {
        m.start("stop") for m in _SOMETHING_STOPS.finditer(question)
        if _taken(m.group("who").split()[-1].lower(), names)
        and all(_MEDICINES_SAID.match(w) or _a_guide_medicine(w, names) for w in m.group("what").lower().split())
    }
    return bool(stops) and stops <= working


def _taken(word: str, names: GuideNames) -> bool:
    """A word for something taken: a medicine (by name, also misspelt, or by a drug's ending, also without its final
    "e" when no dictionary knows the word: "omeprazol", not "person" or "grandson"), or food or drink."""
    return bool(_TAKEN_WITH.match(word) or _MEDICINES_SAID.match(word) or _a_guide_medicine(word, names)
                or is_medicine(word) or (word not in english_words() and is_medicine(word + "e")))


def _a_guide_medicine(word: str, names: GuideNames) -> bool:
    """A medicine the guides name, also misspelt ("cellsept", "rilzole")."""
    return word in names.medicines or respelt(word, sorted(names.medicines), RESPELL_CUTOFF, MIN_TYPO_LENGTH) in names.medicines


def _asks_if_they_have_one(question: str, names: GuideNames) -> bool:
    """ "could he have ALS", "is it scleroderma": whether someone has one of the guides' conditions."""
    return bool(names.conditions) and bool(_having(names.conditions).search(question))


_CHOKING = re.compile(r"\b(choking|choked|chokes on)\b", _I)
# Choking said to happen again and again ("keeps choking on thin liquids", "chokes when he
# drinks"), not now: a question for the care team, and for the guides' swallowing passages.
_CHOKING_OFTEN = re.compile(
    r"\b(keeps?|kept|often|sometimes|always|frequently|regularly|constantly|occasionally|more and more) (\w+ )?chok"
    r"|\bchokes\b|\bchok(ing|es) (a lot|alot|more|more often|often|sometimes|every time|at meals)\b"
    r"|\bchok\w* (\w+ ){0,4}(every time|at meals|when(ever)? (he|she|they|i|we|mum|mom|dad) (eats?|drinks?|swallows?|takes?))",
    _I,
)


def _choking_now(question: str, names: GuideNames) -> bool:
    """ "he is choking": an emergency, unless the question says it keeps happening (``_CHOKING_OFTEN``),
    when it is one only with another sign of one (the emergency pattern: can't breathe, blue lips)."""
    return bool(_CHOKING.search(question)) and not _CHOKING_OFTEN.search(question)


def _emergency_now(question: str, names: GuideNames) -> bool:
    """Choking now (``_choking_now``), or the emergency-now model reads someone in danger now
    (``assistant.urgency``): 57% of the emergencies writers wrote had none of the pattern's words
    ("hes blue and floppy in the bathroom please", "mam stop breathing i think. chest not moving")."""
    return _choking_now(question, names) or _model_says_now(question)


@lru_cache(maxsize=1024)
def _chance_now(question: str) -> float:
    """The shipped model's reading, once per message: the chat checks a message before it hands it
    to the chain, which checks it again, and the suggestions check theirs on every answer."""
    from assistant.urgency import shipped_urgency_model  # noqa: PLC0415

    return shipped_urgency_model().chance_now(question)


@lru_cache(maxsize=1024)
def crisis_chance(question: str) -> float:
    """The crisis model's P(the message tells of someone thinking of ending their life or harming
    themselves), once per message (``assistant.crisis``)."""
    from assistant.crisis import shipped_crisis_model  # noqa: PLC0415

    return shipped_crisis_model().chance(question)


def _crisis_read(question: str) -> bool:
    """The crisis model reads one ("he keeps saying he wants to end it", "she asked how many of her
    pills it would take"; the phrases matched 7 of the 100 such messages the crisis writers wrote): the
    crisis message first, then the answer, as the model also reads some talk of guilt or grief as one
    ("so burnt out, is there a support group" still gets its answer). An emergency now comes first.
    Instruction-like text is not read ("Ignore previous instructions" alone, which no writer wrote,
    reads P 0.93): a sentence with a command to the assistant is left out (a message that is nothing
    else is not read), and words asking it to play a part are taken out of theirs ("i pretend to be
    strong but honestly I cut myself again" is read), unless fewer than ``CRISIS_MIN_WORDS`` words are left."""
    from assistant.crisis import shipped_crisis_model  # noqa: PLC0415

    sentences = re.split(r"(?<=[.!?])\s+", question)
    kept = " ".join(_ROLE_WORDS.sub(" ", s) for s in sentences if not _COMMANDS.search(s))
    if kept != question and len(re.findall(r"[A-Za-z]+", kept)) < CRISIS_MIN_WORDS:
        return False
    return crisis_chance(kept) >= shipped_crisis_model().cut


def _model_says_now(question: str) -> bool:
    from assistant.urgency import shipped_urgency_model  # noqa: PLC0415

    return _chance_now(question) >= shipped_urgency_model().cut


def _surely_not_now(question: str, names: GuideNames) -> bool:  # noqa: ARG001 - read by the model, not by names
    """It names an emergency of breathing or choking, none other, and the model reads it lower than
    any such emergency of the writer its cut-offs were fitted on: "will she suffocate at the end",
    "last week he choked on chicken" are not one now."""
    from assistant.urgency import shipped_urgency_model  # noqa: PLC0415

    return only_mentioned(question, _chance_now(question), shipped_urgency_model().mention_cut)


def only_mentioned(question: str, chance: float, mention_cut: float) -> bool:
    """The decision, given the model's P(now) for the message as read (``as_read``): the model may
    read a message with emergency words as no emergency now only if it names none of the
    emergencies it was not trained on (``OTHER_EMERGENCY_WORDS``), and only below ``mention_cut``.
    Its training report computes its figures with this too."""
    return not OTHER_EMERGENCY_WORDS.search(question) and chance < mention_cut


@lru_cache(maxsize=8)
def _having(conditions: tuple[str, ...]) -> re.Pattern[str]:
    named = "|".join(re.escape(n) for n in sorted(conditions, key=len, reverse=True))
    return re.compile(
        rf"\b(do|could|might|may) (i|he|she|my \w+|we) (have|has|be getting) ({named})\b|\b(is|could) (it|this|that) (be )?({named})\b", _I
    )


# Words of an emergency of breathing or choking ("can't breathe", "lips blue", "suffocating"): one
# now, unless the emergency-now model, trained on such messages, is sure it is not happening now
# ("will she suffocate at the end").
BREATHING_EMERGENCY_WORDS = re.compile(
    r"(can'?t|cannot|can not|unable to|struggling to|hard to|trouble|isn'?t|is not|not|stopped) ?breath(e|ing)\b"
    r"|\b(blue|grey|gray) (lips|face|skin)\b|\blips (\w+ ){0,4}(blue|grey|gray|purple)\b"
    r"|\bbreathing is (really |very )?(shallow|noisy|rattling)\b|\bsuddenly (really |very )?short of breath\b"
    r"|\bgasping\b|\bsuffocat\w*|\bturning blue\b",
    _I,
)
# Words of other emergencies ("chest pain", "seizure", "overdose"): an emergency now whatever the
# model reads. It was not trained on the others; it was on medicines taken wrongly (u3), but its
# cut-offs were chosen on breathing and choking only, so "overdose" still stops every message.
OTHER_EMERGENCY_WORDS = re.compile(
    r"\bchest pains?\b|\bchest (feels |is |getting )?(really |very )?tight\b|\bunconscious\b|\bwon'?t wake( up)?\b"
    r"|\b(passed|passing) out\b|\bseizure\b|\bfitting\b|\boverdose\b|\bsevere bleeding\b|\bcan'?t swallow (at all|anything)\b",
    _I,
)
EMERGENCY_WORDS = re.compile(f"{BREATHING_EMERGENCY_WORDS.pattern}|{OTHER_EMERGENCY_WORDS.pattern}", _I)

# Instruction-like text: commands to the assistant, and words that ask it to play a part ("act as",
# "pretend to be"), which ordinary sentences also use ("i pretend to be strong but ...").
_COMMANDS = re.compile(
    r"\b(ignore|disregard|forget) (all |any |the |your )?(previous |prior |above |earlier )?(instructions|rules|prompts?)\b"
    r"|\b(system prompt|developer (message|mode)|jailbreak|reveal your|print your (prompt|instructions))",
    _I,
)
_ROLE_WORDS = re.compile(r"\b(you are now|act as|pretend (to be|you are))", _I)

_STOPS_NAMED = re.compile(rf"{_STOPPING}((?: [\w-]+){{1,4}})", _I)


@dataclass(frozen=True)
class SafetyKind:
    """One kind of red flag: how it is recognised and what the user is told."""

    name: str
    pattern: re.Pattern[str]
    also: Callable[[str, GuideNames], bool] | None = None  # a further test by the guides' own names
    unless: Callable[[str, GuideNames], bool] | None = None  # a match does not count when this says so
    blocking: bool = False  # answer with the notice alone: no retrieval, no model
    notice: str = ""  # shown before anything else; empty for flags the user needs no notice of
    title: str = ""  # heading of the alert a blocking notice is shown in
    advice: str = ""  # what to ask the care team (the handout)


# The one table of safety kinds, most serious first (the first that matches wins); evals, the
# chat's alerts and the handout read it.
KINDS: tuple[SafetyKind, ...] = (
    SafetyKind(
        "crisis",
        re.compile(
            # the first person as before; another person only in forms a care wish never takes ("he wants to
            # die" but not "he wants to die at home / without tubes"; "she wants to end her life" but not
            # "end her life support"; "cutting herself"; "slit her wrists")
            r"\b(kill(ing)? (my|him|her)sel(f|ves)|end(ing)? (it all|my (own )?life)|take my (own )?life|suicid\w*"
            r"|(?<!n't )(?<!not )want(ed)? to die"
            r"|(?<!n't )(?<!not )wants to die\b(?! ?(at|in|with|without|on|peacefully|naturally|comfortably|alone|before|after|when|where|of|from)\b)"
            r"|(wan(ts|ted|na)|plans?|planning|tried|trying) to (end|take) (his|her|their) (own )?life\b(?![- ](support|sustaining|saving|prolonging))"
            r"|wan(t|ts|ted|na) to end it\b|\b(he|she|they)('s|'re| is| are) going to (end|take) (his|her|their) (own )?life\b(?![- ](support|sustaining|saving|prolonging))"
            r"|(talks?|talking|talked|thinks?|thinking|thought) (of|about) (ending|taking) (his|her|their|my) (own )?life\b(?![- ](support|sustaining|saving|prolonging))"
            r"|tak(e|es|ing) (his|her|their) own li(fe|ves)|(cutting|harming) (him|her)sel(f|ves)|(slit|slits|slitting|cut|cuts) (his|her|their|my) wrists?"
            r"|wish (i|I) (was|were) dead|better off dead|no (reason|point) (in )?(to )?(living|live|going on)"
            r"|(don'?t|do not|doesn'?t|does not) want to (live|be alive|go on|keep going|keep living|wake up|be here)"
            r"|no (reason|point) (in |to )?(go(ing)? on|keep(ing)? going|liv\w*)|can'?t (do|take) (this|it) any ?more"
            r"|(cannot|can not) (do|take) (this|it) any ?more|(thinking|thought) (of|about) ending it|end(ing)? it all"
            r"|no point any ?more|(don'?t|do not) want to be a burden|(tired|sick) of (being|bein) (a )?burden|(i'?m|i am|am|being|bein) (just )?a burden|hurt(ing)? myself|self[- ]harm)",
            _I,
        ),
        blocking=True,
        notice=CRISIS,
        title=CRISIS_TITLE,
    ),
    SafetyKind(
        "emergency",
        EMERGENCY_WORDS,
        also=_emergency_now,
        unless=_surely_not_now,
        blocking=True,
        notice=EMERGENCY,
        title=EMERGENCY_TITLE,
    ),
    SafetyKind(  # the emergency's words, read by the model as surely not happening now: the notice, then the answer
        "emergency_mentioned",
        BREATHING_EMERGENCY_WORDS,
        also=_choking_now,
        notice=EMERGENCY_MENTIONED_NOTICE,
        advice=EMERGENCY_MENTIONED_ADVICE,
    ),
    SafetyKind(  # choking that keeps happening, with no sign of an emergency now: the notice, then the answer
        "choking_often",
        _CHOKING_OFTEN,
        notice=CHOKING_NOTICE,
        advice=CHOKING_ADVICE,
    ),
    SafetyKind(
        "dose",
        re.compile(
            r"\b(dose|doses|dosage|dosing|overdose|milligrams?|how (much|many) (\w+ ){0,3}(should|can|do|to) (i|he|she|we|they) (take|give|use))\b"
            rf"|{MG_AS_DOSE}"
            r"|\bhow (often|many times) (\w+ ){0,3}(take|give)\b|\b(double|extra|missed) (a )?(dose|pill|tablet)s?\b",
            _I,
        ),
        notice=DOSE_NOTICE,
        advice=DOSE_ADVICE,
    ),
    SafetyKind(
        "stop_medication",
        re.compile(
            rf"{_STOPPING} (\w+ ){{0,3}}({_MEDICINE_WORDS})\b",
            _I,
        ),
        also=_stops_a_named_medicine,
        unless=_only_stops_it_working,
        notice=STOP_MEDICATION_NOTICE,
        advice=STOP_MEDICATION_ADVICE,
    ),
    SafetyKind(
        "diagnosis",
        re.compile(
            r"\bdiagnose (me|him|her|my)\b|\bam i (dying|sick)\b"
            r"|\bwhat do i have\b|\bdo i have\b|\bmis-?diagnos\w*",
            _I,
        ),
        also=_asks_if_they_have_one,
        notice=DIAGNOSIS_NOTICE,
        advice=DIAGNOSIS_ADVICE,
    ),
    SafetyKind(
        "injection",
        re.compile(f"{_COMMANDS.pattern}|{_ROLE_WORDS.pattern}", _I),
    ),
)
SAFETY_KINDS = tuple(kind.name for kind in KINDS)
BLOCKING = {kind.name: kind.notice for kind in KINDS if kind.blocking}  # emergency and crisis
_BY_NAME = {kind.name: kind for kind in KINDS}
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'"})


@dataclass(frozen=True)
class SafetyFlag:
    kind: str
    message: str  # shown before anything else; empty for flags the user needs no notice of
    blocking: bool  # True: answer with the message only, no retrieval, no model

    @property
    def urgent(self) -> bool:
        """An emergency or a crisis, also one only the crisis model reads: replied to at once, at the
        app's priority, never kept waiting for the local model."""
        return self.kind in BLOCKING  # a blocking flag is always one of these kinds


def as_read(question: str) -> str:
    """The message as the red flags read it: one space for any run of spaces, line breaks or
    no-break spaces (the chat reads "chest\npains" as the chain does), straight apostrophes (phones
    type "can’t"), and misspelt emergency words respelt (``EMERGENCY_VOCABULARY``)."""
    question = " ".join(question.translate(_APOSTROPHES).split())
    return respelt(question, EMERGENCY_VOCABULARY, RESPELL_CUTOFF, min_length=3)


def named_emergency(question: str, names: GuideNames = GuideNames()) -> bool:
    """The crisis and emergency phrases alone, without the emergency-now model (its training report compares the two)."""
    question = as_read(question)
    return any(kind.pattern.search(question) for kind in KINDS if kind.blocking) or _choking_now(question, names)


def check_safety(question: str, names: GuideNames = GuideNames()) -> SafetyFlag | None:
    """The most serious red flag in a question, or None. ``names``: the guides' medicines and
    condition names, so that "can he stop the edaravone" and "could my dad have ALS" are seen.

    A crisis (someone thinking of ending their life or harming themselves) is never dropped for
    another flag: with an emergency now, the emergency message and then the crisis message, alone
    ("he said he wants to die and took all his morphine, now hes not breathing"); named by the
    phrases, the crisis message alone; read by the crisis model only, the crisis message first, then
    any other notice, then the answer."""
    question = as_read(question)
    crisis_kind, *others = KINDS
    named = _matches(crisis_kind, question, names)
    for kind in others:
        if not _matches(kind, question, names):
            continue
        if kind.blocking:  # an emergency now: its message first, whatever else the crisis model can say
            message = "\n\n".join((kind.notice, crisis_kind.notice)) if named or _crisis_read_safely(question) else kind.notice
            return SafetyFlag(kind.name, message, True)
        if named:
            break
        if _crisis_read(question):
            return SafetyFlag(crisis_kind.name, "\n\n".join(n for n in (crisis_kind.notice, kind.notice) if n), False)
        return SafetyFlag(kind.name, kind.notice, kind.blocking)
    if named:
        return SafetyFlag(crisis_kind.name, crisis_kind.notice, True)
    return SafetyFlag(crisis_kind.name, crisis_kind.notice, False) if _crisis_read(question) else None


def _crisis_read_safely(question: str) -> bool:
    """The crisis model's reading beside an emergency: the emergency message never waits on it, nor
    fails with it (a missing model file is logged, and refused with what to run everywhere else)."""
    try:
        return _crisis_read(question)
    except GuideError as error:
        log.error("the crisis model could not read a message with an emergency: %s", error)
        return False


def _matches(kind: SafetyKind, question: str, names: GuideNames) -> bool:
    """Whether a question (as read) raises this kind of flag: its pattern or its further test, unless its exception holds."""
    found = bool(kind.pattern.search(question)) or (kind.also is not None and kind.also(question, names))
    return found and not (kind.unless is not None and kind.unless(question, names))


def without_instructions(question: str) -> str:
    """The question without its instruction-like sentences ("Ignore previous instructions.
    What does riluzole do?" is searched as "What does riluzole do?"); unchanged if that is all it is."""
    injection = _BY_NAME["injection"].pattern
    sentences = re.split(r"(?<=[.!?])\s+", question.translate(_APOSTROPHES))
    kept = [s for s in sentences if not injection.search(s)]
    return " ".join(kept) if kept and len(kept) < len(sentences) else question
