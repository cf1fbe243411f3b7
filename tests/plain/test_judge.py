"""The calibrated LLM judge on the real local model refuses the issue's bad rewrites on its
own (the cheap checks bypassed), in the direction each one fails, and keeps a faithful one."""

from __future__ import annotations

import pytest

from plain.judge import make_judge
from index.plain import PlainEntry
from plain.build import PENDING, judge_check
from plain.rewrite import PROMPT_VERSION

pytestmark = pytest.mark.slow

RILUZOLE = (
    "Currently, the only FDA-approved medication specifically for ALS is riluzole, which modestly prolongs "
    "survival and delays disease progression."
)
TOFERSEN = (
    "Notably, the drug tofersen, an antisense therapy targeting SOD1 mutations, has shown potential in "
    "reducing disease progression in early trials."
)


@pytest.fixture(scope="module")
def judge(local_chat_model):
    return make_judge("llm", model=local_chat_model)


def _judged(judge, source: str, plain: str) -> PlainEntry:
    entry = PlainEntry(source=source, plain=None, model="m", prompt_version=PROMPT_VERSION, reason=PENDING, candidate=plain)
    return judge_check(entry, judge)


def test_an_added_claim_is_refused(judge) -> None:
    entry = _judged(judge, RILUZOLE, "Riluzole is the only medicine for ALS. It cures the disease and makes people live forever.")
    assert entry.plain is None
    assert "does not support" in entry.reason


def test_a_renamed_drug_is_refused(judge) -> None:
    entry = _judged(judge, TOFERSEN, "Forsen helps stop a disease called SOD1. It works like a magic pill.")
    assert entry.plain is None


def test_a_rewrite_that_drops_the_finding_is_refused(judge) -> None:
    entry = _judged(judge, TOFERSEN, "Tofersen is a drug.")
    assert entry.plain is None
    assert "loses part" in entry.reason  # true as far as it goes, but nearly everything is gone


def test_a_faithful_rewrite_is_kept(judge) -> None:
    plain = "Riluzole is the only FDA-approved medicine made for ALS. It helps people live a little longer and slows the disease."
    entry = _judged(judge, RILUZOLE, plain)
    assert entry.plain == plain, entry.reason
