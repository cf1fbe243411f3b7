"""Logging set-up for the command lines and the app (library code only logs)."""

from __future__ import annotations

import logging
import os
import warnings

NOISY = ("chromadb", "httpx", "httpcore", "urllib3", "sentence_transformers", "transformers", "gradio", "bm25s", "matplotlib", "PIL")


def configure_logging(verbose: bool = False, level: int = logging.INFO) -> None:
    """Plain messages on stderr; third-party chatter only when ``verbose``."""
    # Offline by design: no library may reach for a model hub or send telemetry.
    quiet = (("HF_HUB_OFFLINE", "1"), ("TRANSFORMERS_OFFLINE", "1"), ("ANONYMIZED_TELEMETRY", "False"),
             ("TRANSFORMERS_VERBOSITY", "error"), ("HF_HUB_DISABLE_PROGRESS_BARS", "1"), ("TOKENIZERS_PARALLELISM", "false"))
    for name, value in quiet:
        os.environ.setdefault(name, value)
    logging.basicConfig(
        level=logging.DEBUG if verbose else level,
        format="%(levelname)s %(name)s: %(message)s" if verbose else "%(message)s",
    )
    for name in NOISY:
        logging.getLogger(name).setLevel(logging.INFO if verbose else logging.WARNING)
    if not verbose:
        warnings.filterwarnings("ignore", category=FutureWarning)
        warnings.filterwarnings("ignore", category=DeprecationWarning)
