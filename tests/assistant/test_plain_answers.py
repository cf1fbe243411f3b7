"""Answers in plain words, with the guide's own sentence beside each: the real chain over the
shipped guides (real embedder, real Chroma), with a plain-language layer written to a file."""

from __future__ import annotations

from pathlib import Path

from assistant.chain import AnswerChain
from assistant.citations import parse_citations
from index.chunking import sentence_spans
from index.plain import PlainEntry, PlainLayer, PlainStore
from plain.rewrite import PROMPT_VERSION

QUESTION = "What does riluzole do?"


def _chain(guides_assistant, layer: PlainLayer) -> AnswerChain:
    a = guides_assistant
    return AnswerChain(a.settings, a.retriever, a.vectors, a.chain.generator, plain=layer)


def _ask(chain: AnswerChain, question: str = QUESTION):
    events = list(chain.stream(question))
    return events, events[-1].answer


def _layer_with(tmp_path: Path, source: str, plain: str) -> PlainLayer:
    store = PlainStore(tmp_path / "plain.json")
    store.put(PlainEntry(source=source, plain=plain, model="test", prompt_version=PROMPT_VERSION))
    store.save()
    return PlainLayer([tmp_path / "plain.json"])


def test_the_answer_shows_the_plain_version_and_keeps_the_guides_sentence(guides_assistant, tmp_path: Path) -> None:
    _, as_written = _ask(_chain(guides_assistant, PlainLayer([tmp_path / "none.json"])))
    assert as_written.sentences and not any(s.plain for s in as_written.sentences)
    first = as_written.sentences[0]
    guide_sentence = next(first.guide_text[s:e].strip() for s, e in sentence_spans(first.guide_text))
    plain = "In plain words: this is what the guide sentence says, said simply."

    events, answer = _ask(_chain(guides_assistant, _layer_with(tmp_path, guide_sentence, plain)))

    shown = "".join(e.text for e in events if e.kind == "delta")
    assert shown == answer.answer  # what streamed is the final answer
    assert plain in answer.answer and guide_sentence not in answer.answer
    worded = answer.sentences[0]
    assert worded.plain and plain in worded.text
    assert worded.guide_text == first.guide_text  # "as the guide says" is one step away
    assert f"[{worded.n}]" in answer.answer.split(plain, 1)[1][:12]  # the plain version keeps its citation
    assert [c.n for c in answer.citations] == [c.n for c in as_written.citations]
    as_dict = answer.to_dict()["sentences"][0]
    assert as_dict["text"] == worded.text and as_dict["guide_text"] == first.guide_text and as_dict["plain"] is True


def test_the_citation_check_runs_on_the_guides_wording(guides_assistant, tmp_path: Path) -> None:
    """A plain version the check would refuse on its own (it shares no words with any passage)
    changes neither what was checked nor the verdicts: the check reads the guide's sentence."""
    empty = PlainLayer([tmp_path / "none.json"])
    _, as_written = _ask(_chain(guides_assistant, empty))
    first = as_written.sentences[0]
    guide_sentence = next(first.guide_text[s:e].strip() for s, e in sentence_spans(first.guide_text))
    _, answer = _ask(_chain(guides_assistant, _layer_with(tmp_path, guide_sentence, "Bananas are yellow.")))

    assert [(c.sentence, c.action) for c in answer.checks] == [(c.sentence, c.action) for c in as_written.checks]
    checked = {parse_citations(c.sentence)[0] for c in answer.checks}
    assert any(guide_sentence in sentence for sentence in checked)
    assert all("Bananas" not in sentence for sentence in checked)
