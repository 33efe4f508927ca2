"""A live progress line for crawls on a terminal (issue 12); nothing at all anywhere else.

A backfill can run for hours; on a terminal the crawl now shows, under Scrapy's log lines, one
line per crawl that is redrawn in place (crawler/progress.py, tqdm):

    baolangson: 1250 articles [12:04, 1.72 articles/s, listings 96, new 1190, updated 12, dropped 48]

- `N articles`, rate: article pages fetched (stat baotinh/pages/article), per second;
- `listings`: listing pages walked (baotinh/pages/listing);
- `new`, `updated`: articles stored (baotinh/articles/new, …/updated); `unchanged` when some were
  fetched again unchanged; `queued` instead of new/updated for a distributed worker, whose
  articles go to Redis for `baotinh ingest`;
- `dropped`: articles not stored (item_dropped_count; the reasons are in baotinh/dropped/*);
- `failed`: pages that could not be fetched, when there are some.

The figures are read from the crawl's stats every BAOTINH_CRAWL_PROGRESS_INTERVAL seconds (0.5).
When the crawl closes the live line gives way to one ordinary line with the final figures, which
stays above the close-time log lines and the stats dump:

    baolangson: 1250 articles in 2:01:04 (0.17/s), listings 96, new 1190, updated 12, dropped 48

Log lines and the bar share the terminal without garbling each other: while a bar is open, the
log handlers that write to the same stream write through `tqdm.external_write_mode` (the bar is
cleared, the line written, the bar drawn again below it), so the bar always sits at the bottom.
Each crawl of a process (`baotinh demo` runs three at once) has its own line.

The extension is enabled in crawler/settings.py and stays out of the way (NotConfigured: not
even a timer) unless crawler.progress.choose_mode() says "bar" for stderr: a TTY and TERM is not
"dumb", or BAOTINH_PROGRESS=bar. So a crawl whose stderr is a pipe or a file (CI, cron, Scrapyd,
`baotinh schedule` children) logs exactly what it logged before: Scrapy's LogStats line each
minute is the line-based progress there. BAOTINH_PROGRESS=off or =lines, the setting
BAOTINH_CRAWL_PROGRESS = False (`--set BAOTINH_CRAWL_PROGRESS=false`) and JSON logs
(BAOTINH_LOG_FORMAT=json: the stream is for a machine) switch it off too. A container run with
a TTY (`docker run -t`) whose output is collected should set BAOTINH_PROGRESS=off.
"""
from __future__ import annotations

import logging
import sys
import time
from contextlib import ExitStack

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.progress import choose_mode, progress

logger = logging.getLogger(__name__)

DEFAULT_INTERVAL = 0.5


def _count(stats, key: str) -> int:
    try:
        return int(stats.get_value(key, 0) or 0)
    except (TypeError, ValueError):
        return 0


def status_text(stats) -> str:
    """`listings 5, new 30, updated 2, dropped 1` (see the module's docstring)."""
    parts = [f"listings {_count(stats, 'baotinh/pages/listing')}"]
    queued = _count(stats, "baotinh/articles/queued")
    if queued:
        parts.append(f"queued {queued}")
    else:
        parts += [f"new {_count(stats, 'baotinh/articles/new')}",
                  f"updated {_count(stats, 'baotinh/articles/updated')}"]
    unchanged = _count(stats, "baotinh/articles/unchanged")
    if unchanged:
        parts.append(f"unchanged {unchanged}")
    parts.append(f"dropped {_count(stats, 'item_dropped_count')}")
    failed = _count(stats, "baotinh/errors/page_failed") + _count(stats, "baotinh/errors/article_failed")
    if failed:
        parts.append(f"failed {failed}")
    return ", ".join(parts)


def rate(count: int, seconds: float) -> str:
    if seconds <= 0:
        return "?/s"
    value = count / seconds
    return f"{value:.0f}/s" if value >= 10 else f"{value:.1f}/s" if value >= 1 else f"{value:.2f}/s"


def duration(seconds: float) -> str:
    """`4.2 s` under a minute, else `12:04` or `2:01:04` (as tqdm shows elapsed time)."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def final_line(site: str, stats, seconds: float, reason: str | None = None) -> str:
    """What stays on the terminal when a crawl's live line closes."""
    fetched = _count(stats, "baotinh/pages/article")
    closed = f" (closed: {reason})" if reason and reason != "finished" else ""
    return (f"{site}: {fetched} articles in {duration(seconds)} ({rate(fetched, seconds)}), "
            f"{status_text(stats)}{closed}")


