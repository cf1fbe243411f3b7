"""Checks every shipped model folder must pass: its files are the ones its manifest names, and a
changed or missing file is refused with the command that rebuilds it."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.relevance import MANIFEST, sha256_of
from core.errors import GuideError


def assert_files_match_manifest(model_dir: Path) -> dict:  # type: ignore[type-arg]
    manifest = json.loads((model_dir / MANIFEST).read_text())
    for name, digest in manifest["files"].items():
        assert sha256_of(model_dir / name) == digest
    assert (model_dir / manifest["model_file"]).stat().st_size < 60 * 1024 * 1024
    assert (model_dir / "training_report.json").is_file()
    return manifest


def assert_refused_when_changed(model_dir: Path, tmp_path: Path, load: Callable[[Path], object], command: str) -> None:
    copy = tmp_path / "model"
    shutil.copytree(model_dir, copy)
    tokenizer = copy / "tokenizer.json"
    tokenizer.write_text(tokenizer.read_text().replace('"[CLS]"', '"[CLX]"', 1))
    with pytest.raises(GuideError, match=f"has changed.*{command}"):
        load(copy)
    tokenizer.unlink()
    with pytest.raises(GuideError, match=f"missing.*{command}"):
        load(copy)
