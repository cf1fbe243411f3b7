"""The whole chain with the real local model (Qwen2.5-Coder-1.5B GGUF through llama.cpp)."""

from __future__ import annotations

import pytest

from assistant.chain import AnswerChain
from assistant.citations import split_all
from assistant.generators import ChatGenerator
from assistant.phrases import MAY_BE_INCOMPLETE, NOT_COVERED

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def local_chain(guides_assistant, local_chat_model) -> AnswerChain:
    generator = ChatGenerator(local_chat_model, "local", local_chat_model.model_path.name)
    return AnswerChain(guides_assistant.settings, guides_assistant.retriever, guides_assistant.vectors, generator)


def _ask(chain: AnswerChain, question: str):
    events = list(chain.stream(question))
    answer = events[-1].answer
    assert "".join(e.text for e in events if e.kind == "delta") == answer.answer
    return answer


def test_the_local_model_answers_with_checked_citations(local_chain):
    answer = _ask(local_chain, "What does riluzole do?")
    assert answer.generator == "local" and answer.coverage != "none" and NOT_COVERED not in answer.answer
    assert "riluzole" in answer.answer.lower()
    by_n = {c.n: c for c in answer.citations}
    assert {c.document_id for c in answer.citations} & {"als-treatment", "als-living"}
    # every checked sentence cites a passage of the answer (a plain version may say it in several short sentences)
    assert answer.sentences and all(s.n in by_n for s in answer.sentences), answer.sentences
    for sentence in (s for s in split_all(answer.answer) if s != MAY_BE_INCOMPLETE):
        assert any(sentence.split(" [")[0] in s.text for s in answer.sentences), sentence
    assert answer.timings_ms["first_token"] <= answer.timings_ms["total"]


def test_the_local_model_is_not_called_when_the_guides_do_not_cover_the_question(local_chain):
    answer = _ask(local_chain, "What is the capital of France?")
    assert answer.coverage == "none" and NOT_COVERED in answer.answer
    assert answer.generator == "none" and answer.checks == []
