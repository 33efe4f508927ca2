"""The one crawl flow every site shares.

start pages (listings and sitemaps) -> article links -> pagination -> article parse. A site
is a registry entry (crawler/sites.toml); spiders/sites.py turns each entry into a spider.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import scrapy
from scrapy.http import TextResponse
from scrapy.utils.sitemap import Sitemap

from crawler.clock import now_vn
from crawler.extract import extract_page
from crawler.items import Article
from crawler.registry import Site, get_site
from crawler.urls import clean_url, is_loopback, rebase


class NewsSpider(scrapy.Spider):
    """Crawl one newspaper. `-a base_url=URL` points it at a mirror of the site."""

    site_name: str = ""

    def __init__(self, *args, base_url: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.site: Site = get_site(self.site_name or self.name)
        self.base_url = (base_url or self.site.base_url).rstrip("/") + "/"
        base = urlsplit(self.base_url)
        if base.scheme not in ("http", "https") or not base.hostname:
            raise ValueError(f"base_url {base_url!r} is not an http(s) URL")
        self.allowed_domains = [base.hostname] if base_url else list(self.site.domains)
        self.article_re = re.compile(self.site.article_pattern)
        self.listing_re = re.compile(self.site.listing_pattern) if self.site.listing_pattern else None

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider._apply_politeness(crawler.settings)
        return spider

    def _apply_politeness(self, settings) -> None:
        # Settings are still mutable here (Scrapy >= 2.11): a loopback mirror needs no delay,
        # a real site gets the registry's own politeness overrides on top of the defaults.
        if is_loopback(self.base_url):
            for key, value in {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False,
                               "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
                               "RANDOMIZE_DOWNLOAD_DELAY": False}.items():
                settings.set(key, value, priority="spider")
            return
        overrides = {"download_delay": "DOWNLOAD_DELAY", "concurrency": "CONCURRENT_REQUESTS_PER_DOMAIN",
                     "autothrottle_max_delay": "AUTOTHROTTLE_MAX_DELAY"}
        for key, setting in overrides.items():
            if key in self.site.politeness:
                value = self.site.politeness[key]
                if setting == "DOWNLOAD_DELAY":
                    value = max(1.0, float(value))  # never faster than one request a second
                settings.set(setting, value, priority="spider")

    # -- URLs ---------------------------------------------------------------------------
    def site_url(self, path: str) -> str:
        return self.base_url + path.lstrip("/")

    def on_site(self, url: str) -> str | None:
        """The cleaned URL if it belongs to this crawl (real domain rebased onto a mirror)."""
        url = rebase(url, self.site.domains, self.base_url)
        if urlsplit(url).hostname != urlsplit(self.base_url).hostname:
            return None
        return clean_url(url)

    @staticmethod
    def _path_query(url: str) -> str:
        parts = urlsplit(url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def is_article_url(self, url: str) -> bool:
        return bool(self.article_re.search(self._path_query(url)))

    def is_listing_url(self, url: str) -> bool:
        return bool(self.listing_re and self.listing_re.search(self._path_query(url)))

    # -- flow ---------------------------------------------------------------------------
    async def start(self):
        for path in self.site.sitemaps:
            yield scrapy.Request(self.site_url(path), callback=self.parse_sitemap)
        for path in self.site.listings:
            yield scrapy.Request(self.site_url(path), callback=self.parse_listing)

    def article_request(self, url: str, **meta) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_article, meta=meta)

    def parse_listing(self, response):
        if not isinstance(response, TextResponse):
            return
        self.crawler.stats.inc_value("baotinh/pages/listing")
        for href in response.css("a::attr(href)").getall():
            url = self.on_site(response.urljoin(href.strip()))
            if url is None:
                continue
            if self.is_article_url(url):
                yield self.article_request(url)
            elif self.is_listing_url(url):
                yield scrapy.Request(url, callback=self.parse_listing)

    def parse_sitemap(self, response):
        try:
            sitemap = Sitemap(response.body)
        except Exception:  # lxml raises several types on junk; a bad sitemap is not fatal
            self.logger.warning("unreadable sitemap at %s", response.url)
            self.crawler.stats.inc_value("baotinh/sitemaps/unreadable")
            return
        for entry in sitemap:
            url = self.on_site(entry.get("loc", ""))
            if url is None:
                continue
            if sitemap.type == "sitemapindex":
                yield scrapy.Request(url, callback=self.parse_sitemap)
            elif self.is_article_url(url):
                yield self.article_request(url, lastmod=entry.get("lastmod"))

    def parse_article(self, response):
        self.crawler.stats.inc_value("baotinh/pages/article")
        headers = {k.decode("latin-1").lower(): v[0].decode("latin-1")
                   for k, v in response.headers.items() if v}
        raw = extract_page(response.body, response.url, headers=headers, site=self.site)
        item = Article(url=clean_url(response.url), site=self.site.name, fetched_at=now_vn().isoformat())
        for key, value in raw.items():
            if key in Article.fields and key not in item:
                item[key] = value
        item["page_type"] = "article" if raw.get("is_article", True) else "other"
        item["problems"] = list(raw.get("problems") or [])
        yield item
