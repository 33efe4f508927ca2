"""`baotinh export-warc -o FILE.warc.gz [--site S] [--since DATE] [--until DATE] [--db PATH]`:
the raw pages kept by crawls as a WARC/1.1 file (request, response and revisit records after a
warcinfo record), for pywb, warcio and other web-archive tools. See crawler/warc.py.
"""
from __future__ import annotations

import os
from pathlib import Path

from crawler.cli.common import CLIError, add_date_arguments, add_db_argument, check_site, date_options, db_path


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "export-warc", help="write the stored raw pages as a WARC/1.1 file (request/response/revisit records)",
        description="Write every stored fetch (listing, sitemap and article pages) as WARC records: a "
                    "request and a response, or a revisit when the same bytes were stored before.")
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.warc.gz", help="the WARC file")
    parser.add_argument("--site", help="only this site's pages (registry name)")
    add_date_arguments(parser, "only pages fetched")
    add_db_argument(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    from crawler.progress import progress
    from crawler.warc import WarcExporter
    from storage import StorageError, open_database
    from storage.raw_pages import count_captures, iter_captures

    since, until = date_options(args)
    output: Path = args.output
    if output.is_dir():
        raise CLIError(f"{output} is a directory")
    if not output.name.endswith((".warc.gz", ".warc")):
        raise CLIError(f"{output}: name the file FILE.warc.gz (records are gzip-compressed)")
    path = db_path(args)
    try:
        db = open_database(path, create=False)
    except StorageError as exc:
        raise CLIError(f"cannot use the database {path}: {exc}") from None
    temporary = output.with_name(f".{output.name}.part")
    try:
        total = count_captures(db, site=args.site, since=since, until=until)
        if total == 0:
            if args.site and not count_captures(db, site=args.site):
                check_site(args.site)  # a typo is an error (2), a known site with no pages is not (1)
            raise CLIError(f"no stored pages{' for ' + args.site if args.site else ''}"
                           f"{' in that date range' if args.since or args.until else ''} in {path}", 1)
        described = ", ".join(f"{k} {v}" for k, v in (("site", args.site), ("since", since and since.isoformat()),
                                                      ("until", until and until.isoformat())) if v)
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            with open(temporary, "wb") as stream, progress(total=total, desc="export-warc", unit="pages") as bar:
                exporter = WarcExporter(stream, filename=output.name,
                                        description="baotinh raw pages" + (f" ({described})" if described else ""))
                for capture in iter_captures(db, site=args.site, since=since, until=until):
                    exporter.write(capture)
                    bar.update(1)
            os.replace(temporary, output)
        except OSError as exc:
            raise CLIError(f"cannot write {output}: {exc.strerror or exc}") from None
    except StorageError as exc:
        raise CLIError(f"export stopped: {exc}") from None
    finally:
        db.close()
        if temporary.exists():
            temporary.unlink()
    counts = exporter.counts
    print(f"{output}: {total} pages, {counts['response']} responses, {counts['revisit']} revisits, "
          f"{counts['request']} requests")
    return 0
