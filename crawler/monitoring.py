"""The health check at the close of every crawl: field coverage, empty crawls, error counts.

A provincial site that changes its layout does not make a crawl fail: pages still download,
articles are still stored, only with empty dates or bodies. So at the close the monitor looks
at what the pipelines counted (crawler/pipelines.py) and gives a verdict in the stats:

    baotinh/health              ok | layout_change | no_articles | too_many_errors | unreachable
    baotinh/health/findings     one sentence per problem found
    baotinh/coverage/<field>    percent of article pages where the field was filled
    baotinh/coverage/judged     False when there were too few article pages to judge

`baotinh crawl` turns the verdict into its exit status (crawler/outcome.py). The rules, with
their settings (all in crawler/settings.py, `--set KEY=VALUE` for one crawl):

- layout_change: title, published_at, body or authors filled on fewer article pages than
  BAOTINH_COVERAGE says ({"title": 0.95, "published_at": 0.90, "body": 0.95, "authors": 0.50}),
  or than the site's own `[sites.X.coverage]` table in the registry says (fractions, or
  percentages above 1; 0 switches a field's check off); or more than
  BAOTINH_MAX_NOT_ARTICLE_SHARE (0.5) of the HTML pages at article URLs not looking like
  articles at all (the extraction finds no article there: listings, video hubs, or a layout
  it no longer reads). Judged only on crawls with at least BAOTINH_COVERAGE_MIN_PAGES (5)
  such pages; smaller ones only log their figures.
- no_articles: a crawl that finished normally, got answers from the server, but stored no
  article and saw no link to one it already had, for a site with articles in the archive.
- too_many_errors: more ERROR log lines than BAOTINH_MAX_ERRORS (50) or more failed downloads
  (downloader/exception_count, retries included) than BAOTINH_MAX_DOWNLOAD_ERRORS (100);
  -1 switches either check off.
- unreachable: no response at all (`baotinh crawl` says the server did not answer).

Redirects Scrapy drops without a word at INFO (to another site: the offsite filter; back to a
page already requested: the duplicate filter, i.e. a loop) are counted here as
`baotinh/redirects/offsite` and `baotinh/redirects/loop`, with one WARNING per kind and a
summary at the close.

Why not Spidermon: docs/monitoring.md.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.pipelines import COUNTED_FIELDS, FIELDS_PREFIX
from crawler.problems import ProblemLog

logger = logging.getLogger(__name__)

DEFAULT_THRESHOLDS = {"title": 0.95, "published_at": 0.90, "body": 0.95, "authors": 0.50}
DEFAULT_MIN_PAGES = 5
DEFAULT_MAX_ERRORS = 50
DEFAULT_MAX_DOWNLOAD_ERRORS = 100
DEFAULT_MAX_NOT_ARTICLE_SHARE = 0.5

OK = "ok"
UNREACHABLE = "unreachable"
NO_ARTICLES = "no_articles"
LAYOUT_CHANGE = "layout_change"
TOO_MANY_ERRORS = "too_many_errors"
# When several problems are found, the verdict is the first of these that applies.
SEVERITY = (UNREACHABLE, NO_ARTICLES, LAYOUT_CHANGE, TOO_MANY_ERRORS)
HEALTH_KEY = "baotinh/health"


def as_fraction(value) -> float | None:
    """A threshold as a fraction: 0.9 and 90 both mean 90 %; None if not a number in 0..100."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if number < 0 or number > 100:
        return None
    return number / 100 if number > 1 else number


def thresholds_for(site, setting=None) -> tuple[dict[str, float], list[str]]:
    """Field -> minimum fill fraction: the defaults, the setting, then the site's registry
    coverage table (keys that are not article fields, such as `since`, are not thresholds).
    Also returns complaints about unusable values."""
    problems = []
    result = dict(DEFAULT_THRESHOLDS)
    layers = [("BAOTINH_COVERAGE", setting or {})]
    if site is not None and getattr(site, "coverage", None):
        layers.append((f"[sites.{site.name}.coverage]", site.coverage))
    for where, table in layers:
        for name, value in dict(table).items():
            if name not in COUNTED_FIELDS:
                continue
            fraction = as_fraction(value)
            if fraction is None:
                problems.append(f"{where}: {name} = {value!r} is not a fraction (0..1) or a percentage")
                continue
            result[name] = fraction
    return {k: v for k, v in result.items() if v > 0}, problems


def percent(fraction: float) -> str:
    value = fraction * 100
    return f"{value:.0f}%" if abs(value - round(value)) < 0.05 or value >= 99.95 or value < 0.05 \
        else f"{value:.1f}%"


