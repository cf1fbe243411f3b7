"""python -m plain edition | build [PATHS...] | recheck [LAYER] | report [LAYER]

``edition`` assembles the guides' plain-language edition (``corpus/guides/plain_edition.json``) from
its writers' and reviewers' files in ``corpus/plain_edition/``, refusing it unless every version
was found faithful and passes the checks. ``build`` with no paths writes the shipped guides'
rule-made layer (``corpus/guides/plain.json``), used where the edition is stale; with paths, the
layer of those documents in ``data_dir/plain.json``. ``report`` says what each covers.
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
    edition = commands.add_parser("edition", help="assemble the writers' reviewed plain-language edition of the guides")
    edition.add_argument("--record", default="record.json",
                         help="the list of rounds in corpus/plain_edition/ (another one: a proposed edition)")
    edition.add_argument("--guides-out", type=Path,
                         help="write into a copy of the guides' folder here, not beside the shipped guides")
    report = commands.add_parser("report", help="share of sentences with a plain version, grades before and after")
    report.add_argument("layer", nargs="?", type=Path, help="layer file (default: the shipped one)")
    args = parser.parse_args(argv)
    configure_logging(args.verbose)

    def command() -> int:
        from index.plain import PlainStore, shipped_layer_path, uploads_layer_path  # noqa: PLC0415

        settings = Settings()
        if args.command == "edition":
            from plain.edition import write_edition  # noqa: PLC0415

            path, figures = write_edition(settings.corpus.guides_dir, record_file=args.record, guides_out=args.guides_out)
            print(f"wrote {path}: {figures['sentences']} sentences, median grade {figures['median_grade']}, "
                  f"highest {figures['max_grade']} ({figures['over_grade_8']} above 8)")
            return 0
        if args.command == "report":
            print(edition_report(settings))
            print(layer_report(PlainStore(args.layer or shipped_layer_path(settings))))
            return 0
        if args.command == "recheck":
            from plain.judge import calibrated_threshold  # noqa: PLC0415
            from plain.readability import flesch_kincaid_grade  # noqa: PLC0415
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


def edition_report(settings: Settings) -> str:
    """The edition: how many sentences it gives, its grades, and the guides it is stale for."""
    from index.plain import load_edition  # noqa: PLC0415
    from plain.edition import summary  # noqa: PLC0415

    edition = load_edition(settings)
    if edition is None:
        return f"{settings.corpus.guides_dir}: no plain-language edition (the rule-made layer below is used)"
    import json  # noqa: PLC0415

    data = json.loads(edition.path.read_text(encoding="utf-8")) if edition.path else {"sentences": {}}
    figures = summary(data["sentences"].values())
    lines = [
        f"{edition.path}: edition {edition.edition}, {figures['sentences']} sentences, {len(edition.glossary)} glossary terms; "
        f"median grade {figures['median_grade']}, highest {figures['max_grade']}",
    ]
    if edition.stale:
        stale = sum(1 for s in edition.sentences if s.id.split(":")[0] in edition.stale)
        lines.append(
            f"  STALE: {', '.join(edition.stale)} changed since the edition was written: their {stale} sentences are shown "
            "as the guides word them (or in the rule-made layer) until the edition is updated and 'python -m plain edition' is run"
        )
    else:
        lines.append("  every guide is as the edition was written for it: the edition is used for all of their sentences")
    return "\n".join(lines)


def layer_report(store) -> str:  # type: ignore[no-untyped-def]
    """The figures the issue asks for: share with a plain version, median grade before and after."""
    from plain.readability import flesch_kincaid_grade  # noqa: PLC0415

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
