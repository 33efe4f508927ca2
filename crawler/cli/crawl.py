"""`baotinh crawl SITE`: crawl one newspaper into the database."""
from __future__ import annotations

from urllib.parse import urlsplit

from crawler.cli.common import CLIError, add_db_argument, db_path
from crawler.crawl_options import CrawlPlan, option_modules
from crawler.outcome import exit_status
from crawler.runner import CrawlRequest, RegistryError, StorageError, run_crawls


def register(subparsers) -> None:
    parser = subparsers.add_parser("crawl", help="crawl one site into the database")
    parser.add_argument("site", help="registry name (see `baotinh sites`)")
    parser.add_argument("--base-url", help="crawl a mirror of the site at this URL instead")
    add_db_argument(parser)
    for module in option_modules():
        module.add_arguments(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    if args.base_url:
        parts = urlsplit(args.base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise CLIError(f"--base-url {args.base_url!r} is not an http(s) URL")
    plan = CrawlPlan(site=args.site, db=db_path(args), base_url=args.base_url)
    for module in option_modules():
        module.apply(args, plan)
    try:
        (outcome,) = run_crawls([CrawlRequest(plan.site, plan.base_url, plan.spider_args)], plan.db,
                                overrides=plan.settings)
    except RegistryError as exc:
        raise CLIError(str(exc)) from None
    except StorageError as exc:
        raise CLIError(f"cannot use the database {plan.db}: {exc}") from None
    return exit_status(outcome, plan.base_url)
