"""Which scored sentences an answer shows (``assistant.evidence.choose_answer``): the likeliest
first, then every other the relevance model scores above the cut-offs, never a sentence that
does not answer to fill a length, and never the same thing twice. Scores are scripted: this is
about our own rule, not the model."""

from __future__ import annotations

import numpy as np

from assistant.evidence import Scored, choose_answer
from assistant.relevance import Candidate, Thresholds
from assistant.types import Passage
from index.chunking import Chunk

THRESHOLDS = Thresholds(
    answer=0.5, relative=0.6, max_sentences=6, coverage_intercept=0.0, coverage_best=1.0, coverage_aspect_missing=0.0,
    covered=0.2, full=0.6,
)


class _Vectors:
    """Unit vectors scripted per text (our own logic under test, not the embedder)."""

    def __init__(self, same: dict[str, str] | None = None) -> None:
        self.same = same or {}

    def get(self, texts: list[str]) -> np.ndarray:
        keys = sorted({self.same.get(t, t) for t in texts})
        return np.array([np.eye(len(keys))[keys.index(self.same.get(t, t))] for t in texts])


def _scored(*pairs: tuple[str, float]) -> list[Scored]:
    chunk = Chunk("c1", "guide", "Guide", " ".join(t for t, _ in pairs), 0, 0, 0)
    passage = Passage(1, chunk, 1.0)
    return [Scored(Candidate(chunk, text, "", 0, 0), passage, p, p) for text, p in pairs]


def test_every_sentence_above_the_cut_offs_is_shown_however_many_and_nothing_below() -> None:
    # "what else can doctors try": a list of options, each answering
    options = [(f"Option {name} has helped some patients.", 0.9 - i * 0.02) for i, name in enumerate("abcdef")]
    shown = choose_answer(_scored(*options, ("ALS is a hard disease to live with.", 0.3)), THRESHOLDS, _Vectors())
    assert [s.candidate.text for s in shown] == [t for t, _ in options]


def test_no_more_sentences_than_the_fitted_maximum_are_shown():
    options = [(f"Option {name} has helped some patients.", 0.9 - i * 0.02) for i, name in enumerate("abcdef")]
    shown = choose_answer(_scored(*options), Thresholds(**{**THRESHOLDS.__dict__, "max_sentences": 2}), _Vectors())
    assert [s.candidate.text for s in shown] == [t for t, _ in options[:2]]


def test_the_best_sentence_leads_and_a_weak_second_is_not_shown_beside_a_sure_answer() -> None:
    scored = _scored(("Riluzole modestly prolongs survival.", 0.95), ("Treatment resistance is common.", 0.52))
    shown = choose_answer(scored, THRESHOLDS, _Vectors())
    assert [s.candidate.text for s in shown] == ["Riluzole modestly prolongs survival."]  # 0.52 < 0.6 x 0.95


def test_the_best_sentence_is_shown_even_below_the_answer_cut_off() -> None:
    # the gate decided the question is covered; the answer then leads with its likeliest sentence
    shown = choose_answer(_scored(("Palliative care emphasizes comfort.", 0.35), ("Other text.", 0.1)), THRESHOLDS, _Vectors())
    assert [s.candidate.text for s in shown] == ["Palliative care emphasizes comfort."]


def test_a_sentence_the_guides_repeat_is_shown_once() -> None:
    same = {"ALS, also known as Lou Gehrig's disease, is progressive.": "als", "ALS (Lou Gehrig's disease) is progressive.": "als"}
    scored = _scored(("ALS, also known as Lou Gehrig's disease, is progressive.", 0.9), ("ALS (Lou Gehrig's disease) is progressive.", 0.88))
    assert len(choose_answer(scored, THRESHOLDS, _Vectors(same))) == 1