@dataclass
class Assessment:
    health: str = OK
    findings: list[tuple[str, str]] = field(default_factory=list)   # (verdict, sentence)
    coverage: dict[str, float] = field(default_factory=dict)         # field -> fraction filled
    failing: dict[str, float] = field(default_factory=dict)          # field -> fraction, below threshold
    pages: int = 0
    judged: bool = False

    def add(self, verdict: str, sentence: str) -> None:
        self.findings.append((verdict, sentence))
        verdicts = {v for v, _ in self.findings}
        self.health = next(v for v in SEVERITY if v in verdicts)


def _number(stats: dict, key: str) -> int:
    try:
        return int(stats.get(key) or 0)
    except (TypeError, ValueError):
        return 0


def assess(stats: dict, *, site_name: str, thresholds: dict[str, float], finish_reason: str,
           articles_before: int | None, min_pages: int = DEFAULT_MIN_PAGES,
           max_errors: int = DEFAULT_MAX_ERRORS, max_download_errors: int = DEFAULT_MAX_DOWNLOAD_ERRORS,
           max_not_article_share: float = DEFAULT_MAX_NOT_ARTICLE_SHARE) -> Assessment:
    """The verdict on one crawl from its stats (pure: no logging, no database)."""
    result = Assessment(pages=_number(stats, f"{FIELDS_PREFIX}/pages"))
    for name in COUNTED_FIELDS:
        if result.pages:
            result.coverage[name] = _number(stats, f"{FIELDS_PREFIX}/{name}") / result.pages
    responses = _number(stats, "downloader/response_count")
    if responses == 0 and _number(stats, "downloader/exception_count"):
        result.add(UNREACHABLE, f"the server of {site_name} did not answer")
        return result

    not_articles = _number(stats, f"{FIELDS_PREFIX}/not_article")
    minimum_pages = max(1, min_pages)
    result.judged = result.pages >= minimum_pages
    parts = []
    if result.judged:
        for name, minimum in thresholds.items():
            filled = result.coverage.get(name, 0.0)
            if filled < minimum:
                result.failing[name] = filled
        parts = [f"{name} on {percent(filled)} of {result.pages} articles (expected at least "
                 f"{percent(thresholds[name])})" for name, filled in result.failing.items()]
    html_pages = not_articles + result.pages
    if html_pages >= minimum_pages and max_not_article_share is not None and 0 <= max_not_article_share < 1 \
            and not_articles > max_not_article_share * html_pages:
        parts.append(f"{not_articles} of {html_pages} pages at article URLs do not look like articles "
                     f"(expected at most {percent(max_not_article_share)})")
    if parts:
        result.add(LAYOUT_CHANGE, f"layout change suspected on {site_name}: " + "; ".join(parts))

    stored = sum(_number(stats, f"baotinh/articles/{s}") for s in ("new", "updated", "unchanged"))
    seen_elsewhere = _number(stats, "baotinh/skipped/known") + _number(stats, "baotinh/skipped/outside_window")
    refused = stats.get("baotinh/robots/all_start_pages_refused")  # the spider says so in its own ERROR
    if finish_reason == "finished" and stored == 0 and seen_elsewhere == 0 and articles_before and not refused:
        dropped = sum(v for k, v in stats.items() if k.startswith("baotinh/dropped/") and isinstance(v, int))
        result.add(NO_ARTICLES, f"no articles from {site_name}, which has {articles_before} in the archive: "
                                f"{result.pages} article pages read, {dropped} dropped; its listings or "
                                f"article_pattern may have changed")

    errors = _number(stats, "log_count/ERROR")
    if max_errors is not None and max_errors >= 0 and errors > max_errors:
        result.add(TOO_MANY_ERRORS, f"{errors} errors logged while crawling {site_name} (more than {max_errors})")
    failed = _number(stats, "downloader/exception_count")
    if max_download_errors is not None and max_download_errors >= 0 and failed > max_download_errors:
        result.add(TOO_MANY_ERRORS, f"{failed} failed downloads while crawling {site_name} "
                                    f"(more than {max_download_errors})")
    return result


def _on_domains(url: str, domains) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(host == d.lower() or host.endswith("." + d.lower()) for d in domains)


