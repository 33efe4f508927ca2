"""Crawl modes of `baotinh crawl`: incremental (default), --full, backfill (--since/--until),
trial limits and --jobdir. Each option becomes the spider argument of the same name, so
`scrapy crawl SITE -a since=2024-01-01 -a jobdir=jobs/x` does the same (spiders/base.py).
--since/--until take YYYY-MM-DD, YYYY-MM or YYYY like every command (crawler.cli.common.date_bound);
the spider always receives the resolved day, YYYY-MM-DD.
docs/archiving.md describes the modes and the resume rule.
"""
from __future__ import annotations

from pathlib import Path

from crawler.cli.common import DATE_FORMS, CLIError, date_options


def add_arguments(parser) -> None:
    group = parser.add_argument_group("modes (default: incremental, only articles not yet in the archive)")
    group.add_argument("--full", action="store_true",
                       help="fetch every article again, known ones too, and record changed ones as versions")
    group.add_argument("--since", metavar="DATE",
                       help=f"backfill: follow listings and sitemaps back until articles are older than DATE "
                            f"({DATE_FORMS}; a month or year from its first day)")
    group.add_argument("--until", metavar="DATE",
                       help=f"backfill: skip articles newer than DATE ({DATE_FORMS}; a month or year to its last day)")
    group.add_argument("--known-pages", type=int, metavar="N",
                       help="incremental: stop paging a listing after N pages of known articles (default 1)")
    group.add_argument("--max-articles", type=int, metavar="N", help="request at most N articles (trial runs)")
    group.add_argument("--max-pages", type=int, metavar="N",
                       help="request at most N listing and sitemap pages (trial runs)")
    group.add_argument("--jobdir", type=Path, metavar="DIR",
                       help="resumable crawl: run the same command again after a crash or kill to finish it")


def apply(args, plan) -> None:
    since, until = date_options(args)  # the spider gets them as YYYY-MM-DD (spiders/base.py)
    for option in ("known_pages", "max_articles", "max_pages"):
        value = getattr(args, option)
        if value is not None and value < 1:
            raise CLIError(f"--{option.replace('_', '-')} must be at least 1")
    if args.known_pages is not None and (since or until or args.full):
        raise CLIError("--known-pages applies to incremental crawls only (not with --full, --since or --until)")
    spider_args = plan.spider_args
    if args.full:
        spider_args["full"] = "1"
    if since:
        spider_args["since"] = since.isoformat()
    if until:
        spider_args["until"] = until.isoformat()
    for option in ("known_pages", "max_articles", "max_pages"):
        if getattr(args, option) is not None:
            spider_args[option] = str(getattr(args, option))
    if args.jobdir:
        if args.jobdir.exists() and not args.jobdir.is_dir():
            raise CLIError(f"--jobdir {args.jobdir} is not a directory")
        from spiders.base import JobMarker

        try:
            JobMarker(args.jobdir).check(plan.site)
        except ValueError as exc:
            raise CLIError(str(exc)) from None
        spider_args["jobdir"] = str(args.jobdir.resolve())
