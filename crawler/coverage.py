"""Coverage of the archive over time: periods, gaps, and the terminal heat-map.

Pure logic, no SQL: storage/coverage.py counts stored articles per site per day (or month) and
this module turns those counts into periods and flags the gaps an archivist asks about first.

Periods
    month  "2024-03"   the first 7 characters of published_at
    week   "2024-W09"  ISO 8601 week (Monday to Sunday, week 1 holds the year's first Thursday),
                       with the ISO year: 2024-12-30 is in "2025-W01". Computed in Python with
                       date.isocalendar(), never with SQLite's %W (which is not ISO).
    day    "2024-03-05"
published_at is local Vietnamese time (+07:00) written as ISO text, so the date part of the
text is the local date: no time-zone arithmetic is needed.

Gaps, for each site (see docs/coverage.md)
    "empty"       a period with no article between the site's first and last dated article
    "low"         fewer than a quarter of the site's median per-period count, where the median
                  is taken over every period from its first to its last dated article (empty
                  periods included) across the whole archive, whatever --since/--until show
    "after_last"  a period after the site's last dated article, up to --until or the last
                  period of the whole archive
Periods before a site's first article are not gaps (gap None, shown blank). Articles without a
usable published_at are counted per site as "undated", never placed in a period.
"""
from __future__ import annotations

import calendar
import math
import statistics
from dataclasses import dataclass, field
from datetime import date, timedelta

PERIODS = ("month", "week", "day")
GAP_KINDS = ("empty", "low", "after_last")
LOW_FRACTION = 0.25
SHADES = "░▒▓█"          # 1..4 quarters of the site's busiest period
MARK = {"empty": "×", "low": "!", "after_last": "·", None: " "}
UNIT = {"month": "month", "week": "week", "day": "day"}

_MONTH_INITIALS = "JFMAMJJASOND"


# --- periods -------------------------------------------------------------------------------

def check_by(by: str) -> str:
    if by not in PERIODS:
        raise ValueError(f"--by must be one of {', '.join(PERIODS)}, not {by!r}")
    return by


def period_of(day: date, by: str) -> str:
    if by == "month":
        return f"{day.year:04d}-{day.month:02d}"
    if by == "week":
        year, week, _ = day.isocalendar()
        return f"{year:04d}-W{week:02d}"
    if by == "day":
        return day.isoformat()
    raise ValueError(f"unknown period {by!r}")


def period_start(key: str, by: str) -> date:
    if by == "month":
        return date(int(key[:4]), int(key[5:7]), 1)
    if by == "week":
        return date.fromisocalendar(int(key[:4]), int(key[6:8]), 1)
    return date.fromisoformat(key)


def period_end(key: str, by: str) -> date:
    start = period_start(key, by)
    if by == "month":
        return start.replace(day=calendar.monthrange(start.year, start.month)[1])
    if by == "week":
        return start + timedelta(days=6)
    return start


def next_period(key: str, by: str) -> str:
    return period_of(period_end(key, by) + timedelta(days=1), by)


def period_range(first: str, last: str, by: str) -> list[str]:
    """Every period from first to last, both included ([] if last < first)."""
    periods, key = [], first
    while key <= last:
        periods.append(key)
        key = next_period(key, by)
    return periods


def parse_bound(text: str, *, end: bool = False) -> date:
    """--since/--until: YYYY-MM-DD, YYYY-MM or YYYY; a month or year means its first day
    (since) or its last day (until). ValueError with a one-line message otherwise. The
    command-line parser every command shares (crawler.cli.common.date_bound)."""
    from crawler.cli.common import date_bound

    return date_bound(text, end=end)


def key_to_date(key: str) -> date | None:
    """A stored date prefix ("YYYY-MM-DD" or "YYYY-MM") as a date, None if it is not one."""
    try:
        if len(key) == 7:
            return date(int(key[:4]), int(key[5:7]), 1)
        return date.fromisoformat(key[:10])
    except ValueError:
        return None


def bucket(counts: dict[str, int], by: str) -> tuple[dict[str, int], int]:
    """Date-prefix counts -> (period counts, count of prefixes that are not dates)."""
    periods: dict[str, int] = {}
    invalid = 0
    for key, n in counts.items():
        day = key_to_date(key)
        if day is None or (by != "month" and len(key) == 7):
            invalid += n
            continue
        period = period_of(day, by)
        periods[period] = periods.get(period, 0) + n
    return periods, invalid


