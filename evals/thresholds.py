"""The CI gate: every metric of a run against its threshold.

``thresholds.json`` holds ``min`` (metrics that must not fall below) and ``max`` (metrics
that must not rise above) and, under ``judge``, citation thresholds per judge, since the
LLM judge and the lexical fallback score citations differently.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from core.errors import GuideError
from evals.metrics import METRICS


@dataclass(frozen=True)
class ThresholdResult:
    metric: str
    bound: str  # "min" or "max"
    limit: float
    value: float | None
    passed: bool

    @property
    def text(self) -> str:
        label = METRICS[self.metric].label if self.metric in METRICS else self.metric
        sign = ">=" if self.bound == "min" else "<="
        shown = "not measured" if self.value is None else f"{self.value:g}"
        return f"{label} ({self.metric}) = {shown}, needs {sign} {self.limit:g}"

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "text": self.text}


def load_thresholds(path: Path) -> dict[str, Any]:
    path = Path(path)
    if not path.is_file():
        raise GuideError(f"Thresholds file {path} does not exist (the shipped one is evals/thresholds.json).")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise GuideError(f"{path}: not valid JSON ({error.msg}, line {error.lineno}).") from error
    for section in _sections(data):
        for bound in ("min", "max"):
            for metric, limit in section.get(bound, {}).items():
                if metric not in METRICS:
                    raise GuideError(f"{path}: unknown metric {metric!r}; known: {', '.join(METRICS)}.")
                if not isinstance(limit, int | float):
                    raise GuideError(f"{path}: the {bound} of {metric} must be a number.")
    return data


def _sections(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [data, *data.get("judge", {}).values()]


def check_thresholds(summary: dict[str, Any], thresholds: dict[str, Any], judge: str) -> list[ThresholdResult]:
    """Every threshold that applies to a run judged by ``judge``; a metric the run did not
    measure fails (a gate that passes on missing numbers would pass on a broken run)."""
    results = []
    for section in (thresholds, thresholds.get("judge", {}).get(judge, {})):
        for bound in ("min", "max"):
            for metric, limit in section.get(bound, {}).items():
                value = summary.get(metric)
                passed = value is not None and (value >= limit if bound == "min" else value <= limit)
                results.append(ThresholdResult(metric, bound, float(limit), value, passed))
    return results
