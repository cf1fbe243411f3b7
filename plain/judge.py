"""Does a passage support a sentence? Two judges behind one small interface.

- ``LLMJudge``: the local LLM asked an NLI-style yes/no question; the score is
  P(yes) / (P(yes) + P(no)) read from the next-token logits, and the sentence counts as
  supported at or above a threshold calibrated on ``datasets/judge_pairs.jsonl``.
- ``LexicalJudge``: the fallback when no LLM is available. Deliberately independent of the
  assistant's own citation check (``assistant.citations``: stemmed content words plus
  embeddings), which decides what the assistant shows: judging with the same check would
  only confirm itself. It looks at unstemmed words, word pairs and figures, and it is weaker
  than the LLM judge (see the calibration figures in ``judge_calibration.json``).

``calibrate`` picks each judge's threshold on labelled pairs and reports how well it does.
The judges live in the product (the plain-language layer checks rewrites with them); the evals
harness imports them from here, and keeps its own labelled pairs.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from core.errors import GuideError
from core.settings import REPO_ROOT

log = logging.getLogger(__name__)

PAIRS_PATH = REPO_ROOT / "evals" / "datasets" / "judge_pairs.jsonl"  # labelled pairs (data the evaluators keep)
CALIBRATION_PATH = Path(__file__).resolve().parent / "judge_calibration.json"

JUDGE_SYSTEM = (
    "You are a careful fact checker. You decide whether a statement is fully supported by a passage. "
    "A statement is supported only if every fact in it, including names and numbers, is stated in the passage. "
    "Reply with one word: yes or no."
)
JUDGE_HUMAN = """Passage:
<<<
{passage}
>>>

Statement: {statement}

Is the statement fully supported by the passage? Answer yes or no."""


def _check_template(template: str, expected: set[str]) -> None:
    found = set(re.findall(r"{(\w+)}", template))
    if found != expected:
        raise RuntimeError(f"judge prompt variables {sorted(found)} != {sorted(expected)}")


_check_template(JUDGE_HUMAN, {"passage", "statement"})


@dataclass(frozen=True)
class Verdict:
    supported: bool
    score: float  # the judge's confidence that the passage supports the statement, 0..1


class Judge(Protocol):
    name: str
    model_name: str
    threshold: float

    def score(self, statement: str, passage: str) -> float: ...


class CachedJudge:
    """Any judge, with a threshold and a cache: answers repeat the same sentence–passage pairs."""

    def __init__(self, judge: Judge) -> None:
        self.judge = judge
        self.name = judge.name
        self.threshold = judge.threshold
        self._cache: dict[tuple[str, str], float] = {}
        self.calls = 0

    def verdict(self, statement: str, passage: str) -> Verdict:
        key = (statement, passage)
        if key not in self._cache:
            self.calls += 1
            self._cache[key] = self.judge.score(statement, passage)
        score = self._cache[key]
        return Verdict(score >= self.threshold, score)

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "threshold": self.threshold, "model": self.judge.model_name, "calls": self.calls}


class YesNoModel(Protocol):
    def yes_probability(self, prompt_messages: Sequence[BaseMessage]) -> float: ...


class LLMJudge:
    """NLI-style judge: the chat model's probability of answering "yes"."""

    name = "llm"

    def __init__(self, model: YesNoModel, threshold: float, model_name: str = "") -> None:
        self.model = model
        self.threshold = threshold
        self.model_name = model_name

    def score(self, statement: str, passage: str) -> float:
        return float(self.model.yes_probability(judge_messages(statement, passage)))


def judge_messages(statement: str, passage: str) -> list[BaseMessage]:
    return [
        SystemMessage(JUDGE_SYSTEM),
        HumanMessage(JUDGE_HUMAN.format(passage=passage.strip(), statement=statement.strip())),
    ]


# --- the lexical fallback -------------------------------------------------------------

_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
_FIGURE = re.compile(r"\d+(?:[.,]\d+)?")
_NEGATIONS = frozenset("not no never cannot without none nor".split())
_FUNCTION_WORDS = frozenset(
    """a an the and or but of to in on at by for with from as is are was were be been being it its this that these
    those such which who whom whose than then so if can may might could would should will shall do does did has
    have had also more most very some any all each other into about over under their there they them he she his
    her our your we you i me my just only both either""".split()
)


def _plain_words(text: str) -> list[str]:
    # Unstemmed, with a crude plural fold only: a different view of the text from the
    # assistant's stemmed check, so the two do not simply agree by construction.
    words = []
    for word in _WORD.findall(text.lower().replace("’", "'")):
        word = word.split("'")[0]
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        words.append(word)
    return words


class LexicalJudge:
    """Share of the statement's content words and word pairs found in the passage; any
    figure or negation the passage lacks caps the score. A weak, cheap check."""

    name = "lexical"
    model_name = "lexical-overlap-v1"

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold

    def score(self, statement: str, passage: str) -> float:
        said = _plain_words(statement)
        source = _plain_words(passage)
        content = [w for w in said if w not in _FUNCTION_WORDS]
        if not content:
            return 0.0
        source_set = set(source)
        unigram = sum(w in source_set for w in content) / len(content)
        pairs = list(zip(content, content[1:], strict=False))
        source_content = [w for w in source if w not in _FUNCTION_WORDS]
        source_pairs = set(zip(source_content, source_content[1:], strict=False))
        bigram = sum(p in source_pairs for p in pairs) / len(pairs) if pairs else unigram
        score = 0.6 * unigram + 0.4 * bigram
        if not set(_FIGURE.findall(statement)) <= set(_FIGURE.findall(passage)):
            score = min(score, 0.2)  # a figure the passage does not give
        if (set(said) & _NEGATIONS) - source_set:
            score = min(score, 0.3)  # the statement negates what the passage does not
        return round(score, 4)