class _BarSafeStream:
    """Stands in for the terminal stream of a log handler while bars are open: every write
    clears the bars, writes, and draws them again below the new text."""

    def __init__(self, stream):
        self.stream = stream

    def write(self, text):
        from tqdm import tqdm

        with tqdm.external_write_mode(file=self.stream):
            written = self.stream.write(text)
            self.stream.flush()
        return written

    def flush(self):
        self.stream.flush()

    def __getattr__(self, name):
        return getattr(self.stream, name)


def _same_stream(one, other) -> bool:
    if one is other:
        return True
    try:
        return one.fileno() == other.fileno()
    except (AttributeError, ValueError, OSError):
        return False


class _LogRedirect:
    """While at least one crawl's bar is open: the root logger's handlers that write to the
    bar's stream write through _BarSafeStream. Shared by every crawl of the process."""

    users = 0
    swapped: list[tuple[logging.StreamHandler, object]] = []

    @classmethod
    def acquire(cls, stream) -> None:
        cls.users += 1
        if cls.users > 1:
            return
        for handler in logging.getLogger().handlers:
            if isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler) \
                    and not isinstance(handler.stream, _BarSafeStream) and _same_stream(handler.stream, stream):
                cls.swapped.append((handler, handler.setStream(_BarSafeStream(handler.stream))))

    @classmethod
    def release(cls) -> None:
        cls.users = max(0, cls.users - 1)
        if cls.users:
            return
        while cls.swapped:
            handler, original = cls.swapped.pop()
            if isinstance(handler.stream, _BarSafeStream):
                handler.setStream(original)


class CrawlProgress:
    """Extension: the crawl's live progress line on a terminal (see the module's docstring)."""

    def __init__(self, crawler, stream=None, interval: float = DEFAULT_INTERVAL):
        self.crawler = crawler
        self.stream = stream if stream is not None else sys.stderr
        self.interval = interval
        self.bar = None
        self.task = None
        self.site = None
        self.started = 0.0
        self._exit = ExitStack()
        self._shown = 0
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.getbool("BAOTINH_CRAWL_PROGRESS", True):
            raise NotConfigured
        if str(settings.get("BAOTINH_LOG_FORMAT") or "text").strip().lower() == "json":
            raise NotConfigured
        if choose_mode(sys.stderr) != "bar":
            raise NotConfigured  # a pipe, a file, TERM=dumb, BAOTINH_PROGRESS=lines|off: Scrapy's LogStats is enough
        return cls(crawler, sys.stderr, settings.getfloat("BAOTINH_CRAWL_PROGRESS_INTERVAL", DEFAULT_INTERVAL))

    def spider_opened(self, spider):
        from twisted.internet import task

        self.site = getattr(getattr(spider, "site", None), "name", None) or spider.name
        self.started = time.monotonic()
        try:
            # leave=False: close() writes the last line itself, which also keeps several crawls'
            # bars (`baotinh demo`) from overwriting one another as they close
            self.bar = self._exit.enter_context(progress(desc=self.site, unit="articles", stream=self.stream,
                                                         mode="bar", leave=False))
        except Exception as exc:  # noqa: BLE001 - a display must never stop a crawl
            logger.debug("no progress bar: %s", exc)
            self.bar = None
            return
        _LogRedirect.acquire(self.stream)
        self._exit.callback(_LogRedirect.release)
        self.task = task.LoopingCall(self.refresh)
        self.task.start(self.interval, now=True).addErrback(self._stopped)

    def _stopped(self, failure):
        logger.debug("progress display stopped: %s", failure.getErrorMessage())

    def refresh(self) -> None:
        if self.bar is None:
            return
        stats = self.crawler.stats
        fetched = _count(stats, "baotinh/pages/article")
        new = max(0, fetched - self._shown)
        # the status first, without drawing: one redraw shows the count and the status together
        self.bar.set_status(status_text(stats), refresh=not new)
        if new:
            self.bar.update(new)
            self._shown = fetched

    def spider_closed(self, spider, reason):
        self.close(reason)

    def engine_stopped(self):
        self.close()  # the spider may never have closed (an error while opening it)

    def close(self, reason: str | None = None) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        self.task = None
        if self.bar is not None:
            try:
                self.bar.write(final_line(self.site, self.crawler.stats, time.monotonic() - self.started, reason))
            except Exception as exc:  # noqa: BLE001 - a display must never stop a crawl
                logger.debug("progress display: %s", exc)
            self.bar = None
        self._exit.close()
