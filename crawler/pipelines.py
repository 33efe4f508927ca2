"""Item pipelines, one job each: normalize -> validate -> store."""
from __future__ import annotations

import logging
from datetime import datetime

from scrapy.exceptions import CloseSpider, DropItem

from crawler.article import build_article
from crawler.items import Article
from crawler.problems import ProblemLog
from storage import ArticleWriter, StorageError, open_database

logger = logging.getLogger(__name__)


class _Pipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)


class NormalizePipeline(_Pipeline):
    """NFC text, ISO dates, authors from the byline; problems logged once and counted."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self.problems = ProblemLog(crawler.stats, logger)

    def process_item(self, item):
        if item.get("page_type", "article") != "article":
            return item
        site = getattr(self.crawler.spider, "site", None)
        fetched_at = datetime.fromisoformat(item["fetched_at"])
        normalized, problems = build_article(dict(item), url=item["url"], site=site, fetched_at=fetched_at)
        for problem in problems:
            self.problems.record(problem.kind, normalized["url"], problem.detail)
        return Article(page_type="article", **normalized)

    def close_spider(self):
        self.problems.summarize()


class ValidatePipeline(_Pipeline):
    """Only articles with a title and a body go on; everything else is dropped and counted."""

    def drop(self, reason: str, item) -> DropItem:
        self.stats.inc_value(f"baotinh/dropped/{reason}")
        return DropItem(f"{reason}: {item.get('url')}")

    def process_item(self, item):
        if item.get("page_type", "article") != "article":
            raise self.drop("not_article", item)
        if not item.get("title"):
            raise self.drop("no_title", item)
        if not item.get("body"):
            raise self.drop("no_body", item)
        return item


class StorePipeline(_Pipeline):
    """Upsert into SQLite through storage/; each article is committed before we move on."""

    def open_spider(self):
        path = self.crawler.settings.get("BAOTINH_DB")
        try:
            self.db = open_database(path)
        except StorageError as exc:
            logger.error("cannot open the database: %s", exc)
            raise CloseSpider("database_error") from None
        self.writer = ArticleWriter(self.db)

    def process_item(self, item):
        record = {k: v for k, v in item.items() if k not in ("page_type", "problems")}
        try:
            status = self.writer.write(record, crawl_run_id=self.stats.get_value("baotinh/run_id"))
        except StorageError as exc:
            self.stats.inc_value("baotinh/dropped/storage_error")
            logger.error("article not stored (%s): %s", exc, item.get("url"))
            raise DropItem(f"storage_error: {item.get('url')}") from None
        self.stats.inc_value(f"baotinh/articles/{status}")
        return item

    def close_spider(self):
        if getattr(self, "db", None) is not None:
            self.db.close()
