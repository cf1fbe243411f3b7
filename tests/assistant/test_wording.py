"""Answer sentences carry both wordings: the checked plain one and the guide's own."""

from __future__ import annotations

from assistant.wording import AnswerSentence, answer_sentence, render

GUIDE = "Currently, the only FDA-approved medication specifically for ALS is riluzole, which modestly prolongs survival."
PLAIN = "Riluzole is the only FDA-approved medicine for ALS. It modestly helps people live longer."
NEXT = "Another approved drug, edaravone, has been shown to slow functional decline in certain patients."


class Layer:
    def plain(self, sentence: str) -> str | None:
        return {GUIDE: PLAIN}.get(sentence)


def test_plain_first_the_guide_one_click_away() -> None:
    sentence = answer_sentence(GUIDE, 2, Layer())
    assert sentence == AnswerSentence(PLAIN, GUIDE, 2, True)
    assert render([sentence]) == f"{PLAIN} [2]"
    assert render([sentence], as_guide_says=True) == f"{GUIDE} [2]"
    assert sentence.to_dict() == {"text": PLAIN, "guide_text": GUIDE, "n": 2, "plain": True, "origin": ""}


def test_without_a_plain_version_the_guide_is_quoted() -> None:
    assert answer_sentence(NEXT, 1, Layer()) == AnswerSentence(NEXT, NEXT, 1, False)
    assert answer_sentence(GUIDE, 1, None).plain is False


def test_a_sentence_with_its_follower_gets_each_looked_up() -> None:
    sentence = answer_sentence(f"{GUIDE} {NEXT}", 3, Layer())
    assert sentence.text == f"{PLAIN} {NEXT}"
    assert sentence.guide_text == f"{GUIDE} {NEXT}"
