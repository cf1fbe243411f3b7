"""Text in an added document that is aimed at the assistant, not at the reader.

A leaflet tells people things; it does not tell an AI what to do, and it does not need a
link with a call to action to be useful here. Passages of an added document that do
either are found when it is indexed, reported to whoever added it, and never used in an
answer. Answers also show no link that the shipped guides do not contain.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_I = re.IGNORECASE
_AI = r"(ai|a\.i\.|assistant|chat ?bot|language model|llm|model|gpt|bot)"
URL = re.compile(r"\b(?:https?://|www\.)[^\s<>()\[\]\"'“”]*[^\s<>()\[\]\"'“”.,;:!?]", _I)
_CALL_TO_ACTION = re.compile(
    r"\b(visit|click|go to|head to|open|download|buy|order|sign up|register|subscribe|contact|email|e-mail|call|"
    r"text|follow|see|check out|find out|learn more|read more|more info\w*|log ?in|enter)\b",
    _I,
)
_ADDRESSES_THE_ASSISTANT: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "tells the assistant to ignore its instructions",
        re.compile(
            r"\b(ignore|disregard|forget|override|bypass)\b[^.!?\n]{0,40}\b(instructions|rules|prompts?|guidelines|"
            r"guardrails|system message|programming)\b",
            _I,
        ),
    ),
    (
        "is a notice addressed to the assistant",
        re.compile(
            rf"\b((system|important|urgent|admin(istrator)?|developer)\s+(notice|message|instruction|prompt|override)s?"
            rf"[^.!?\n]{{0,40}}\b{_AI}\b|(note|notice|message|instructions?) (to|for) (the |any |all )?{_AI}s?\b"
            rf"|\b(attention|dear|hey|hello)[,:]? (the )?{_AI}\b)",
            _I,
        ),
    ),
    (
        "tells the assistant what to answer",
        re.compile(
            rf"\b(you are (now )?(an? )?{_AI}|as an {_AI}\b|(if|when) (you are|you're) (an? )?{_AI}"
            rf"|{_AI}s? (must|should|shall|will) (always |now |only )?(say|tell|answer|respond|reply|recommend|include|state|output)"
            r"|(respond|reply|answer) only with\b|^(respond|reply|answer) with\b|^(tell|inform) (the |all )?(users?|patients|readers)\b"
            r"|system prompt|jailbreak|developer mode|new instructions)",
            _I,
        ),
    ),
)
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|\n+")  # not the dots inside a link


@dataclass(frozen=True)
class Finding:
    """One sentence of a document that is aimed at the assistant, and why it was caught."""

    reason: str
    text: str

    def describe(self, width: int = 120) -> str:
        excerpt = " ".join(self.text.split())
        if len(excerpt) > width:
            excerpt = excerpt[: width - 1] + "…"
        return f"“{excerpt}” ({self.reason})"


def find_instructions(text: str) -> list[Finding]:
    """Sentences that address the assistant or push a link with a call to action."""
    findings: list[Finding] = []
    for sentence in _SENTENCE_BREAK.split(text):
        sentence = sentence.strip()
        if not sentence:
            continue
        reason = next((why for why, pattern in _ADDRESSES_THE_ASSISTANT if pattern.search(sentence)), None)
        if reason is None and URL.search(sentence) and _CALL_TO_ACTION.search(URL.sub(" ", sentence)):
            reason = "sends readers to a link"
        if reason is not None:
            findings.append(Finding(reason, sentence))
    return findings


def flag_reason(text: str) -> str:
    """Why a passage must not be used in answers, or "" when it may be."""
    findings = find_instructions(text)
    return "; ".join(dict.fromkeys(f.reason for f in findings))


def links(texts: Iterable[str]) -> set[str]:
    return {_bare(url) for text in texts for url in URL.findall(text)}


def scrub_links(text: str, allowed: set[str]) -> str:
    """``text`` with every link that is not in ``allowed`` (the shipped guides' links) taken out."""
    return URL.sub(lambda m: m.group() if _bare(m.group()) in allowed else "(link removed)", text)


def _bare(url: str) -> str:
    return url.rstrip(".,;:!?").lower()
