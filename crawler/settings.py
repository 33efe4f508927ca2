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
# Who to contact about this crawler; shown in the User-Agent so site operators can reach us.
BAOTINH_CONTACT = os.environ.get("BAOTINH_CONTACT", "archive operator")
USER_AGENT = f"baotinh/0.1 (archive crawler for Vietnamese provincial newspapers; contact: {BAOTINH_CONTACT})"

ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 1.0
RANDOMIZE_DOWNLOAD_DELAY = True
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
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False

ITEM_PIPELINES = {
    "crawler.pipelines.NormalizePipeline": 100,
    "crawler.pipelines.ValidatePipeline": 200,
    "crawler.pipelines.StorePipeline": 300,
}
EXTENSIONS = {
    "crawler.extensions.CrawlRunRecorder": 500,
}

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = os.environ.get("BAOTINH_LOG_LEVEL", "INFO")
