"""Time as the archive stores it: ISO 8601 text at +07:00, which sorts and compares as text."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

VIETNAM = timezone(timedelta(hours=7))
_PREFIX = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


def now_iso() -> str:
    return datetime.now(VIETNAM).replace(microsecond=0).isoformat()


def to_iso(value) -> str | None:
    """datetime/date/str -> stored text (aware datetimes converted to +07:00, naive ones taken
    as Vietnam time); strings are kept as given (the normalizer already produced ISO text)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=VIETNAM)
        return value.astimezone(VIETNAM).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _next_prefix(prefix: str) -> str:
    """The first value after every date starting with `prefix` ("2024-03" -> "2024-04")."""
    parts = [int(p) for p in prefix.split("-")]
    if len(parts) == 1:
        return f"{parts[0] + 1:04d}"
    if len(parts) == 2:
        year, month = parts
        return f"{year + month // 12:04d}-{month % 12 + 1:02d}"
    return (date(*parts) + timedelta(days=1)).isoformat()


def date_bounds(since=None, until=None) -> list[tuple[str, str]]:
    """(operator, value) conditions on published_at for an inclusive since/until range.

    Accepts YYYY, YYYY-MM, YYYY-MM-DD (until covers that whole year/month/day), an ISO
    datetime (naive = Vietnam time), or date/datetime objects. ValueError otherwise, worded
    like the command line's (crawler.cli.common.date_bound, which the commands use: they pass
    the dates it resolved, so a date reaching here from a command is already checked).
    """
    conditions = []
    for bound, value in (("since", since), ("until", until)):
        if value is None or value == "":
            continue
        if isinstance(value, datetime):
            text, whole = to_iso(value), False
        elif isinstance(value, date):
            text, whole = value.isoformat(), True
        else:
            text = str(value).strip()
            whole = bool(_PREFIX.fullmatch(text))
            try:
                if whole:
                    datetime.strptime(text, {4: "%Y", 7: "%Y-%m", 10: "%Y-%m-%d"}[len(text)])
                else:
                    text = to_iso(datetime.fromisoformat(text.replace("Z", "+00:00")))
            except ValueError:
                raise ValueError(f"invalid {bound} {value!r}: not a date (use YYYY-MM-DD, YYYY-MM or YYYY, "
                                 f"or an ISO datetime)") from None
        if bound == "since":
            conditions.append((">=", text))
        else:
            conditions.append(("<", _next_prefix(text)) if whole else ("<=", text))
    return conditions
