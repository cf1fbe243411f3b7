"""Does the local model choose answer sentences better than the fitted sentence ranker?

A probe, on the tuning part only: for each answerable item, the ranker's ten likeliest
sentences of the retrieved passages are listed, numbered, for the local model, which replies
with the numbers that answer the question. Printed: the share of items whose chosen sentences
hold every expected fact, for the ranker's own choice (what the extractive answer shows), the
model's, the model's topped up by the ranker's, and all ten (the ceiling of any choice among
them); and the model's seconds an item.

    GUIDES_DATA_DIR=<data dir> python -m evals.selector_probe evals/datasets/dev_tune.jsonl --items 40
"""

from __future__ import annotations

import argparse
import random
import re
import time
from pathlib import Path

from langchain_core.messages import HumanMessage, SystemMessage

from assistant.api import Assistant
from assistant.generators import ExtractiveGenerator, choose_sentences
from assistant.llm import load_local_chat_model
from assistant.safety import BLOCKING
from core.settings import Settings
from evals.dataset import load_dataset
from evals.metrics import fact_recall

SHOWN = 10  # sentences listed for the model
SYSTEM = (
    "You choose sentences from patient guides that answer a question. Reply only with the numbers of the "
    "sentences that answer it, most useful first, separated by commas (at most 5). Reply 0 if none answers it."
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--items", type=int, default=40, help="answerable items drawn at random (seed 7)")
    args = parser.parse_args()
    settings = Settings()
    bot = Assistant(settings, generator="extractive")
    chain = bot.chain
    ranker = ExtractiveGenerator(chain.vectors)
    ranker.reader = chain.reader
    model = load_local_chat_model(settings)
    items = [i for i in load_dataset(args.dataset).items if i.facts and not i.must_abstain and i.safety not in BLOCKING]
    random.Random(7).shuffle(items)
    held = {"ranker": 0, "model": 0, "model, then ranker": 0, f"any of the {SHOWN}": 0}
    seconds: list[float] = []
    for item in items[: args.items]:
        conversation = bot.conversation()
        for turn in item.turns:  # earlier turns resolve a follow-up, as in the chat
            answer = conversation.ask(turn)
        standalone = answer.standalone_question
        query, passages, _ = chain.assess(standalone)
        candidates = ranker.candidates(query.text, passages)
        if not candidates:
            continue
        chances = [ranker.sentence_model.probability(c.signals) for c in candidates]
        vectors = chain.vectors.get([c.text for c in candidates])
        fitted = ranker.sentence_model
        chosen = choose_sentences(candidates, chances, vectors, fitted.p_min, fitted.word_budget)
        shown = sorted(range(len(candidates)), key=lambda i: -chances[i])[:SHOWN]
        listing = "\n".join(f"{n}. {candidates[i].text}" for n, i in enumerate(shown, 1))
        started = time.perf_counter()
        reply = model.invoke(
            [SystemMessage(SYSTEM), HumanMessage(f"Question: {standalone}\n\nSentences:\n{listing}\n\nNumbers:")], max_tokens=16
        )
        seconds.append(time.perf_counter() - started)
        numbers = [int(x) for x in re.findall(r"\d+", str(reply.content)) if 0 < int(x) <= len(shown)]
        picked = [shown[n - 1] for n in dict.fromkeys(numbers)][:5]
        choices = {
            "ranker": chosen,
            "model": picked,
            "model, then ranker": (picked + [c for c in chosen if c not in picked])[:5],
            f"any of the {SHOWN}": shown,
        }
        for name, indices in choices.items():
            text = " ".join(candidates[i].text for i in indices)
            held[name] += fact_recall(item, text)[0] == 1.0
    n = len(seconds) or 1
    print(f"{len(seconds)} answerable items of {args.dataset.name}; every expected fact held by the sentences chosen by:")
    for name, count in held.items():
        print(f"  {name:20} {count / n:.3f}")
    print(f"the model's seconds an item: median {sorted(seconds)[len(seconds) // 2]:.1f}" if seconds else "no items")


if __name__ == "__main__":
    main()
