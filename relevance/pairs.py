"""Training pairs: (the question as the assistant reads it, a guide sentence as the model reads it, label).

The question is what the answer chain hands the model: the conversation's last turn made
standalone (``assistant.conversation``) and read (``assistant.query``: txt-speak written out,
other names of a condition replaced, misspellings of guide words corrected). The sentence is
``assistant.relevance.pair_text``: its guide's title, then the sentence, with the one before it
when it points back. So training and answering see the same inputs.

Labels: a sentence that answers is 1; acceptable context 0.5; every other sentence of the guides
is 0. A sentence two guides both say (``TWIN_COSINE``) takes the label its twin was given. Of those, each question takes the ``HARD`` ones closest to it in meaning (MiniLM cosine:
the sentences that share its words but do not answer it, the near misses the model must learn
to refuse) and ``EASY`` drawn at random.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.conversation import standalone_question
from assistant.query import QueryReader
from assistant.relevance import pair_text
from assistant.safety import BLOCKING
from assistant.types import Turn
from core.settings import Settings
from corpus.loaders import load_paths
from index.chunking import chunk_document
from index.sentences import GuideSentence, catalog
from relevance.labels import Labelled

HARD = 8
EASY = 2
CONTEXT_LABEL = 0.5
TWIN_COSINE = 0.97  # two guides saying the same sentence (the definition of ALS): labelled alike, never one against the other


@dataclass(frozen=True)
class Example:
    question: str
    text: str
    label: float
    item: str  # the labelled conversation's id ("" for public data)
    sentence_id: str = ""


def guide_reader(settings: Settings, guides_dir: Path | None = None) -> tuple[QueryReader, dict[str, GuideSentence]]:
    """A question reader that knows the guides' words (as the assistant's does once its index is
    loaded), and the guides' sentence catalog."""
    domain = settings.domain
    documents, _ = load_paths([guides_dir or settings.corpus.guides_dir], domain=domain)
    chunks = [c for d in documents for c in chunk_document(d, settings.index.chunk_size, settings.index.chunk_overlap_sentences)]
    reader = QueryReader(domain)
    reader.update([c.embedding_text() for c in chunks], [c.conditions for c in chunks])
    return reader, catalog(documents)


def question_text(turns: Sequence[str], reader: QueryReader) -> str:
    """The last turn as the chain reads it: made standalone from the earlier turns, then read."""
    history: list[Turn] = []
    for turn in turns[:-1]:
        history.append(Turn(turn, "", standalone_question(turn, history, reader)))
    return reader.read(standalone_question(turns[-1], history, reader)).text


def reaches_model(item: Labelled) -> bool:
    """Emergency and crisis messages are answered by fixed guidance before any search."""
    return item.safety not in BLOCKING


def sentence_texts(sentences: Mapping[str, GuideSentence]) -> dict[str, str]:
    return {sid: pair_text(s.title, s.text, s.previous) for sid, s in sentences.items()}


def in_domain_examples(
    items: Sequence[Labelled],
    reader: QueryReader,
    sentences: Mapping[str, GuideSentence],
    embed,  # list[str] -> unit vectors
    seed: int,
    hard: int = HARD,
    easy: int = EASY,
) -> list[Example]:
    rng = random.Random(seed)
    ids = sorted(sentences)
    texts = sentence_texts(sentences)
    items = [i for i in items if reaches_model(i)]
    questions = [question_text(i.turns, reader) for i in items]
    sentence_vectors = embed([sentences[s].text for s in ids])
    closeness = embed(questions) @ sentence_vectors.T
    same = sentence_vectors @ sentence_vectors.T
    twins = {ids[a]: {ids[b] for b in range(len(ids)) if b != a and same[a, b] >= TWIN_COSINE} for a in range(len(ids))}
    out: list[Example] = []
    for item, question, row in zip(items, questions, closeness, strict=True):
        answers = set(item.answers) | {t for s in item.answers for t in twins[s]}
        context = (set(item.context) | {t for s in item.context for t in twins[s]}) - answers
        labelled = answers | context
        out += [Example(question, texts[s], 1.0, item.id, s) for s in sorted(answers)]
        out += [Example(question, texts[s], CONTEXT_LABEL, item.id, s) for s in sorted(context)]
        others = [ids[j] for j in np.argsort(-row) if ids[j] not in labelled]
        chosen = others[:hard] + rng.sample(others[hard:], min(easy, len(others) - hard))
        out += [Example(question, texts[s], 0.0, item.id, s) for s in chosen]
    rng.shuffle(out)
    return out
