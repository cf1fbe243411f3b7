"""Every fixed message reads at Flesch-Kincaid grade 6 or below: people read them tired, worried
or in a hurry, and a notice they cannot read protects no one."""

from __future__ import annotations

import pytest

import assistant.phrases as phrases
from assistant.phrases import NOT_COVERED_ANSWER, WHAT_THEY_COVER
from core.settings import Settings
from plain.readability import flesch_kincaid_grade
from tests.conftest import GUIDES_DIR
from ui import answering, documents, layout

FILLED = {"{missing}": "doses", "{asked}": "how long tizanidine takes to work", "{covers}": "medicines", "{waiting}": "6", "{place}": "2",
          "{brand}": "CellCept", "{medicine}": "mycophenolate mofetil"}


def _messages() -> list[tuple[str, str]]:
    found = []
    for module in (phrases, answering, documents, layout):
        for name in dir(module):
            value = getattr(module, name)
            if name.isupper() and isinstance(value, str) and len(value.split()) > 3:
                for field, example in FILLED.items():
                    value = value.replace(field, example)
                found.append((f"{module.__name__}.{name}", value))
    return found


@pytest.mark.parametrize(("name", "text"), _messages())
def test_a_fixed_message_reads_at_grade_6_or_below(name, text):
    assert flesch_kincaid_grade(text) <= 6.0, f"{name}: {text}"


def test_not_covered_with_what_the_guides_do_cover_reads_at_grade_6_or_below():
    covers = Settings(corpus={"guides_dir": GUIDES_DIR}).domain.what_they_cover
    assert flesch_kincaid_grade(f"{NOT_COVERED_ANSWER} {WHAT_THEY_COVER.format(covers=covers)}") <= 6.0
