"""The worker side of redis mode: items, raw pages and run records go to Redis, not to SQLite.

    RedisItemPipeline   in place of StorePipeline: the normalized, validated article, as JSON
    WorkerMiddleware    spider middleware: the raw page of every parsed response (in place of the
                        spider's own raw-page writer), the archive's known URLs for the paging
                        rule, and the end of the start requests (the job may not finish before)
    RunReporter         in place of CrawlRunRecorder: run-start / run-finish messages

A worker opens no database but a throwaway one (BAOTINH_DB points at a scratch file, removed at the
end): what is known comes from Redis (`baotinh:SITE:known`, kept by the ingester).
"""
from __future__ import annotations

import logging
import shutil
import weakref
from dataclasses import dataclass, field

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.distributed import DEFAULT_PREFIX, messages
from crawler.distributed.frontier import queue_keys

logger = logging.getLogger(__name__)

_CALLBACK_KINDS = {"parse_listing": "listing", "parse_sitemap": "sitemap", "parse_article": "article"}


@dataclass
class WorkerContext:
    """What a crawl's redis-mode components share: one client, one worker id, the job."""

    client: object
    prefix: str
    worker: str
    frontier: object = None
    job: object = None
    keys: dict = field(default_factory=dict)

    _contexts = weakref.WeakKeyDictionary()

    @classmethod
    def of(cls, crawler) -> "WorkerContext":
        context = cls._contexts.get(crawler)
        if context is None:
            from crawler.distributed.connection import client_from_settings
            from crawler.distributed.frontier import new_worker_id

            settings = crawler.settings
            prefix = settings.get("BAOTINH_REDIS_PREFIX") or DEFAULT_PREFIX
            context = cls(client_from_settings(settings), prefix, new_worker_id())
            context.keys = queue_keys(prefix)
            cls._contexts[crawler] = context
        return context

    @property
    def run(self) -> str:
        return self.worker

    def push(self, message: bytes) -> None:
        self.client.lpush(self.keys["items"], message)


def _scheduler(crawler):
    engine = getattr(crawler, "engine", None)
    slot = getattr(engine, "_slot", None)
    return getattr(slot, "scheduler", None)


def _push_failed(crawler, exc) -> None:
    scheduler = _scheduler(crawler)
    if scheduler is not None and hasattr(scheduler, "push_failed"):
        scheduler.push_failed(exc)


class RedisItemPipeline:
    """Push each article (after NormalizePipeline and ValidatePipeline) to `baotinh:items`.

    Counts baotinh/articles/queued. If Redis refuses the push the worker stops at once and keeps
    its leases, so the article's page is fetched again: nothing is lost."""

    def __init__(self, crawler):
        if not crawler.settings.get("BAOTINH_REDIS_URL"):
            raise NotConfigured("BAOTINH_REDIS_URL is not set")
        self.crawler = crawler
        self.stats = crawler.stats
        self.context = WorkerContext.of(crawler)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        from scrapy.exceptions import DropItem

        try:
            self.context.push(messages.article(item, run=self.context.run))
        except Exception as exc:  # noqa: BLE001 - redis.RedisError and friends
            self.stats.inc_value("baotinh/dropped/redis_error")
            _push_failed(self.crawler, exc)
            raise DropItem(f"redis_error: {item.get('url')}") from None
        self.stats.inc_value("baotinh/articles/queued")
        return item