# --- coverage -------------------------------------------------------------------------------

@dataclass
class Cell:
    period: str
    articles: int
    gap: str | None = None

    def as_dict(self) -> dict:
        return {"period": self.period, "articles": self.articles, "gap": self.gap}


@dataclass
class SiteCoverage:
    site: str
    cells: list[Cell]
    undated: int = 0
    first: str | None = None      # first period with a dated article (whole archive)
    last: str | None = None       # last period with a dated article (whole archive)
    median: float = 0.0           # per-period median from first to last (whole archive)
    total: int = 0                # dated articles in the periods shown
    label: str | None = None      # the newspaper's name, if the sites table knows it
    province: str | None = None

    @property
    def peak(self) -> int:
        return max((c.articles for c in self.cells), default=0)

    @property
    def gaps(self) -> list[Cell]:
        return [c for c in self.cells if c.gap]


@dataclass
class Coverage:
    by: str
    periods: list[str]
    sites: list[SiteCoverage]
    since: date | None = None
    until: date | None = None
    meta: dict = field(default_factory=dict)

    def gap_list(self) -> list[dict]:
        return [{"site": s.site, "period": c.period, "gap": c.gap, "articles": c.articles,
                 "median": s.median} for s in self.sites for c in s.gaps]

    def as_json(self) -> dict:
        return {
            "by": self.by,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "periods": self.periods,
            "sites": {s.site: [c.as_dict() for c in s.cells] for s in self.sites},
            "undated": {s.site: s.undated for s in self.sites},
            "summary": {s.site: {"newspaper": s.label, "total": s.total, "undated": s.undated,
                                 "first": s.first, "last": s.last, "median": s.median}
                        for s in self.sites},
            "gaps": self.gap_list(),
        }


def build_coverage(counts: dict[str, dict[str, int]], by: str, *, undated: dict[str, int] | None = None,
                   since: date | None = None, until: date | None = None,
                   labels: dict[str, dict] | None = None, archive_last: date | None = None) -> Coverage:
    """Per-site date-prefix counts (whole archive) -> Coverage for the periods shown.

    counts: {site: {"YYYY-MM-DD" or "YYYY-MM": n}}, every dated article of the archive; the
    window (since/until) only limits the periods shown, never the medians. archive_last: the
    latest date of the whole archive, for when `counts` holds only some sites (--site): the
    periods shown still run to the archive's last one, so a site that stopped early shows it.
    """
    check_by(by)
    undated = dict(undated or {})
    labels = labels or {}
    per_site: dict[str, dict[str, int]] = {}
    for site, prefixes in counts.items():
        periods, invalid = bucket(prefixes, by)
        per_site[site] = periods
        undated[site] = undated.get(site, 0) + invalid
    names = sorted(set(per_site) | set(undated))
    dated = [p for periods in per_site.values() for p in periods]
    start = period_of(since, by) if since else min(dated, default=None)
    if archive_last is not None:
        dated.append(period_of(archive_last, by))
    end = period_of(until, by) if until else max(dated, default=None)
    axis = period_range(start, end, by) if start and end else []
    sites = []
    for name in names:
        periods = per_site.get(name, {})
        first, last = (min(periods), max(periods)) if periods else (None, None)
        median = float(statistics.median(
            [periods.get(p, 0) for p in period_range(first, last, by)])) if periods else 0.0
        cells = [Cell(p, periods.get(p, 0), classify(p, periods.get(p, 0), first, last, median))
                 for p in axis]
        info = labels.get(name) or {}
        sites.append(SiteCoverage(name, cells, undated.get(name, 0), first, last, median,
                                  sum(c.articles for c in cells), info.get("newspaper"),
                                  info.get("province")))
    return Coverage(by, axis, sites, since, until)


def classify(period: str, articles: int, first: str | None, last: str | None, median: float) -> str | None:
    if first is None or period < first:
        return None
    if period > last:
        return "after_last"
    if articles == 0:
        return "empty"
    if articles < LOW_FRACTION * median:
        return "low"
    return None


