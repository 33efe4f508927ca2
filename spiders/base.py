"""The one crawl flow every site shares.

start pages (listings and sitemaps) -> article links -> pagination -> article parse. A site
is a registry entry (crawler/sites.toml); spiders/sites.py turns each entry into a spider.

Spider arguments (`scrapy crawl SITE -a NAME=VALUE`, or the options of `baotinh crawl`):

    base_url      crawl a mirror of the site at this URL
    mode          incremental (default) | full | backfill (implied by since/until)
    full          1: fetch known articles again too (any mode)
    since, until  YYYY-MM-DD: backfill window (listing dates, sitemap lastmod, article dates)
    known_pages   incremental: stop paging a listing after N pages of known articles (default 1)
    max_articles  request at most N articles (trial runs)
    max_pages     request at most N listing and sitemap pages (trial runs)
    jobdir        resumable crawl: a marker file there says whether the job finished

What counts as "known" always comes from the database (storage.crawl_state), never from a
seen-set on disk, so a crawl killed at any moment resumes without losing or doubling an
article. docs/archiving.md explains the modes, the resume rule and politeness.
"""
from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.sitemap import Sitemap
from twisted.internet.defer import Deferred
from w3lib.url import canonicalize_url

from crawler.clock import now_vn
from crawler.items import Article
from crawler.middlewares import REFUSED, REFUSED_START, REFUSED_URLS
from crawler.normalize.dates import parse_date
from crawler.rawpages import article_item, capture_of, extraction_headers, header_pairs
from crawler.registry import Site, get_site
from crawler.urls import clean_url, is_loopback, rebase

MODES = ("incremental", "full", "backfill")
DEFAULT_CONTACT = "archive operator"
_TRUE = {"1", "true", "yes", "on"}

# -- argument parsing -----------------------------------------------------------------------


def flag(value) -> bool:
    if isinstance(value, bool):
        return value
    return value is not None and str(value).strip().lower() in _TRUE


