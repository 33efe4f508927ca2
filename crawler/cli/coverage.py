"""`baotinh coverage`: stored articles per site per period, with the gaps flagged.

    baotinh coverage [--site S] [--by month|week|day] [--since DATE] [--until DATE]
                     [--format table|csv|json] [--html FILE] [--db PATH]

See docs/coverage.md for what counts as a gap and how periods are computed.
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import sys
from pathlib import Path

from crawler.cli.common import CLIError, add_db_argument, date_options, db_path
from crawler.coverage import CSV_HEADER, PERIODS, build_coverage, csv_rows, key_to_date, render_table

FORMATS = ("table", "csv", "json")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "coverage", help="articles per site per period, with gaps flagged (terminal, csv, json, html)",
        description="Stored articles per site per period. Gaps: periods with no article or fewer than "
                    "a quarter of the site's median between its first and last article, and periods "
                    "after its last article. Articles without a usable date are counted as undated.")
    parser.add_argument("--site", help="only this site (registry name)")
    parser.add_argument("--by", default="month", metavar="|".join(PERIODS),
                        help="period: month (default), ISO week, or day")
    parser.add_argument("--since", metavar="DATE",
                        help="first period shown: the one holding DATE (YYYY-MM-DD, YYYY-MM or YYYY)")
    parser.add_argument("--until", metavar="DATE",
                        help="last period shown: the one holding DATE (YYYY-MM-DD, YYYY-MM or YYYY, a month or "
                             "year to its last day); default: the archive's last")
    parser.add_argument("--format", default=None, metavar="|".join(FORMATS),
                        help="table (default: heat-map for the terminal), csv or json")
    parser.add_argument("--html", type=Path, metavar="FILE", help="also write a self-contained HTML report")
    add_db_argument(parser)
    parser.set_defaults(func=run)


def parse_options(args) -> dict:
    """Validate every option before the database is touched; CLIError names the bad one."""
    if args.by not in PERIODS:
        raise CLIError(f"--by must be one of {', '.join(PERIODS)} (got {args.by!r})")
    fmt = args.format or "table"
    if fmt not in FORMATS:
        raise CLIError(f"--format must be one of {', '.join(FORMATS)} (got {args.format!r})")
    since, until = date_options(args)
    if args.html is not None and args.html.is_dir():
        raise CLIError(f"--html {args.html} is a directory; give a file name")
    return {"by": args.by, "format": fmt, "since": since, "until": until, "html": args.html is not None}


def run(args) -> int:
    options = parse_options(args)
    path = db_path(args)
    if not path.exists():
        raise CLIError(f"no database at {path} (crawl something first, or pass --db)")
    from storage import StorageError, open_database
    from storage import coverage as queries

    try:
        db = open_database(path, create=False)
    except StorageError as exc:
        raise CLIError(f"cannot use the database {path}: {exc}") from None
    try:
        coverage, extra = collect(db, queries, args.site, options)
    except StorageError as exc:
        raise CLIError(str(exc)) from None
    finally:
        db.close()

    if args.html is not None:
        write_html(args.html, coverage, extra, path)
        print(f"coverage report written to {args.html} ({len(coverage.sites)} site"
              f"{'s' if len(coverage.sites) != 1 else ''}, {len(coverage.periods)} {options['by']}s)",
              file=sys.stderr)
        if args.format is None:
            return 0
    emit(coverage, options["format"], sys.stdout)
    return 0


def collect(db, queries, site: str | None, options: dict):
    if not queries.has_articles_table(db):
        raise CLIError("the database has no articles table")
    if site and site not in queries.site_names(db):
        known = ", ".join(queries.site_names(db)) or "none yet"
        raise CLIError(f"no articles stored for site {site!r} (sites with articles: {known})")
    granularity = "month" if options["by"] == "month" else "day"
    counts = queries.date_counts(db, granularity=granularity, site=site)
    last = queries.last_dated_day(db)
    coverage = build_coverage(counts, options["by"], undated=queries.undated_counts(db, site=site),
                              since=options["since"], until=options["until"], labels=queries.site_labels(db),
                              archive_last=key_to_date(last) if last else None)
    extra = {}
    if options["html"]:  # what only the HTML report shows, read while the database is open
        extra = {"runs": queries.crawl_runs(db, site=site),
                 "authors": queries.top_authors(db, site=site),
                 "fields": queries.field_counts(db, site=site)}
    return coverage, extra


def write_html(target: Path, coverage, extra: dict, source: Path) -> None:
    from crawler.clock import now_vn
    from crawler.coverage_html import render_report

    page = render_report(coverage, runs=extra["runs"], authors=extra["authors"], fields=extra["fields"],
                         source=source.name, generated_at=now_vn().isoformat(sep=" "))
    try:
        target.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise CLIError(f"cannot write {target}: {exc.strerror or exc}") from None


def emit(coverage, fmt: str, stream) -> None:
    if fmt == "json":
        json.dump(coverage.as_json(), stream, ensure_ascii=False, indent=2)
        stream.write("\n")
    elif fmt == "csv":
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(CSV_HEADER)
        writer.writerows(csv_rows(coverage))
    else:
        tty = _is_tty(stream)
        width = shutil.get_terminal_size((120, 24)).columns if tty else int(os.environ.get("COLUMNS") or 120)
        color = tty and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
        stream.write(render_table(coverage, width=max(40, width), color=color))


def _is_tty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
