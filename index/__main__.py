"""python -m index build [PATHS...] | status | remove DOC_ID"""

from __future__ import annotations

import getpass
import logging
import sys
from pathlib import Path

from core.cli import command_parser, run_guarded
from core.logs import configure_logging
from core.settings import Settings

log = logging.getLogger("index")


def main(argv: list[str] | None = None) -> int:
    parser, commands = command_parser("python -m index", "Build and inspect the guides index.")
    build = commands.add_parser("build", help="add new and changed documents, drop removed ones (incremental)")
    build.add_argument("paths", nargs="*", type=Path, help="files or folders (default: the shipped guides and uploads)")
    build.add_argument("--no-progress", action="store_true", help="no progress bar")
    commands.add_parser("status", help="what the index holds")
    remove = commands.add_parser("remove", help="remove one document from the index")
    remove.add_argument("doc_id", help="document id, as 'status' lists it")
    args = parser.parse_args(argv)
    configure_logging(args.verbose, level=logging.WARNING)

    def command() -> int:
        settings = Settings()
        from index.build import build_index, remove_document  # noqa: PLC0415 - heavy imports after arg parsing
        from index.embeddings import SentenceTransformerEmbeddings  # noqa: PLC0415
        from index.store import GuideStore  # noqa: PLC0415

        store = GuideStore(settings, SentenceTransformerEmbeddings(settings.index.embedding_model, settings.index.embedding_batch_size))
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


def _status(store) -> int:  # type: ignore[no-untyped-def]
    complete = store.complete_documents()
    records = store.documents()
    inventory = store.chunk_inventory()
    print(f"Collection: {store.name}")
    print(f"Documents: {len(complete)} complete, {store.chunks.count()} chunks")
    for record in sorted(complete.values(), key=lambda r: (r.owner, r.doc_id)):
        print(f"  {record.doc_id:32} {record.n_chunks:4} chunks  {','.join(record.conditions) or '-':12} {record.title}")
        print(f"  {'':32} {_provenance(record)}")
    broken = (set(inventory) | set(records)) - set(complete)
    if broken:
        print(f"Incomplete (an interrupted build; 'build' repairs them): {', '.join(sorted(broken))}")
    return 0


def _provenance(record) -> str:  # type: ignore[no-untyped-def]
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
