"""Feedback on answers, kept in SQLite under the data directory, exportable for evaluators.

One row per answer (session and turn): a later click on the other thumb or a comment
updates it. Each row holds the question, the answer, its citations and what produced it
(generator, condition, index and retrieval settings), so an evaluator can replay it.

    python -m ui.feedback export feedback.jsonl     # every row, one JSON object a line
    python -m ui.feedback summary
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from assistant.types import Answer
from core.settings import Settings

Rating = Literal["helpful", "not_helpful"]
FILE_NAME = "feedback.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    session_id TEXT NOT NULL,
    turn INTEGER NOT NULL,
    rating TEXT CHECK (rating IN ('helpful', 'not_helpful')),
    comment TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    coverage TEXT,
    safety TEXT,
    generator TEXT,
    condition TEXT,
    citations_json TEXT NOT NULL,
    settings_json TEXT NOT NULL,
    answer_json TEXT NOT NULL,
    UNIQUE (session_id, turn)
)
"""
_JSON_COLUMNS = {"citations_json": "citations", "settings_json": "settings", "answer_json": "full_answer"}


def feedback_path(settings: Settings) -> Path:
    return settings.data_dir / FILE_NAME


def answer_settings(settings: Settings, condition: str | None) -> dict[str, Any]:
    """The settings that shape an answer, as stored with its feedback."""
    return {
        "condition": condition or "all",
        "generator": settings.generator.model_dump(mode="json", exclude={"openai_api_key"}),
        "retrieval": settings.retrieval.model_dump(mode="json"),
        "verification": settings.verification.model_dump(mode="json"),
        "index": settings.index.model_dump(mode="json"),
    }


class FeedbackStore:
    """Helpful / not helpful ratings and comments, one row per answer."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(_SCHEMA)

    def rate(
        self,
        *,
        session_id: str,
        turn: int,
        rating: Rating | None,
        answer: Answer,
        settings: Mapping[str, Any],
    ) -> int:
        """Store (or change) the rating of one answer; ``None`` withdraws it. Returns the row id."""
        now = _now()
        data = answer.to_dict()
        with self._connect() as conn:
            conn.execute(
                """INSERT INTO feedback (created_at, updated_at, session_id, turn, rating, question, answer,
                       coverage, safety, generator, condition, citations_json, settings_json, answer_json)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (session_id, turn) DO UPDATE SET rating = excluded.rating,
                       updated_at = excluded.updated_at""",
                (
                    now, now, session_id, turn, rating,
                    answer.question, answer.answer, answer.coverage, answer.safety, answer.generator,
                    settings.get("condition"),
                    json.dumps(data["citations"], ensure_ascii=False),
                    json.dumps(dict(settings), ensure_ascii=False),
                    json.dumps(data, ensure_ascii=False),
                ),
            )
            row = conn.execute(
                "SELECT id FROM feedback WHERE session_id = ? AND turn = ?", (session_id, turn)
            ).fetchone()
        return int(row[0])

    def comment(self, feedback_id: int, comment: str) -> None:
        with self._connect() as conn:
            conn.execute(
                "UPDATE feedback SET comment = ?, updated_at = ? WHERE id = ?", (comment.strip(), _now(), feedback_id)
            )

    def rows(self) -> list[dict[str, Any]]:
        """Every row, oldest first, with ``citations``, ``settings`` and ``full_answer``
        (the answer's JSON, as the CLI prints it) decoded."""
        with self._connect() as conn:
            conn.row_factory = sqlite3.Row
            records = conn.execute("SELECT * FROM feedback ORDER BY id").fetchall()
        return [_decoded(dict(record)) for record in records]

    def export_jsonl(self, out: Path) -> int:
        rows = self.rows()
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        return len(rows)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # A connection per operation: handlers run on many threads, and each write commits.
        with closing(sqlite3.connect(self.path, timeout=10)) as conn, conn:
            yield conn


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    for column, key in _JSON_COLUMNS.items():
        row[key] = json.loads(row.pop(column))
    return row


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ui.feedback", description="Feedback given in the chat.")
    parser.add_argument("--data-dir", type=Path, help="default: the settings' data directory")
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help="write every feedback row as JSONL")
    export.add_argument("output", type=Path)
    commands.add_parser("summary", help="count ratings")
    args = parser.parse_args(argv)
    settings = Settings(data_dir=args.data_dir) if args.data_dir else Settings()
    path = feedback_path(settings)
    if not path.is_file():
        print(f"No feedback yet ({path} does not exist).", file=sys.stderr)
        return 1
    store = FeedbackStore(path)
    if args.command == "export":
        count = store.export_jsonl(args.output)
        print(f"Wrote {count} feedback rows to {args.output}", file=sys.stderr)
        return 0
    rows = store.rows()
    helpful = sum(r["rating"] == "helpful" for r in rows)
    unhelpful = sum(r["rating"] == "not_helpful" for r in rows)
    commented = sum(bool(r["comment"]) for r in rows)
    print(f"{len(rows)} answers rated: {helpful} helpful, {unhelpful} not helpful, {commented} with a comment")
    return 0


if __name__ == "__main__":
    sys.exit(main())
