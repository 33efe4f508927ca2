"""`baotinh authors`: who wrote the most articles (all sites or one)."""
from __future__ import annotations

from crawler.cli.common import CLIError, add_db_argument
from crawler.cli.search import check_archive_site, open_archive
from storage import StorageError, top_authors


def register(subparsers) -> None:
    parser = subparsers.add_parser("authors", help="list authors with their article counts",
                                   description="Authors by number of stored articles, most prolific first.")
    parser.add_argument("--site", help="only this site's articles")
    parser.add_argument("--top", type=int, default=20, help="how many authors (default 20)")
    add_db_argument(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    if args.top < 1:
        raise CLIError("--top must be at least 1")
    db = open_archive(args)
    try:
        check_archive_site(db, args.site)
        rows = top_authors(db, site=args.site, top=args.top)
    except StorageError as exc:
        raise CLIError(str(exc)) from None
    finally:
        db.close()
    if not rows:
        print("no authors" + (f" for site {args.site}" if args.site else ""))
        return 0
    width = max(len("articles"), len(str(rows[0][1])))
    print(f"{'articles':>{width}}  author")
    for name, count in rows:
        print(f"{count:>{width}}  {name}")
    return 0
