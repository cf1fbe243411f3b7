"""The support check's writers split once: training, tuning and test writers never share a writer, and no claim the check
is measured or tuned on reaches training, word for word or one word away (``support.data.training_pairs``)."""

from __future__ import annotations

from support.data import TEST_WRITERS, TRAINING_WRITERS, TUNING_WRITERS, claim_words, labelled, near_copy, training_pairs


def test_the_three_parts_share_no_writer() -> None:
    parts = [set(TRAINING_WRITERS), set(TUNING_WRITERS), set(TEST_WRITERS)]
    assert sum(len(p) for p in parts) == len(set().union(*parts))


def test_no_training_pair_is_a_tuning_or_test_claim_or_one_word_from_one() -> None:
    held = labelled(TEST_WRITERS) + labelled(TUNING_WRITERS)
    by_statement: dict[str, list[tuple[str, ...]]] = {}
    for p in held:
        by_statement.setdefault(p.statement_id, []).append(claim_words(p.claim))
    words = {claim_words(p.claim) for p in held}
    kept = training_pairs()
    assert kept, "the training writers' pairs are all dropped"
    assert not [p.id for p in kept if claim_words(p.claim) in words]
    assert not [p.id for p in kept if any(near_copy(claim_words(p.claim), h) for h in by_statement.get(p.statement_id, ()))]
    # the training writers wrote such claims: the filter is what keeps them out
    everything = labelled(TRAINING_WRITERS)
    assert len(kept) < len(everything)


def test_near_copy_is_one_word_changed_added_or_left_out() -> None:
    claim = claim_words("Edaravone may slow decline in some patients.")
    assert near_copy(claim, claim_words("Edaravone might slow decline in some patients."))  # one word changed
    assert near_copy(claim, claim_words("Edaravone may slow decline in patients."))  # one left out
    assert near_copy(claim_words("It doesn't work for everyone."), claim_words("It does not work for everyone."))
    assert not near_copy(claim, claim_words("Edaravone slows decline in all patients."))  # two words
    assert not near_copy(claim, claim_words("Riluzole may modestly prolong survival in patients."))
