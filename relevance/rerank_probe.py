"""python -m relevance.rerank_probe: which passages does each rerank put before an answer? (stop 37)

The retriever reranks its first fused passages by their best sentence's P and keeps the top
``top_k`` (``assistant.retrieval``). This probe compares the two ways that P has been read: the
cross-encoder alone (before stop 37) and the answer's reading (``assistant.evidence.ReadingReranker``:
the cross-encoder with the bi-encoder's cosine and the question bank, what chooses the sentences an
answer shows). For the calibration and test writers' questions the guides answer (neither is in the
question bank), it prints the share of each question's labelled answering sentences that are in the
kept passages (mean over questions), and the share of questions with at least one; then, for the
answer's reading, the same with more fused passages reranked (``CANDIDATES_GRID``; the setting is
``retrieval.rerank_candidates``, kept at 8 for speed). The question is read as the chain reads it, but
searched without the chain's preferred condition or its widening for alternatives
(``HybridRetriever.search`` on the shipped index). The cross-encoder alone is read first, so the
reading reuses its cached scores, batched passage by passage, where the product batches the sentences
of all 8 passages together (the int8 scores depend a little on the batch, see
``tests/assistant/test_relevance.py``). Nothing is fitted and nothing is written. About 6 minutes on 2
idle cores.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np

from assistant.api import Assistant
from assistant.evidence import ReadingReranker
from assistant.retrieval import Reranker
from relevance.labels import Labelled, load_writers
from relevance.pairs import guide_reader, question_text, reaches_model

CANDIDATES_GRID = (8, 12, 16, 24)  # fused passages reranked before the top_k are kept


class CrossEncoderReranker:
    """The rerank before stop 37: a passage scores its best sentence's P from the cross-encoder alone."""

    def __init__(self, reading: ReadingReranker) -> None:
        self.model = reading.model

    def rank_passages(self, question: str, chunks: Sequence) -> list[float]:  # type: ignore[type-arg]
        from assistant.relevance import chunk_sentences  # noqa: PLC0415

        return [max(self.model.score(question, [c.model_text for c in chunk_sentences(chunk)]), default=0.0) for chunk in chunks]


def probe() -> dict[str, dict[str, dict[str, float]]]:
    assistant = Assistant()
    settings = assistant.settings
    reading = assistant.retriever.reranker
    rerankers: dict[str, Reranker] = {"cross-encoder alone": CrossEncoderReranker(reading), "the answer's reading": reading}
    runs = [(name, reranker, settings.retrieval.rerank_candidates) for name, reranker in rerankers.items()]
    runs += [(f"the answer's reading, {n} reranked", reading, n) for n in CANDIDATES_GRID if n != settings.retrieval.rerank_candidates]
    reader, sentences = guide_reader(settings)
    items = [i for i in load_writers(sentences) if reaches_model(i) and i.answerable != "no" and i.answers]
    out: dict[str, dict[str, dict[str, float]]] = {"passages in the index": {"count": {"all": float(assistant.retriever.chunk_count)}}}
    for part in ("calibration", "test"):
        subset: list[Labelled] = [i for i in items if i.part == part]
        found: dict[str, list[float]] = {name: [] for name, _, _ in runs}
        for item in subset:
            query = assistant.chain.reader.read(question_text(item.turns, reader))
            vector = assistant.vectors.get([query.text])[0].tolist()
            answers = [sentences[s].text for s in item.answers]
            for name, reranker, candidates in runs:
                assistant.retriever.reranker = reranker
                assistant.retriever.settings = settings.model_copy(
                    update={"retrieval": settings.retrieval.model_copy(update={"rerank_candidates": candidates})})
                passages = assistant.retriever.search(query.text, query_vector=vector, rerank_query=query.text)
                text = " ".join(p.chunk.text for p in passages)
                found[name].append(float(np.mean([a in text for a in answers])))
        assistant.retriever.reranker, assistant.retriever.settings = reading, settings
        out[f"{part} writers ({len(subset)} questions the guides answer)"] = {
            name: {"answering sentences in the kept passages": round(float(np.mean(f)), 4),
                   "questions with at least one": round(float(np.mean([x > 0 for x in f])), 4)}
            for name, f in found.items()
        }
    return out


if __name__ == "__main__":
    print(json.dumps(probe(), indent=1))
