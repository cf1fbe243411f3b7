"""Does this sentence answer the question? One model reads the two together and says how likely.

The relevance model is a cross-encoder the project trains itself (``python -m relevance train``,
from the packaged all-MiniLM-L6-v2 weights, on questions in patients' words labelled sentence
by sentence, and on public question-answer data). It ships in ``assistant/relevance_model/`` as
an int8 ONNX file with its tokenizer and a manifest (``model.json``: the files' sha256, the input
format, the calibration and the thresholds fitted on held-apart tuning data). It is loaded
offline from there with ONNX Runtime; a missing or changed file is refused with what to run.

Every relevance decision uses it, once per (question, sentence): the passage rerank, the
sentences an answer shows, the coverage decision and the suggested next questions. The rerank and
the sentences shown read it the same way (``assistant.evidence.ReadingReranker``).

Which sentences an answer shows, and in what order, also weighs the bi-encoder's cosine between
the question and the sentence (the index's MiniLM, already at hand): the cross-encoder reads the
two together and sees what the question asks of a sentence; the cosine sees how close in topic
they are, and ranks the first answering sentence better on its own (test writers' MRR 0.66 against
0.63). ``Reading`` combines the two in one calibrated logistic fit on the calibration writers
(``python -m relevance calibrate``); the coverage decision keeps the cross-encoder's probability.
An answer over the guides alone is also read with the ``QuestionBank``: the closest of the training
writers' labelled questions that each sentence answers, and the share of the bank's vote it gets (test
writers' MRR of the first answering sentence 0.71 with the cosine, 0.87 with the bank; 0.83 with the
closest question alone at stop 35, ``relevance/README.md``); an answer that draws on a document a user adds is read without it.

    model = load_relevance_model(settings)
    model.score("what does riluzole do", [pair_text(title, sentence, previous)])   # [P]
    model.answering("what does riluzole do", [text], cosines=[0.61])              # [P], with the cosine
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from core.errors import GuideError
from core.settings import Settings
from index.chunking import Chunk
from index.sentences import sentences_with_previous, with_previous

log = logging.getLogger(__name__)

MODEL_DIR = Path(__file__).resolve().parent / "relevance_model"
MANIFEST = "model.json"
INPUT_FORMAT = 1  # pair_text's layout; a model trained on another is refused
_RETRAIN = "rebuild it with 'python -m relevance train' (see relevance/README.md)"
_RECALIBRATE = "write it again with 'python -m relevance calibrate' (see relevance/README.md)"


def pair_text(title: str, sentence: str, previous: str = "") -> str:
    """What the model reads beside the question: the document's title, then the sentence (with
    the sentence before it when it points back: "These include ...")."""
    return f"{title}: {with_previous(sentence, previous)}"


@dataclass(frozen=True)
class Reading:
    """P(a sentence answers the question) = sigmoid(logit x the cross-encoder's raw score + cosine x
    the bi-encoder's cosine [+ neighbour x the closest labelled question the sentence answers + vote x
    the share of the bank's closest questions it answers] + shift), fitted on the calibration writers
    (``relevance.calibrate.fit_reading``)."""

    logit: float
    cosine: float
    shift: float
    neighbour: float = 0.0
    vote: float = 0.0

    @classmethod
    def of(cls, fitted: Mapping[str, Any]) -> Reading:
        """From the manifest's "reading" or "bank_reading" (as ``fit_reading`` writes them)."""
        return cls(float(fitted["logit"]), float(fitted["cosine"]), float(fitted["shift"]),
                   float(fitted.get("neighbour", 0.0)), float(fitted.get("vote", 0.0)))

    def probability(
        self, raw: np.ndarray, cosines: np.ndarray, neighbours: np.ndarray | None = None, votes: np.ndarray | None = None
    ) -> np.ndarray:
        z = self.logit * raw + self.cosine * cosines + self.shift
        if neighbours is not None:
            z = z + self.neighbour * neighbours
        if votes is not None:
            z = z + self.vote * votes
        return 1.0 / (1.0 + np.exp(-z))


class Neighbour(NamedTuple):
    """What the bank says of a sentence: its closest bank question that it answers (cosine to the
    question asked, and its row) and its vote, the share of the bank's attention that falls on
    questions it answers."""

    cosine: float
    row: int  # -1: the bank knows the sentence, but no bank question is answered by it
    vote: float = 0.0


class QuestionBank:
    """The training writers' labelled questions that a guide sentence answers, as the index's
    embedder reads them, and for each guide sentence (by the hash of its text) the questions it
    answers. ``neighbours`` gives each sentence two readings of them, the way an FAQ search reuses
    what answered the questions asked before: the highest cosine between a new question and a bank
    question it answers, and its **vote**: with every bank question weighted by softmax(cosine /
    ``temperature``), the weight of those it answers. The vote lets several close questions agree
    where one look-alike question would otherwise decide. A sentence the bank does not know (a
    document a user added, or a guide sentence since changed) has no neighbour. Written by
    ``python -m relevance calibrate`` beside the model (the temperature fitted there); its files
    carry their sha256."""

    def __init__(self, vectors: np.ndarray, index: Mapping[str, Any], temperature: float) -> None:
        self.vectors = np.asarray(vectors, dtype=np.float32)
        self.embedder = str(index["embedder"])
        self.questions = [q["question"] for q in index["questions"]]
        self.known = frozenset(index["known"])
        self.temperature = float(temperature)
        rows: dict[str, list[int]] = {}
        for at, q in enumerate(index["questions"]):
            for h in q["answers"]:
                rows.setdefault(h, []).append(at)
        self._rows = {h: np.asarray(r) for h, r in rows.items()}
        if len(self.vectors) != len(self.questions):
            raise GuideError(f"The question bank's vectors and questions disagree; {_RECALIBRATE}.")

    def neighbours(self, question_vector: np.ndarray, hashes: Sequence[str]) -> list[Neighbour | None]:
        """Per sentence (by its text's hash): its ``Neighbour``, or None when the bank does not know it."""
        sims = self.vectors @ np.asarray(question_vector, dtype=np.float32)
        weights = np.exp((sims - sims.max(initial=-1.0)) / self.temperature)  # softmax over the bank (cosines >= -1)
        weights /= weights.sum() or 1.0
        out: list[Neighbour | None] = []
        for h in hashes:
            if h not in self.known:
                out.append(None)
            elif h in self._rows:
                rows = self._rows[h]
                best = int(rows[int(np.argmax(sims[rows]))])
                out.append(Neighbour(max(0.0, float(sims[best])), best, float(weights[rows].sum())))
            else:
                out.append(Neighbour(0.0, -1, 0.0))
        return out

    @classmethod
    def load(cls, folder: Path, manifest: Mapping[str, Any]) -> QuestionBank | None:
        """The bank the manifest names (its files already checked against their sha256), or None."""
        files = manifest.get("question_bank")
        if not files:
            return None
        if not all(k in manifest for k in ("bank_reading", "bank_showing")):
            raise GuideError(f"The relevance model's manifest names a question bank but not its reading; {_RECALIBRATE}.")
        index = json.loads((folder / files["index_file"]).read_text(encoding="utf-8"))
        if "temperature" not in manifest["bank_reading"]:
            raise GuideError(f"The relevance model's manifest gives the question bank no temperature; {_RECALIBRATE}.")
        return cls(np.load(folder / files["vectors_file"]), index, float(manifest["bank_reading"]["temperature"]))


@dataclass(frozen=True)
class Thresholds:
    """The decisions fitted with the model on the calibration writer (``relevance.calibrate``)."""

    answer: float  # a sentence at least this likely is shown beside the best one
    relative: float  # ...and at least this share of the best sentence's P (no long tail after a sure answer)
    max_sentences: int  # ...and no more sentences than this in all
    coverage_intercept: float  # the coverage model: P(the guides answer it) = sigmoid(intercept
    coverage_best: float  #   + best x P of the likeliest sentence
    coverage_aspect_missing: float  #   + aspect_missing x it asks for something the passages never give)
    covered: float  # P(the guides answer it) below this: "not covered", no guide text
    full: float  # from this up (and no asked-for aspect missing): a full answer; in between, partial

    def shows(self, probability: float, best: float) -> bool:
        """Whether a sentence is shown beside the best one (each answer also stops at ``max_sentences``)."""
        return probability >= self.answer and probability >= self.relative * best

    def coverage(self, best: float, aspect_missing: bool) -> float:
        """P(the guides answer the question)."""
        z = self.coverage_intercept + self.coverage_best * best + self.coverage_aspect_missing * float(aspect_missing)
        return 1.0 / (1.0 + float(np.exp(-max(-50.0, min(50.0, z)))))


@dataclass(frozen=True)
class Candidate:
    """A sentence of a retrieved passage, as the model reads it."""

    chunk: Chunk
    text: str  # the sentence, as the guide words it
    previous: str  # the sentence before it in its paragraph
    start: int  # offsets in the chunk's text
    end: int

    @property
    def model_text(self) -> str:
        return pair_text(self.chunk.title, self.text, self.previous)


def chunk_sentences(chunk: Chunk) -> list[Candidate]:
    """Every sentence of a passage with the one before it in its paragraph."""
    return [Candidate(chunk, sentence, previous, start, end) for start, end, sentence, previous in sentences_with_previous(chunk.text)]


class OnnxPairModel:
    """A cross-encoder exported to ONNX with its tokenizer: raw scores of text pairs.
    ``manifest`` names the files and the longest input (``model_file``, ``tokenizer_file``, ``max_length``)."""

    def __init__(self, folder: Path, manifest: dict[str, Any], threads: int = 2) -> None:
        import onnxruntime as ort  # noqa: PLC0415
        from tokenizers import Tokenizer  # noqa: PLC0415

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # Threads sleep between runs rather than spin: the answer path runs three of these models
        # and the torch embedder on two cores, and a pool left spinning after its run took the
        # cores from the next model (dev_test p50 351 / 329 -> 272 / 247 ms: evals/README.md, stop 39; scores are the same).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(str(folder / manifest["model_file"]), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._tokenizer = Tokenizer.from_file(str(folder / manifest["tokenizer_file"]))
        self._tokenizer.enable_truncation(int(manifest["max_length"]))
        self._tokenizer.enable_padding(pad_id=int(manifest.get("pad_id", 0)))

    def logits(self, pairs: Sequence[tuple[str, str]], batch_size: int = 32) -> np.ndarray:
        out: list[np.ndarray] = []
        for start in range(0, len(pairs), batch_size):
            batch = self._tokenizer.encode_batch(list(pairs[start : start + batch_size]))
            feeds = {
                "input_ids": np.array([e.ids for e in batch], dtype=np.int64),
                "attention_mask": np.array([e.attention_mask for e in batch], dtype=np.int64),
                "token_type_ids": np.array([e.type_ids for e in batch], dtype=np.int64),
            }
            out.append(self._session.run(None, {k: v for k, v in feeds.items() if k in self._inputs})[0].reshape(-1))
        return np.concatenate(out) if out else np.zeros(0)

    def chance(self, first: str, second: str) -> float:
        """P of one pair, read as a one-logit classifier ((prompt, message): the emergency-now and crisis models)."""
        logit = float(self.logits([(first, second)])[0])
        return float(1.0 / (1.0 + np.exp(-np.clip(logit, -60.0, 60.0))))


class RelevanceModel:
    """The shipped cross-encoder, run with ONNX Runtime; scores are calibrated probabilities."""

    def __init__(self, folder: Path = MODEL_DIR, threads: int = 2, cache_size: int = 8192, embedder: str | None = None) -> None:
        self.folder = Path(folder)
        self.manifest = _verified_manifest(self.folder)
        self._pairs = OnnxPairModel(self.folder, self.manifest, threads)
        calibration = self.manifest["calibration"]
        self._scale, self._shift = float(calibration["scale"]), float(calibration["shift"])
        reading = self.manifest.get("reading")  # absent: an answer reads the cross-encoder alone
        self.reading = Reading.of(reading) if reading else None
        t = self.manifest["thresholds"]
        self.thresholds = Thresholds(
            float(t["answer"]), float(t["relative"]), int(t["max_sentences"]), float(t["coverage_intercept"]),
            float(t["coverage_best"]), float(t["coverage_aspect_missing"]), float(t["covered"]), float(t["full"]),
        )
        # The labelled questions and the reading that weighs them (absent: every sentence is read as a
        # sentence of a document nobody labelled questions for). Their vectors are the index embedder's:
        # with another embedder configured they would not compare, so the bank is left unused.
        # Used only when the caller names the index's embedder and it is the bank's.
        self.bank = QuestionBank.load(self.folder, self.manifest) if embedder is not None else None
        if self.bank is not None and self.bank.embedder != embedder:
            log.warning("the question bank was embedded with %s, the index uses %s: answers read without it", self.bank.embedder, embedder)
            self.bank = None
        self.bank_reading = Reading.of(self.manifest["bank_reading"]) if self.bank is not None else None
        self.bank_thresholds = replace(self.thresholds, **self.manifest["bank_showing"]) if self.bank is not None else self.thresholds
        self.name = f"relevance {self.manifest.get('version', '?')} ({self.manifest['files'][self.manifest['model_file']][:12]})"
        self._cache: OrderedDict[tuple[str, str], float] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def logits(self, question: str, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """The model's raw scores, uncalibrated (for calibration and benchmarks)."""
        return self._pairs.logits([(question, t) for t in texts], batch_size)

    def raw(self, question: str, texts: Sequence[str]) -> np.ndarray:
        """The model's raw scores of (question, text) pairs; each pair is scored once and kept."""
        with self._lock:
            known = {t: self._cache[(question, t)] for t in texts if (question, t) in self._cache}
        todo = sorted({t for t in texts if t not in known})
        if todo:
            fresh = dict(zip(todo, self.logits(question, todo).tolist(), strict=True))
            with self._lock:
                for text, value in fresh.items():
                    self._cache[(question, text)] = value
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
            known.update(fresh)
        return np.asarray([known[t] for t in texts], dtype=np.float64)

    def score(self, question: str, texts: Sequence[str]) -> list[float]:
        """P(each text answers the question), from the cross-encoder alone, calibrated."""
        return self.calibrated(self.raw(question, texts)).tolist()

    def answering(
        self, question: str, texts: Sequence[str], cosines: Sequence[float] | np.ndarray, neighbours: Sequence[Neighbour | None] | None = None
    ) -> list[float]:
        """P(each text answers the question) as an answer decides what to show: the cross-encoder's
        score with the bi-encoder's cosine of the question and the text (``Reading``), and for an
        answer whose sentences the question bank all knows, what the bank says of each
        (``QuestionBank.neighbours``; None: read without the bank). The two readings are fitted
        apart, so one answer is read by one."""
        raw = self.raw(question, texts)
        if self.reading is None:
            return self.calibrated(raw).tolist()
        cos = np.asarray(cosines, dtype=np.float64)
        plain = self.reading.probability(raw, cos)
        if self.bank_reading is None or neighbours is None or any(n is None for n in neighbours):
            return plain.tolist()
        near = np.asarray([n.cosine for n in neighbours if n is not None], dtype=np.float64)
        votes = np.asarray([n.vote for n in neighbours if n is not None], dtype=np.float64)
        return self.bank_reading.probability(raw, cos, near, votes).tolist()

    def showing(self, read_with_bank: bool) -> Thresholds:
        """The thresholds an answer chooses its sentences by: the selection rule was fitted for each reading."""
        return self.bank_thresholds if read_with_bank else self.thresholds

    def calibrated(self, logits: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(self._scale * logits + self._shift)))

    def provenance(self) -> dict[str, Any]:
        return {"relevance_model": self.name, "relevance_thresholds": self.thresholds.__dict__,
                "relevance_reading": self.reading.__dict__ if self.reading else None,
                "relevance_bank": ({"questions": len(self.bank.questions),
                                    "sha256": self.manifest["files"][self.manifest["question_bank"]["index_file"]][:12],
                                    "reading": self.bank_reading.__dict__ if self.bank_reading else None,
                                    "temperature": self.bank.temperature,
                                    "showing": {k: self.bank_thresholds.__dict__[k] for k in ("answer", "relative", "max_sentences")}}
                                   if self.bank is not None else None)}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _verified_manifest(folder: Path) -> dict[str, Any]:
    return verified_manifest(folder, "relevance model", INPUT_FORMAT, _RETRAIN)


def verified_manifest(folder: Path, what: str, input_format: int, retrain: str) -> dict[str, Any]:
    """A shipped model's manifest, once every file it names is there with its sha256; else a
    GuideError that says what to run (``retrain``)."""
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise GuideError(f"The {what} is missing ({manifest_path} not found); {retrain}.")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest.get("input_format") != input_format:
        raise GuideError(f"The {what} in {folder} reads another input format; {retrain}.")
    for name, expected in manifest["files"].items():
        path = folder / name
        if not path.is_file():
            raise GuideError(f"The {what} file {path} is missing; restore it from git or {retrain}.")
        if sha256_of(path) != expected:
            raise GuideError(f"The {what} file {path} has changed (its sha256 is not the one in {MANIFEST}); restore it from git or {retrain}.")
    return manifest


@lru_cache(maxsize=4)
def _load(folder: Path, threads: int, embedder: str) -> RelevanceModel:
    log.info("loading the relevance model from %s", folder)
    return RelevanceModel(folder, threads, embedder=embedder)


def load_relevance_model(settings: Settings) -> RelevanceModel:
    """The configured relevance model (the shipped one by default), loaded once per process."""
    return _load(Path(settings.retrieval.reranker_path).resolve(), settings.generator.n_threads, settings.index.embedding_model)
