"""scrapy-redis's scheduler and duplicate filter, made safe against killed workers.

LeasedScheduler keeps scrapy-redis's layout and settings (SCHEDULER_PERSIST, SCHEDULER_QUEUE_KEY,
SCHEDULER_DUPEFILTER_KEY, SCHEDULER_SERIALIZER, REDIS_URL, REDIS_PARAMS) but never pops a request
destructively: it leases it (crawler/distributed/frontier.py) and drops the lease once Scrapy's
scraper has finished with the response — callback run, items through the pipelines (so pushed to
Redis), follow-up requests queued. A worker killed at any moment leaves its leases behind; they
return to the queue when its heartbeat expires. The spider closes only when the whole job is done
(queue empty and no lease anywhere), not when this worker happens to have nothing to do.

FingerprintDupeFilter is scrapy-redis's RFPDupeFilter with Scrapy's own request fingerprinter
(crawler.request_fingerprinter), so that fingerprints can be computed outside the crawl, e.g.
to seed the filter with the articles the database already has.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.exceptions import CloseSpider
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from crawler.distributed import DEFAULT_LEASE_TTL
from crawler.distributed.frontier import Frontier, Job, SiteKeys

logger = logging.getLogger(__name__)

LEASE_META = "_baotinh_lease"
SPEC_KEYS = ("base_url", "mode", "full", "since", "until")
MISMATCH = "distributed_job_mismatch"
REDIS_ERROR = "redis_error"


def job_spec(*, base_url: str, full=False, since=None, until=None, mode: str | None = None) -> dict:
    """What must be the same for workers to share one job (as spiders/base.py resolves it)."""
    refetch = bool(full) or mode == "full"
    if since or until or mode == "backfill":
        resolved = "backfill"
    else:
        resolved = "full" if refetch else "incremental"
    return {"base_url": base_url.rstrip("/") + "/", "mode": resolved, "full": refetch,
            "since": str(since) if since else None, "until": str(until) if until else None}


def spider_spec(spider) -> dict:
    args = getattr(spider, "crawl_args", None) or {}
    return job_spec(base_url=getattr(spider, "base_url", "") or "", full=args.get("full"), since=args.get("since"),
                    until=args.get("until"), mode=args.get("mode"))


def spec_difference(running: dict, mine: dict) -> str | None:
    """A one-line description of how two job specs differ, or None."""
    diffs = [f"{key} {running.get(key)!r} (this crawl: {mine.get(key)!r})" for key in SPEC_KEYS
             if running.get(key) != mine.get(key)]
    return ", ".join(diffs) or None


def article_fingerprints(keys, base_url: str, fingerprint) -> Iterator:
    """Fingerprints of the requests the spider would make for these article URL keys
    (path?query) on `base_url`'s host: GET, no body, the URL as the spider builds it."""
    base = urlsplit(base_url)
    for key in keys:
        try:
            yield fingerprint(Request(f"{base.scheme}://{base.netloc}{key}"))
        except ValueError:
            continue


class FingerprintDupeFilter(RFPDupeFilter):
    def __init__(self, server, key, debug=False, fingerprinter=None):
        super().__init__(server, key, debug)
        self.fingerprinter = fingerprinter

    @classmethod
    def from_spider(cls, spider):
        instance = super().from_spider(spider)
        instance.fingerprinter = spider.crawler.request_fingerprinter
        return instance

    @classmethod
    def from_crawler(cls, crawler):
        instance = cls.from_settings(crawler.settings)
        instance.fingerprinter = crawler.request_fingerprinter
        return instance

    def request_fingerprint(self, request) -> str:
        if self.fingerprinter is None:
            from scrapy.utils.request import fingerprint

            return fingerprint(request).hex()
        return self.fingerprinter.fingerprint(request).hex()


