"""Downloader middlewares: robots.txt with a record of what it refused, retries that honour
Retry-After, and the response headers as the server sent them (for raw pages and WARC).

Enabled in crawler/settings.py in place of Scrapy's own RobotsTxtMiddleware and RetryMiddleware.
"""
from __future__ import annotations

import logging
import time
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.asyncio import sleep
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

logger = logging.getLogger(__name__)

REFUSED = "baotinh/robots/refused"
REFUSED_URLS = "baotinh/robots/refused_urls"
REFUSED_START = "baotinh/robots/refused_start_pages"
RAW_HEADERS_META = "baotinh_raw_headers"


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, plus a count and a capped list of the refused URLs.

    The list goes into the crawl's stats (and so into its crawl_runs row), so an archivist sees
    at once that a site refuses crawlers; refused start pages are counted apart, for the spider's
    "every start page refused" error at the close.
    """

    def __init__(self, crawler):
        super().__init__(crawler)
        self.max_listed = crawler.settings.getint("BAOTINH_ROBOTS_REFUSED_LIST_MAX", 100)

    async def robot_parser(self, request):
        # Scrapy 2.19's own, with two changes. (1) Every request that arrives while robots.txt
        # is still being fetched waits for the parser on a Deferred of its own: Scrapy awaits
        # the shared Deferred directly, and since asFuture() callbacks return None, only the
        # first waiter gets the parser and the others are let through unchecked (seen here: a
        # robots.txt refusing everything still let three of five start pages through).
        # (2) A robots.txt the server does not deliver (connection refused, timeout) is one
        # warning line, not an error with a traceback.
        url = urlparse_cached(request)
        netloc = url.netloc
        if netloc not in self._parsers:
            self._parsers[netloc] = Deferred()
            robotsurl = f"{url.scheme}://{url.netloc}/robots.txt"
            robotsreq = Request(robotsurl, priority=self.DOWNLOAD_PRIORITY, meta={"dont_obey_robotstxt": True},
                                callback=NO_CALLBACK)
            try:
                resp = await self.crawler.engine.download_async(robotsreq)
                await self._parse_robots(resp, netloc, request)
            except Exception as exc:  # noqa: BLE001 - as Scrapy: no robots.txt means no rules
                if not isinstance(exc, IgnoreRequest):
                    logger.warning("robots.txt not fetched from %s (%s: %s); crawling as if it allowed everything",
                                   robotsurl, type(exc).__name__, exc)
                self._robots_error(exc, netloc)
            self.crawler.stats.inc_value("robotstxt/request_count")
        parser = self._parsers[netloc]
        if isinstance(parser, Deferred):
            waiter: Deferred = Deferred()

            def relay(result):
                waiter.callback(result)
                return result  # the next waiter gets the parser too

            parser.addCallback(relay)
            return await maybe_deferred_to_future(waiter)
        return parser

    def process_request_2(self, rp, request) -> None:
        try:
            super().process_request_2(rp, request)
        except IgnoreRequest:
            stats = self.crawler.stats
            stats.inc_value(REFUSED)
            if request.meta.get("baotinh_start"):
                stats.inc_value(REFUSED_START)
            listed = stats.get_value(REFUSED_URLS) or []
            if len(listed) < self.max_listed:
                stats.set_value(REFUSED_URLS, [*listed, request.url])
            logger.info("refused by robots.txt: %s", request.url)
            raise


def retry_after_seconds(value: bytes | str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date; None if absent
    or unreadable. A date in the past gives 0."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    current = datetime.now(timezone.utc).timestamp() if now is None else now
    return max(0.0, when.timestamp() - current)


class RetryAfterMiddleware(RetryMiddleware):
    """RetryMiddleware that backs off on 429 and 503.

    The wait is the response's Retry-After (seconds or HTTP date) or, without one, an exponential
    backoff (BAOTINH_RETRY_BACKOFF_BASE * 2**(attempt-1)), capped at BAOTINH_RETRY_AFTER_MAX
    seconds. The whole host pauses, not just the one URL: every request to it waits in
    process_request until the pause is over, so the retry never goes out sooner than asked.
    Other retryable statuses and network errors keep Scrapy's immediate retry.
    """

    BACKOFF_CODES = frozenset({429, 503})

    def __init__(self, settings):
        super().__init__(settings)
        self.max_wait = settings.getfloat("BAOTINH_RETRY_AFTER_MAX", 300.0)
        self.backoff_base = settings.getfloat("BAOTINH_RETRY_BACKOFF_BASE", 5.0)
        self.paused_until: dict[str, float] = {}

    @staticmethod
    def _host(request) -> str:
        return urlparse_cached(request).netloc

    async def process_request(self, request):
        until = self.paused_until.get(self._host(request))
        if until is not None:
            wait = until - time.monotonic()
            if wait > 0:
                await sleep(wait)
        return None

    def process_response(self, request, response):
        if response.status not in self.BACKOFF_CODES or request.meta.get("dont_retry", False):
            return super().process_response(request, response)
        attempt = request.meta.get("retry_times", 0) + 1
        asked = retry_after_seconds(response.headers.get(b"Retry-After"))
        wait = asked if asked is not None else self.backoff_base * 2 ** (attempt - 1)
        wait = min(max(wait, 0.0), self.max_wait)
        retry = self._retry(request, f"{response.status} (wait {wait:g} s)")
        if retry is None:
            return response
        host = self._host(request)
        self.paused_until[host] = max(self.paused_until.get(host, 0.0), time.monotonic() + wait)
        stats = self.crawler.stats
        stats.inc_value(f"baotinh/retry_after/{response.status}")
        stats.max_value("baotinh/retry_after/max_wait", wait)
        logger.info("%s answered %s; retrying %s in %.1f s%s", host, response.status, request.url, wait,
                    " (Retry-After)" if asked is not None else " (backoff)")
        return retry


class RawHeadersMiddleware:
    """Keep the response headers as received, before HttpCompressionMiddleware decodes the body
    and drops Content-Encoding: raw pages and WARC records want what the server sent.

    Sits between RedirectMiddleware (600) and HttpCompressionMiddleware (590).
    """

    @classmethod
    def from_crawler(cls, crawler):
        return cls()

    def process_response(self, request, response):
        request.meta[RAW_HEADERS_META] = [
            (name.decode("latin-1"), value.decode("latin-1"))
            for name, values in response.headers.items() for value in values]
        return response
