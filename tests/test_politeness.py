"""Politeness for real sites: robots.txt, AutoThrottle, one request at a time, >= 1 s apart,
an identifying User-Agent, registry overrides; 429/503 retried after Retry-After."""
from __future__ import annotations

import os
import threading
import time
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone

import pytest
from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse, Request
from scrapy.settings import Settings

from crawler.middlewares import RetryAfterMiddleware, retry_after_seconds
from spiders.base import NewsSpider
from test_modes import article_requests, copy_mirror, crawl, served, stored
from test_robots import registry_with


def project_settings(**overrides) -> Settings:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    for key, value in overrides.items():
        settings.set(key, value, priority="cmdline")
    return settings


def spider_settings(site: str, base_url: str | None = None, **overrides) -> Settings:
    cls = type("S", (NewsSpider,), {"name": site, "site_name": site})
    crawler = Crawler(cls, project_settings(**overrides))
    cls.from_crawler(crawler, base_url=base_url)
    return crawler.settings


def test_a_real_site_gets_the_polite_defaults():
    settings = spider_settings("baolangson", BAOTINH_CONTACT="archive@example.org")
    assert settings.getbool("ROBOTSTXT_OBEY")
    assert settings.getbool("AUTOTHROTTLE_ENABLED")
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 1
    assert settings.getfloat("DOWNLOAD_DELAY") >= 1.0
    assert settings.getfloat("DOWNLOAD_DELAY_JITTER") == 0.0      # never below the delay
    assert settings.getfloat("AUTOTHROTTLE_START_DELAY") >= 1.0
    assert "contact: archive@example.org" in settings.get("USER_AGENT")
    assert settings.get("USER_AGENT").startswith("baotinh/")
    middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
    assert middlewares["crawler.middlewares.RobotsTxtMiddleware"] and \
        middlewares["scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware"] is None
    assert middlewares["crawler.middlewares.RetryAfterMiddleware"] and \
        middlewares["scrapy.downloadermiddlewares.retry.RetryMiddleware"] is None
    assert {429, 503} <= set(settings.getlist("RETRY_HTTP_CODES"))


def test_registry_politeness_can_slow_a_site_down_but_not_below_one_second(tmp_path, monkeypatch):
    monkeypatch.setenv("BAOTINH_SITES", registry_with(tmp_path, "baolangson",
                                                      "politeness = { download_delay = 4.0, "
                                                      "autothrottle_max_delay = 90.0 }")["BAOTINH_SITES"])
    settings = spider_settings("baolangson")
    assert settings.getfloat("DOWNLOAD_DELAY") == 4.0
    assert settings.getfloat("AUTOTHROTTLE_MAX_DELAY") == 90.0
    (tmp_path / "fast").mkdir()
    monkeypatch.setenv("BAOTINH_SITES", registry_with(tmp_path / "fast", "baolangson",
                                                      "politeness = { download_delay = 0.2 }")["BAOTINH_SITES"])
    assert spider_settings("baolangson").getfloat("DOWNLOAD_DELAY") == 1.0


def test_a_loopback_mirror_is_crawled_without_delays():
    settings = spider_settings("baolangson", base_url="http://127.0.0.1:8000/")
    assert settings.getfloat("DOWNLOAD_DELAY") == 0
    assert not settings.getbool("AUTOTHROTTLE_ENABLED")
    assert settings.getbool("ROBOTSTXT_OBEY")


def test_robots_override_turns_robots_off_only_for_that_site(tmp_path, monkeypatch):
    monkeypatch.setenv("BAOTINH_SITES", registry_with(tmp_path, "baolangson",
                                                      'robots_override = "permission (test)"')["BAOTINH_SITES"])
    assert not spider_settings("baolangson").getbool("ROBOTSTXT_OBEY")


# -- Retry-After ---------------------------------------------------------------------------

def test_retry_after_values():
    assert retry_after_seconds(b"120") == 120.0
    assert retry_after_seconds(" 7 ") == 7.0
    when = datetime(2026, 11, 29, 12, 0, 30, tzinfo=timezone.utc)
    now = datetime(2026, 11, 29, 12, 0, 0, tzinfo=timezone.utc).timestamp()
    assert retry_after_seconds(format_datetime(when, usegmt=True), now=now) == 30.0
    assert retry_after_seconds(format_datetime(when - timedelta(hours=1), usegmt=True), now=now) == 0.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


class _Stats:
    def __init__(self):
        self.values = {}

    def inc_value(self, key, count=1, start=0):
        self.values[key] = self.values.get(key, start) + count

    def max_value(self, key, value):
        self.values[key] = max(self.values.get(key, value), value)

    def get_value(self, key, default=None):
        return self.values.get(key, default)


def middleware(**overrides):
    settings = project_settings(**overrides)
    mw = RetryAfterMiddleware(settings)

    class FakeCrawler:
        stats = _Stats()
        spider = type("Spider", (), {"crawler": None, "name": "t"})()

    mw.crawler = FakeCrawler()
    mw.crawler.settings = settings
    mw.crawler.spider.crawler = mw.crawler
    return mw


def answer(status, headers=None):
    request = Request("https://baolangson.vn/x-5012345.html")
    return request, HtmlResponse(request.url, status=status, headers=headers or {}, body=b"", request=request)


def test_a_long_retry_after_is_capped_and_pauses_the_host():
    mw = middleware(BAOTINH_RETRY_AFTER_MAX=2.5)
    request, response = answer(503, {"Retry-After": "3600"})
    before = time.monotonic()
    retry = mw.process_response(request, response)
    assert isinstance(retry, Request) and retry.meta["retry_times"] == 1
    assert 2.0 <= mw.paused_until["baolangson.vn"] - before <= 2.6
    assert mw.crawler.stats.get_value("baotinh/retry_after/503") == 1


def test_without_retry_after_the_backoff_doubles_and_then_gives_up():
    mw = middleware(BAOTINH_RETRY_BACKOFF_BASE=0.5, RETRY_TIMES=2)
    request, response = answer(429)
    waits = []
    for _ in range(3):
        before = time.monotonic()
        result = mw.process_response(request, response)
        if not isinstance(result, Request):
            break
        waits.append(round(mw.paused_until["baolangson.vn"] - before, 1))
        request = result
        mw.paused_until.clear()
    assert waits == [0.5, 1.0]
    assert result is response  # retries exhausted: the 429 goes on (and is not stored)


def test_503_with_retry_after_is_retried_after_the_wait_and_stored(tmp_path):
    root = copy_mirror("baolangson", tmp_path)
    db = tmp_path / "a.db"
    target = "/na-chi-lang-duoc-mua-duoc-gia-5037902.html"
    times = []
    lock = threading.Lock()

    def busy_once(path):
        if path == target:
            with lock:
                times.append(time.monotonic())
                if len(times) == 1:
                    return 503, {"Retry-After": "1", "Content-Type": "text/plain"}, b"busy, come back later\n"
        return None

    with served("baolangson", root) as server:
        server.hook = busy_once
        result = crawl("baolangson", server, db)
        assert article_requests(server, "baolangson")[target] == 2
    assert len(times) == 2 and times[1] - times[0] >= 1.0, times
    assert target in stored(db)
    assert "'baotinh/retry_after/503': 1" in result.stderr