# --- choosing a judge -----------------------------------------------------------------


def load_calibration(path: Path = CALIBRATION_PATH) -> dict[str, Any]:
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def calibrated_threshold(name: str, default: float, path: Path = CALIBRATION_PATH) -> float:
    entry = load_calibration(path).get(name) or {}
    return float(entry.get("threshold", default))


def make_judge(kind: str, settings: Any = None, model: YesNoModel | None = None) -> CachedJudge:
    """``llm``, ``lexical`` or ``auto`` (the LLM when its model is available, else lexical)."""
    if kind not in ("auto", "llm", "lexical"):
        raise GuideError(f"Unknown judge '{kind}'; use auto, llm or lexical.")
    if kind == "lexical":
        return CachedJudge(LexicalJudge(calibrated_threshold("lexical", 0.6)))
    if model is None:
        from assistant.model_files import local_model_available  # noqa: PLC0415

        if not local_model_available(settings):
            if kind == "llm":
                raise GuideError("The LLM judge needs the local model: run `make model`, or use --judge lexical.")
            log.warning("no local model: citations are judged by the weaker lexical check")
            return CachedJudge(LexicalJudge(calibrated_threshold("lexical", 0.6)))
        from assistant.llm import load_local_chat_model  # noqa: PLC0415

        model = load_local_chat_model(settings)
    model_name = Path(str(getattr(model, "model_path", "") or "")).name or type(model).__name__
    return CachedJudge(LLMJudge(model, calibrated_threshold("llm", 0.5), model_name))


# --- calibration ----------------------------------------------------------------------


@dataclass(frozen=True)
class JudgePair:
    id: str
    statement: str
    passage: str
    supported: bool
    why: str = ""


def load_pairs(path: Path = PAIRS_PATH) -> list[JudgePair]:
    pairs = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            pairs.append(JudgePair(raw["id"], raw["statement"], raw["passage"], bool(raw["supported"]), raw.get("why", "")))
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise GuideError(f"{path}:{number}: a judge pair needs id, statement, passage and supported ({error}).") from error
    return pairs


@dataclass(frozen=True)
class Calibration:
    judge: str
    model: str
    threshold: float
    pairs: int
    accuracy: float
    precision: float
    recall: float
    f1: float
    auc: float
    cross_validated_accuracy: float
    scores: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def calibrate(name: str, model: str, score: Callable[[str, str], float], pairs: Sequence[JudgePair]) -> Calibration:
    """The threshold with the best accuracy on ``pairs`` (ties: the one nearest 0.5), the
    figures it reaches there, the threshold-free AUC, and a leave-one-out accuracy that
    says how much of that accuracy is owed to choosing the threshold on the same pairs."""
    scores = {p.id: round(float(score(p.statement, p.passage)), 4) for p in pairs}
    labelled = [(scores[p.id], p.supported) for p in pairs]
    threshold = best_threshold(labelled)
    stats = confusion(labelled, threshold)
    held_out = []
    for index in range(len(labelled)):
        rest = labelled[:index] + labelled[index + 1 :]
        value, truth = labelled[index]
        held_out.append((value >= best_threshold(rest)) == truth)
    return Calibration(
        judge=name,
        model=model,
        threshold=threshold,
        pairs=len(pairs),
        accuracy=stats["accuracy"],
        precision=stats["precision"],
        recall=stats["recall"],
        f1=stats["f1"],
        auc=round(auc(labelled), 4),
        cross_validated_accuracy=round(sum(held_out) / len(held_out), 4) if held_out else 0.0,
        scores=scores,
    )


def best_threshold(labelled: Sequence[tuple[float, bool]]) -> float:
    values = sorted({v for v, _ in labelled})
    # Candidate cut points: midway between neighbouring scores, plus the ends.
    candidates = [values[0]] + [(a + b) / 2 for a, b in zip(values, values[1:], strict=False)] + [values[-1] + 1e-6]
    return round(max(candidates, key=lambda t: (confusion(labelled, t)["accuracy"], -abs(t - 0.5))), 4)


def confusion(labelled: Sequence[tuple[float, bool]], threshold: float) -> dict[str, float]:
    tp = sum(1 for v, y in labelled if v >= threshold and y)
    fp = sum(1 for v, y in labelled if v >= threshold and not y)
    fn = sum(1 for v, y in labelled if v < threshold and y)
    tn = sum(1 for v, y in labelled if v < threshold and not y)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    accuracy = (tp + tn) / len(labelled) if labelled else 0.0
    return {"accuracy": round(accuracy, 4), "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def auc(labelled: Sequence[tuple[float, bool]]) -> float:
    """Probability that a supported pair scores above an unsupported one (ties count half)."""
    positives = [v for v, y in labelled if y]
    negatives = [v for v, y in labelled if not y]
    if not positives or not negatives:
        return math.nan
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


def save_calibration(results: Sequence[Calibration], path: Path = CALIBRATION_PATH) -> None:
    data = load_calibration(path)
    for result in results:
        data[result.judge] = result.to_dict()
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
