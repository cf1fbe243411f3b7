"""How the extractive answer picks its sentences (``assistant.generators.choose_sentences``): the
likeliest first, within a word budget; never a fixed count of sentences."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from assistant.generators import choose_sentences


def _candidates(texts: list[str]) -> list[SimpleNamespace]:
    return [SimpleNamespace(text=t) for t in texts]


def test_an_answer_of_many_short_facts_keeps_them_all_when_they_fit_the_budget() -> None:
    # "what else can doctors try" is answered by a list of short sentences; a count cap cut the last ones
    texts = [f"Option {name} has helped some patients." for name in "abcdefg"]
    chosen = choose_sentences(_candidates(texts), [0.9 - i * 0.01 for i in range(7)], np.eye(7), p_min=0.1, word_budget=60)
    assert [texts[i] for i in chosen] == texts


def test_the_budget_stops_the_answer_and_a_less_likely_sentence_never_jumps_the_queue() -> None:
    texts = ["One two three four five six.", "A much longer sentence of more than the few words left in this budget.", "Short one."]
    chosen = choose_sentences(_candidates(texts), [0.9, 0.8, 0.7], np.eye(3), p_min=0.1, word_budget=12)
    assert chosen == [0]


def test_a_near_repeat_is_skipped_and_unlikely_sentences_are_left_out() -> None:
    texts = ["Riluzole slows ALS a little.", "Riluzole slows ALS slightly.", "Edaravone slows decline.", "ALS is hard."]
    vectors = np.array([[1.0, 0, 0], [1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0]])
    chosen = choose_sentences(_candidates(texts), [0.9, 0.85, 0.6, 0.05], vectors, p_min=0.1, word_budget=100)
    assert chosen == [0, 2]
