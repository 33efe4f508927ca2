"""`baotinh crawl SITE`: crawl one newspaper into the database."""
from __future__ import annotations

from urllib.parse import urlsplit

from crawler.cli.common import CLIError, add_db_argument, db_path
from crawler.runner import CrawlRequest, RegistryError, StorageError, run_crawls

# Exit codes (docs/monitoring.md): 0 finished, 3 the server never answered,
# 4 the crawl ended abnormally (e.g. database error), 2 usage or configuration error.
EXIT_UNREACHABLE = 3
EXIT_ABNORMAL = 4


def register(subparsers) -> None:
    parser = subparsers.add_parser("crawl", help="crawl one site into the database")
    parser.add_argument("site", help="registry name (see `baotinh sites`)")
    parser.add_argument("--base-url", help="crawl a mirror of the site at this URL instead")
    add_db_argument(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    if args.base_url:
        parts = urlsplit(args.base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise CLIError(f"--base-url {args.base_url!r} is not an http(s) URL")
    try:
        (outcome,) = run_crawls([CrawlRequest(args.site, args.base_url)], db_path(args))
    except RegistryError as exc:
        raise CLIError(str(exc)) from None
    except StorageError as exc:
        raise CLIError(f"cannot use the database {db_path(args)}: {exc}") from None
    return report(outcome, args.base_url)


def report(outcome, base_url) -> int:
    stats = outcome.stats
    if outcome.responses == 0 and stats.get("downloader/exception_count"):
        raise CLIError(f"{outcome.site}: the server at {base_url or 'the site'} did not answer "
                       f"({stats.get('downloader/exception_count')} failed requests)", EXIT_UNREACHABLE)
    if outcome.finish_reason != "finished":
        raise CLIError(f"{outcome.site}: crawl ended with {outcome.finish_reason}", EXIT_ABNORMAL)
    return 0
