"""Scrapy extensions: every crawl leaves one crawl_runs row with its final stats.

A crawl whose run cannot be recorded (database locked by another process past the busy
timeout, read-only, full) is closed at once with finish reason "database_error": it could not
store its articles either, and must not look like a good crawl.
"""
from __future__ import annotations

import logging

from scrapy import signals
from scrapy.exceptions import CloseSpider

from storage import StorageError, finish_run, open_database, start_run

logger = logging.getLogger(__name__)


def open_archive(settings):
    """The crawl's database with the busy timeout of the setting BAOTINH_DB_BUSY_TIMEOUT, if set."""
    timeout = settings.getfloat("BAOTINH_DB_BUSY_TIMEOUT", 0) or None
    return open_database(settings.get("BAOTINH_DB"), **({"busy_timeout": timeout} if timeout else {}))


class CrawlRunRecorder:
    def __init__(self, crawler):
        self.crawler = crawler
        self.run_id = None
        self.db = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_opened(self, spider):
        settings = self.crawler.settings
        try:
            self.db = open_archive(settings)
            self.run_id = start_run(
                self.db, spider=spider.name, site=getattr(getattr(spider, "site", None), "name", spider.name),
                mode=getattr(spider, "mode", None), scheduled_by=settings.get("BAOTINH_SCHEDULED_BY"),
                args=getattr(spider, "crawl_args", None) or {"base_url": getattr(spider, "base_url", None)})
        except StorageError as exc:
            logger.error("crawl run not recorded, so nothing would be stored either; not crawling: %s", exc)
            self.crawler.stats.set_value("baotinh/database_error", str(exc))
            if self.db is not None:
                self.db.close()
                self.db = None
            raise CloseSpider("database_error") from None
        self.crawler.stats.set_value("baotinh/run_id", self.run_id)

    def spider_closed(self, spider, reason):
        if self.db is None or self.run_id is None:
            return
        try:
            finish_run(self.db, self.run_id, finish_reason=reason, stats=self.crawler.stats.get_stats())
        except StorageError as exc:
            logger.error("crawl run %s not finished in the database: %s", self.run_id, exc)
        finally:
            self.db.close()
