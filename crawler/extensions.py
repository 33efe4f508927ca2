"""Scrapy extensions: every crawl leaves one crawl_runs row with its final stats."""
from __future__ import annotations

import logging

from scrapy import signals

from storage import StorageError, finish_run, open_database, start_run

logger = logging.getLogger(__name__)


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
            self.db = open_database(settings.get("BAOTINH_DB"))
            self.run_id = start_run(
                self.db, spider=spider.name, site=getattr(getattr(spider, "site", None), "name", spider.name),
                mode=getattr(spider, "mode", None), scheduled_by=settings.get("BAOTINH_SCHEDULED_BY"),
                args={"base_url": getattr(spider, "base_url", None)})
        except StorageError as exc:
            logger.error("crawl run not recorded: %s", exc)
            return
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
