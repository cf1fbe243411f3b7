"""The citation check and fallbacks, driven by a scripted chat model (our logic under test)
over the real retriever and embedder."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.outputs import ChatGenerationChunk

from assistant.chain import AnswerChain
from assistant.generators import ChatGenerator
from assistant.phrases import NOT_COVERED
from assistant.prompts import SYSTEM_PROMPT
from assistant.wording import render

QUESTION = "What does riluzole do?"


def _chain(guides_assistant, *drafts: str) -> AnswerChain:
    model = GenericFakeChatModel(messages=iter([AIMessage(content=d) for d in drafts]))
    generator = ChatGenerator(model, "scripted")
    return AnswerChain(guides_assistant.settings, guides_assistant.retriever, guides_assistant.vectors, generator)


def _answer(chain: AnswerChain, question: str = QUESTION, history=()):
    return list(chain.stream(question, history))[-1].answer


def _n_of(answer, doc_id: str) -> int:
    return next(p.n for p in answer.retrieved if p.chunk.doc_id == doc_id and "riluzole" in p.chunk.text)


def test_a_supported_sentence_is_kept_and_an_invented_one_removed(guides_assistant):
    probe = _answer(_chain(guides_assistant, "x"))
    n = _n_of(probe, "als-treatment")
    chain = _chain(
        guides_assistant,
        f"Riluzole modestly prolongs survival and delays disease progression [{n}]. "
        f"Riluzole also cures muscle cramps in children within a week [{n}].",
    )
    answer = _answer(chain)
    assert "prolongs survival" in answer.answer and "cramps" not in answer.answer
    assert [c.action for c in answer.checks] == ["kept", "removed"]
    assert [c.n for c in answer.citations] == [n]


def test_a_wrong_citation_is_moved_to_the_passage_that_supports_the_sentence(guides_assistant):
    probe = _answer(_chain(guides_assistant, "x"))
    right = _n_of(probe, "als-treatment")
    wrong = next(p.n for p in probe.retrieved if p.n != right and "prolongs survival" not in p.chunk.text)
    answer = _answer(_chain(guides_assistant, f"Riluzole modestly prolongs survival and delays disease progression [{wrong}]."))
    assert answer.checks[0].action == "recited"
    assert f"[{right}]" in answer.answer and f"[{wrong}]" not in answer.answer


def test_a_figure_not_in_the_passage_removes_the_sentence(guides_assistant):
    probe = _answer(_chain(guides_assistant, "x"))
    n = _n_of(probe, "als-treatment")
    answer = _answer(_chain(guides_assistant, f"Riluzole prolongs survival by 50 mg a day for 3 years [{n}]."))
    assert "50 mg" not in answer.answer and "3 years" not in answer.answer
    assert answer.checks[0].action == "removed"


def test_a_covered_question_whose_draft_is_all_unsupported_gets_checked_guide_sentences(guides_assistant):
    answer = _answer(_chain(guides_assistant, "Riluzole is made from sea salt [1]. It was invented in 1850 [2]."))
    assert "sea salt" not in answer.answer and "1850" not in answer.answer and NOT_COVERED not in answer.answer
    assert "prolongs survival" in render(answer.sentences, as_guide_says=True) and answer.citations
    assert answer.generator.startswith("extractive (fallback")


def test_the_model_saying_not_in_guides_on_a_covered_question_falls_back_to_the_guides(guides_assistant):
    answer = _answer(_chain(guides_assistant, "NOT_IN_GUIDES"))
    assert "NOT_IN_GUIDES" not in answer.answer and "riluzole" in answer.answer.lower() and answer.citations


def test_a_question_the_guides_do_not_cover_gets_the_fixed_phrase_without_the_model(guides_assistant):
    answer = _answer(_chain(guides_assistant, "Paris is the capital of France [1]."), "What is the capital of France?")
    assert answer.coverage == "none" and NOT_COVERED in answer.answer and answer.citations == []
    assert answer.generator == "none"


def test_a_leaked_system_prompt_is_never_shown(guides_assistant):
    answer = _answer(_chain(guides_assistant, SYSTEM_PROMPT.replace("\n", " ") + " [1]."))
    assert "Never add facts" not in answer.answer and "Rules" not in answer.answer


class _Broken(ChatGenerator):
    def stream(self, question, passages) -> Iterator[str]:
        raise ConnectionError("endpoint down")


def test_a_failing_generator_falls_back_to_the_extractive_answer(guides_assistant):
    chain = AnswerChain(
        guides_assistant.settings, guides_assistant.retriever, guides_assistant.vectors,
        _Broken(GenericFakeChatModel(messages=iter([])), "openai"),
    )
    answer = _answer(chain)
    assert answer.generator.startswith("extractive (fallback: openai failed")
    assert "riluzole" in answer.answer.lower() and answer.citations


def test_the_model_rewrites_a_follow_up_when_it_can(guides_assistant):
    from assistant.types import Turn

    chain = _chain(guides_assistant, "Which of the medicines approved for ALS slows functional decline?", "Edaravone slows functional decline [1].")
    history = [Turn("Which medicines are approved for ALS?", "Riluzole and edaravone.")]
    answer = _answer(chain, "Which one of those slows decline?", history)
    assert answer.standalone_question == "Which of the medicines approved for ALS slows functional decline?"


@pytest.mark.parametrize(
    ("buffer", "complete", "rest"),
    [
        ("Riluzole helps [1]. Edaravone", ["Riluzole helps [1]."], "Edaravone"),
        ("Riluzole helps. [1] [2] Edaravone slows [2]. It", ["Riluzole helps. [1] [2]", "Edaravone slows [2]."], "It"),
        ("Riluzole helps [1].", [], "Riluzole helps [1]."),
    ],
)
def test_streamed_drafts_are_cut_into_whole_sentences_with_their_citations(buffer, complete, rest):
    from assistant.citations import split_complete

    assert split_complete(buffer) == (complete, rest)


def _follow_up(guides_assistant, draft: str):
    """The issue's case: a follow-up whose answer names one medicine for another's effect."""
    from assistant.types import Turn

    standalone = "Which of the medicines approved for ALS slows functional decline?"
    probe = _answer(_chain(guides_assistant, standalone, "x"), "Which one of those slows functional decline?",
                    [Turn("Which medicines are approved for ALS?", "Riluzole and edaravone.")])
    n = next(p.n for p in probe.retrieved if "functional decline" in p.chunk.text)
    chain = _chain(guides_assistant, standalone, draft.format(n=n))
    return _answer(chain, "Which one of those slows functional decline?", [Turn("Which medicines are approved for ALS?", "Riluzole and edaravone.")])


def test_a_medicine_given_another_medicines_effect_is_not_kept_though_every_word_is_in_the_passage(guides_assistant):
    answer = _follow_up(guides_assistant, "Riluzole slows functional decline. [{n}]")
    assert "Riluzole slows functional decline" not in answer.answer
    check = answer.checks[0]
    assert check.action in ("rewritten", "removed") and check.reason, check
    # what the guide says instead, if anything, is its own statement: edaravone slows functional decline
    if check.action == "rewritten":
        assert "edaravone" in answer.answer.lower()
    # the reason is what `ask --json` prints for the sentence
    assert answer.to_dict()["checks"][0]["reason"] == check.reason


def test_the_right_medicine_with_its_hedge_is_kept(guides_assistant):
    answer = _follow_up(guides_assistant, "Edaravone has been shown to slow functional decline in certain patients. [{n}]")
    assert answer.checks[0].action == "kept", answer.checks[0]
    assert "edaravone" in answer.answer.lower()


@pytest.mark.parametrize(
    "claim",
    [
        "Stem cell transplants replace degenerating neurons in ALS.",  # the guide: "aims to replace or support"
        "All patients respond favorably to riluzole and edaravone.",  # the guide: "not all patients respond favorably"
    ],
)
def test_a_claim_that_drops_the_guides_hedge_or_negation_is_not_shown_as_written(guides_assistant, claim):
    probe = _answer(_chain(guides_assistant, "x"), "What about stem cells and how well do the ALS medicines work?")
    ns = "".join(f"[{p.n}]" for p in probe.retrieved)
    answer = _answer(_chain(guides_assistant, f"{claim} {ns}"), "What about stem cells and how well do the ALS medicines work?")
    assert claim.rstrip(".") not in answer.answer
    assert answer.checks[0].action in ("rewritten", "removed") and answer.checks[0].reason


class _StoppedAtLimit(GenericFakeChatModel):
    """A scripted model that, like llama.cpp and OpenAI servers, reports finish_reason "length" on its last chunk."""

    def _stream(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        yield from super()._stream(*args, **kwargs)
        yield ChatGenerationChunk(message=AIMessageChunk(content="", response_metadata={"finish_reason": "length"}))


def _chain_at_limit(guides_assistant, *drafts: str) -> AnswerChain:
    model = _StoppedAtLimit(messages=iter([AIMessage(content=d) for d in drafts]))
    return AnswerChain(guides_assistant.settings, guides_assistant.retriever, guides_assistant.vectors, ChatGenerator(model, "scripted"))


@pytest.mark.parametrize(
    ("ending", "at_limit"),
    [
        (" [{n}]" * 40 + " [{n}", False),  # cut inside a marker: the open marker shows it
        (" [{n}]" * 40, True),  # cut after one (review of stop 47)
        (" are being developed to silence or correct", True),  # cut in the middle of the sentence
    ],
)
def test_a_draft_cut_off_at_its_length_limit_is_not_shown_as_a_fragment(guides_assistant, ending, at_limit):
    """Seen with the local model on dev_test: it repeated "[1]" until its token limit, and the fragment before the
    repeats was shown as "Patients with specific genetic mutations [1 [1]"."""
    question = "Who gets the gene therapies?"
    probe = _answer(_chain(guides_assistant, "x"), question)
    n = next(p.n for p in probe.retrieved if "specific genetic mutations" in p.chunk.text)
    make = _chain_at_limit if at_limit else _chain
    answer = _answer(make(guides_assistant, "Patients with specific genetic mutations" + ending.format(n=n)), question)
    check = answer.checks[0]
    assert check.action in ("rewritten", "removed") and check.reason.startswith("cut off"), check
    assert "[1 [" not in answer.answer and f"[{n} [" not in answer.answer
    if check.action == "rewritten":  # the guide's own, whole statement
        assert "antisense oligonucleotides" in answer.answer



def test_a_draft_that_ends_by_choice_without_a_full_stop_is_shown(guides_assistant):
    """A model that stops by itself may end on a list item or a quote: not cut off (second review of stop 47)."""
    probe = _answer(_chain(guides_assistant, "x"))
    n = _n_of(probe, "als-treatment")
    answer = _answer(_chain(guides_assistant, f"Riluzole modestly prolongs survival and delays disease progression [{n}]"))
    assert answer.checks[0].action == "kept", answer.checks[0]
