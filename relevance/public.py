"""Question–sentence pairs from public data sets, so the model also reads documents users add.

Built once from snapshots of public repositories (``fetch`` brings them; no work tree needed:
files are read with ``git archive``) into ``relevance/data/public_pairs.jsonl.gz``, which is
committed with the record of where each row came from (``relevance/data/SOURCES.md``):

- **MedQuAD** (abachaa/MedQuAD, CC BY 4.0): consumer-health questions from NIH sites. The first
  statement sentences of a question's answer are positives; the first sentences of another
  answer *about the same subject* (its causes, when the question asks for treatment) are hard
  negatives, and a sentence about another subject an easy one. Left out: the LiveQA test
  collection (``QA-TestSet-LiveQA-*``), the three subsets whose answers the authors removed,
  GARD's symptom tables, every document the MedQuAD evaluation questions come from
  (``shared/evals/medquad_questions.jsonl``'s URLs), and every document about the conditions
  of the shipped guides or of the second test corpus (ALS, scleroderma, gout, myasthenia gravis).
- **COVID-QA** (deepset-ai/COVID-QA, Apache-2.0, the earlier ``200423_covidQA.json``): questions
  with answer spans in scientific articles. The sentence holding the answer is the positive;
  the sentences of the same article closest to the question in words are hard negatives.

Not used, and why: RQE and the medical question pairs are question-to-question pairs (they
say whether two questions ask the same, not whether a sentence answers); PubMedQA's
abstract sentences are not labelled for whether each answers the question.
"""

from __future__ import annotations

import gzip
import io
import json
import logging
import random
import re
import subprocess
import tarfile
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from core.errors import GuideError
from core.jsonl import jsonl_lines
from core.snapshots import git_show, mirror_path
from index.chunking import sentence_spans

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
PUBLIC_PAIRS = DATA_DIR / "public_pairs.jsonl.gz"
SEED = 20261202

MEDQUAD = "abachaa/MedQuAD"
COVIDQA = "deepset-ai/COVID-QA"
COVIDQA_COMMIT = "471a9d8"  # the commit whose 200423_covidQA.json has the corrected offsets
COVIDQA_FILE = "data/question-answering/200423_covidQA.json"
# MedQuAD subsets that still carry their answers (the other three had them removed for copyright)
MEDQUAD_DIRS = (
    "1_CancerGov_QA", "2_GARD_QA", "3_GHR_QA", "4_MPlus_Health_Topics_QA", "5_NIDDK_QA", "6_NINDS_QA",
    "7_SeniorHealth_QA", "8_NHLBI_QA_XML", "9_CDC_QA",
)
# Subjects held apart: the shipped guides' conditions and the second test corpus's
HELD_APART = re.compile(
    r"amyotrophic|\bALS\b|lou gehrig|motor neuron|sclerosis|scleroderma|\bCREST\b|gout|myasthenia", re.IGNORECASE
)
MEDQUAD_QUESTIONS = 4000  # questions sampled (each gives up to 2 positives and 3 negatives)


@dataclass(frozen=True)
class Pair:
    question: str
    sentence: str  # what the model reads beside the question (title: sentence)
    label: float  # 1 answers, 0 does not
    source: str  # "medquad" | "covidqa"
    group: str  # the document it came from: a held-apart split never shares one with training


def _git(git_dir: Path, *args: str) -> bytes:
    return subprocess.run(["git", f"--git-dir={git_dir}", *args], check=True, capture_output=True).stdout


def _statements(text: str) -> list[str]:
    text = " ".join(text.split())
    sentences = [text[s:e].strip() for s, e in sentence_spans(text)]
    return [s for s in sentences if len(s) >= 40 and not s.endswith("?") and len(s) <= 400]


def _medquad_documents(git_dir: Path, held_urls: set[str]) -> Iterator[tuple[str, str, list[tuple[str, str, str]]]]:
    """(document id, focus, [(question, qtype, answer)]) of each usable MedQuAD document."""
    archive = tarfile.open(fileobj=io.BytesIO(_git(git_dir, "archive", "HEAD", *MEDQUAD_DIRS)))
    for member in archive:
        if not member.isfile() or not member.name.endswith(".xml"):
            continue
        root = ET.parse(archive.extractfile(member)).getroot()  # noqa: S314 - a public data set's own XML
        url = root.get("url", "")
        focus = (root.findtext("Focus") or "").strip()
        if url in held_urls or HELD_APART.search(focus) or HELD_APART.search(url):
            continue
        pairs = []
        for qa in root.iter("QAPair"):
            question = (qa.findtext("Question") or "").strip()
            qtype = qa.find("Question").get("qtype", "") if qa.find("Question") is not None else ""
            answer = (qa.findtext("Answer") or "").strip()
            if question and answer and not (root.get("source") == "GARD" and qtype == "symptoms"):
                pairs.append((question, qtype, answer))
        if pairs:
            yield f"medquad:{member.name}", focus, pairs


