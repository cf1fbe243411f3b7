"""Red flags, checked before retrieval.

Emergencies and crisis statements stop everything and get fixed guidance at once.
Dose, diagnosis and stop-a-medicine questions get a care-team notice; whatever the guides
say about the subject is still given, with citations, never a dose or a diagnosis.
Instruction-like text is flagged and then treated as plain text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.phrases import CARE_TEAM, CRISIS, EMERGENCY

_I = re.IGNORECASE
_RULES: list[tuple[str, re.Pattern[str]]] = [
    (
        "crisis",
        re.compile(
            r"\b(kill(ing)? (my|him|her)sel(f|ves)|end(ing)? (it all|my (own )?life)|take my (own )?life|suicid\w*"
            r"|want(ed)? to die|wish (i|I) (was|were) dead|better off dead|no (reason|point) (in )?(to )?(living|live|going on)"
            r"|(don'?t|do not|doesn'?t|does not) want to (live|be alive|go on|keep going|keep living|wake up|be here)"
            r"|no (reason|point) (in |to )?(go(ing)? on|keep(ing)? going|liv\w*)|can'?t (do|take) (this|it) any ?more"
            r"|(cannot|can not) (do|take) (this|it) any ?more|(thinking|thought) (of|about) ending it|end(ing)? it all"
            r"|no point any ?more|(don'?t|do not) want to be a burden|(tired|sick) of (being|bein) (a )?burden|(i'?m|i am|am|being|bein) (just )?a burden|hurt(ing)? myself|self[- ]harm)",
            _I,
        ),
    ),
    (
        "emergency",
        re.compile(
            r"(can'?t|cannot|can not|unable to|struggling to|hard to|trouble|isn'?t|is not|not|stopped) ?breath(e|ing)\b"
            r"|\b(choking|choked|chok(es|ing) on)\b|\bchest pains?\b|\b(blue|grey|gray) (lips|face|skin)\b"
            r"|\blips (are |look |looks |turn(ed|ing)? )?(a (little|bit) |kind of |slightly )?(blue|grey|gray)\b|\bbreathing is (really |very )?(shallow|noisy|rattling)\b"
            r"|\bsuddenly (really |very )?short of breath\b|\bchest (feels |is |getting )?(really |very )?tight\b|\bunconscious\b|\bwon'?t wake( up)?\b"
            r"|\b(passed|passing) out\b|\bseizure\b|\bfitting\b|\bgasping\b|\boverdose\b|\bsevere bleeding\b"
            r"|\bcan'?t swallow (at all|anything)\b|\bsuffocat\w*|\bturning blue\b",
            _I,
        ),
    ),
    (
        "dose",
        re.compile(
            r"\b(dose|doses|dosage|dosing|overdose|milligrams?|mg|how (much|many) (\w+ ){0,3}(should|can|do|to) (i|he|she|we|they) (take|give|use))\b"
            r"|\bhow (often|many times) (\w+ ){0,3}(take|give)\b|\b(double|extra|missed) (a )?(dose|pill|tablet)s?\b",
            _I,
        ),
    ),
    (
        "stop_medication",
        re.compile(
            r"\b(stop|stopping|quit|quitting|come off|coming off|skip|skipping|halve|cut down)\b (\w+ ){0,3}"
            r"(riluzole|edaravone|tofersen|nintedanib|rituximab|tocilizumab|abatacept|methotrexate|mycophenolate|cyclophosphamide|"
            r"medicines?|medications?|meds|drugs?|pills?|tablets?|treatments?|infusions?|injections?)\b",
            _I,
        ),
    ),
    (
        "diagnosis",
        re.compile(
            r"\b(do|could|might|may) (i|he|she|my \w+|we) (have|has|be getting) (als|scleroderma|systemic sclerosis|lou gehrig|mnd|motor neuron)"
            r"|\b(is|could) (it|this|that) (be )?(als|scleroderma)\b|\bdiagnose (me|him|her|my)\b|\bam i (dying|sick)\b"
            r"|\bwhat do i have\b|\bdo i have\b",
            _I,
        ),
    ),
    (
        "injection",
        re.compile(
            r"\b(ignore|disregard|forget) (all |any |the |your )?(previous |prior |above |earlier )?(instructions|rules|prompts?)\b"
            r"|\b(system prompt|developer (message|mode)|jailbreak|you are now|act as|pretend (to be|you are)|reveal your|print your (prompt|instructions))",
            _I,
        ),
    ),
]
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'"})
BLOCKING = {"emergency": EMERGENCY, "crisis": CRISIS}


@dataclass(frozen=True)
class SafetyFlag:
    kind: str
    message: str  # shown before anything else; empty for flags the user needs no notice of
    blocking: bool  # True: answer with the message only, no retrieval, no model


def check_safety(question: str) -> SafetyFlag | None:
    """The most serious red flag in a question, or None."""
    # Phones type curly apostrophes ("can’t breathe"); the patterns are written with straight ones.
    question = question.translate(_APOSTROPHES)
    for kind, pattern in _RULES:
        if pattern.search(question):
            if kind in BLOCKING:
                return SafetyFlag(kind, BLOCKING[kind], blocking=True)
            return SafetyFlag(kind, CARE_TEAM.get(kind, ""), blocking=False)
    return None


def without_instructions(question: str) -> str:
    """The question without its instruction-like sentences ("Ignore previous instructions.
    What does riluzole do?" is searched as "What does riluzole do?"); unchanged if that is all it is."""
    injection = dict(_RULES)["injection"]
    sentences = re.split(r"(?<=[.!?])\s+", question.translate(_APOSTROPHES))
    kept = [s for s in sentences if not injection.search(s)]
    return " ".join(kept) if kept and len(kept) < len(sentences) else question
