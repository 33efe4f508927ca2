"""`baotinh runs [--site S] [--last N]`: the crawl runs recorded in the database, newest first.

Every crawl writes one crawl_runs row (crawler/extensions.py), whoever started it: a person
(`baotinh crawl`), `baotinh schedule run-due` (scheduled_by = schedule:<entry>) or Scrapyd.
"""
from __future__ import annotations

import json
from datetime import datetime

from crawler.cli.common import CLIError, add_db_argument, check_site, db_path
from storage import StorageError, list_runs, open_database

COLUMNS = ("id", "site", "scheduled_by", "started", "finished", "reason", "new", "updated", "duration")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "runs", help="the crawl runs recorded in the database, newest first",
        description="List crawl runs: what scheduled each, when it started and finished, why it ended, "
                    "how many articles it added or updated, how long it took.")
    parser.add_argument("--site", help="only this site's runs")
    parser.add_argument("--last", type=int, default=20, metavar="N", help="the N most recent runs (default 20)")
    parser.add_argument("--json", action="store_true", help="one JSON object per line, with the full stats")
    add_db_argument(parser)
    parser.set_defaults(func=run)


def _moment(stamp):
    try:
        return datetime.fromisoformat(stamp) if stamp else None
    except ValueError:
        return None


def duration(started: str | None, finished: str | None) -> str:
    start, end = _moment(started), _moment(finished)
    if start is None or end is None:
        return "-"
    if (start.tzinfo is None) != (end.tzinfo is None):
        start, end = start.replace(tzinfo=None), end.replace(tzinfo=None)
    seconds = max(0, int((end - start).total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def row(run: dict) -> dict:
    stats = run.get("stats") or {}
    return {
        "id": run["id"], "site": run.get("site") or run.get("spider"),
        "scheduled_by": run.get("scheduled_by") or "-",
        "started": run.get("started_at") or "-", "finished": run.get("finished_at") or "-",
        "reason": run.get("finish_reason") or ("running" if not run.get("finished_at") else "-"),
        "new": int(stats.get("baotinh/articles/new", 0) or 0),
        "updated": int(stats.get("baotinh/articles/updated", 0) or 0),
        "duration": duration(run.get("started_at"), run.get("finished_at")),
    }


def render(rows: list[dict]) -> str:
    table = [COLUMNS] + [tuple(str(r[c]) for c in COLUMNS) for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS))]
    numeric = {"id", "new", "updated", "duration"}
    out = []
    for line in table:
        cells = [cell.rjust(w) if COLUMNS[i] in numeric else cell.ljust(w)
                 for i, (cell, w) in enumerate(zip(line, widths))]
        out.append("  ".join(cells).rstrip())
    return "\n".join(out)


def run(args) -> int:
    if args.last is not None and args.last < 1:
        raise CLIError("--last must be at least 1")
    path = db_path(args)
    try:
        db = open_database(path, create=False)
        try:
            runs = list_runs(db, site=args.site, last=args.last)
        finally:
            db.close()
    except StorageError as exc:
        raise CLIError(f"cannot use the database {path}: {exc}") from None
    if not runs:
        check_site(args.site)  # a name that is nowhere is a typo, not a site never crawled
    if args.json:
        for record in runs:
            print(json.dumps({**row(record), "mode": record.get("mode"), "args": record.get("args"),
                              "stats": record.get("stats")}, ensure_ascii=False))
        return 0
    if not runs:
        print(f"no crawl runs{' for ' + args.site if args.site else ''} in {path}")
        return 0
    print(render([row(r) for r in runs]))
    return 0
