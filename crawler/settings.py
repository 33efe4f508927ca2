"""Scrapy settings for baotinh. Politeness first: these servers are small provincial ones.

Per-site overrides (delay, concurrency) come from the registry; crawls of a loopback mirror
drop the delays (see spiders/base.py).
"""
import os

BOT_NAME = "baotinh"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# Where articles land; `baotinh --db` and $BAOTINH_DB override it.
BAOTINH_DB = os.environ.get("BAOTINH_DB", "data/baotinh.db")
# Who to contact about this crawler; shown in the User-Agent so site operators can reach us
# (spiders/base.py builds USER_AGENT from it unless USER_AGENT itself is overridden).
BAOTINH_CONTACT = os.environ.get("BAOTINH_CONTACT", "archive operator")
USER_AGENT = f"baotinh/0.1 (archive crawler for Vietnamese provincial newspapers; contact: {BAOTINH_CONTACT})"

# robots.txt is obeyed unless a site's registry entry gives a robots_override reason; refused
# URLs are counted and listed (capped) in the crawl's stats.
ROBOTSTXT_OBEY = True
BAOTINH_ROBOTS_REFUSED_LIST_MAX = 100
CONCURRENT_REQUESTS = 16
# One request at a time per site, at least one second apart (no jitter below that); the
# registry's politeness table can only slow a site down further.
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# The spider logs the page it could not fetch; Scrapy's own "gave up retrying" would say it twice.
RETRY_GIVE_UP_LOG_LEVEL = "WARNING"
# 429 and 503: wait as the server's Retry-After says (or 5 s, 10 s, 20 s … without one), never
# more than this, and pause the whole host meanwhile (crawler/middlewares.py).
BAOTINH_RETRY_AFTER_MAX = 300.0
BAOTINH_RETRY_BACKOFF_BASE = 5.0
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.RobotsTxtMiddleware": 100,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.RetryAfterMiddleware": 550,
    "crawler.middlewares.RawHeadersMiddleware": 595,
}
# Every listing, sitemap and article response is kept in the archive (storage/raw_pages.py):
# `baotinh reparse` and `baotinh export-warc` work from these.
BAOTINH_RAW_PAGES = True

ITEM_PIPELINES = {
    "crawler.pipelines.NormalizePipeline": 100,
    "crawler.pipelines.ValidatePipeline": 200,
    "crawler.pipelines.StorePipeline": 300,
}
EXTENSIONS = {
    "crawler.extensions.CrawlRunRecorder": 500,
}

# Distributed mode (docs/scaling.md): inert unless BAOTINH_REDIS_URL is set, so that
# `scrapy crawl SITE -s BAOTINH_REDIS_URL=redis://…` and Scrapyd jobs can join a shared crawl.
ADDONS = {"crawler.distributed.RedisMode": 0}

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = os.environ.get("BAOTINH_LOG_LEVEL", "INFO")

# --- monitoring and logs (owner: monitoring; crawler/monitoring.py, crawler/logformat.py,
# docs/monitoring.md) ---------------------------------------------------------------------
# The health check at the close runs before CrawlRunRecorder, so crawl_runs keeps its verdict.
EXTENSIONS = {**EXTENSIONS, "crawler.monitoring.CrawlMonitor": 400}
# Dropped articles: one WARNING per reason, then DEBUG; the pipelines count and summarize.
LOG_FORMATTER = "crawler.logformat.BaotinhLogFormatter"
# "json": one JSON object per log line (`baotinh crawl --log-format json`).
BAOTINH_LOG_FORMAT = os.environ.get("BAOTINH_LOG_FORMAT", "text")
# Minimum share of article pages with each field filled; the registry's [sites.X.coverage]
# table overrides per site. Crawls with fewer article pages than the minimum are not judged.
BAOTINH_COVERAGE = {"title": 0.95, "published_at": 0.90, "body": 0.95, "authors": 0.50}
BAOTINH_COVERAGE_MIN_PAGES = 5
# More than this share of the HTML pages at article URLs not looking like articles is a layout change.
BAOTINH_MAX_NOT_ARTICLE_SHARE = 0.5
# More ERROR lines or failed downloads (retries included) than this fail the crawl (-1: off).
BAOTINH_MAX_ERRORS = 50
BAOTINH_MAX_DOWNLOAD_ERRORS = 100
# --- end of monitoring and logs ------------------------------------------------------------

# --- crawl progress on a terminal (owner: progress; crawler/crawl_progress.py, docs/coverage.md) ---
# A live line per crawl (articles fetched, rate, listings, new/updated, dropped) when stderr is a
# terminal; nothing at all otherwise (BAOTINH_PROGRESS=off, or BAOTINH_CRAWL_PROGRESS = False).
EXTENSIONS = {**EXTENSIONS, "crawler.crawl_progress.CrawlProgress": 600}
BAOTINH_CRAWL_PROGRESS = True
# --- end of crawl progress --------------------------------------------------------------------
