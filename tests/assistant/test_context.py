"""What the chat model reads: the sentences of the passages the relevance model ranks highest, under their numbers."""

from __future__ import annotations

from assistant.context import relevant_excerpts
from assistant.evidence import score_sentences
from assistant.generators import ChatGenerator
from assistant.prompts import SYSTEM_PROMPT, format_passages


def _prompt(guides_assistant, question: str):
    passages = guides_assistant.retriever.search(question)
    generator = ChatGenerator(chat_model=None, name="local", relevance=guides_assistant.chain.relevance)  # type: ignore[arg-type]
    return passages, generator.prompt(question, passages)


def test_the_model_reads_the_relevant_sentences_not_whole_passages(guides_assistant):
    passages, (system, human) = _prompt(guides_assistant, "What does riluzole do?")

    assert "riluzole, which modestly prolongs survival and delays disease progression" in human.content
    assert len(human.content) < 0.5 * len(format_passages(passages))
    cited = next(p for p in passages if "modestly prolongs survival" in p.chunk.text)
    assert f"[{cited.n}] (from \"{cited.chunk.title}\")" in human.content  # the number answers cite it by


def test_figures_reach_the_model_unchanged(guides_assistant):
    question = "How many patients survived without a respirator after magnetic stimulation?"
    passages = guides_assistant.retriever.search(question)

    excerpts = relevant_excerpts(score_sentences(guides_assistant.chain.relevance, question, passages))

    sentences = [s for e in excerpts for s in e.sentences]
    assert any("over 70% of patients" in s and "35% of patients" in s for s in sentences)
    for excerpt in excerpts:  # every sentence is the guide's own, word for word
        assert all(s in excerpt.passage.chunk.text for s in excerpt.sentences)


def test_every_answer_prompt_starts_with_the_same_system_prompt(guides_assistant):
    _, first = _prompt(guides_assistant, "What is tofersen?")
    _, second = _prompt(guides_assistant, "How does magnetic stimulation help people with ALS?")

    assert first[0].type == second[0].type == "system"
    assert first[0].content == second[0].content == SYSTEM_PROMPT  # what llama.cpp keeps cached
    assert first[1].content.startswith("Passages:") and second[1].content.startswith("Passages:")