class WorkerMiddleware:
    """Spider middleware (close to the spider, so it sees what reaches the callbacks)."""

    def __init__(self, crawler):
        if not crawler.settings.get("BAOTINH_REDIS_URL"):
            raise NotConfigured("BAOTINH_REDIS_URL is not set")
        self.crawler = crawler
        self.context = WorkerContext.of(crawler)
        self.raw_pages = crawler.settings.getbool("BAOTINH_REDIS_RAW_PAGES", False)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_start(self, start):
        injected = False
        try:
            async for request in start:
                if not injected:   # the spider has read its (scratch) archive by now
                    injected = True
                    self._inject_known()
                yield request
            if not injected:
                self._inject_known()
        finally:
            frontier = self.context.frontier
            if frontier is not None:
                try:
                    frontier.release_start()
                except Exception as exc:  # noqa: BLE001 - released when this worker leaves anyway
                    logger.warning("start lease not released: %s", exc)

    def _inject_known(self) -> None:
        """Give the spider the archive's knowledge from Redis, as it would have read it from the
        database: known_all (never fetched again) and known_before (the paging rule)."""
        spider = self.crawler.spider
        frontier = self.context.frontier
        if frontier is None or getattr(frontier, "keys", None) is None:
            return
        known_all = getattr(spider, "known_all", None)
        known_before = getattr(spider, "known_before", None)
        if not isinstance(known_all, dict) or not isinstance(known_before, set):
            logger.warning("spider %s keeps no known_all/known_before: articles already stored are only "
                           "skipped by the shared duplicate filter", spider.name)
            return
        known = frontier.known()
        before = frontier.known(before=True)
        base = getattr(spider, "base_url", "").rstrip("/")
        for key in known:
            known_all.setdefault(key, base + key)
        known_before.update(before)
        stats = self.crawler.stats
        stats.set_value("baotinh/known/at_start", len(known_all))
        stats.set_value("baotinh/known/before_job", len(known_before))

    def process_spider_input(self, response):
        if not self.raw_pages:
            return None
        request = response.request
        kind = _CALLBACK_KINDS.get(getattr(getattr(request, "callback", None), "__name__", ""))
        if kind is None:
            return None
        from scrapy.http import TextResponse

        if kind == "listing" and not isinstance(response, TextResponse):
            return None   # the spider does not read (or keep) those either
        from crawler.clock import now_vn
        from crawler.rawpages import capture_of

        spider = self.crawler.spider
        site = getattr(getattr(spider, "site", None), "name", spider.name)
        capture = capture_of(response, site=site, kind=kind, fetched_at=now_vn().isoformat(), crawl_run_id=None)
        try:
            self.context.push(messages.page(capture, run=self.context.run))
        except Exception as exc:  # noqa: BLE001
            _push_failed(self.crawler, exc)
            return None
        self.crawler.stats.inc_value("baotinh/raw_pages/queued")
        return None


class RunReporter:
    """Extension: the crawl_runs row of this worker, through the ingester; and the scratch
    database removed at the end."""

    def __init__(self, crawler):
        if not crawler.settings.get("BAOTINH_REDIS_URL"):
            raise NotConfigured("BAOTINH_REDIS_URL is not set")
        self.crawler = crawler
        self.context = WorkerContext.of(crawler)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_opened(self, spider):
        from crawler.clock import now_vn

        job = self.context.job
        message = {"type": "run-start", "run": self.context.run, "spider": spider.name,
                   "site": getattr(getattr(spider, "site", None), "name", spider.name),
                   "mode": getattr(spider, "mode", None),
                   "scheduled_by": self.crawler.settings.get("BAOTINH_SCHEDULED_BY"),
                   "args": {"base_url": getattr(spider, "base_url", None), "worker": self.context.worker,
                            "job": getattr(job, "id", None), "distributed": True},
                   "started_at": now_vn().isoformat()}
        try:
            self.context.push(messages.encode(message))
        except Exception as exc:  # noqa: BLE001
            logger.error("crawl run not reported to the ingester: %s", exc)

    def spider_closed(self, spider, reason):
        from crawler.clock import now_vn
        from storage.runs import jsonable

        # Backfills of undated listings: the spider pages on once it has parsed a page's articles
        # itself; in a distributed crawl other workers parse most of them (docs/scaling.md, Limits).
        waits = getattr(spider, "_waits", None)
        if isinstance(waits, dict) and waits:
            pages = len({id(wait) for pending in waits.values() for wait in pending})
            self.crawler.stats.set_value("baotinh/redis/listing_pages_waiting", pages)
            logger.warning("%d listing page(s) waited for the dates of articles other workers parsed, and "
                           "their listings stopped paging there: a distributed backfill of listings without "
                           "dates is incomplete (docs/scaling.md, Limits)", pages)

        message = {"type": "run-finish", "run": self.context.run, "reason": reason,
                   "stats": jsonable(self.crawler.stats.get_stats()), "finished_at": now_vn().isoformat()}
        try:
            self.context.push(messages.encode(message))
        except Exception as exc:  # noqa: BLE001
            logger.error("end of the crawl run not reported to the ingester: %s", exc)

    def engine_stopped(self):
        scratch = self.crawler.settings.get("BAOTINH_REDIS_SCRATCH_DIR")
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)
