"""Distributed crawling on scrapy-redis, with one safe writer (docs/scaling.md).

    baotinh ingest --redis redis://HOST:6379/0 --follow            # the one writer, next to the database
    baotinh crawl SITE --redis redis://HOST:6379/0   (on any machine, as many as wanted)
    scrapy crawl SITE -s BAOTINH_REDIS_URL=redis://HOST:6379/0 \\
        -s ADDONS='{"crawler.distributed.RedisMode": 0}'          # the same, for scrapy and Scrapyd

What lives in Redis (prefix BAOTINH_REDIS_PREFIX, default "baotinh"; SITE is the spider name):

    baotinh:SITE:requests        sorted set: the shared request queue (scrapy-redis PriorityQueue)
    baotinh:SITE:dupefilter      set: fingerprints (Scrapy's fingerprinter) of every request of the job
    baotinh:SITE:job             hash: the running crawl job (id, spec, whether its filter is seeded)
    baotinh:SITE:workers         set: worker ids taking part in the job
    baotinh:SITE:worker:ID       heartbeat (expires after BAOTINH_REDIS_LEASE_TTL seconds of silence)
    baotinh:SITE:inflight:ID     hash: requests a worker took from the queue and has not finished
    baotinh:SITE:leases          counter naming the leases
    baotinh:SITE:known           set: URL keys (path?query) of the site's articles in the database
    baotinh:SITE:known-before    set: the same, as it was when the job began (the paging rule)
    baotinh:throttle:HOST        the politeness token: whoever sets it may send the next request
    baotinh:items                list: finished items, raw pages and run records, for the ingester
    baotinh:items:processing     list: what the ingester took and has not committed yet
    baotinh:items:failed         list: messages the ingester could not use (with the reason)
    baotinh:ingester             the ingester's lock (one writer)
    baotinh:runs                 hash: worker run key -> crawl_runs id in the database

Nothing is removed from Redis before the step that replaces it is done: a request leaves the
inflight hash once its response has been parsed and its items and follow-up requests pushed; an
item leaves the processing list once its SQLite transaction has committed. A killed worker's
inflight requests go back to the queue when its heartbeat expires; a killed ingester re-reads its
processing list when it starts again. Articles are upserted by URL, so a second delivery changes
nothing.
"""
from __future__ import annotations

DEFAULT_PREFIX = "baotinh"
DEFAULT_LEASE_TTL = 30.0
REDIS_URL_SETTING = "BAOTINH_REDIS_URL"

# Imported lazily so that `import crawler.distributed` needs neither Scrapy components nor redis.
_EXPORTS = {
    "RedisMode": "crawler.distributed.addon",
    "LeasedScheduler": "crawler.distributed.scheduler",
    "FingerprintDupeFilter": "crawler.distributed.scheduler",
    "RedisItemPipeline": "crawler.distributed.worker",
    "WorkerMiddleware": "crawler.distributed.worker",
    "RunReporter": "crawler.distributed.worker",
    "SharedDelayHandler": "crawler.distributed.throttle",
    "Ingester": "crawler.distributed.ingest",
    "connect": "crawler.distributed.connection",
    "RedisUnavailable": "crawler.distributed.connection",
}


def __getattr__(name):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(name)
    import importlib

    return getattr(importlib.import_module(module), name)


__all__ = ["DEFAULT_PREFIX", "DEFAULT_LEASE_TTL", "REDIS_URL_SETTING", *_EXPORTS]
