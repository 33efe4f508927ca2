"""`baotinh crawl --set KEY=VALUE`: override one Scrapy or baotinh setting for this crawl, as
`scrapy crawl -s KEY=VALUE` does (repeatable). Values are strings; Scrapy's settings convert
them (`--set DOWNLOAD_TIMEOUT=2`, `--set BAOTINH_COVERAGE='{"authors": 0.2}'`).

Meant for operators and tests (small timeouts and size limits against a hostile mirror);
the registry and crawler/settings.py remain the place for lasting configuration.
"""
from __future__ import annotations

import re

from crawler.cli.common import CLIError

_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


def add_arguments(parser) -> None:
    parser.add_argument("--set", dest="set_settings", action="append", default=[], metavar="KEY=VALUE",
                        help="override a setting for this crawl (repeatable), e.g. --set DOWNLOAD_TIMEOUT=5")


def apply(args, plan) -> None:
    for text in args.set_settings or []:
        name, sep, value = text.partition("=")
        name = name.strip()
        if not sep or not _NAME.match(name):
            raise CLIError(f"--set {text!r}: expected KEY=VALUE with an upper-case setting name")
        plan.settings[name] = value
