"""The chat for patients and caregivers: ``python app.py [--host H] [--port P] [--generator G]``."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from core.errors import GuideError
from core.logs import configure_logging
from core.settings import GENERATOR_KINDS, Settings

log = logging.getLogger("app")


def parse_settings(argv: list[str] | None = None) -> tuple[Settings, bool]:
    """Flags override the settings (and their GUIDES_* environment variables)."""
    parser = argparse.ArgumentParser(description="Start the patient-guides chat in the browser.")
    parser.add_argument("--host", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to listen on (default 7860)")
    parser.add_argument("--generator", choices=GENERATOR_KINDS, help="how answers are written")
    parser.add_argument("--data-dir", type=Path, help="index, models, uploads and feedback live here")
    parser.add_argument("--uploads", action=argparse.BooleanOptionalAction, default=None, help="let users add documents")
    parser.add_argument("-v", "--verbose", action="store_true", help="show library logs")
    args = parser.parse_args(argv)
    app = {key: value for key, value in (("host", args.host), ("port", args.port), ("uploads_enabled", args.uploads)) if value is not None}
    overrides: dict = {"app": app}  # nested sections merge with the environment's values
    if args.generator:
        overrides["generator"] = {"kind": args.generator}
    if args.data_dir:
        overrides["data_dir"] = args.data_dir
    return Settings(**overrides), args.verbose


def main(argv: list[str] | None = None) -> int:
    settings, verbose = parse_settings(argv)
    configure_logging(verbose)
    try:
        from assistant.api import Assistant  # noqa: PLC0415 - loads torch; after the flags are checked
        from ui.blocks import build_app, launch_options  # noqa: PLC0415

        assistant = Assistant(settings)
        demo = build_app(assistant)
    except GuideError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    documents = assistant.documents()
    log.info(
        "Loaded %d documents (%d passages), embeddings %s, generator %s; uploads %s.",
        len(documents), assistant.retriever.chunk_count, settings.index.embedding_model,
        assistant.generator.name, "on" if settings.app.uploads_enabled else "off",
    )
    demo.queue(default_concurrency_limit=4).launch(prevent_thread_lock=True, **launch_options(settings))
    log.info("The chat is ready at %s (Ctrl+C stops it).", demo.local_url)
    try:
        demo.block_thread()
    except KeyboardInterrupt:
        log.info("Stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
