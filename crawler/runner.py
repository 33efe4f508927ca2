"""Run crawls in this process with the project's settings (used by `baotinh crawl` and `demo`)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from crawler.registry import RegistryError, get_site
from storage import StorageError, open_database


@dataclass
class CrawlRequest:
    site: str
    base_url: str | None = None
    spider_args: dict | None = None


@dataclass
class CrawlOutcome:
    site: str
    stats: dict

    @property
    def finish_reason(self) -> str:
        return self.stats.get("finish_reason", "unknown")

    @property
    def responses(self) -> int:
        return int(self.stats.get("downloader/response_count", 0))

    @property
    def stored(self) -> int:
        return sum(int(self.stats.get(f"baotinh/articles/{s}", 0)) for s in ("new", "updated", "unchanged"))


def project_settings(db: Path, overrides: dict | None = None):
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    settings.set("BAOTINH_DB", str(db), priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def check_database(db: Path) -> None:
    """Fail before crawling if the database cannot be written: no article fetched in vain."""
    database = open_database(db)
    database.close()


def run_crawls(requests: list[CrawlRequest], db: Path, overrides: dict | None = None) -> list[CrawlOutcome]:
    """Run the crawls concurrently in one Twisted reactor; return each one's final stats."""
    from scrapy.crawler import CrawlerProcess
    from scrapy.spiderloader import SpiderLoader

    for request in requests:
        get_site(request.site)  # RegistryError for an unknown or broken site, before anything starts
    check_database(db)
    settings = project_settings(db, overrides)
    loader = SpiderLoader.from_settings(settings)
    process = CrawlerProcess(settings)
    crawlers = []
    for request in requests:
        crawler = process.create_crawler(loader.load(request.site))
        kwargs = dict(request.spider_args or {})
        if request.base_url:
            kwargs["base_url"] = request.base_url
        process.crawl(crawler, **kwargs)
        crawlers.append((request.site, crawler))
    process.start()
    return [CrawlOutcome(site, dict(crawler.stats.get_stats())) for site, crawler in crawlers]


__all__ = ["CrawlRequest", "CrawlOutcome", "run_crawls", "check_database", "project_settings",
           "RegistryError", "StorageError"]
