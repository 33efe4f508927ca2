"""Item pipelines, one job each: normalize -> validate -> store.

What they leave in the crawl's stats (docs/monitoring.md):

    baotinh/fields/pages            article pages that reached the pipelines (coverage denominator)
    baotinh/fields/<field>          of those, pages where <field> was filled (title, published_at, ...)
    baotinh/fields/not_article      HTML pages at article URLs that are not articles (listings, video hubs)
    baotinh/problems/<kind>         extraction problems (date_unparsed, byline_missing, ...)
    baotinh/dropped/<reason>        articles not stored (not_article, not_html, no_title, no_body, storage_error, ...)
    baotinh/articles/<status>       articles stored: new, updated, unchanged
"""
from __future__ import annotations

import logging
from datetime import datetime

from scrapy.exceptions import CloseSpider, DropItem
from scrapy.utils.defer import deferred_from_coro

from crawler.article import build_article
from crawler.items import Article
from crawler.problems import ProblemLog
from storage import ArticleWriter, StorageError, open_database, sync_sites

logger = logging.getLogger(__name__)

# Fields whose fill rate is counted on every article page (baotinh/fields/<field>); the
# monitor (crawler/monitoring.py) judges some of them against thresholds.
COUNTED_FIELDS = ("title", "lead", "body", "published_at", "modified_at", "authors", "source", "byline_raw",
                  "category", "tags", "images")
FIELDS_PREFIX = "baotinh/fields"
# Extraction problems that say the same as a normalization problem: logged once, as the latter.
SAME_PROBLEM = {"no_byline": "byline_missing", "no_date": "date_missing"}
DATABASE_ERROR = "database_error"


class Dropped(DropItem):
    """An article the pipelines do not store, for a reason counted in baotinh/dropped/<reason>.

    crawler/logformat.py logs the first drop of each reason at WARNING and the rest at DEBUG
    (unless log_level says otherwise)."""

    def __init__(self, reason: str, url: str | None, detail: str = "", log_level: str | None = None):
        super().__init__(f"{reason}: {url}" + (f" ({detail})" if detail else ""), log_level=log_level)
        self.reason = reason
        self.url = url
        self.detail = detail


class _Pipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        # Lines name the spider (the JSON log's "spider" field), as Scrapy's own do.
        spider = getattr(crawler, "spider", None)
        self.log = logging.LoggerAdapter(logger, {"spider": spider}) if spider is not None else logger

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)


class _Dropping(_Pipeline):
    def __init__(self, crawler):
        super().__init__(crawler)
        self.drops = ProblemLog(crawler.stats, self.log, prefix="baotinh/dropped", announce=False)

    def drop(self, reason: str, item, detail: str = "", log_level: str | None = None) -> Dropped:
        url = item.get("url")
        self.drops.record(reason, url or "?", detail)
        return Dropped(reason, url, detail, log_level=log_level)

    def close_spider(self):
        self.drops.summarize()


def page_kind(item) -> str:
    """What a page at an article URL is: "article", "not_html" (PDF, image, empty body),
    "empty_article" (a title and a date but no text) or "not_article" (listing, video hub)."""
    if item.get("page_type", "article") == "article":
        return "article"
    problems = [str(p) for p in item.get("problems") or []]
    if any(p.split(" ", 1)[0] == "not_html" for p in problems):
        return "not_html"
    if filled(item.get("title")) and filled(item.get("published_raw")) and not filled(item.get("body")):
        return "empty_article"
    return "not_article"


def filled(value) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return bool(value)