def gap_runs(site: SiteCoverage) -> list[tuple[str, list[Cell]]]:
    """Consecutive cells with the same gap kind, merged: [(kind, cells), ...]."""
    runs: list[tuple[str, list[Cell]]] = []
    previous = None
    for i, cell in enumerate(site.cells):
        if not cell.gap:
            continue
        if runs and previous == i - 1 and runs[-1][0] == cell.gap:
            runs[-1][1].append(cell)
        else:
            runs.append((cell.gap, [cell]))
        previous = i
    return runs


# --- terminal rendering ---------------------------------------------------------------------

def shade(articles: int, peak: int) -> str:
    if articles <= 0 or peak <= 0:
        return " "
    return SHADES[min(len(SHADES), max(1, math.ceil(articles / peak * len(SHADES)))) - 1]


def cell_char(cell: Cell, peak: int) -> str:
    return MARK[cell.gap] if cell.gap else shade(cell.articles, peak)


_ANSI = {"empty": "\x1b[31m", "low": "\x1b[33m", "after_last": "\x1b[2m"}
_RESET = "\x1b[0m"


def axis_labels(periods: list[str], by: str) -> list[str]:
    """Label lines above the cells, one character per period (each line len(periods) long)."""
    width = len(periods)
    top = [" "] * width
    free = 0
    for i, key in enumerate(periods):
        start = period_start(key, by)
        if by == "month":
            boundary, text = i == 0 or start.month == 1, f"{start.year}"
        elif by == "week":
            boundary, text = i == 0 or key.endswith("W01"), key[:4]
        else:
            boundary, text = i == 0 or start.day == 1, key[:7]
        if boundary and i >= free and (i + len(text) <= width or i == 0):
            fits = text[:width - i]
            top[i:i + len(fits)] = fits
            free = i + len(fits) + 1
    lines = ["".join(top)]
    if by == "month":
        lines.append("".join(_MONTH_INITIALS[period_start(k, by).month - 1] for k in periods))
    elif by == "week":
        marks = []
        previous = None
        for key in periods:
            month = (period_start(key, by) + timedelta(days=3)).month  # the Thursday's month
            marks.append(_MONTH_INITIALS[month - 1] if month != previous else " ")
            previous = month
        lines.append("".join(marks))
    return lines


def render_table(coverage: Coverage, *, width: int = 120, color: bool = False) -> str:
    """The terminal view: a heat-map (one row per site), a legend, the gaps and the undated."""
    by = coverage.by
    if not coverage.sites:
        return "No articles stored yet.\n"
    out = []
    periods = coverage.periods
    span = f"{periods[0]} … {periods[-1]}" if periods else "no dated articles in that range"
    out.append(f"Stored articles per {by}, {span} ({len(coverage.sites)} site"
               f"{'s' if len(coverage.sites) != 1 else ''}; each row shaded against its own busiest {by})")
    out.append("")
    name_w = max(len(s.site) for s in coverage.sites) + 2
    stats = [(f"{s.total}", _num(s.median), f"{s.undated}") for s in coverage.sites]
    heads = ("total", f"median/{UNIT[by]}", "undated")
    col_w = [max(len(h), *(len(row[i]) for row in stats)) for i, h in enumerate(heads)]
    stats_w = sum(w + 2 for w in col_w)
    room = max(12, width - name_w - stats_w - 1)
    chunks = [periods[i:i + room] for i in range(0, len(periods), room)] or [[]]
    for n, chunk in enumerate(chunks):
        last_chunk = n == len(chunks) - 1
        offset = n * room
        labels = axis_labels(chunk, by) if chunk else [""]
        for j, line in enumerate(labels):
            tail = ""
            if last_chunk and j == len(labels) - 1:
                tail = " " + "".join(f"  {h:>{w}}" for h, w in zip(heads, col_w))
            out.append((" " * name_w + line.ljust(len(chunk)) + tail).rstrip())
        for s, row in zip(coverage.sites, stats):
            peak = s.peak
            cells = "".join(_paint(cell_char(c, peak), c.gap, color) for c in s.cells[offset:offset + room])
            tail = " " + "".join(f"  {v:>{w}}" for v, w in zip(row, col_w)) if last_chunk else ""
            out.append((f"{s.site:<{name_w}}" + cells + tail).rstrip())
        out.append("")
    out.append(legend(by, color=color))
    out.append("")
    out.extend(gap_lines(coverage))
    return "\n".join(out).rstrip() + "\n"