class CrawlMonitor:
    """Extension: counts the site's archive at the start, judges the crawl at the close.

    Enabled in crawler/settings.py before CrawlRunRecorder, so the verdict is in the stats that
    crawl_runs keeps. BAOTINH_MONITOR_ENABLED = False turns it off."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.articles_before: int | None = None
        self.redirects = ProblemLog(crawler.stats, logger, prefix="baotinh/redirects")
        crawler.signals.connect(self.engine_started, signal=signals.engine_started)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.request_scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(self.request_dropped, signal=signals.request_dropped)

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("BAOTINH_MONITOR_ENABLED", True):
            raise NotConfigured
        return cls(crawler)

    def engine_started(self):
        if getattr(self.crawler, "spider", None) is not None:
            self.redirects.logger = logging.LoggerAdapter(logger, {"spider": self.crawler.spider})

    def _site(self, spider):
        return getattr(spider, "site", None)

    def spider_opened(self, spider):
        from storage import StorageError, open_database
        from storage.report import site_article_count

        site = self._site(spider)
        name = getattr(site, "name", spider.name)
        try:
            db = open_database(self.crawler.settings.get("BAOTINH_DB"))
        except StorageError as exc:
            logger.debug("monitor: archive not counted: %s", exc)
            return
        try:
            self.articles_before = site_article_count(db, name)
        except StorageError as exc:
            logger.debug("monitor: archive not counted: %s", exc)
        finally:
            db.close()
        self.crawler.stats.set_value("baotinh/health/articles_before", self.articles_before)

    @staticmethod
    def _redirect_chain(request) -> str | None:
        chain = request.meta.get("redirect_urls")
        return " -> ".join([*chain, request.url]) if chain else None

    def request_scheduled(self, request, spider):
        chain = self._redirect_chain(request)
        domains = [d for d in (getattr(spider, "allowed_domains", None) or []) if d]
        if chain and domains and not request.dont_filter and not _on_domains(request.url, domains):
            self.redirects.record("offsite", request.meta["redirect_urls"][0], chain)

    def request_dropped(self, request, spider):
        chain = self._redirect_chain(request)
        if chain:
            self.redirects.record("loop", request.meta["redirect_urls"][0], chain)

    def spider_closed(self, spider, reason):
        self.redirects.summarize()
        settings = self.crawler.settings
        stats = self.crawler.stats
        site = self._site(spider)
        name = getattr(site, "name", spider.name)
        thresholds, complaints = thresholds_for(site, settings.getdict("BAOTINH_COVERAGE"))
        for complaint in complaints:
            logger.warning("coverage threshold ignored: %s", complaint, extra={"spider": spider})
        result = assess(
            stats.get_stats(), site_name=name, thresholds=thresholds, finish_reason=reason,
            articles_before=self.articles_before,
            min_pages=settings.getint("BAOTINH_COVERAGE_MIN_PAGES", DEFAULT_MIN_PAGES),
            max_errors=settings.getint("BAOTINH_MAX_ERRORS", DEFAULT_MAX_ERRORS),
            max_download_errors=settings.getint("BAOTINH_MAX_DOWNLOAD_ERRORS", DEFAULT_MAX_DOWNLOAD_ERRORS),
            max_not_article_share=settings.getfloat("BAOTINH_MAX_NOT_ARTICLE_SHARE", DEFAULT_MAX_NOT_ARTICLE_SHARE))
        for field_name, fraction in result.coverage.items():
            stats.set_value(f"baotinh/coverage/{field_name}", round(fraction * 100, 1))
        stats.set_value("baotinh/coverage/thresholds", {k: round(v * 100, 1) for k, v in thresholds.items()})
        stats.set_value("baotinh/coverage/judged", result.judged)
        stats.set_value(HEALTH_KEY, result.health)
        stats.set_value("baotinh/health/findings", [sentence for _, sentence in result.findings])

        if result.pages:
            shown = [*thresholds, *(f for f in ("lead", "category") if f not in thresholds)]
            figures = ", ".join(f"{f} {percent(result.coverage.get(f, 0.0))}" for f in shown)
            if result.judged:
                logger.info("field coverage on %d article pages of %s: %s", result.pages, name, figures,
                            extra={"spider": spider})
            else:
                logger.info("field coverage on %d article pages of %s (fewer than %d: not judged): %s",
                            result.pages, name, settings.getint("BAOTINH_COVERAGE_MIN_PAGES", DEFAULT_MIN_PAGES),
                            figures, extra={"spider": spider})
        elif reason == "finished" and result.health == OK and not self.articles_before:
            stored = sum(int(stats.get_value(f"baotinh/articles/{s}", 0) or 0) for s in ("new", "updated", "unchanged"))
            if not stored and not stats.get_value("baotinh/skipped/known"):
                logger.warning("no article found on %s: check its listings and article_pattern", name,
                               extra={"spider": spider})
        for verdict, sentence in result.findings:
            if verdict != UNREACHABLE:  # `baotinh crawl` says so in its last line
                logger.error("%s", sentence, extra={"spider": spider})
