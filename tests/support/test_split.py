"""The support check's writers split once: training, tuning and test writers never share a writer; the test pairs a
training writer also wrote (word for word or one word away) are found, so the report can give the figures without them
(``support.data.seen_in_training``)."""

from __future__ import annotations

from support.data import TEST_WRITERS, TRAINING_WRITERS, TUNING_WRITERS, claim_words, labelled, near_copy, seen_in_training


def test_the_three_parts_share_no_writer() -> None:
    parts = [set(TRAINING_WRITERS), set(TUNING_WRITERS), set(TEST_WRITERS)]
    assert sum(len(p) for p in parts) == len(set().union(*parts))


def test_the_test_pairs_a_training_writer_also_wrote_are_found() -> None:
    test = labelled(TEST_WRITERS)
    seen = seen_in_training(test)
    training = {}
    for p in labelled(TRAINING_WRITERS):
        training.setdefault(p.statement_id, []).append(claim_words(p.claim))
    # every one found has a training claim of its statement within one word, and every other has none
    assert seen and all(any(near_copy(claim_words(p.claim), t) for t in training[p.statement_id]) for p in seen)
    ids = {p.id for p in seen}
    assert not [p.id for p in test if p.id not in ids and any(claim_words(p.claim) == t for t in training.get(p.statement_id, ()))]


def test_near_copy_is_one_word_changed_added_or_left_out() -> None:
    claim = claim_words("Edaravone may slow decline in some patients.")
    assert near_copy(claim, claim_words("Edaravone might slow decline in some patients."))  # one word changed
    assert near_copy(claim, claim_words("Edaravone may slow decline in patients."))  # one left out
    assert near_copy(claim_words("It doesn't work for everyone."), claim_words("It does not work for everyone."))
    assert not near_copy(claim, claim_words("Edaravone slows decline in all patients."))
    assert not near_copy(claim, claim_words("Edaravone might slow decline in all patients."))  # two words changed
    assert not near_copy(claim, claim_words("Edaravone may slow decline."))  # two left out
    assert not near_copy(claim, claim_words("Riluzole may modestly prolong survival in patients."))
