"""python -m index build [PATHS...] | status | remove DOC_ID | sentences [--guides DIR]"""

from __future__ import annotations

import getpass
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from core.cli import command_parser, run_guarded
from core.logs import configure_logging
from core.settings import Settings

if TYPE_CHECKING:
    from index.store import DocumentRecord, Store

log = logging.getLogger("index")


def main(argv: list[str] | None = None) -> int:
    parser, commands = command_parser("python -m index", "Build and inspect the guides index.")
    build = commands.add_parser("build", help="add new and changed documents, drop removed ones (incremental)")
    build.add_argument("paths", nargs="*", type=Path, help="files or folders (default: the shipped guides and uploads)")
    build.add_argument("--no-progress", action="store_true", help="no progress bar")
    commands.add_parser("status", help="what the index holds")
    remove = commands.add_parser("remove", help="remove one document from the index")
    remove.add_argument("doc_id", help="document id, as 'status' lists it")
    sentences = commands.add_parser("sentences", help="every sentence of the guides with the id labels use")
    sentences.add_argument("--guides", type=Path, help="a guides folder (default: the configured one)")
    args = parser.parse_args(argv)
    configure_logging(args.verbose, level=logging.WARNING)

    def command() -> int:
        settings = Settings()
        if args.command == "sentences":  # reads the files only: no index, no model
            from index.sentences import load_catalog, render  # noqa: PLC0415

            print(render(load_catalog(args.guides or settings.corpus.guides_dir).values()), end="")
            return 0
        from index.build import build_index, remove_document  # noqa: PLC0415 - heavy imports after arg parsing
        from index.embeddings import make_embedder  # noqa: PLC0415
        from index.store import open_store  # noqa: PLC0415

        store = open_store(settings, make_embedder(settings))
        if args.command == "build":
            report = build_index(
                settings, store, args.paths or None, progress=False if args.no_progress else None,
                added_by=f"{getpass.getuser()} (command line)",
            )
            print(report.summary())
            return 1 if report.problems and not (report.added or report.updated or report.unchanged) else 0
        if args.command == "status":
            return _status(store)
        if not remove_document(store, args.doc_id):
            print(f"No document '{args.doc_id}' in the index; 'python -m index status' lists them.", file=sys.stderr)
            return 1
        print(f"Removed '{args.doc_id}'.")
        return 0

    return run_guarded(command, "Interrupted. The index is still usable; the next 'build' finishes what was left.")


def _status(store: Store) -> int:
    complete = store.complete_documents()
    records = store.documents()
    inventory = store.chunk_inventory()
    print(f"Collection: {store.name}")
    print(f"Documents: {len(complete)} complete, {store.count()} chunks")
    for record in sorted(complete.values(), key=lambda r: (r.owner, r.doc_id)):
        print(f"  {record.doc_id:32} {record.n_chunks:4} chunks  {','.join(record.conditions) or '-':12} {record.title}")
        print(f"  {'':32} {_provenance(record)}")
    broken = (set(inventory) | set(records)) - set(complete)
    if broken:
        print(f"Incomplete (an interrupted build; 'build' repairs them): {', '.join(sorted(broken))}")
    return 0


def _provenance(record: DocumentRecord) -> str:
    if record.origin == "shipped":
        return "shipped guide"
    who = f"added by {record.added_by or 'unknown'}" + (f" on {record.added_at}" if record.added_at else "")
    if record.updated_at and record.updated_at != record.added_at:
        who += f", updated {record.updated_at}"
    if record.owner:
        who += f"; private to chat session {record.owner[:8]}"
    if record.flagged_chunks:
        who += f"; {record.flagged_chunks} passage(s) set aside (they address the assistant)"
    return who


if __name__ == "__main__":
    sys.exit(main())
