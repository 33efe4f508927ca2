"""Options of `baotinh crawl`, one module per concern (modes, distribution, logging, …).

Each module here defines `add_arguments(parser)` and `apply(args, plan)`; `apply` turns the
parsed options into spider arguments and Scrapy settings on the CrawlPlan, or raises CLIError.
Keeping them apart lets each concern grow without touching the others.
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class CrawlPlan:
    site: str
    db: Path
    base_url: str | None = None
    spider_args: dict = field(default_factory=dict)
    settings: dict = field(default_factory=dict)


def option_modules():
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "add_arguments") and hasattr(module, "apply"):
            yield module
