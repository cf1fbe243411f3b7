"""Reading a JSONL file a person wrote (a batch of questions, an evaluation set), with the line
number in every error."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from core.errors import GuideError


def jsonl_lines(path: Path, holds: str, error: type[GuideError] = GuideError) -> Iterator[tuple[int, Any]]:
    """Each non-blank line of ``path``, parsed, with its number. ``error`` says that the file is
    missing (and that it should hold ``holds``: "one evaluation item") or that a line is not JSON."""
    path = Path(path)
    if not path.is_file():
        raise error(f"{path} does not exist; give a JSONL file with {holds} a line.")
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            parsed = json.loads(line)
        except json.JSONDecodeError as bad:
            raise error(f"{path}:{number}: not valid JSON ({bad.msg} at column {bad.colno}).") from bad
        yield number, parsed
