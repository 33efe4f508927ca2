"""Options `baotinh schedule run-due` passes to the crawls it starts (hidden from --help).

--scheduled-by WHO   recorded in crawl_runs.scheduled_by (setting BAOTINH_SCHEDULED_BY; Scrapyd
                     runs get the same setting through schedule.json)
--lock-token TOKEN   adopt the site's lock run-due took, keep it fresh, release it at exit
                     (crawler/scheduling/hold.py)
"""
from __future__ import annotations

import argparse

from crawler.cli.common import CLIError


def add_arguments(parser) -> None:
    parser.add_argument("--scheduled-by", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--lock-token", default=None, help=argparse.SUPPRESS)


def apply(args, plan) -> None:
    if args.scheduled_by:
        plan.settings["BAOTINH_SCHEDULED_BY"] = args.scheduled_by
    if args.lock_token:
        from crawler.scheduling.hold import hold_lock
        from storage import StorageError

        try:
            held = hold_lock(plan.db, plan.site, args.lock_token)
        except StorageError as exc:
            raise CLIError(f"cannot use the database {plan.db}: {exc}") from None
        if held is None:
            raise CLIError(f"the lock on {plan.site} is not held for this crawl (cleared as stale?); not crawling")
