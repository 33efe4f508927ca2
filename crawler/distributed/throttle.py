"""Politeness across workers: one token per site host in Redis, held for the site's delay.

A request may go on the wire only once its worker has set `baotinh:throttle:HOST` with
SET NX PX <delay>: whoever sets it sends, everyone else waits for the key to expire. So N workers
crawling one site send at most one request per delay between them, as one machine would, not N.
The token is taken in the download handler, i.e. after Scrapy's own per-slot queue and delay,
right before the request is sent: a request that waited in a worker's queue does not go out
right behind another worker's.

The delay is the worker's own download slot delay for the host: DOWNLOAD_DELAY as the registry's
politeness table and spiders/base.py set it (never under 1 s for a real site), raised by
AutoThrottle when the server slows down. A loopback mirror has no delay, and no token.

A 429 or 503 answer pauses the host for every worker: the token is set for the Retry-After time
(or BAOTINH_RETRY_BACKOFF_BASE seconds without one, at most BAOTINH_RETRY_AFTER_MAX).
"""
from __future__ import annotations

import logging
import random
import time
import uuid

from crawler.distributed import DEFAULT_PREFIX
from crawler.distributed.frontier import throttle_key

logger = logging.getLogger(__name__)

_ACQUIRE = """
-- KEYS: token    ARGV: delay_ms, holder     returns 0 (go) or the milliseconds to wait
if redis.call('SET', KEYS[1], ARGV[2], 'NX', 'PX', ARGV[1]) then return 0 end
local left = redis.call('PTTL', KEYS[1])
if left < 0 then return 1 end
return left
"""
_PAUSE = """
-- KEYS: token    ARGV: pause_ms, holder     extend the token to at least pause_ms from now
local left = redis.call('PTTL', KEYS[1])
if left < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[1])
end
return 1
"""


class SharedRateLimiter:
    """The token logic, usable without Scrapy (and tested so)."""

    def __init__(self, client, prefix: str = DEFAULT_PREFIX, holder: str | None = None):
        self.client = client
        self.prefix = prefix
        self.holder = holder or uuid.uuid4().hex[:12]
        self._acquire = client.register_script(_ACQUIRE)
        self._pause = client.register_script(_PAUSE)

    def try_acquire(self, slot: str, delay: float) -> float:
        """0.0 if this caller may send to `slot` now (the token is now its own for `delay`
        seconds), else the seconds to wait before trying again."""
        if delay <= 0:
            return 0.0
        left = self._acquire(keys=[throttle_key(self.prefix, slot)], args=[max(1, int(delay * 1000)), self.holder])
        return int(left) / 1000.0

    def acquire_blocking(self, slot: str, delay: float) -> float:
        """Wait (time.sleep) for the token; returns the seconds waited. For tools and tests."""
        waited = 0.0
        while True:
            left = self.try_acquire(slot, delay)
            if left <= 0:
                return waited
            pause = left + random.uniform(0, 0.005)
            time.sleep(pause)
            waited += pause

    def pause(self, slot: str, seconds: float) -> None:
        if seconds > 0:
            self._pause(keys=[throttle_key(self.prefix, slot)], args=[max(1, int(seconds * 1000)), self.holder])


def _http_handler_default(scheme: str) -> str:
    from scrapy.settings.default_settings import DOWNLOAD_HANDLERS_BASE

    return DOWNLOAD_HANDLERS_BASE[scheme]


class SharedDelayHandler:
    """Download handler for http/https in redis mode: the shared token, then the real handler
    (BAOTINH_REDIS_INNER_HANDLERS[scheme], Scrapy's HTTP/1.1 handler unless set otherwise)."""

    lazy = False
    BACKOFF_CODES = frozenset({429, 503})

    def __init__(self, crawler):
        from crawler.distributed.worker import WorkerContext

        self.crawler = crawler
        settings = crawler.settings
        self.context = WorkerContext.of(crawler)
        self.limiter = SharedRateLimiter(self.context.client, self.context.prefix, self.context.worker)
        self.inner_paths = dict(settings.getdict("BAOTINH_REDIS_INNER_HANDLERS"))
        self.inner: dict[str, object] = {}
        self.max_pause = settings.getfloat("BAOTINH_RETRY_AFTER_MAX", 300.0)
        self.backoff = settings.getfloat("BAOTINH_RETRY_BACKOFF_BASE", 5.0)
        self.default_delay = settings.getfloat("DOWNLOAD_DELAY", 0.0)
        self.waited = 0.0

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _handler(self, scheme: str):
        handler = self.inner.get(scheme)
        if handler is None:
            from scrapy.utils.misc import build_from_crawler, load_object

            path = self.inner_paths.get(scheme) or _http_handler_default(scheme)
            handler = self.inner[scheme] = build_from_crawler(load_object(path), self.crawler)
        return handler

    def _slot(self, request) -> tuple[str, float]:
        from scrapy.utils.httpobj import urlparse_cached

        key = request.meta.get("download_slot") or urlparse_cached(request).hostname or ""
        delay = self.default_delay
        downloader = getattr(getattr(self.crawler, "engine", None), "downloader", None)
        slot = getattr(downloader, "slots", {}).get(key) if downloader is not None else None
        if slot is not None:
            delay = slot.delay
        return key, delay

    async def download_request(self, request):
        from scrapy.utils.asyncio import sleep
        from scrapy.utils.httpobj import urlparse_cached

        key, delay = self._slot(request)
        if delay > 0:
            started = time.monotonic()
            while True:
                left = self.limiter.try_acquire(key, delay)
                if left <= 0:
                    break
                await sleep(left + random.uniform(0, 0.005))
            waited = time.monotonic() - started
            if waited > 0.001:
                self.crawler.stats.inc_value("baotinh/redis/throttle_waits")
                self.crawler.stats.max_value("baotinh/redis/throttle_max_wait", round(waited, 3))
        handler = self._handler(urlparse_cached(request).scheme)
        response = await handler.download_request(request)
        if delay > 0 and response.status in self.BACKOFF_CODES:
            self._pause_host(key, request, response)
        return response

    def _pause_host(self, key: str, request, response) -> None:
        from crawler.middlewares import retry_after_seconds

        asked = retry_after_seconds(response.headers.get(b"Retry-After"))
        attempt = request.meta.get("retry_times", 0) + 1
        wait = asked if asked is not None else self.backoff * 2 ** (attempt - 1)
        wait = min(max(wait, 0.0), self.max_pause)
        self.limiter.pause(key, wait)
        self.crawler.stats.inc_value("baotinh/redis/host_paused")
        logger.info("%s answered %d: every worker waits %g s before its next request there", key,
                    response.status, wait)

    async def close(self) -> None:
        for handler in self.inner.values():
            close = getattr(handler, "close", None)
            if close is not None:
                result = close()
                if result is None:
                    continue
                if hasattr(result, "__await__"):
                    await result
                else:
                    from scrapy.utils.defer import maybe_deferred_to_future

                    await maybe_deferred_to_future(result)
