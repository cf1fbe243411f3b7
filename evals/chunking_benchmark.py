"""Which chunk size? Measured, not guessed.

For each candidate size, index the shipped guides and ask the MedQuAD consumer questions
whose evidence sentence the guides hold (``corpus_evidence`` in
``../shared/evals/medquad_questions.jsonl``). A fixed context budget is what a small local
model can read quickly, so small chunks give it more passages and large ones fewer:

- hit@budget: the evidence lies inside the passages that fit the budget;
- MRR: 1 / rank of the first passage holding the evidence;
- chars: mean chunk length.

    python -m evals.chunking_benchmark [--sizes 300 450 600 800 1000] [--budget 2400]
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import tempfile
from pathlib import Path

from core.logs import configure_logging
from core.settings import REPO_ROOT, Settings

QUESTIONS = REPO_ROOT.parent / "shared" / "evals" / "medquad_questions.jsonl"
log = logging.getLogger(__name__)


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _holds(passage: str, evidence: str) -> bool:
    """The passage holds the evidence: verbatim, or 80% of its words in one passage (a boundary)."""
    p, e = _norm(passage), _norm(evidence)
    if e in p:
        return True
    words = e.split()
    return bool(words) and sum(w in p.split() for w in words) / len(words) >= 0.8


def measure(size: int, budget: int, items: list[dict], embeddings) -> dict[str, float]:  # type: ignore[no-untyped-def]
    from assistant.retrieval import HybridRetriever  # noqa: PLC0415
    from index.build import build_index  # noqa: PLC0415
    from index.store import open_store  # noqa: PLC0415

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), index={"chunk_size": size})
        store = open_store(settings, embeddings)
        build_index(settings, store, [settings.corpus.guides_dir])
        retriever = HybridRetriever(store=store, settings=settings)
        retriever.refresh()
        chunks = store.all_chunks()
        hits, reciprocal = 0, 0.0
        for item in items:
            passages = retriever.search(item["question"], k=20)
            used, in_budget = 0, []
            for p in passages:
                if used + len(p.chunk.text) > budget and in_budget:
                    break
                used += len(p.chunk.text)
                in_budget.append(p)
            hits += any(_holds(p.chunk.text, item["corpus_evidence"]) for p in in_budget)
            rank = next((i + 1 for i, p in enumerate(passages) if _holds(p.chunk.text, item["corpus_evidence"])), None)
            reciprocal += 1 / rank if rank else 0.0
        return {
            "size": size,
            "chunks": len(chunks),
            "mean_chars": sum(len(c.text) for c in chunks) / len(chunks),
            "passages_in_budget": budget / (sum(len(c.text) for c in chunks) / len(chunks)),
            "hit_at_budget": hits / len(items),
            "mrr": reciprocal / len(items),
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.chunking_benchmark", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[300, 450, 600, 800, 1000, 1400])
    parser.add_argument("--budget", type=int, default=2400, help="context characters given to the generator")
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    args = parser.parse_args(argv)
    configure_logging(level=logging.WARNING)
    from index.embeddings import make_embedder  # noqa: PLC0415

    items = [q for q in map(json.loads, args.questions.read_text(encoding="utf-8").splitlines()) if q.get("corpus_evidence")]
    embeddings = make_embedder(Settings())
    print(f"{len(items)} questions with evidence in the guides; context budget {args.budget} characters\n")
    print("| chunk size | chunks | mean chars | passages in budget | evidence in budget | MRR |")
    print("|---:|---:|---:|---:|---:|---:|")
    for size in args.sizes:
        r = measure(size, args.budget, items, embeddings)
        print(f"| {size} | {r['chunks']} | {r['mean_chars']:.0f} | {r['passages_in_budget']:.1f} | {r['hit_at_budget']:.1%} | {r['mrr']:.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
