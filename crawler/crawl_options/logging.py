"""`baotinh crawl --log-format text|json`: JSON lines for log collectors.

The option sets BAOTINH_LOG_FORMAT for the crawl (the environment variable of the same name is
the default, read by crawler/settings.py). In JSON mode every line the crawl logs, from the
first, is one JSON object (crawler/logformat.py); docs/monitoring.md lists the fields.
"""
from __future__ import annotations

import os

from crawler.cli.common import CLIError
from crawler.logformat import LOG_FORMATS, enable_json_logs


def add_arguments(parser) -> None:
    group = parser.add_argument_group("logging")
    group.add_argument("--log-format", choices=LOG_FORMATS, default=None,
                       help="text (default, or $BAOTINH_LOG_FORMAT) or json: one JSON object per log line")


def apply(args, plan) -> None:
    chosen = args.log_format or _from_set(args) or os.environ.get("BAOTINH_LOG_FORMAT")
    if not chosen:
        return
    chosen = str(chosen).strip().lower()
    if chosen not in LOG_FORMATS:
        raise CLIError(f"log format {chosen!r} is not one of {', '.join(LOG_FORMATS)} (check $BAOTINH_LOG_FORMAT)")
    plan.settings["BAOTINH_LOG_FORMAT"] = chosen
    if chosen == "json":
        enable_json_logs()


def _from_set(args) -> str | None:
    """--set BAOTINH_LOG_FORMAT=json works too (crawl_options/overrides.py applies it later)."""
    for text in getattr(args, "set_settings", None) or []:
        name, sep, value = text.partition("=")
        if sep and name.strip() == "BAOTINH_LOG_FORMAT":
            return value
    return None
