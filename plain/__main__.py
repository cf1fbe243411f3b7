"""python -m plain build [PATHS...] | recheck [LAYER] | report [LAYER]

``build`` with no paths writes the shipped guides' layer (``corpus/guides/plain.json``, shipped
in the repo); with paths, the layer of those documents in ``data_dir/plain.json``.
"""

from __future__ import annotations

import logging
import statistics
import sys
from pathlib import Path

from core.cli import command_parser, run_guarded
from core.errors import GuideError
from core.logs import configure_logging
from core.settings import Settings

log = logging.getLogger("plain")


def main(argv: list[str] | None = None) -> int:
    parser, commands = command_parser("python -m plain", "The plain-language layer of the guides.")
    build = commands.add_parser("build", help="rewrite and check every sentence not yet in the layer (cached)")
    build.add_argument("paths", nargs="*", type=Path, help="documents (default: the shipped guides)")
    build.add_argument("--out", type=Path, help="layer file (default: corpus/guides/plain.json, or data_dir/plain.json for PATHS)")
    build.add_argument("--limit", type=int, help="rewrite at most this many sentences (a trial run)")
    build.add_argument("--with-model", action="store_true",
                       help="also let the local model rewrite what the rules could not make pass the checks (slow)")
    recheck = commands.add_parser("recheck", help="re-apply the judge thresholds to the stored scores (no model)")
    recheck.add_argument("layer", nargs="?", type=Path, help="layer file (default: the shipped one)")
    report = commands.add_parser("report", help="share of sentences with a plain version, grades before and after")
    report.add_argument("layer", nargs="?", type=Path, help="layer file (default: the shipped one)")
    args = parser.parse_args(argv)
    configure_logging(args.verbose)

    def command() -> int:
        from index.plain import PlainStore, shipped_layer_path, uploads_layer_path  # noqa: PLC0415

        settings = Settings()
        if args.command == "report":
            print(layer_report(PlainStore(args.layer or shipped_layer_path(settings))))
            return 0
        if args.command == "recheck":
            from evals.judge import calibrated_threshold  # noqa: PLC0415
            from evals.readability import flesch_kincaid_grade  # noqa: PLC0415
            from plain.build import make_similarity, recheck  # noqa: PLC0415

            store = PlainStore(args.layer or shipped_layer_path(settings))
            changed = recheck(
                store, calibrated_threshold("llm", 0.5), flesch_kincaid_grade, make_similarity(settings),
                settings.domain.medicine_words,
            )
            print(f"{changed} decisions changed.")
            print(layer_report(store))
            return 0
        from corpus.loaders import load_paths  # noqa: PLC0415

        roots = [p.resolve() for p in args.paths] or [settings.corpus.guides_dir]
        documents, problems = load_paths(roots, max_file_mb=settings.corpus.max_file_mb, domain=settings.domain)
        for problem in problems:
            log.warning("not read: %s", problem)
        if not documents:
            raise GuideError("No readable documents to build a plain-language layer for.")
        out = args.out or (uploads_layer_path(settings) if args.paths else shipped_layer_path(settings))
        store = PlainStore(out)
        from plain.build import make_builder  # noqa: PLC0415

        stats = make_builder(settings, use_model=args.with_model, rules=True).build(documents, store, limit=args.limit)
        print(stats.summary())
        print(layer_report(store))
        return 0

    return run_guarded(command, "Interrupted. What was checked is saved; the next 'build' goes on from there.")


def layer_report(store) -> str:  # type: ignore[no-untyped-def]
    """The figures the issue asks for: share with a plain version, median grade before and after."""
    from evals.readability import flesch_kincaid_grade  # noqa: PLC0415

    entries = list(store.entries.values())
    if not entries:
        return f"{store.path}: empty"
    candidates = [e for e in entries if e.reason not in ("heading or short line",)]
    plain = [e for e in candidates if e.plain]
    before = [g for e in candidates if (g := flesch_kincaid_grade(e.source)) is not None]
    after = [g for e in candidates if (g := flesch_kincaid_grade(e.plain or e.source)) is not None]
    lines = [
        f"{store.path}: {len(entries)} sentences, {len(candidates)} of them statements (not headings or short lines)",
        f"  with a checked plain version: {len(plain)} of {len(candidates)} ({len(plain) / max(len(candidates), 1):.0%})",
        f"  median Flesch-Kincaid grade of the statements: {statistics.median(before):.1f} as the guide says, "
        f"{statistics.median(after):.1f} with the plain layer",
    ]
    if plain:
        lines.append(
            f"  median grade of the sentences that got one: {statistics.median(e.grade_source for e in plain):.1f} -> "
            f"{statistics.median(e.grade_plain for e in plain):.1f}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
