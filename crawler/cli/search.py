"""`baotinh search QUERY`: full-text search of the archive, best matches first.

The query uses SQLite FTS5 syntax ("phrases", prefix*, AND/OR/NOT, NEAR(), title:) and is
folded like the index, so accents, đ and case never matter: "dong chi" finds "Đồng chí".
Formats: table (for people), json (a list, one result object per line), csv.
"""
from __future__ import annotations

import csv
import json
import sys

from crawler.cli.common import CLIError, add_date_arguments, add_db_argument, check_site, date_options, db_path
from storage import SearchError, StorageError, open_database, search
from storage.search import RESULT_KEYS


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "search", help="full-text search of the archive (accent-insensitive)",
        description="Search titles, leads and bodies; results ranked by bm25 (title matches weigh most). "
                    "Accents, đ and case are ignored. FTS5 syntax works: \"Lạng Sơn\" (phrase), lang* "
                    "(prefix), AND / OR / NOT (uppercase), NEAR(a b, 5), title:word. "
                    "Matches are shown in [brackets] in the snippet.")
    parser.add_argument("query", nargs="+", help="search terms (several words are ANDed)")
    add_filter_arguments(parser)
    parser.add_argument("--author", help="only articles by this author (any accents/case)")
    parser.add_argument("--limit", type=int, default=20, help="number of results (default 20)")
    parser.add_argument("--format", choices=("table", "json", "csv"), default="table",
                        help="table (default), json (a list, one object per line) or csv")
    add_db_argument(parser)
    parser.set_defaults(func=run)


def add_filter_arguments(parser) -> None:
    parser.add_argument("--site", help="only this site (registry name, e.g. baolangson)")
    add_date_arguments(parser, "published")


def check_dates(args):
    """--since/--until as inclusive dates (crawler.cli.common.date_options); CLIError if unusable."""
    return date_options(args)


def check_archive_site(db, site: str | None) -> None:
    """CLIError for a --site that is neither in the registry nor among the stored articles."""
    if site:
        from storage.coverage import site_names

        check_site(site, lambda: site_names(db))


def open_archive(args):
    """The database for a read-only command: never created, errors as one line."""
    try:
        return open_database(db_path(args), create=False)
    except StorageError as exc:
        raise CLIError(str(exc)) from None


def run(args) -> int:
    if args.limit < 1:
        raise CLIError("--limit must be at least 1")
    since, until = check_dates(args)
    db = open_archive(args)
    try:
        check_archive_site(db, args.site)
        results = search(db, " ".join(args.query), site=args.site, since=since, until=until,
                         author=args.author, limit=args.limit)
    except (SearchError, StorageError) as exc:
        raise CLIError(str(exc)) from None
    finally:
        db.close()
    out = sys.stdout
    if args.format == "json":
        rows = [json.dumps({k: r[k] for k in RESULT_KEYS}, ensure_ascii=False) for r in results]
        out.write("[\n" + ",\n".join(rows) + "\n]\n" if rows else "[]\n")
    elif args.format == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(RESULT_KEYS)
        for r in results:
            writer.writerow(["; ".join(r["authors"]) if k == "authors" else r[k] for k in RESULT_KEYS])
    else:
        if not results:
            print("no results", file=sys.stderr)
        for number, r in enumerate(results, start=1):
            meta = " · ".join(x for x in (r["site"], (r["published_at"] or "undated")[:10],
                                          ", ".join(r["authors"])) if x)
            out.write(f"{number:>2}. {r['title'] or '(untitled)'}\n    {meta}\n    {r['url']}\n")
            if r["snippet"]:
                out.write(f"    {r['snippet']}\n")
            out.write("\n")
    return 0