def day_argument(value, name: str) -> date | None:
    """A YYYY-MM-DD spider argument (or a date) -> date; ValueError names the argument."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"{name} must be a date as YYYY-MM-DD, not {value!r}") from None


def count_argument(value, name: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {value!r}") from None
    if number < 1:
        raise ValueError(f"{name} must be at least 1, not {number}")
    return number


def as_day(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


# -- listings: pagination and the dates printed beside links ---------------------------------

_PAGE_PARAMS = {"page", "p", "trang", "pg", "paged", "pageindex", "page_no", "pageno", "pagenum", "start",
                "offset"}
_PAGE_PATH = re.compile(r"[/_-](?:page|trang|p)[/_-]?(\d+)(?=(?:\.html?)?/?$)", re.IGNORECASE)
_DATE_CLASS = re.compile(r"time|date|ngay|publish", re.IGNORECASE)
_MAX_ITEM_DEPTH = 5


def chain_key(url: str) -> tuple[tuple[str, str, str], int]:
    """(key shared by every page of one paginated listing, this page's number).

    "/thoi-su", "/thoi-su?page=2", "/thoi-su/" and "/thoi-su/trang-3" share a key; the number
    comes from a page-like query parameter or path suffix (1 when there is none).
    """
    parts = urlsplit(url)
    number = None
    path = parts.path
    match = _PAGE_PATH.search(path)
    if match:
        number = int(match.group(1))
        path = path[:match.start()] + path[match.end():]
    query = []
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if number is None and name.lower() in _PAGE_PARAMS and value.isdigit():
            number = int(value)
            continue
        query.append((name, value))
    return (parts.netloc, path.rstrip("/") or "/", urlencode(sorted(query))), number or 1


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def _parse_listing_date(text: str | None, reference: datetime) -> date | None:
    if not text or len(text) > 80:
        return None
    return as_day(parse_date(text, reference=reference))


def date_near(container, reference: datetime) -> date | None:
    """The date an item container shows: <time datetime>, then elements whose class says
    time/date, then short text outside links (a title may mention other dates)."""
    for element in container.iter("time"):
        for text in (element.get("datetime"), _text(element)):
            found = _parse_listing_date(text, reference)
            if found:
                return found
    for element in container.iter():
        if isinstance(element.tag, str) and element.tag != "a" and _DATE_CLASS.search(element.get("class") or ""):
            found = _parse_listing_date(_text(element), reference)
            if found:
                return found
    for text in container.xpath(".//text()[not(ancestor::a)]"):
        text = " ".join(str(text).split())
        if 6 <= len(text) <= 40:
            found = _parse_listing_date(text, reference)
            if found:
                return found
    return None


@dataclass
class ListingPage:
    articles: dict = field(default_factory=dict)   # article URL -> date shown beside it (or None)
    listings: list = field(default_factory=list)   # listing URLs linked from the page
    rel_next: str | None = None


@dataclass
class _PageWait:
    """A listing page whose items show no dates: paging goes on once its articles are parsed,
    unless every one of them turns out older than --since."""
    next_url: str
    meta: dict
    pending: set
    dates: list


# -- the job marker ----------------------------------------------------------------------------


class JobMarker:
    """`<jobdir>/baotinh-job.json`: which site the job crawls, when it started, its crawl runs,
    and whether it finished. Written atomically (temporary file, fsync, rename)."""

    NAME = "baotinh-job.json"

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)
        self.path = self.directory / self.NAME

    def read(self) -> dict | None:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise ValueError(f"unreadable job marker {self.path}: {exc}") from None

    def check(self, site: str) -> None:
        data = self.read()
        if data and data.get("site") != site:
            raise ValueError(f"jobdir {self.directory} holds a crawl of {data.get('site')!r}, not {site!r}; "
                             "use one jobdir per site")

    def begin(self, site: str, run_id, started_at: str, args: dict) -> dict | None:
        """Record this run in the job; return the unfinished job it continues, or None (new job)."""
        data = self.read()
        if data and data.get("site") == site and not data.get("finished_at"):
            data["runs"] = [*data.get("runs", []), run_id]
            self._write(data)
            return data
        self._write({"site": site, "started_at": started_at, "runs": [run_id], "args": args, "finished_at": None})
        return None

    def finish(self, finished_at: str) -> None:
        data = self.read() or {}
        data["finished_at"] = finished_at
        self._write(data)

    def _write(self, data: dict) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(self.NAME + ".tmp")
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)
        try:
            descriptor = os.open(self.directory, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(descriptor)
        except OSError:
            pass
        finally:
            os.close(descriptor)


# -- the spider ----------------------------------------------------------------------------------


class NewsSpider(scrapy.Spider):
    """Crawl one newspaper. `-a base_url=URL` points it at a mirror of the site."""

    site_name: str = ""

    def __init__(self, *args, base_url: str | None = None, mode: str | None = None, full=None,
                 since=None, until=None, known_pages=None, max_articles=None, max_pages=None,
                 jobdir: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.site: Site = get_site(self.site_name or self.name)
        self.base_url = (base_url or self.site.base_url).rstrip("/") + "/"
        base = urlsplit(self.base_url)
        if base.scheme not in ("http", "https") or not base.hostname:
            raise ValueError(f"base_url {base_url!r} is not an http(s) URL")
        self.allowed_domains = [base.hostname] if base_url else list(self.site.domains)
        self.article_re = re.compile(self.site.article_pattern)
        self.listing_re = re.compile(self.site.listing_pattern) if self.site.listing_pattern else None

        if mode is not None and mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        self.since = day_argument(since, "since")
        self.until = day_argument(until, "until")
        if self.since and self.until and self.since > self.until:
            raise ValueError(f"since ({self.since}) is after until ({self.until})")
        self.refetch = flag(full) or mode == "full"
        if self.since or self.until or mode == "backfill":
            self.mode = "backfill"
        else:
            self.mode = "full" if self.refetch else "incremental"
        self.known_pages = count_argument(known_pages, "known_pages") or 1
        self.max_articles = count_argument(max_articles, "max_articles")
        self.max_pages = count_argument(max_pages, "max_pages")
        self.jobdir = jobdir or None
        self.marker = JobMarker(self.jobdir) if self.jobdir else None
        if self.marker:
            self.marker.check(self.site.name)

        self.db = None
        self.raw_writer = None
        self.known_all: dict[str, str] = {}      # URL key -> stored URL: never fetched again
        self.known_before: set[str] = set()      # URL keys stored before this job began: paging rule
        self.resumed = False
        self.capped = False
        # Requests made in this crawl (canonical URLs, as Scrapy's own dupefilter sees them).
        self._pages_seen: set[str] = set()
        self._articles_requested: set[str] = set()
        self._article_dates: dict[str, date | None] = {}
        self._dated: dict[str, date] = {}         # backfill: the date a listing or sitemap showed
        self._chain_seen: dict[tuple, set[str]] = {}
        self._waits: dict[str, list[_PageWait]] = {}
        self._start_pages = 0
        self._raw_error_logged = False
        self._jobdir_note = None
        self._sitemaps_pending = 0                # sitemap requests not yet read or failed
        self._sitemaps_read = Deferred()

    @property
    def crawl_args(self) -> dict:
        return {"base_url": self.base_url, "mode": self.mode, "full": self.refetch,
                "since": self.since and self.since.isoformat(), "until": self.until and self.until.isoformat(),
                "known_pages": self.known_pages, "max_articles": self.max_articles, "max_pages": self.max_pages,
                "jobdir": self.jobdir}

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider._apply_politeness(crawler.settings)
        spider._take_over_jobdir(crawler.settings)
        crawler.signals.connect(spider._request_dropped, signal=signals.request_dropped)
        return spider

    def _take_over_jobdir(self, settings) -> None:
        """`scrapy crawl -s JOBDIR=DIR` means "resumable" to a user: give it baotinh's meaning.
        Scrapy's own job state (the on-disk request queue and requests.seen) is not consistent
        after a hard kill (scrapy#2399, #4479) and a seen-set would drop the very requests a
        resume needs, so it is switched off and DIR holds baotinh's job marker instead."""
        directory = settings.get("JOBDIR")
        if not directory:
            return
        if self.jobdir is None:
            self.jobdir = str(directory)
            self.marker = JobMarker(self.jobdir)
            self.marker.check(self.site.name)
        settings.set("JOBDIR", None, priority=max(settings.getpriority("JOBDIR") or 0, 40))
        self._jobdir_note = directory

    def _apply_politeness(self, settings) -> None:
        # Settings are still mutable here (Scrapy >= 2.11): a loopback mirror needs no delay,
        # a real site gets the registry's own politeness overrides on top of the defaults.
        if self.site.robots_override:
            settings.set("ROBOTSTXT_OBEY", False, priority="spider")
        if (settings.getpriority("USER_AGENT") or 0) <= (settings.getpriority("BAOTINH_CONTACT") or 0):
            settings.set("USER_AGENT", user_agent(settings.get("BAOTINH_CONTACT")), priority="spider")
        if is_loopback(self.base_url):
            for key, value in {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False,
                               "CONCURRENT_REQUESTS_PER_DOMAIN": 8, "DOWNLOAD_DELAY_JITTER": 0}.items():
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
        if settings.getfloat("DOWNLOAD_DELAY") < 1.0:
            settings.set("DOWNLOAD_DELAY", 1.0, priority="spider")

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

    url_key = _path_query  # an article's identity within its site: the same on a mirror

    def is_article_url(self, url: str) -> bool:
        return bool(self.article_re.search(self._path_query(url)))

    def is_listing_url(self, url: str) -> bool:
        return bool(self.listing_re and self.listing_re.search(self._path_query(url)))

    # -- the archive: what is known, raw pages --------------------------------------------
    def _open_archive(self) -> None:
        from storage import StorageError, open_database
        from storage.crawl_state import known_urls_before, resume_point
        from storage.raw_pages import RawPageWriter

        stats = self.crawler.stats
        settings = self.crawler.settings
        run_id = stats.get_value("baotinh/run_id")
        started_at = now_vn().isoformat()
        stats.set_value("baotinh/mode", self.mode)
        stats.set_value("baotinh/args", {k: v for k, v in self.crawl_args.items() if v not in (None, False)})
        try:
            self.db = open_database(settings.get("BAOTINH_DB"))
            bounds = []
            if self.marker:
                job = self.marker.begin(self.site.name, run_id, started_at, self.crawl_args)
                if job:
                    bounds.append(job["started_at"])
                    self.logger.info("resuming the unfinished job in %s (started %s, runs %s)", self.jobdir,
                                     job["started_at"], ", ".join(str(r) for r in job.get("runs", [])))
            interrupted_at, interrupted = resume_point(self.db, self.site.name, run_id)
            if interrupted_at:
                bounds.append(interrupted_at)
                self.logger.info("%d earlier crawl(s) of %s did not complete (runs %s); paging rules use "
                                 "what was known before %s", len(interrupted), self.site.name,
                                 ", ".join(map(str, interrupted)), interrupted_at)
            self.known_all = {self.url_key(u): u for u in known_urls_before(self.db, self.site.name)}
            if bounds:
                self.resumed = True
                before = min(bounds)
                self.known_before = {self.url_key(u) for u in known_urls_before(self.db, self.site.name, before)}
                stats.set_value("baotinh/job/resumed_from", before)
            else:
                self.known_before = set(self.known_all)
            if settings.getbool("BAOTINH_RAW_PAGES", True):
                self.raw_writer = RawPageWriter(self.db)
        except (StorageError, ValueError, OSError) as exc:
            self.logger.error("cannot read the archive for %s: %s", self.site.name, exc)
            raise
        stats.set_value("baotinh/known/at_start", len(self.known_all))
        stats.set_value("baotinh/known/before_job", len(self.known_before))

    def _record(self, response, kind: str, fetched_at: str) -> None:
        if self.raw_writer is None:
            return
        from storage import StorageError

        try:
            _, revisit = self.raw_writer.write(capture_of(
                response, site=self.site.name, kind=kind, fetched_at=fetched_at,
                crawl_run_id=self.crawler.stats.get_value("baotinh/run_id")))
        except StorageError as exc:
            self.crawler.stats.inc_value("baotinh/raw_pages/errors")
            if not self._raw_error_logged:
                self._raw_error_logged = True
                self.logger.error("raw page not stored: %s", exc)
            return
        self.crawler.stats.inc_value("baotinh/raw_pages/revisits" if revisit else "baotinh/raw_pages/new")

    def _is_known(self, url: str, pool) -> bool:
        return self.url_key(url) in pool

    def _in_window(self, day: date | None) -> bool:
        if day is None:
            return True
        return not ((self.since and day < self.since) or (self.until and day > self.until))

    # -- requests -----------------------------------------------------------------------
    def _page_request(self, url: str, callback, *, meta: dict | None = None, start: bool = False,
                      priority: int = 0):
        """A listing or sitemap request, once per URL per crawl and within --max-pages."""
        if canonicalize_url(url) in self._pages_seen:
            return None
        if self.max_pages and len(self._pages_seen) >= self.max_pages:
            self.capped = True
            self.crawler.stats.inc_value("baotinh/limits/pages_not_requested")
            return None
        self._pages_seen.add(canonicalize_url(url))
        meta = dict(meta or {})
        if start:
            meta["baotinh_start"] = True
            self._start_pages += 1
        if callback == self.parse_sitemap:
            meta["baotinh_sitemap"] = True
            self._sitemaps_pending += 1
        return scrapy.Request(url, callback=callback, errback=self.page_failed, meta=meta, priority=priority)

    def article_request(self, url: str, listed: date | None = None, **meta):
        """The request for one article, or None: known (unless --full), outside the backfill
        window by the date its listing or sitemap shows, beyond --max-articles, or already asked."""
        stats = self.crawler.stats
        key = canonicalize_url(url)
        if key in self._articles_requested:
            return None
        if not self.refetch and self._is_known(url, self.known_all):
            stats.inc_value("baotinh/skipped/known")
            return None
        if self.since or self.until:
            # A link shown without a date elsewhere ("most read" boxes) is judged by the date
            # the sitemap or another listing gave it (sitemaps are read first).
            listed = listed or self._dated.get(key)
            if listed:
                self._dated.setdefault(key, listed)
        if not self._in_window(listed):
            stats.inc_value("baotinh/skipped/outside_window")
            return None
        if self.max_articles and len(self._articles_requested) >= self.max_articles:
            self.capped = True
            stats.inc_value("baotinh/limits/articles_not_requested")
            return None
        self._articles_requested.add(key)
        return scrapy.Request(url, callback=self.parse_article, errback=self.article_failed,
                              meta={**meta, "baotinh_key": url, "baotinh_listed": listed and listed.isoformat()})

    # -- flow ---------------------------------------------------------------------------
    async def start(self):
        if self._jobdir_note:
            self.logger.warning("JOBDIR=%s: Scrapy's own job state is not used (not safe after a hard kill); "
                                "baotinh keeps its job marker there and resumes from the archive",
                                self._jobdir_note)
        self._open_archive()
        if self.site.robots_override:
            self.logger.warning("robots.txt is NOT obeyed for %s: %s", self.site.name, self.site.robots_override)
            self.crawler.stats.set_value("baotinh/robots/override", self.site.robots_override)
        if not is_loopback(self.base_url) and self.crawler.settings.get("BAOTINH_CONTACT") in (None, "",
                                                                                                DEFAULT_CONTACT):
            self.logger.warning("set BAOTINH_CONTACT to an e-mail address or URL: it goes into the User-Agent "
                                "so that site operators can reach whoever runs this crawler")
        for path in self.site.sitemaps:
            request = self._page_request(self.site_url(path), self.parse_sitemap, start=True, priority=1)
            if request is not None:
                yield request
        if (self.since or self.until) and self._sitemaps_pending:
            # Backfill: read the sitemaps (their lastmod dates) before the listings, whose
            # undated "most read" links are then judged by those dates.
            await maybe_deferred_to_future(self._sitemaps_read)
        for path in self.site.listings:
            request = self._page_request(self.site_url(path), self.parse_listing, start=True)
            if request is not None:
                yield request

    def read_listing(self, response, *, with_dates: bool) -> ListingPage:
        """Article links (with the date printed beside each when asked), listing links, rel=next."""
        page = ListingPage()
        root = response.selector.root
        anchors = []
        for element in root.iter("a"):
            href = (element.get("href") or "").strip()
            if not href or href.startswith(("javascript:", "mailto:", "#")):
                continue
            url = self.on_site(response.urljoin(href))
            if url is not None:
                anchors.append((element, url))
        article_of = {element: url for element, url in anchors if self.is_article_url(url)}
        reference = now_vn()
        for element, url in anchors:
            if element in article_of:
                if url not in page.articles or (with_dates and page.articles[url] is None):
                    page.articles[url] = self._item_date(element, article_of, reference) if with_dates else None
            elif url not in page.listings:
                page.listings.append(url)
        for href in response.xpath('//a[@rel="next"]/@href | //link[@rel="next"]/@href').getall():
            url = self.on_site(response.urljoin(href.strip()))
            if url is not None:
                page.rel_next = url
                break
        return page

    @staticmethod
    def _item_date(anchor, article_of: dict, reference: datetime) -> date | None:
        """The date of the listing item around one article link: the nearest ancestor that shows
        a date, as long as it holds no link to another article."""
        own = article_of[anchor]
        container = anchor.getparent()
        for _ in range(_MAX_ITEM_DEPTH):
            if container is None:
                return None
            others = {article_of.get(a) for a in container.iter("a")} - {None, own}
            if others:
                return None
            found = date_near(container, reference)
            if found:
                return found
            container = container.getparent()
        return None

    def next_page(self, response, page: ListingPage) -> str | None:
        """The next page of this listing: rel=next, else the lowest-numbered later page linked."""
        key, number = chain_key(response.url)
        candidates = []
        for url in [page.rel_next, *page.listings] if page.rel_next else page.listings:
            if url is None or (self.listing_re is not None and not self.is_listing_url(url)):
                continue
            other_key, other_number = chain_key(url)
            if other_key == key and other_number > number:
                if url == page.rel_next:
                    return url
                candidates.append((other_number, url))
        return min(candidates)[1] if candidates else None

    def parse_listing(self, response):
        if not isinstance(response, TextResponse):
            return
        fetched_at = now_vn().isoformat()
        self._record(response, "listing", fetched_at)
        stats = self.crawler.stats
        stats.inc_value("baotinh/pages/listing")
        page = self.read_listing(response, with_dates=bool(self.since or self.until))
        key, _ = chain_key(response.url)
        seen = self._chain_seen.setdefault(key, set())
        fresh = [url for url in page.articles if url not in seen]
        seen.update(page.articles)

        for url, listed in page.articles.items():
            request = self.article_request(url, listed)
            if request is not None:
                yield request
        following = self.next_page(response, page)
        for url in page.listings:
            if url != following and self.is_listing_url(url) and chain_key(url)[0] != key:
                request = self._page_request(url, self.parse_listing)  # another section: a new chain
                if request is not None:
                    yield request
        if following is not None:
            yield from self._paging(response, following, fresh, page.articles)

    def _paging(self, response, following: str, fresh: list[str], listed: dict):
        """Whether to go on to the next page of a listing (see docs/archiving.md)."""
        stats = self.crawler.stats
        streak = response.meta.get("baotinh_known_streak", 0)
        if not fresh:
            stats.inc_value("baotinh/paging/stopped_no_new_links")
            return
        if self.mode == "incremental":
            if all(self._is_known(url, self.known_before) for url in fresh):
                streak += 1
                if streak >= self.known_pages:
                    stats.inc_value("baotinh/paging/stopped_known")
                    self.logger.debug("%s: %d page(s) of known articles, paging stops", response.url, streak)
                    return
            else:
                streak = 0
        elif self.since:
            dated = [listed[url] for url in fresh if listed.get(url)]
            if dated:
                if all(day < self.since for day in dated):
                    stats.inc_value("baotinh/paging/stopped_since")
                    return
            else:
                yield from self._wait_for_dates(following, fresh)
                return
        request = self._page_request(following, self.parse_listing, meta={"baotinh_known_streak": streak})
        if request is not None:
            yield request

    def _wait_for_dates(self, following: str, fresh: list[str]):
        """Undated listing items: decide once the page's articles have shown their own dates."""
        from storage.crawl_state import published_dates

        wait = _PageWait(following, {}, set(), [])
        if self.crawler.settings.get("BAOTINH_REDIS_URL"):
            # Distributed: other workers parse most of these articles, so their dates never come
            # back here; keep paging rather than stall (the window still filters what is stored).
            yield from self._settle(wait)
            return
        known = [self.known_all[self.url_key(u)] for u in fresh if self._is_known(u, self.known_all)]
        stored = published_dates(self.db, known) if (known and self.db is not None) else {}
        for url in fresh:
            requested = canonicalize_url(url) in self._articles_requested
            if self._is_known(url, self.known_all) and not requested:
                day = as_day(stored.get(self.known_all[self.url_key(url)]))
                if day:
                    wait.dates.append(day)
            elif url in self._article_dates:
                if self._article_dates[url]:
                    wait.dates.append(self._article_dates[url])
            elif requested:
                wait.pending.add(url)
                self._waits.setdefault(url, []).append(wait)
        if not wait.pending:
            yield from self._settle(wait)

    def _settle(self, wait: _PageWait):
        if wait.dates and all(day < self.since for day in wait.dates):
            self.crawler.stats.inc_value("baotinh/paging/stopped_since")
            return
        request = self._page_request(wait.next_url, self.parse_listing, meta=wait.meta)
        if request is not None:
            yield request

    def _article_done(self, url: str, day: date | None):
        self._article_dates[url] = day
        for wait in self._waits.pop(url, []):
            wait.pending.discard(url)
            if day:
                wait.dates.append(day)
            if not wait.pending:
                yield from self._settle(wait)

    def parse_sitemap(self, response):
        try:
            yield from self._read_sitemap(response)
        finally:
            self._sitemap_done(response.request)

    def _sitemap_done(self, request) -> None:
        if request is not None and request.meta.pop("baotinh_sitemap", False):
            self._sitemaps_pending -= 1
            if self._sitemaps_pending <= 0 and not self._sitemaps_read.called:
                self._sitemaps_read.callback(None)

    def _request_dropped(self, request, spider=None) -> None:
        self._sitemap_done(request)

    def _read_sitemap(self, response):
        fetched_at = now_vn().isoformat()
        self._record(response, "sitemap", fetched_at)
        try:
            sitemap = Sitemap(response.body)
        except Exception:  # lxml raises several types on junk; a bad sitemap is not fatal
            self.logger.warning("unreadable sitemap at %s", response.url)
            self.crawler.stats.inc_value("baotinh/sitemaps/unreadable")
            return
        reference = now_vn()
        for entry in sitemap:
            url = self.on_site(entry.get("loc", ""))
            if url is None:
                continue
            lastmod = as_day(parse_date(entry["lastmod"], reference=reference)) if entry.get("lastmod") else None
            if sitemap.type == "sitemapindex":
                # A child sitemap last modified before --since holds nothing newer.
                if self.since and lastmod and lastmod < self.since:
                    self.crawler.stats.inc_value("baotinh/skipped/sitemaps_before_since")
                    continue
                request = self._page_request(url, self.parse_sitemap, priority=1)
                if request is not None:
                    yield request
            elif self.is_article_url(url):
                request = self.article_request(url, lastmod, lastmod=entry.get("lastmod"))
                if request is not None:
                    yield request

    def parse_article(self, response):
        url = response.meta.get("baotinh_key", response.url)
        fetched_at = now_vn().isoformat()
        day = None
        self._record(response, "article", fetched_at)
        self.crawler.stats.inc_value("baotinh/pages/article")
        try:
            item = article_item(response.body, response.url, headers=extraction_headers(header_pairs(response.headers)),
                                site=self.site, fetched_at=fetched_at)
            day = as_day(parse_date(item.get("published_raw") or "", reference=now_vn())) or \
                as_day(response.meta.get("baotinh_listed"))
        except Exception:  # noqa: BLE001 - one page must not stop the crawl or its paging
            self.logger.exception("cannot read the article at %s", response.url)
            self.crawler.stats.inc_value("baotinh/errors/article")
        else:
            if not self._in_window(day):
                self.crawler.stats.inc_value("baotinh/window/fetched_outside")
            yield Article(**item)
        yield from self._article_done(url, day)

    def page_failed(self, failure):
        """A listing or sitemap page that could not be fetched: one line, no traceback."""
        request = failure.request
        self._sitemap_done(request)
        self.crawler.stats.inc_value("baotinh/errors/page_failed")
        # WARNING, not ERROR: each failed page is counted; whether the crawl failed is decided once,
        # at the close (monitoring, exit status), so a dead server gives one error, not one per page.
        level = logging.INFO if failure.check(IgnoreRequest) and not failure.check(HttpError) else logging.WARNING
        self.logger.log(level, "page not fetched (%s): %s", failure.getErrorMessage(), request.url)

    def article_failed(self, failure):
        request = failure.request
        url = request.meta.get("baotinh_key", request.url)
        self.crawler.stats.inc_value("baotinh/errors/article_failed")
        self.logger.info("article not fetched (%s): %s", failure.getErrorMessage(), request.url)
        yield from self._article_done(url, None)

    def closed(self, reason):
        stats = self.crawler.stats
        refused_start = stats.get_value(REFUSED_START, 0)
        if self._start_pages and refused_start >= self._start_pages:
            stats.set_value("baotinh/robots/all_start_pages_refused", True)
            refused = stats.get_value(REFUSED_URLS) or []
            self.logger.error(
                "%s: robots.txt refuses every start page (%d of %d, %d URL(s) refused in all, e.g. %s): "
                "nothing was crawled. If the paper has allowed archiving, record that as robots_override "
                "in its registry entry.", self.site.name, refused_start, self._start_pages,
                stats.get_value(REFUSED, 0), refused[0] if refused else "-")
        complete = reason == "finished" and not self.capped
        stats.set_value("baotinh/job/complete", complete)
        if self.capped:
            self.logger.info("%s: stopped at the --max-articles/--max-pages limit; the next crawl continues "
                             "from before this one", self.site.name)
        if self.marker and complete:
            try:
                self.marker.finish(now_vn().isoformat())
            except OSError as exc:
                self.logger.error("cannot mark the job in %s finished: %s", self.jobdir, exc)
        if self.db is not None:
            self.db.close()
            self.db = None


def user_agent(contact: str | None) -> str:
    return ("baotinh/0.1 (archive crawler for Vietnamese provincial newspapers; "
            f"contact: {contact or DEFAULT_CONTACT})")
