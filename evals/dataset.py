"""Evaluation items: one JSONL schema, validated line by line, and the MedQuAD conversion.

One JSON object a line::

    {"id": "fact-riluzole", "kind": "fact", "turns": ["What does riluzole do?"],
     "facts": [["riluzole"], ["prolongs survival", "live longer"]],
     "sources": ["Treatment for ALS treatment resistance"],
     "must_abstain": false, "must_not": ["mg"]}

See ``evals/README.md`` for every field.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from assistant.safety import BLOCKING, SAFETY_KINDS
from core.errors import GuideError
from core.jsonl import jsonl_lines

REQUIRED = ("id", "turns", "kind")
OPTIONAL = ("facts", "sources", "must_abstain", "must_not", "safety", "notes", "answerable", "missing", "sentence_labels")
# Sentence-level labels of a dataset kept beside it, for measuring only: sentence_labels/<dataset name>.jsonl
SENTENCE_LABELS_DIR = "sentence_labels"
# How much of what is asked the guides answer, as a labeller judged it ("no" implies must_abstain).
ANSWERABLE = ("yes", "partly", "no")
# The routes assistant.safety can take; an item's "safety" names the one it expects.
SAFETY_ROUTES = SAFETY_KINDS


class DatasetError(GuideError):
    """A dataset file that cannot be used; the message names the line and the reason."""


@dataclass(frozen=True)
class SentenceLabels:
    """Which guide sentences (ids of ``index.sentences``) answer the item, as a labeller judged it."""

    answerable: str  # yes / partly / no
    answers: tuple[str, ...] = ()
    context: tuple[str, ...] = ()  # acceptable beside an answer, not needed
    labeller: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"answerable": self.answerable, "answers": list(self.answers), "context": list(self.context), "labeller": self.labeller}


@dataclass(frozen=True)
class EvalItem:
    """One conversation to answer; its last turn is scored."""

    id: str
    turns: tuple[str, ...]
    kind: str
    facts: tuple[tuple[str, ...], ...] = ()
    sources: tuple[str, ...] = ()
    must_abstain: bool = False
    must_not: tuple[str, ...] = ()
    safety: str | None = None
    notes: str = ""
    answerable: str | None = None  # yes / partly / no, when the labeller said
    missing: str = ""  # for "partly": what the guides do not say
    sentence_labels: SentenceLabels | None = None  # which guide sentences answer it, when labelled

    @property
    def question(self) -> str:
        """The scored question: the last turn."""
        return self.turns[-1]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["turns"] = list(self.turns)
        data["facts"] = [list(group) for group in self.facts]
        data["sources"] = list(self.sources)
        data["must_not"] = list(self.must_not)
        data["sentence_labels"] = self.sentence_labels.to_dict() if self.sentence_labels else None
        return data


@dataclass
class Dataset:
    path: Path
    items: list[EvalItem] = field(default_factory=list)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


def load_dataset(path: Path) -> Dataset:
    """Read and validate a JSONL dataset; ``DatasetError`` names the first bad line."""
    path = Path(path)
    items: list[EvalItem] = []
    seen: dict[str, int] = {}
    for number, raw in jsonl_lines(path, "one evaluation item", DatasetError):
        try:
            item = parse_item(raw)
        except ValueError as error:
            raise DatasetError(f"{path}:{number}: {error}") from error
        if item.id in seen:
            raise DatasetError(f"{path}:{number}: id {item.id!r} is already used on line {seen[item.id]}.")
        seen[item.id] = number
        items.append(item)
    if not items:
        raise DatasetError(f"{path} holds no items.")
    labels = path.parent / SENTENCE_LABELS_DIR / f"{path.stem}.jsonl"
    return Dataset(path, with_sentence_labels(items, labels) if labels.is_file() else items)


def with_sentence_labels(items: list[EvalItem], path: Path) -> list[EvalItem]:
    """The items with the sentence labels of ``path`` (rows with the items' ids), for measuring."""
    by_id: dict[str, SentenceLabels] = {}
    for number, raw in jsonl_lines(path, "one row of sentence labels", DatasetError):
        try:
            by_id[str(raw["id"])] = parse_sentence_labels(raw)
        except (KeyError, ValueError) as error:
            raise DatasetError(f"{path}:{number}: {error}") from error
    unknown = set(by_id) - {i.id for i in items}
    if unknown:
        raise DatasetError(f"{path} labels items the dataset does not have: {sorted(unknown)[:5]}.")
    return [replace(i, sentence_labels=by_id.get(i.id, i.sentence_labels)) for i in items]


def parse_sentence_labels(raw: Any) -> SentenceLabels:
    if not isinstance(raw, dict) or raw.get("answerable") not in ANSWERABLE:
        raise ValueError('sentence labels need "answerable": yes, partly or no.')
    answers = _strings(raw.get("answers", []), "answers")
    if (raw["answerable"] == "no") != (not answers):
        raise ValueError('"answers" must list the answering sentences, and be empty exactly when "answerable" is "no".')
    return SentenceLabels(raw["answerable"], answers, _strings(raw.get("context", []), "context"), str(raw.get("labeller", "")))


def parse_item(raw: Any) -> EvalItem:
    """One validated item; ``ValueError`` says what is wrong in words a dataset author can act on."""
    if not isinstance(raw, dict):
        raise ValueError("each line must be a JSON object.")
    missing = [key for key in REQUIRED if key not in raw]
    if missing:
        raise ValueError(f"missing field(s) {', '.join(missing)}.")
    unknown = sorted(set(raw) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(REQUIRED + OPTIONAL)}.")
    item_id = raw["id"]
    if not isinstance(item_id, str) or not item_id.strip():
        raise ValueError('"id" must be a non-empty string.')
    kind = raw["kind"]
    if not isinstance(kind, str) or not kind.strip():
        raise ValueError('"kind" must be a non-empty string such as "fact" or "safety".')
    must_abstain = raw.get("must_abstain", False)
    if not isinstance(must_abstain, bool):
        raise ValueError('"must_abstain" must be true or false.')
    safety = raw.get("safety")
    if safety is not None and safety not in SAFETY_ROUTES:
        raise ValueError(f'"safety" must be one of {", ".join(SAFETY_ROUTES)} (or absent), not {safety!r}.')
    if kind == "safety" and safety is None:
        raise ValueError('a "safety" item must say which route it expects in "safety".')
    facts = _fact_groups(raw.get("facts", []))
    if must_abstain and facts:
        raise ValueError('an item with "must_abstain": true cannot also require "facts".')
    notes = raw.get("notes", "")
    if not isinstance(notes, str):
        raise ValueError('"notes" must be a string.')
    answerable = raw.get("answerable")
    if answerable is not None and answerable not in ANSWERABLE:
        raise ValueError(f'"answerable" must be one of {", ".join(ANSWERABLE)} (or absent), not {answerable!r}.')
    if answerable == "no" and not must_abstain and safety not in BLOCKING:
        raise ValueError('an item with "answerable": "no" must also say "must_abstain": true.')
    if answerable in ("yes", "partly") and must_abstain:
        raise ValueError(f'an item with "answerable": "{answerable}" cannot say "must_abstain": true.')
    missing = raw.get("missing", "")
    if not isinstance(missing, str):
        raise ValueError('"missing" must be a string.')
    labels = raw.get("sentence_labels")
    return EvalItem(
        id=item_id.strip(),
        turns=_strings(raw["turns"], "turns", allow_empty=False),
        kind=kind.strip(),
        facts=facts,
        sources=_strings(raw.get("sources", []), "sources"),
        must_abstain=must_abstain,
        must_not=_strings(raw.get("must_not", []), "must_not"),
        safety=safety,
        notes=notes,
        answerable=answerable,
        missing=missing.strip(),
        sentence_labels=parse_sentence_labels(labels) if labels is not None else None,
    )


def _strings(value: Any, name: str, allow_empty: bool = True) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f'"{name}" must be a list of non-empty strings.')
    if not value and not allow_empty:
        raise ValueError(f'"{name}" must hold at least one string.')
    return tuple(v.strip() for v in value)


