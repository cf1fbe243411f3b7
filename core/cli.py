"""The edge every command line shares: user errors and Ctrl-C become messages and exit codes."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from core.errors import GuideError


def command_parser(prog: str, description: str) -> tuple[argparse.ArgumentParser, argparse._SubParsersAction]:
    """A command line with subcommands and ``-v``: the parser and the subcommands to add to."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("-v", "--verbose", action="store_true", help="show library logs")
    return parser, parser.add_subparsers(dest="command", required=True)


def run_guarded(command: Callable[[], int], interrupted: str = "Stopped.") -> int:
    """Run ``command``; a ``GuideError`` exits 2 with its message, Ctrl-C exits 130."""
    try:
        return command()
    except GuideError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"\n{interrupted}", file=sys.stderr)
        return 130


def command_parser(prog: str, description: str) -> tuple[argparse.ArgumentParser, argparse._SubParsersAction]:
    """A ``python -m PROG COMMAND`` parser with ``-v/--verbose``, and its subcommands to add to."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("-v", "--verbose", action="store_true", help="show library logs")
    return parser, parser.add_subparsers(dest="command", required=True)
