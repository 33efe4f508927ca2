"""What every `baotinh` command shares: the database path and one-line errors."""
from __future__ import annotations

import os
from pathlib import Path

DEFAULT_DB = Path("data") / "baotinh.db"


class CLIError(Exception):
    """A problem to report to the user as one line, exit status 2 unless given."""

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.exit_code = exit_code


def default_db_path() -> Path:
    return Path(os.environ.get("BAOTINH_DB") or DEFAULT_DB)


def add_db_argument(parser) -> None:
    parser.add_argument("--db", type=Path, default=None,
                        help="SQLite database (default: $BAOTINH_DB or data/baotinh.db)")


def db_path(args) -> Path:
    return Path(args.db) if getattr(args, "db", None) else default_db_path()
