"""The schedule file (schedule.toml) and cron arithmetic. Pure: no clock, no database, no I/O
beyond reading the file; time always enters as an argument (`now=`, `after=`).

    [entries.north-daily]                 # one table per entry; NAME is [A-Za-z0-9_-]+
    sites = ["baolangson", "baolaocai"]   # or site = "baocantho", or sites = "all"
    cron = "15 6,18 * * *"                # 5 fields (or @daily, @hourly...), Asia/Ho_Chi_Minh
    mode = "incremental"                  # or "backfill" (needs since = YYYY-MM-DD, "YYYY-MM" or YYYY), or "full"
    # until = 2024-12-31                  # backfill only: skip articles newer than this (a month or year: its end)
    # known_pages = 2                     # incremental only: pages of known articles before stopping
    max_articles = 400                    # optional limits
    max_pages = 3000
    priority = 10                         # higher first; Scrapyd's own queue priority too
    # base_url = "http://127.0.0.1:8001/" # single-site entries only: crawl a mirror (testing)
    # enabled = false                     # keep the entry but never start it

Every problem is a ScheduleError whose message is one line: "FILE:LINE: entry NAME: problem".
"""
from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from croniter import CroniterBadDateError, CroniterError, croniter

from crawler.cli.common import date_bound, date_range
from crawler.clock import VIETNAM

MODES = ("incremental", "backfill", "full")
ENTRY_KEYS = {"site", "sites", "cron", "mode", "since", "until", "known_pages", "max_articles", "max_pages",
              "priority", "base_url", "enabled"}