class NormalizePipeline(_Dropping):
    """NFC text, ISO dates, authors from the byline; problems logged once and counted, and
    the fields each article page fills counted for the coverage check at the close."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self.problems = ProblemLog(crawler.stats, self.log)

    def process_item(self, item):
        if item.get("page_type", "article") != "article":
            kind = page_kind(item)
            if kind != "empty_article":
                if kind == "not_article":
                    self.stats.inc_value(f"{FIELDS_PREFIX}/not_article")
                return item
            # A title and a date but no text: an article whose body is missing (an empty page,
            # or a layout the extraction no longer reads). It counts in the coverage figures
            # and is dropped as no_body by the next pipeline.
            problems = [p for p in item.get("problems") or [] if str(p).split(" ", 1)[0] != "not_article"]
            item = Article(**{**dict(item), "page_type": "article", "problems": problems})
        site = getattr(self.crawler.spider, "site", None)
        try:
            fetched_at = datetime.fromisoformat(item["fetched_at"])
            normalized, problems = build_article(dict(item), url=item["url"], site=site, fetched_at=fetched_at)
        except Exception as exc:  # noqa: BLE001 - one odd page must not stop the crawl
            first = self.drops.counts["normalize_error"] == 0
            self.log.log(logging.ERROR if first else logging.DEBUG, "cannot normalize the article at %s (%s: %s)",
                       item.get("url"), type(exc).__name__, exc)
            logger.debug("normalize error details", exc_info=True)
            self.stats.inc_value(f"{FIELDS_PREFIX}/pages")
            raise self.drop("normalize_error", item, f"{type(exc).__name__}: {exc}", log_level="DEBUG") from None
        kinds = {problem.kind for problem in problems}
        for problem in problems:
            if SAME_PROBLEM.get(problem.kind) in kinds:
                continue
            self.problems.record(problem.kind, normalized["url"], problem.detail)
        self.stats.inc_value(f"{FIELDS_PREFIX}/pages")
        for name in COUNTED_FIELDS:
            if filled(normalized.get(name)):
                self.stats.inc_value(f"{FIELDS_PREFIX}/{name}")
        return Article(page_type="article", **normalized)

    def close_spider(self):
        self.problems.summarize()
        super().close_spider()


class ValidatePipeline(_Dropping):
    """Only articles with a title and a body go on; everything else is dropped and counted."""

    def process_item(self, item):
        if item.get("page_type", "article") != "article":
            raise self.drop(page_kind(item), item)
        if not filled(item.get("title")):
            raise self.drop("no_title", item)
        if not filled(item.get("body")):
            raise self.drop("no_body", item)
        return item


class StorePipeline(_Dropping):
    """Upsert into SQLite through storage/; each article is committed before we move on.

    A write that fails (database locked past the busy timeout, read-only, disk full) stops the
    crawl with finish reason "database_error": an article not stored must never pass for a
    good crawl. The next crawl fetches what this one could not store (known = in the database).
    """

    def __init__(self, crawler):
        super().__init__(crawler)
        self.db = None
        self.writer = None
        self.stopping = False
        self._closing = None

    def open_spider(self):
        path = self.crawler.settings.get("BAOTINH_DB")
        timeout = self.crawler.settings.getfloat("BAOTINH_DB_BUSY_TIMEOUT", 0) or None
        site = getattr(self.crawler.spider, "site", None)
        try:
            self.db = open_database(path, **({"busy_timeout": timeout} if timeout else {}))
            if site is not None:  # the sites table gives researchers the paper's name and province
                sync_sites(self.db, [site.as_row()])
        except StorageError as exc:
            self.log.error("cannot use the database: %s", exc)
            self.stats.set_value("baotinh/database_error", str(exc))
            if self.db is not None:
                self.db.close()
                self.db = None
            raise CloseSpider(DATABASE_ERROR) from None
        self.writer = ArticleWriter(self.db)

    def process_item(self, item):
        record = {k: v for k, v in item.items() if k not in ("page_type", "problems")}
        try:
            status = self.writer.write(record, crawl_run_id=self.stats.get_value("baotinh/run_id"))
        except StorageError as exc:
            self._stop(exc, item.get("url"))
            raise self.drop("storage_error", item, str(exc), log_level="DEBUG") from None
        self.stats.inc_value(f"baotinh/articles/{status}")
        return item

    def _stop(self, exc: StorageError, url: str | None) -> None:
        if self.stopping:
            logger.debug("article not stored (%s): %s", exc, url)
            return
        self.stopping = True
        self.stats.set_value("baotinh/database_error", str(exc))
        self.log.error("article not stored (%s): %s; stopping the crawl, the next one fetches what this one "
                     "could not store", exc, url)
        engine = getattr(self.crawler, "engine", None)
        if engine is not None:
            self._closing = deferred_from_coro(engine.close_spider_async(reason=DATABASE_ERROR))
            self._closing.addErrback(lambda failure: logger.debug("closing after a database error: %s",
                                                                  failure.getErrorMessage()))

    def close_spider(self):
        super().close_spider()
        if self.db is not None:
            self.db.close()
            self.db = None
