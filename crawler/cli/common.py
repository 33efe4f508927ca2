"""What every `baotinh` command shares: the database path, one-line errors, date bounds
(--since/--until) and the check of a --site name."""
from __future__ import annotations

import calendar
import difflib
import os
import re
from datetime import date, datetime
from pathlib import Path

DEFAULT_DB = Path("data") / "baotinh.db"
DATE_FORMS = "YYYY-MM-DD, YYYY-MM or YYYY"
_BOUND = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


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


# -- dates: --since / --until ----------------------------------------------------------------

def date_bound(value, *, end: bool = False, name: str | None = None) -> date:
    """The one parser of date bounds given by people (command line, schedule file).

    YYYY-MM-DD, YYYY-MM or YYYY (a date object, or a TOML integer year, is taken as it is):
    a month or a year means its first day for a start (`end=False`, --since) and its last day
    for an end (`end=True`, --until), so both bounds are inclusive. ValueError otherwise,
    worded "invalid since 'someday': not a date (use YYYY-MM-DD, YYYY-MM or YYYY)".
    """
    name = name or ("until" if end else "since")
    if isinstance(value, datetime):
        raise ValueError(f"invalid {name} {value.isoformat(sep=' ')!r}: a date and time, not a date "
                         f"(use {DATE_FORMS})")
    if isinstance(value, date):
        return value
    text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    match = _BOUND.fullmatch(text)
    try:
        if not match:
            raise ValueError
        year, month, day = (int(part) if part else None for part in match.groups())
        if day:
            return date(year, month, day)
        if month:
            return date(year, month, calendar.monthrange(year, month)[1] if end else 1)
        return date(year, 12, 31) if end else date(year, 1, 1)
    except ValueError:
        raise ValueError(f"invalid {name} {value!r}: not a date (use {DATE_FORMS})") from None


def date_range(since=None, until=None, *, prefix: str = "") -> tuple[date | None, date | None]:
    """since and until as inclusive dates (date_bound); ValueError if either is not a date or
    since is after until ("since 2024-06 is after until 2024-01", `prefix` before each name)."""
    start = date_bound(since, end=False) if since not in (None, "") else None
    end = date_bound(until, end=True) if until not in (None, "") else None
    if start and end and start > end:
        raise ValueError(f"{prefix}since {_shown(since)} is after {prefix}until {_shown(until)}")
    return start, end


def date_options(args) -> tuple[date | None, date | None]:
    """The --since and --until of a command as inclusive dates; CLIError if unusable."""
    try:
        return date_range(getattr(args, "since", None), getattr(args, "until", None), prefix="--")
    except ValueError as exc:
        raise CLIError(str(exc)) from None


def _shown(value) -> str:
    return value.isoformat() if isinstance(value, date) else str(value).strip()


def add_date_arguments(parser, what: str = "published") -> None:
    """--since and --until DATE, both inclusive, as date_options reads them."""
    parser.add_argument("--since", metavar="DATE",
                        help=f"{what} on or after DATE ({DATE_FORMS}; a month or year from its first day)")
    parser.add_argument("--until", metavar="DATE",
                        help=f"{what} on or before DATE ({DATE_FORMS}; a month or year to its last day)")


# -- sites -----------------------------------------------------------------------------------

def check_site(name: str | None, stored=()) -> None:
    """CLIError (exit 2) when --site names neither a registry site nor one the database has
    data for (`stored`: the names, or a function returning them, called only when the registry
    does not know the name): a typo must not look like an empty archive."""
    if not name:
        return
    from crawler.registry import RegistryError, load_problems, load_registry

    try:
        sites, errors = load_registry()
    except RegistryError as exc:
        sites, errors = {}, [str(exc)]
    if name in sites:
        return
    stored = set(stored() if callable(stored) else stored)
    if name in stored:
        return
    close = difflib.get_close_matches(name, sorted(set(sites) | stored), n=1)
    hint = f"did you mean {close[0]!r}?" if close else f"`baotinh sites` lists the {len(sites)} registry sites"
    message = f"unknown site {name!r}: not in the registry and nothing stored for it ({hint})"
    raise CLIError(f"{message}; {load_problems(errors)}" if errors else message)