class LeasedScheduler(Scheduler):
    """Settings besides scrapy-redis's: BAOTINH_REDIS_PREFIX (key prefix), BAOTINH_REDIS_LEASE_TTL
    (seconds without a heartbeat before a worker's leases go back to the queue, default 30),
    BAOTINH_REDIS_TICK (seconds between heartbeats and queue checks, default 0.5)."""

    @classmethod
    def from_crawler(cls, crawler):
        instance = super().from_crawler(crawler)
        instance.crawler = crawler
        return instance

    # -- opening: join or start the site's job ------------------------------------------------
    def open(self, spider):
        from crawler.distributed.worker import WorkerContext

        super().open(spider)
        if not isinstance(self.queue, PriorityQueue):
            raise ValueError("distributed mode needs SCHEDULER_QUEUE_CLASS = scrapy_redis.queue.PriorityQueue")
        settings = self.crawler.settings
        self.context = WorkerContext.of(self.crawler)
        keys = SiteKeys(self.context.prefix, spider.name)
        self.queue.key, self.df.key = keys.requests, keys.dupefilter
        self.ttl = settings.getfloat("BAOTINH_REDIS_LEASE_TTL", DEFAULT_LEASE_TTL)
        self.tick = settings.getfloat("BAOTINH_REDIS_TICK", 0.5)
        self.frontier = Frontier(self.server, keys, self.context.worker, ttl=self.ttl)
        self.context.frontier = self.frontier
        self.mismatch: str | None = None
        self.failed = False
        self._last_status = time.monotonic()
        self._warned = 0.0

        spec = spider_spec(spider)
        self.job: Job = self.frontier.join(spec)
        self.context.job = self.job
        difference = None if self.job.created else spec_difference(self.job.spec, spec)
        if difference:
            self.mismatch = difference
            self.frontier.leave()
            logger.error("a distributed crawl of %s with other options is running in Redis (job %s: %s); "
                         "run this crawl with the same options, or let that job finish", spider.name, self.job.id,
                         difference)
            self.crawler.signals.connect(self._refuse, signal=signals.spider_idle)
            return
        if not self.job.seeded and not spec["full"]:
            self._seed(spider)
        queued = self.frontier.queued()
        logger.info("worker %s %s the distributed crawl of %s (job %s; %d request(s) queued)", self.frontier.worker,
                    "started" if self.job.created else "joined", spider.name, self.job.id, queued)
        self.stats.set_value("baotinh/redis/worker", self.frontier.worker)
        self.stats.set_value("baotinh/redis/job", self.job.id)
        self._install_ack()
        from scrapy.utils.asyncio import create_looping_call

        self._loop = create_looping_call(self._on_tick)
        self._loop.start(self.tick, now=False)

    def _seed(self, spider) -> None:
        """Fingerprints of the articles the ingester says are stored: never fetched again."""
        started = time.monotonic()
        known = self.frontier.known()
        added = self.frontier.seed(article_fingerprints(sorted(known), spider.base_url, self.df.request_fingerprint))
        self.frontier.mark_seeded(self.job.id)
        self.stats.set_value("baotinh/redis/seeded", len(known))
        if known:
            logger.info("duplicate filter seeded with %d known article(s) of %s (%d new) in %.1f s", len(known),
                        spider.name, added, time.monotonic() - started)

    def _install_ack(self) -> None:
        """Drop a request's lease when Scrapy's scraper is done with its response or failure."""
        scraper = self.crawler.engine.scraper
        original = scraper.enqueue_scrape

        def enqueue_scrape(result, request):
            lease = request.meta.pop(LEASE_META, None)   # children copying response.meta must not carry it
            deferred = original(result, request)
            if lease is not None:
                deferred.addBoth(self._ack, lease)
            return deferred

        scraper.enqueue_scrape = enqueue_scrape

    def _ack(self, result, lease: str):
        if self.failed:
            return result   # an item may not have reached Redis: keep the lease, the request is redone
        try:
            self.frontier.ack(lease)
        except Exception as exc:  # noqa: BLE001 - the lease stays: the request is fetched again later
            logger.warning("lease %s not released (%s): its request will be fetched again", lease, exc)
        return result

    def _refuse(self, spider):
        raise CloseSpider(MISMATCH)

    def push_failed(self, exc) -> None:
        """An item could not be pushed: keep every lease from now on and stop the worker."""
        if self.failed:
            return
        self.failed = True
        logger.error("cannot push to Redis (%s): stopping this worker; what it was doing stays leased and "
                     "is done again by another worker or by this one when restarted", exc)
        engine = getattr(self.crawler, "engine", None)
        if engine is not None:
            from scrapy.utils.defer import deferred_from_coro

            deferred_from_coro(engine.close_spider_async(reason=REDIS_ERROR)).addErrback(lambda _: None)

    # -- the scheduler interface ------------------------------------------------------------------
    def enqueue_request(self, request) -> bool:
        replaces = request.meta.pop(LEASE_META, None)   # a retry or redirect of a leased request
        if self.mismatch:
            return False
        fingerprint = None if request.dont_filter else self.df.request_fingerprint(request)
        queued = self.frontier.push(self.queue._encode_request(request), score=-request.priority,
                                    fingerprint=fingerprint, replaces=replaces)
        if not queued:
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self):
        if self.mismatch or self.failed:
            return None
        while True:
            got = self.frontier.lease()
            if got is None:
                return None
            lease, data = got
            try:
                request = self.queue._decode_request(data)
            except Exception as exc:  # noqa: BLE001 - e.g. a callback this code no longer has
                logger.error("dropping a queued request this worker cannot read (%s: %s)", type(exc).__name__, exc)
                self.stats.inc_value("baotinh/redis/unreadable_requests")
                self.frontier.ack(lease)
                continue
            request.meta[LEASE_META] = lease
            if self.stats:
                self.stats.inc_value("scheduler/dequeued/redis")
            return request

    def has_pending_requests(self) -> bool:
        if self.mismatch or self.failed:
            return False
        status = self.frontier.status(finish_job=self.job.id, requeue_own=self._locally_idle())
        self._report(status)
        if status.finished:
            logger.info("distributed crawl of %s finished (job %s): nothing queued, nothing leased",
                        self.spider.name, self.job.id)
            self.stats.set_value("baotinh/redis/job_finished_here", True)
        return status.pending

    def _locally_idle(self) -> bool:
        engine = getattr(self.crawler, "engine", None)
        scraper_slot = getattr(getattr(engine, "scraper", None), "slot", None)
        if engine is None or scraper_slot is None or getattr(engine, "_start", None) is not None:
            return False   # (_start: the spider is still yielding start requests)
        return not engine.downloader.active and scraper_slot.is_idle()

    def _report(self, status) -> None:
        if status.reclaimed:
            self.stats.inc_value("baotinh/redis/reclaimed", status.reclaimed)
            logger.warning("%d request(s) of a worker that stopped answering are back in the queue",
                           status.reclaimed)
        if status.own_requeued:
            self.stats.inc_value("baotinh/redis/requeued_own", status.own_requeued)
            logger.warning("%d leased request(s) were never finished here; back in the queue", status.own_requeued)

    def _on_tick(self) -> None:
        """Heartbeat; now and then, reclaim dead workers' requests; wake the engine when the
        shared queue has work and this worker has room (Scrapy itself looks every 5 s only)."""
        try:
            self.frontier.heartbeat()
            if time.monotonic() - self._last_status >= self.ttl / 3:
                self._last_status = time.monotonic()
                self._report(self.frontier.status())
            engine = self.crawler.engine
            if engine is not None and not engine.needs_backout() and self.frontier.queued():
                nextcall = getattr(getattr(engine, "_slot", None), "nextcall", None)
                if nextcall is not None:
                    nextcall.schedule()
        except Exception as exc:  # noqa: BLE001 - Redis away for a moment: say so, keep going
            if time.monotonic() - self._warned > 30:
                self._warned = time.monotonic()
                logger.warning("Redis heartbeat failed (%s: %s); if it stays away longer than %g s, other "
                               "workers take this worker's requests over", type(exc).__name__, exc, self.ttl)

    def close(self, reason):
        loop = getattr(self, "_loop", None)
        if loop is not None and loop.running:
            loop.stop()
        if getattr(self, "frontier", None) is not None and not self.mismatch:
            try:
                moved = self.frontier.leave()
            except Exception as exc:  # noqa: BLE001
                logger.warning("could not hand back this worker's requests (%s); they return to the queue "
                               "once its heartbeat expires", exc)
            else:
                if moved:
                    logger.info("%d unfinished request(s) handed back to the shared queue", moved)
        if not self.persist:
            self.flush()