_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
_ALIASES = {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
# A fixed instant to test that an expression ever fires (Feb 30 never does): validation
# must not depend on the clock.
_PROBE = datetime(2000, 1, 1, tzinfo=VIETNAM)
# Counting missed slots is for the report only; stop counting after this many.
MISSED_COUNT_CAP = 10_000


class ScheduleError(Exception):
    """A schedule file that cannot be used; str() is one line naming the file (and entry)."""


@dataclass(frozen=True)
class ScheduleEntry:
    name: str
    sites: tuple[str, ...]
    cron: str
    mode: str = "incremental"
    since: str | None = None          # YYYY-MM-DD (the first day of a month or year given), backfill only
    until: str | None = None          # YYYY-MM-DD (the last day of a month or year given), backfill only
    known_pages: int | None = None    # incremental only
    max_articles: int | None = None
    max_pages: int | None = None
    priority: int = 0
    base_url: str | None = None       # a mirror of the (single) site, for tests and rehearsals
    enabled: bool = True
    all_sites: bool = False           # sites = "all": every current site of the registry
    line: int = 0

    @property
    def scheduled_by(self) -> str:
        """What crawl_runs.scheduled_by records for a run this entry started."""
        return f"schedule:{self.name}"

    def describe(self) -> str:
        mode = self.mode + (f" since {self.since}" if self.since else "")
        parts = [mode + (f" until {self.until}" if self.until else "")]
        parts += [f"{key}={getattr(self, key)}" for key in ("known_pages", "max_articles", "max_pages")
                  if getattr(self, key) is not None]
        parts.append(f"priority={self.priority}")
        if self.base_url:
            parts.append(f"base_url={self.base_url}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Schedule:
    path: Path
    entries: tuple[ScheduleEntry, ...]

    def entry(self, name: str) -> ScheduleEntry:
        for entry in self.entries:
            if entry.name == name:
                return entry
        raise KeyError(name)


# -- cron --------------------------------------------------------------------------------

def cron_problem(expression: str) -> str | None:
    """Why `expression` is not a usable schedule (None when it is)."""
    if not isinstance(expression, str) or not expression.strip():
        return "cron must be a non-empty string such as \"0 6 * * *\""
    text = " ".join(expression.split())
    if text.startswith("@"):
        if text.lower() not in _ALIASES:
            return f"unknown cron alias {text!r} (known: {', '.join(sorted(_ALIASES))})"
    elif len(text.split()) != 5:
        return (f"cron expression {expression!r} has {len(text.split())} fields; use 5: "
                "minute hour day-of-month month day-of-week")
    try:
        croniter(text, _PROBE).get_next(datetime)
    except CroniterBadDateError:
        return f"cron expression {expression!r} never fires"
    except (CroniterError, ValueError, KeyError, TypeError) as exc:
        reason = " ".join(str(exc).split()) or exc.__class__.__name__
        return f"bad cron expression {expression!r} ({reason})"
    return None


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("schedule times must be timezone-aware")
    return moment.astimezone(VIETNAM)


def next_runs(cron: str, after: datetime, count: int = 3) -> list[datetime]:
    """The next `count` times (strictly after `after`) at which `cron` fires, at +07:00."""
    iterator = croniter(" ".join(cron.split()), _aware(after))
    return [iterator.get_next(datetime).astimezone(VIETNAM) for _ in range(count)]


def next_run(cron: str, after: datetime) -> datetime:
    return next_runs(cron, after, 1)[0]


@dataclass(frozen=True)
class Due:
    """An entry that fell due: `slot` is the latest firing time in (last check, now];
    `missed` counts the firing times in that interval. It runs once whatever `missed` is."""

    entry: ScheduleEntry
    slot: datetime
    missed: int
    since: datetime


def due_slot(cron: str, last_check: datetime, now: datetime) -> tuple[datetime, int] | None:
    """(latest firing time in (last_check, now], how many there were), or None if none."""
    last_check, now = _aware(last_check), _aware(now)
    if last_check >= now:
        return None
    iterator = croniter(" ".join(cron.split()), last_check)
    first = iterator.get_next(datetime)
    if first > now:
        return None
    # The latest slot <= now: one step back from the first slot after now (no long walk
    # after a month switched off), then a bounded count of the slots in between.
    latest = croniter(" ".join(cron.split()), now + timedelta(seconds=1)).get_prev(datetime)
    count, slot = 1, first
    while slot < latest and count < MISSED_COUNT_CAP:
        slot = iterator.get_next(datetime)
        count += 1
    return latest.astimezone(VIETNAM), count


def due_entries(entries, checkpoints: dict, now: datetime) -> list[Due]:
    """The enabled entries with a firing time in (their last check, now], highest priority
    first (file order among equals). An entry never checked before is not due: its first
    check only starts its clock, as cron does for a new line. `checkpoints` maps entry names
    to the aware datetime of their last check."""
    due = []
    for entry in entries:
        last = checkpoints.get(entry.name)
        if not entry.enabled or last is None:
            continue
        found = due_slot(entry.cron, last, now)
        if found:
            due.append(Due(entry, found[0], found[1], _aware(last)))
    return sorted(due, key=lambda d: -d.entry.priority)


def next_wakeup(entries, now: datetime) -> datetime | None:
    """The earliest firing time after `now` among the enabled entries (for `schedule serve`)."""
    times = [next_run(e.cron, now) for e in entries if e.enabled]
    return min(times) if times else None


# -- the file ----------------------------------------------------------------------------

def _header_lines(text: str) -> dict[str, int]:
    """Entry name -> line of its [entries.NAME] header (quoted names included)."""
    lines = {}
    pattern = re.compile(r"""^\s*\[\s*entries\s*\.\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*\]""")
    for number, line in enumerate(text.splitlines(), start=1):
        match = pattern.match(line)
        if match:
            name = next(g for g in match.groups() if g is not None)
            lines.setdefault(name, number)
    return lines


def _positive_int(value, key: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{key} must be a positive whole number, not {value!r}")
    return value


def _day(value, key: str) -> str:
    """since/until of an entry, read like --since/--until of `baotinh crawl`
    (crawler.cli.common.date_bound): a TOML date, "YYYY-MM-DD", "YYYY-MM" or a year ("YYYY"
    or 2024); since is the start of the month or year, until its end. Returns YYYY-MM-DD."""
    return date_bound(value, end=key == "until", name=key).isoformat()


def _sites(data: dict, known: dict | None) -> tuple[str, ...]:
    if ("site" in data) == ("sites" in data):
        raise ValueError("give exactly one of site = \"NAME\" or sites = [\"NAME\", ...] (or sites = \"all\")")
    value = data["site"] if "site" in data else data["sites"]
    if value == "all":
        if known is None:
            raise ValueError("sites = \"all\" needs the site registry")
        names = tuple(name for name, site in known.items() if getattr(site, "status", "current") == "current")
        if not names:
            raise ValueError("sites = \"all\" but the registry has no current site")
        return names
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise ValueError("sites must be a non-empty list of registry names (or \"all\")")
    if len(set(value)) != len(value):
        raise ValueError("a site is listed twice in sites")
    if known is not None:
        unknown = [name for name in value if name not in known]
        if unknown:
            close = difflib.get_close_matches(unknown[0], list(known), n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"`baotinh sites` lists the {len(known)} known sites"
            raise ValueError(f"unknown site {unknown[0]!r} ({hint})")
    return tuple(value)


def build_entry(name: str, data, *, known_sites: dict | None = None, line: int = 0) -> ScheduleEntry:
    """One [entries.NAME] table -> ScheduleEntry; ValueError (one line) for any problem."""
    if not _NAME.match(name):
        raise ValueError("entry names may use letters, digits, '-' and '_' only")
    if not isinstance(data, dict):
        raise ValueError("must be a table ([entries.NAME] followed by key = value lines)")
    unknown = sorted(set(data) - ENTRY_KEYS)
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r} (keys: {', '.join(sorted(ENTRY_KEYS))})")
    sites = _sites(data, known_sites)
    if "cron" not in data:
        raise ValueError("missing cron (for example cron = \"0 6 * * *\")")
    problem = cron_problem(data["cron"])
    if problem:
        raise ValueError(problem)
    mode = data.get("mode", "incremental")
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r} (modes: {', '.join(MODES)})")
    since = _day(data["since"], "since") if data.get("since") is not None else None
    until = _day(data["until"], "until") if data.get("until") is not None else None
    if mode == "backfill" and since is None:
        raise ValueError("mode = \"backfill\" needs since = YYYY-MM-DD, YYYY-MM or YYYY (how far back to go)")
    for key, value in (("since", since), ("until", until)):
        if mode != "backfill" and value is not None:
            raise ValueError(f"{key} only applies to mode = \"backfill\" (this entry's mode is {mode!r})")
    date_range(since, until)  # ValueError "since … is after until …"
    known_pages = _positive_int(data.get("known_pages"), "known_pages")
    if known_pages is not None and mode != "incremental":
        raise ValueError(f"known_pages only applies to mode = \"incremental\" (this entry's mode is {mode!r})")
    priority = data.get("priority", 0)
    if isinstance(priority, bool) or not isinstance(priority, int):
        raise ValueError(f"priority must be a whole number, not {priority!r}")
    base_url = data.get("base_url")
    if base_url is not None:
        parts = urlsplit(base_url) if isinstance(base_url, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"base_url {base_url!r} is not an http(s) URL")
        if len(sites) != 1:
            raise ValueError("base_url (a mirror of one site) needs exactly one site")
    enabled = data.get("enabled", True)
    if not isinstance(enabled, bool):
        raise ValueError(f"enabled must be true or false, not {enabled!r}")
    return ScheduleEntry(
        name=name, sites=sites, cron=" ".join(data["cron"].split()), mode=mode, since=since, until=until,
        known_pages=known_pages,
        max_articles=_positive_int(data.get("max_articles"), "max_articles"),
        max_pages=_positive_int(data.get("max_pages"), "max_pages"),
        priority=priority, base_url=base_url, enabled=enabled,
        all_sites=data.get("sites") == "all", line=line)


def parse_schedule(text: str, path: str | Path = "schedule.toml", *,
                   known_sites: dict | None = None) -> Schedule:
    """Parse schedule text; `known_sites` (registry name -> Site) checks site names and
    expands sites = "all". Raises ScheduleError on the first problem."""
    path = Path(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScheduleError(f"{path}: not valid TOML: {' '.join(str(exc).split())}") from None
    extra = sorted(set(data) - {"entries"})
    if extra:
        raise ScheduleError(f"{path}: unknown top-level key {extra[0]!r}; entries are "
                            f"[entries.NAME] tables")
    tables = data.get("entries", {})
    if not isinstance(tables, dict) or not tables:
        raise ScheduleError(f"{path}: no entries (add an [entries.NAME] table with sites and cron)")
    lines = _header_lines(text)
    entries = []
    for name, table in tables.items():
        line = lines.get(name, 0)
        where = f"{path}:{line}" if line else f"{path}"
        try:
            entries.append(build_entry(name, table, known_sites=known_sites, line=line))
        except ValueError as exc:
            raise ScheduleError(f"{where}: entry {name}: {exc}") from None
    return Schedule(path, tuple(entries))


def load_schedule(path: str | Path, *, known_sites: dict | None = None) -> Schedule:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScheduleError(f"{path}: no such schedule file") from None
    except IsADirectoryError:
        raise ScheduleError(f"{path}: is a directory, not a schedule file") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise ScheduleError(f"{path}: cannot read the schedule file: {reason}") from None
    return parse_schedule(text, path, known_sites=known_sites)
