"""RedisMode: the Scrapy add-on that turns a crawl into a worker of a distributed crawl.

It does nothing unless BAOTINH_REDIS_URL is set, so it can stay enabled everywhere:

    scrapy crawl SITE -s BAOTINH_REDIS_URL=redis://HOST:6379/0 -s ADDONS='{"crawler.distributed.RedisMode": 0}'
    curl http://scrapyd:6800/schedule.json -d project=baotinh -d spider=SITE \\
         -d setting=BAOTINH_REDIS_URL=redis://HOST:6379/0 -d 'setting=ADDONS={"crawler.distributed.RedisMode": 0}'

(`baotinh crawl SITE --redis URL` sets both itself.) What it changes:

    SCHEDULER, DUPEFILTER_CLASS     crawler.distributed.LeasedScheduler / FingerprintDupeFilter
    SCHEDULER_QUEUE_CLASS           scrapy_redis.queue.PriorityQueue (the layout leases rely on)
    SCHEDULER_QUEUE_KEY, SCHEDULER_DUPEFILTER_KEY   under BAOTINH_REDIS_PREFIX ("baotinh")
    SCHEDULER_PERSIST               True unless set: a killed worker's queue survives
    REDIS_URL                       = BAOTINH_REDIS_URL
    ITEM_PIPELINES                  StorePipeline -> RedisItemPipeline
    EXTENSIONS                      CrawlRunRecorder -> RunReporter
    SPIDER_MIDDLEWARES              + WorkerMiddleware
    DOWNLOAD_HANDLERS http/https    SharedDelayHandler (the per-site delay shared by all workers)
    BAOTINH_RAW_PAGES               False: raw pages travel through Redis (BAOTINH_REDIS_RAW_PAGES
                                    keeps the original choice)
    BAOTINH_DB                      a scratch file in a temporary directory: workers never touch
                                    the archive
"""
from __future__ import annotations

import logging
import os
import shutil
import tempfile

logger = logging.getLogger(__name__)

PIPELINE = "crawler.distributed.worker.RedisItemPipeline"
STORE_PIPELINE = "crawler.pipelines.StorePipeline"
REPORTER = "crawler.distributed.worker.RunReporter"
RECORDER = "crawler.extensions.CrawlRunRecorder"
MIDDLEWARE = "crawler.distributed.worker.WorkerMiddleware"
HANDLER = "crawler.distributed.throttle.SharedDelayHandler"
SCHEDULER = "crawler.distributed.scheduler.LeasedScheduler"
DUPEFILTER = "crawler.distributed.scheduler.FingerprintDupeFilter"
QUEUE = "scrapy_redis.queue.PriorityQueue"


def scratch_database() -> tuple[str, str]:
    """(directory, database path) of a throwaway archive for one worker. Scratch directories of
    workers that were killed (their pid is gone) are removed on the way."""
    root = tempfile.gettempdir()
    for entry in os.listdir(root):
        parts = entry.split("-")
        if entry.startswith("baotinh-worker-") and len(parts) >= 4 and parts[2].isdigit():
            try:
                os.kill(int(parts[2]), 0)
            except ProcessLookupError:
                shutil.rmtree(os.path.join(root, entry), ignore_errors=True)
            except OSError:
                pass
    directory = tempfile.mkdtemp(prefix=f"baotinh-worker-{os.getpid()}-")
    return directory, os.path.join(directory, "scratch.db")


def _force(settings, name, value) -> None:
    """Set at the priority the setting already has (at least 'addon'): the mode needs it."""
    from scrapy.settings import SETTINGS_PRIORITIES

    settings.set(name, value, priority=max(settings.getpriority(name) or 0, SETTINGS_PRIORITIES["addon"]))


def _swap(settings, name: str, old: str, new: str, priority: int) -> None:
    from scrapy.utils.misc import load_object

    components = settings.getdict(name)
    old_cls = load_object(old)
    present = any(value is not None and (key == old or load_object(key) is old_cls)
                  for key, value in components.items())
    if present:
        settings.replace_in_component_priority_dict(name, old_cls, load_object(new))
    else:
        settings.set_in_component_priority_dict(name, load_object(new), priority)


class RedisMode:
    def __init__(self, crawler=None):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def update_settings(self, settings) -> None:
        url = settings.get("BAOTINH_REDIS_URL")
        if not url:
            return
        from crawler.distributed import DEFAULT_PREFIX

        prefix = settings.get("BAOTINH_REDIS_PREFIX") or DEFAULT_PREFIX
        _force(settings, "REDIS_URL", url)
        _force(settings, "SCHEDULER", SCHEDULER)
        _force(settings, "DUPEFILTER_CLASS", DUPEFILTER)
        _force(settings, "SCHEDULER_QUEUE_CLASS", QUEUE)
        _force(settings, "SCHEDULER_QUEUE_KEY", f"{prefix}:%(spider)s:requests")
        _force(settings, "SCHEDULER_DUPEFILTER_KEY", f"{prefix}:%(spider)s:dupefilter")
        settings.set("SCHEDULER_PERSIST", True, priority="addon")

        _swap(settings, "ITEM_PIPELINES", STORE_PIPELINE, PIPELINE, 300)
        _swap(settings, "EXTENSIONS", RECORDER, REPORTER, 500)
        from scrapy.utils.misc import load_object

        settings.set_in_component_priority_dict("SPIDER_MIDDLEWARES", load_object(MIDDLEWARE), 950)

        handlers = dict(settings.getwithbase("DOWNLOAD_HANDLERS"))
        if handlers.get("http") != HANDLER:
            _force(settings, "BAOTINH_REDIS_INNER_HANDLERS",
                   {scheme: handlers.get(scheme) for scheme in ("http", "https") if handlers.get(scheme)})
            _force(settings, "DOWNLOAD_HANDLERS", {**settings.getdict("DOWNLOAD_HANDLERS"),
                                                   "http": HANDLER, "https": HANDLER})

        if settings.get("BAOTINH_REDIS_RAW_PAGES") is None:
            _force(settings, "BAOTINH_REDIS_RAW_PAGES", settings.getbool("BAOTINH_RAW_PAGES", True))
        _force(settings, "BAOTINH_RAW_PAGES", False)
        if not settings.get("BAOTINH_REDIS_SCRATCH_DIR"):
            directory, path = scratch_database()
            _force(settings, "BAOTINH_REDIS_SCRATCH_DIR", directory)
            _force(settings, "BAOTINH_DB", path)