def _fact_groups(value: Any) -> tuple[tuple[str, ...], ...]:
    if not isinstance(value, list):
        raise ValueError('"facts" must be a list of fact groups, each a list of acceptable phrasings.')
    groups = []
    for index, group in enumerate(value, 1):
        if not isinstance(group, list) or not group or not all(isinstance(p, str) and p.strip() for p in group):
            raise ValueError(
                f'fact group {index} must be a non-empty list of phrasings, e.g. [["riluzole"], ["survival", "live longer"]].'
            )
        groups.append(tuple(p.strip() for p in group))
    return tuple(groups)


def write_dataset(items: Iterable[EvalItem], path: Path) -> None:
    """Write items as JSONL, leaving out optional fields at their defaults."""
    path.parent.mkdir(parents=True, exist_ok=True)
    defaults = EvalItem(id="", turns=("",), kind="").to_dict()
    with path.open("w", encoding="utf-8") as out:
        for item in items:
            data = {k: v for k, v in item.to_dict().items() if k in REQUIRED or v != defaults[k]}
            out.write(json.dumps(data, ensure_ascii=False) + "\n")


# --- MedQuAD consumer questions as an external abstention set -------------------------


def convert_medquad(source: Path, catalog: dict[str, str]) -> list[EvalItem]:
    """``medquad_questions.jsonl`` in the evaluation schema.

    ``answerable_from_corpus``: "no" must be declined ("The guides don't cover this");
    "yes" and "partly" must be answered, from the document named in
    ``corpus_evidence_doc`` (``catalog`` maps its file name to the document title).
    """
    items = []
    for number, line in enumerate(Path(source).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        label = row.get("answerable_from_corpus")
        if label not in ("yes", "partly", "no"):
            raise DatasetError(f"{source}:{number}: answerable_from_corpus must be yes, partly or no, not {label!r}.")
        doc = row.get("corpus_evidence_doc")
        if doc and doc not in catalog:
            raise DatasetError(f"{source}:{number}: corpus_evidence_doc {doc!r} is not one of the guides.")
        items.append(
            EvalItem(
                id=f"medquad-{row['id']}",
                turns=(row["question"].strip(),),
                kind=f"medquad_{label}",
                sources=(catalog[doc],) if doc and label != "no" else (),
                must_abstain=label == "no",
                notes=(row.get("notes") or "").strip(),
                answerable=label,
            )
        )
    return items


def guide_titles(catalog_path: Path) -> dict[str, str]:
    """File name → title of the shipped guides, from ``corpus/guides/catalog.json``."""
    catalog = json.loads(Path(catalog_path).read_text(encoding="utf-8"))
    return {name: entry["title"] for name, entry in catalog.items()}
