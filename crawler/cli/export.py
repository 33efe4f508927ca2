"""`baotinh export`: stream the archive as CSV (spreadsheet-friendly) or JSON Lines."""
from __future__ import annotations

import csv
import json
import os
import sys
from pathlib import Path

from crawler.cli.common import CLIError, add_db_argument
from crawler.cli.search import add_filter_arguments, check_archive_site, check_dates, open_archive
from crawler.progress import track
from storage import StorageError, iter_articles
from storage.queries import EXPORT_COLUMNS

LIST_SEPARATOR = "; "


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "export", help="export articles as CSV or JSON Lines",
        description="Stream every stored article (oldest first) as CSV or JSON Lines. In CSV, authors, "
                    "tags and image URLs are joined with '; '; use --bom for spreadsheets that need it "
                    "to read UTF-8 (Excel).")
    parser.add_argument("--format", choices=("csv", "jsonl"),
                        help="csv or jsonl (default: from the -o suffix, else jsonl)")
    add_filter_arguments(parser)
    parser.add_argument("--author", help="only articles by this author (any accents/case)")
    parser.add_argument("-o", "--output", type=Path, help="write to FILE (default: standard output)")
    parser.add_argument("--bom", action="store_true", help="start the CSV with a UTF-8 byte order mark")
    add_db_argument(parser)
    parser.set_defaults(func=run)


def csv_row(article: dict) -> list:
    row = []
    for column in EXPORT_COLUMNS:
        value = article[column]
        if column == "images":
            value = LIST_SEPARATOR.join(image["url"] for image in value)
        elif isinstance(value, list):
            value = LIST_SEPARATOR.join(value)
        row.append("" if value is None else value)
    return row


def write_articles(articles, out, fmt: str, *, bom: bool = False) -> int:
    count = 0
    if fmt == "csv":
        if bom:
            out.write("\ufeff")
        writer = csv.writer(out)  # RFC 4180: CRLF rows, quoted fields keep their newlines
        writer.writerow(EXPORT_COLUMNS)
        for count, article in enumerate(articles, start=1):
            writer.writerow(csv_row(article))
    else:
        for count, article in enumerate(articles, start=1):
            out.write(json.dumps(article, ensure_ascii=False) + "\n")
    return count


def run(args) -> int:
    fmt = args.format or ("csv" if args.output and args.output.suffix.lower() == ".csv" else "jsonl")
    if args.bom and fmt != "csv":
        raise CLIError("--bom applies to --format csv only")
    since, until = check_dates(args)
    db = open_archive(args)
    try:
        check_archive_site(db, args.site)
        articles = track(iter_articles(db, site=args.site, since=since, until=until, author=args.author),
                         desc="export", unit="articles", summary=False)  # progress on stderr
        if args.output is None:
            out = sys.stdout
            if fmt == "csv" and hasattr(out, "reconfigure"):
                try:  # csv writes its own CRLF: no newline translation
                    out.reconfigure(newline="")
                except (ValueError, OSError):
                    pass
            count = write_articles(articles, out, fmt, bom=args.bom)
            out.flush()
        else:
            count = _to_file(articles, args.output, fmt, args.bom)
    except StorageError as exc:
        raise CLIError(str(exc)) from None
    finally:
        db.close()
    print(f"exported {count} article{'s' if count != 1 else ''}"
          + (f" to {args.output}" if args.output else ""), file=sys.stderr)
    return 0


def _to_file(articles, path: Path, fmt: str, bom: bool) -> int:
    """Write beside the target and rename at the end: an interrupted export leaves no half file."""
    partial = path.with_name(path.name + ".part")
    try:
        with open(partial, "w", encoding="utf-8", newline="" if fmt == "csv" else None) as out:
            count = write_articles(articles, out, fmt, bom=bom)
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise CLIError(f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return count
