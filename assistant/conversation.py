"""Follow-up questions become standalone questions, so retrieval works on turn two.

"Which one of those slows decline?" after "Which medicines are approved for ALS?" cannot be
searched on its own. A chat model rewrites it when one is configured; otherwise (and when
the model's rewrite is unusable) the previous standalone question is attached as context.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from assistant.generators import Generator
from assistant.lexical import TOPIC_WORDS, focus_words, words
from assistant.types import Turn

log = logging.getLogger(__name__)

_REFERS_BACK = re.compile(
    r"\b(it|its|they|them|their|those|these|that|this|one|ones|he|she|him|her|same|other|others|former|latter|either|both|there)\b",
    re.IGNORECASE,
)
_CONTINUES = re.compile(r"^\s*(and|but|also|so|what about|how about|and what|what else|why|how come|anything else|more)\b", re.IGNORECASE)


def is_follow_up(question: str) -> bool:
    """True when the question leans on what was said before."""
    names_topic = any(w in TOPIC_WORDS for w in words(question))
    return bool(_REFERS_BACK.search(question) or _CONTINUES.search(question)) or (
        not names_topic and len(focus_words(question)) <= 1
    )


def standalone_question(question: str, history: Sequence[Turn], generator: Generator | None = None) -> str:
    """The question as it can be searched without the conversation."""
    if not history or not is_follow_up(question):
        return question
    if generator is not None:
        try:
            rewritten = generator.rewrite(question, history)
        except Exception:  # a failing model must not stop the answer: fall back below
            log.exception("rewriting the follow-up with %s failed; using the previous question as context", generator.name)
            rewritten = None
        if rewritten and set(focus_words(rewritten)) - set(focus_words(question)):
            return rewritten
    previous = history[-1].standalone_question or history[-1].question
    return f"{question.rstrip()} (follow-up to: {previous})"