def medquad_pairs(mirror: Path, held_urls: set[str], rng: random.Random) -> list[Pair]:
    documents = list(_medquad_documents(mirror_path(mirror, MEDQUAD), held_urls))
    all_first = [(doc_id, f"{focus}: {s}") for doc_id, focus, qas in documents for _, _, a in qas for s in _statements(a)[:2]]
    candidates = [(doc_id, focus, qa, qas) for doc_id, focus, qas in documents for qa in qas]
    rng.shuffle(candidates)
    pairs: list[Pair] = []
    seen: set[str] = set()
    for doc_id, focus, (question, qtype, answer), qas in candidates:
        if len(seen) >= MEDQUAD_QUESTIONS or question.lower() in seen:
            continue
        positives = _statements(answer)[:2]
        others = [s for q, t, a in qas if t != qtype for s in _statements(a)[:2]]
        if not positives or not others:
            continue  # a hard negative needs another answer about the same subject
        seen.add(question.lower())
        title = focus or "Health information"
        pairs += [Pair(question, f"{title}: {s}", 1.0, "medquad", doc_id) for s in positives]
        pairs += [Pair(question, f"{title}: {s}", 0.0, "medquad", doc_id) for s in rng.sample(others, min(2, len(others)))]
        other_doc, easy = rng.choice(all_first)  # a sentence about another subject, under its own title
        if other_doc != doc_id:
            pairs.append(Pair(question, easy, 0.0, "medquad", doc_id))
    return pairs


def covidqa_pairs(mirror: Path, rng: random.Random) -> list[Pair]:
    data = json.loads(git_show(mirror, COVIDQA, COVIDQA_COMMIT, COVIDQA_FILE))
    pairs: list[Pair] = []
    for article in data["data"]:
        for paragraph in article["paragraphs"]:
            context = paragraph["context"]
            title = context.split("\n", 1)[0].strip()[:120]
            spans = [(s, e) for s, e in sentence_spans(context) if 40 <= e - s <= 400]
            for qa in paragraph["qas"]:
                if not qa.get("answers"):
                    continue
                at = qa["answers"][0]["answer_start"]
                holding = [(s, e) for s, e in spans if s <= at < e]
                if not holding:
                    continue
                question = qa["question"].strip()
                positive = context[holding[0][0]:holding[0][1]].strip()
                terms = set(re.findall(r"[a-z0-9]{4,}", question.lower()))
                rest = [context[s:e].strip() for s, e in spans if (s, e) != holding[0]]
                rest.sort(key=lambda t: -len(terms & set(re.findall(r"[a-z0-9]{4,}", t.lower()))))
                group = f"covidqa:{article.get('title') or title}"
                pairs.append(Pair(question, f"{title}: {positive}", 1.0, "covidqa", group))
                pairs += [Pair(question, f"{title}: {t}", 0.0, "covidqa", group) for t in rest[:2]]
                if len(rest) > 2:
                    pairs.append(Pair(question, f"{title}: {rng.choice(rest[2:])}", 0.0, "covidqa", group))
    return pairs


def held_urls(medquad_questions: Path) -> set[str]:
    """The source pages of the MedQuAD evaluation questions: never trained on."""
    rows = jsonl_lines(medquad_questions, "one MedQuAD evaluation question (they name the pages kept for evaluation)")
    return {r["source_url"] for _, r in rows if r.get("source_url")}


def build_public_pairs(mirror: Path, medquad_questions: Path, out: Path = PUBLIC_PAIRS) -> dict[str, int]:
    rng = random.Random(SEED)
    pairs = medquad_pairs(mirror, held_urls(medquad_questions), rng) + covidqa_pairs(mirror, rng)
    out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(out, "wt", encoding="utf-8") as handle:
        for pair in pairs:
            handle.write(json.dumps(asdict(pair), ensure_ascii=False) + "\n")
    counts: dict[str, int] = defaultdict(int)
    for pair in pairs:
        counts[f"{pair.source} {'positive' if pair.label else 'negative'}"] += 1
    sources = {
        MEDQUAD: _git(mirror_path(mirror, MEDQUAD), "rev-parse", "HEAD").decode().strip(),
        COVIDQA: _git(mirror_path(mirror, COVIDQA), "rev-parse", COVIDQA_COMMIT).decode().strip(),
    }
    log.info("wrote %d public pairs to %s (%s) from %s", len(pairs), out, dict(counts), sources)
    return {**counts, **{f"commit {k}": v for k, v in sources.items()}}  # type: ignore[dict-item]


def load_public_pairs(path: Path = PUBLIC_PAIRS) -> list[Pair]:
    if not path.is_file():
        raise GuideError(f"{path} is missing; build it with 'python -m relevance public' (needs the fetched snapshots).")
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [Pair(**json.loads(line)) for line in handle if line.strip()]