def legend(by: str, *, color: bool = False) -> str:
    return ("Legend: " + "".join(SHADES) + " articles (quarters of the row's busiest " + by + ")   "
            + _paint("×", "empty", color) + " none   "
            + _paint("!", "low", color) + " low (< ¼ of the site's median)   "
            + _paint("·", "after_last", color) + " after the site's last article   "
            + "blank: before its first")


def gap_lines(coverage: Coverage, *, limit: int = 40) -> list[str]:
    """The gaps as lines, consecutive periods of one kind merged; at most `limit` lines."""
    by = coverage.by
    rows = []
    for s in coverage.sites:
        for kind, cells in gap_runs(s):
            span = cells[0].period if len(cells) == 1 else f"{cells[0].period} … {cells[-1].period}"
            if len(cells) > 1:
                span += f" ({len(cells)} {by}s)"
            rows.append((s.site, span, describe_gap(kind, cells, s)))
    name_w = max((len(r[0]) for r in rows), default=0) + 2
    span_w = max((len(r[1]) for r in rows), default=0) + 2
    lines = [f"  {site:<{name_w}}{span:<{span_w}}{what}" for site, span, what in rows[:limit]]
    if len(rows) > limit:
        lines.append(f"  … and {len(rows) - limit} more (--format csv or json lists every period)")
    header = f"Gaps ({len(rows)}):" if rows else "Gaps: none"
    undated = [f"{s.site} {s.undated}" for s in coverage.sites if s.undated]
    tail = ["", "Undated (no usable published_at, not in any period): "
            + (", ".join(undated) if undated else "none")]
    return [header, *lines, *tail]


def describe_gap(kind: str, cells: list[Cell], site: SiteCoverage) -> str:
    """One run of gap periods in words; the terminal table and the HTML report say the same."""
    if kind == "empty":
        return "no articles"
    if kind == "low":
        return f"low: {low_counts(cells)} (median {_num(site.median)})"
    return f"after the last article ({site.last})"


def low_counts(cells: list[Cell]) -> str:
    """"2 articles" for one period, "1–3 articles each" for several."""
    low, high = min(c.articles for c in cells), max(c.articles for c in cells)
    counts = f"{low}" if low == high else f"{low}–{high}"
    plural = "" if high == 1 else "s"
    return f"{counts} article{plural}" + (" each" if len(cells) > 1 else "")


def _num(value: float) -> str:
    return f"{value:g}" if value != int(value) else f"{int(value)}"


def _paint(char: str, gap: str | None, color: bool) -> str:
    if color and gap in _ANSI:
        return f"{_ANSI[gap]}{char}{_RESET}"
    return char


# --- csv ------------------------------------------------------------------------------------

CSV_HEADER = ("site", "period", "articles", "gap")


def csv_rows(coverage: Coverage) -> list[tuple]:
    """One row per site per period, then one "undated" row per site (period = "undated")."""
    rows = [(s.site, c.period, c.articles, c.gap or "") for s in coverage.sites for c in s.cells]
    rows += [(s.site, "undated", s.undated, "") for s in coverage.sites]
    return rows


# --- field coverage per crawl run -----------------------------------------------------------

FIELDS = ("published_at", "authors", "body")
_STORED = ("new", "updated", "unchanged")


def field_coverage(run: dict) -> dict:
    """Share of a run's stored articles with each field: {"articles", "shares": {field: 0..1 | None},
    "source": "stats" | "articles" | None}. The run's stats ("baotinh/articles/<status>",
    "baotinh/fields/<field>") win when they carry the field counts; otherwise the counts made
    from the articles linked to the run (run["counted"]) are used."""
    stats = run.get("stats") or {}
    stored = sum(int(stats.get(f"baotinh/articles/{s}", 0) or 0) for s in _STORED)
    if stored and any(f"baotinh/fields/{f}" in stats for f in FIELDS):
        shares = {f: _share(stats.get(f"baotinh/fields/{f}"), stored) for f in FIELDS}
        return {"articles": stored, "shares": shares, "source": "stats"}
    counted = run.get("counted") or {}
    if counted.get("articles"):
        n = counted["articles"]
        return {"articles": n, "shares": {f: _share(counted.get(f), n) for f in FIELDS}, "source": "articles"}
    return {"articles": stored, "shares": {f: None for f in FIELDS}, "source": None}


def _share(value, total: int) -> float | None:
    if value is None or not total:
        return None
    return min(1.0, max(0.0, float(value) / total))
