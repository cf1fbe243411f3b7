"""python -m assistant ask "question" [--json] | chat | batch IN.jsonl OUT.jsonl"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from assistant.phrases import AS_THE_GUIDE_SAYS, WORDS_USED
from core.cli import run_guarded
from core.errors import GuideError
from core.jsonl import jsonl_lines
from core.logs import configure_logging
from core.settings import GENERATOR_KINDS, Settings

log = logging.getLogger("assistant")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant", description="Ask the patient guides.")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--generator", choices=GENERATOR_KINDS, help="default: extractive (the guides' checked sentences); auto: local when its model is present")
    common.add_argument("--condition", default="all", help="search only one condition's guides: all, or a key of the guides' domain.json")
    common.add_argument("-v", "--verbose", action="store_true", help="show library logs")
    commands = parser.add_subparsers(dest="command", required=True)
    ask = commands.add_parser("ask", parents=[common], help="answer one question")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="print the whole answer as JSON")
    commands.add_parser("chat", parents=[common], help="a conversation in the terminal")
    batch = commands.add_parser("batch", parents=[common], help="answer conversations from a JSONL file")
    batch.add_argument("input", type=Path, help='JSONL: one {"id": ..., "turns": ["question", ...]} a line')
    batch.add_argument("output", type=Path, help="JSONL: one {\"id\": ..., answer fields} a line")
    args = parser.parse_args(argv)
    configure_logging(args.verbose, level=logging.WARNING)

    def command() -> int:
        items = read_batch(args.input) if args.command == "batch" else []  # check the file before loading a model
        assistant = _load(args.generator)
        condition = None if args.condition == "all" else args.condition
        if args.command == "ask":
            return _ask(assistant, args.question, condition, args.json)
        if args.command == "chat":
            return _chat(assistant, condition)
        return _batch(assistant, items, args.output, condition)

    return run_guarded(command)


def _load(generator: str | None):  # type: ignore[no-untyped-def]
    from assistant.api import Assistant  # noqa: PLC0415 - loads torch; after argument checks

    settings = Settings()
    assistant = Assistant(settings, generator=generator)
    if generator in (None, "auto"):
        print(f"(generator: {assistant.generator.name})", file=sys.stderr)
    return assistant


def _ask(assistant, question: str, condition: str | None, as_json: bool) -> int:  # type: ignore[no-untyped-def]
    if as_json:
        print(json.dumps(assistant.ask(question, condition=condition).to_dict(), ensure_ascii=False, indent=2))
        return 0
    _print_stream(assistant.stream(question, condition=condition))
    return 0


def _chat(assistant, condition: str | None) -> int:  # type: ignore[no-untyped-def]
    conversation = assistant.conversation(condition)
    print("Ask about the patient guides. An empty line or Ctrl-D ends the chat; 'new' starts over.", file=sys.stderr)
    while True:
        try:
            question = input("\nyou> ").strip()
        except EOFError:
            return 0
        if not question:
            return 0
        if question.lower() == "new":
            conversation.reset()
            continue
        try:
            _print_stream(conversation.stream(question))
        except GuideError as error:
            print(f"({error})", file=sys.stderr)


def _print_stream(events) -> None:  # type: ignore[no-untyped-def]
    answer = None
    for event in events:
        if event.kind == "delta":
            sys.stdout.write(event.text)
            sys.stdout.flush()
        elif event.kind == "final":
            answer = event.answer
    print()
    reworded = [s for s in answer.sentences if s.plain] if answer else []
    if answer and answer.glossary:
        print(f"\n{WORDS_USED}:")
        for entry in answer.glossary:
            print(f"  {entry.term}: {entry.explanation}")
    if reworded:  # the answer above is in plain words; here is what the guide itself says
        print(f"\n{AS_THE_GUIDE_SAYS}:")
        for sentence in reworded:
            print(f"  [{sentence.n}] {sentence.guide_text}" if sentence.n is not None else f"  {sentence.guide_text}")
    if answer and answer.citations:
        print("\nSources:")
        for c in answer.citations:
            snippet = c.text if len(c.text) < 160 else c.text[:157] + "..."
            print(f"  [{c.n}] {c.document_title}: \"{snippet}\"")


def read_batch(path: Path) -> list[tuple[str, list[str]]]:
    """Validate a batch file fully before any answering: line numbers in every error."""
    items: list[tuple[str, list[str]]] = []
    for number, item in jsonl_lines(path, 'one {"id", "turns"} object'):
        turns = item.get("turns") if isinstance(item, dict) else None
        if not isinstance(item, dict) or "id" not in item:
            raise GuideError(f"{path}:{number}: each line needs an \"id\".")
        if not isinstance(turns, list) or not turns or not all(isinstance(t, str) and t.strip() for t in turns):
            raise GuideError(f"{path}:{number}: \"turns\" must be a non-empty list of questions (strings).")
        items.append((str(item["id"]), turns))
    if not items:
        raise GuideError(f"{path} holds no items.")
    return items


def _batch(assistant, items: list[tuple[str, list[str]]], output: Path, condition: str | None) -> int:  # type: ignore[no-untyped-def]
    from tqdm import tqdm  # noqa: PLC0415

    failures = 0
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", encoding="utf-8") as out:
        for item_id, turns in tqdm(items, desc="Answering", unit="item", disable=not sys.stderr.isatty()):
            conversation = assistant.conversation(condition)
            try:
                for turn in turns:
                    answer = conversation.ask(turn)
                record = {"id": item_id, **answer.to_dict()}
            except GuideError as error:
                failures += 1
                record = {"id": item_id, "error": str(error)}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            out.flush()
    print(f"Wrote {len(items)} answers to {output}" + (f" ({failures} failed; see their 'error')" if failures else ""), file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
