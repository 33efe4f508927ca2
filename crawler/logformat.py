"""How baotinh crawls write their logs.

`BaotinhLogFormatter` (setting LOG_FORMATTER) is Scrapy's LogFormatter with one change: a
dropped article is one short WARNING line the first time per reason ("article dropped
(no_body): URL"), DEBUG after that, never the whole item. The pipelines count every drop in
`baotinh/dropped/<reason>` and summarize repeats at the close (crawler/problems.py).

`JsonFormatter` writes one JSON object per log record, for log collectors:
{"time", "level", "logger", "message"} plus "spider" and "url" when known, and "exc_type",
"exc_message", "traceback" for a record that carries an exception. It is used when the
setting BAOTINH_LOG_FORMAT is "json" (`baotinh crawl --log-format json`, or the environment
variable BAOTINH_LOG_FORMAT=json). docs/monitoring.md shows examples.
"""
from __future__ import annotations

import json
import logging
import re
from datetime import datetime

from scrapy.logformatter import LogFormatter

LOG_FORMATS = ("text", "json")
_REASON = re.compile(r"^([a-z][a-z0-9_]{0,40}):")


def wants_json(settings) -> bool:
    return str(settings.get("BAOTINH_LOG_FORMAT") or "text").strip().lower() == "json"


# -- dropped items -------------------------------------------------------------------------


def _item_url(item) -> str | None:
    try:
        return item.get("url")
    except Exception:  # noqa: BLE001 - any item type may come through
        return None


class BaotinhLogFormatter(LogFormatter):
    """Scrapy's LogFormatter; drops are logged once per reason, briefly."""

    def __init__(self):
        super().__init__()
        self._reasons_seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler):
        # The earliest hook a crawler gives into its own settings: `scrapy crawl` with
        # BAOTINH_LOG_FORMAT=json switches the log to JSON from here on.
        if wants_json(crawler.settings):
            enable_json_logs()
        return cls()

    def dropped(self, item, exception, response, spider):
        reason = getattr(exception, "reason", None)
        if reason is None:
            match = _REASON.match(str(exception))
            reason = match.group(1) if match else "other"
        url = getattr(exception, "url", None) or _item_url(item) or str(exception)
        first = reason not in self._reasons_seen
        self._reasons_seen.add(reason)
        level = getattr(exception, "log_level", None)
        if level is None:
            level = logging.WARNING if first else logging.DEBUG
        elif isinstance(level, str):
            level = getattr(logging, level.upper(), logging.WARNING)
        detail = getattr(exception, "detail", "")
        msg = "article dropped (%(reason)s): %(url)s%(detail)s"
        if first and level >= logging.INFO:
            msg += " (every drop is counted in baotinh/dropped/%(reason)s; repeats are summarized at the close)"
        return {"level": level, "msg": msg,
                "args": {"reason": reason, "url": url, "detail": f" - {detail}" if detail else ""}}

    def item_error(self, item, exception, response, spider):
        return {"level": logging.ERROR, "msg": "error processing the article at %(url)s: %(error)s",
                "args": {"url": _item_url(item), "error": f"{type(exception).__name__}: {exception}"}}


# -- JSON lines ------------------------------------------------------------------------------


def _url_in(value) -> str | None:
    url = getattr(value, "url", None)
    if isinstance(url, str):
        return url
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        return value
    return None


def record_url(record: logging.LogRecord) -> str | None:
    """The URL a log record is about: an explicit `url` extra, else the first request,
    response or http(s) string among its arguments."""
    explicit = record.__dict__.get("url")
    if isinstance(explicit, str):
        return explicit
    args = record.args
    if isinstance(args, dict):
        candidates = [args.get("url"), args.get("request"), args.get("response"), *args.values()]
    elif isinstance(args, tuple):
        candidates = list(args)
    else:
        candidates = []
    for value in candidates:
        url = _url_in(value)
        if url:
            return url
    return None


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    def format(self, record: logging.LogRecord) -> str:
        try:
            message = record.getMessage()
        except Exception as exc:  # noqa: BLE001 - a bad format string must not lose the line
            message = f"{record.msg!r} (unformattable: {exc})"
        entry = {
            "time": datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": message,
        }
        spider = record.__dict__.get("spider")
        name = getattr(spider, "name", None) if spider is not None else None
        if name:
            entry["spider"] = name
        url = record_url(record)
        if url:
            entry["url"] = url
        if record.exc_info and record.exc_info[0] is not None:
            entry["exc_type"] = record.exc_info[0].__name__
            entry["exc_message"] = str(record.exc_info[1])
            entry["traceback"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["traceback"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False, default=str)


class _EarlyJsonHandler(logging.StreamHandler):
    """Writes records (warnings included) logged before Scrapy installs its root handler;
    silent once Scrapy's handler is there, so nothing is written twice."""

    def emit(self, record):
        from scrapy.utils.log import get_scrapy_root_handler

        if get_scrapy_root_handler() is None:
            super().emit(record)


def use_json_formatter() -> None:
    """Switch Scrapy's root log handler, if installed, to JSON lines."""
    from scrapy.utils.log import get_scrapy_root_handler

    handler = get_scrapy_root_handler()
    if handler is not None and not isinstance(handler.formatter, JsonFormatter):
        handler.setFormatter(JsonFormatter())


def enable_json_logs() -> None:
    """From now on in this process: every root handler Scrapy installs under settings with
    BAOTINH_LOG_FORMAT=json formats JSON lines, and records logged before that (such as
    warnings at start-up) are JSON lines on stderr too. Used by `baotinh crawl`."""
    import scrapy.utils.log as scrapy_log

    original = getattr(scrapy_log, "_get_formatter", None)
    if original is not None and not getattr(original, "_baotinh_json", False):
        def _get_formatter(handler, settings):
            if wants_json(settings):
                return JsonFormatter()
            return original(handler, settings)

        _get_formatter._baotinh_json = True
        scrapy_log._get_formatter = _get_formatter
    root = logging.getLogger()
    if not any(isinstance(h, _EarlyJsonHandler) for h in root.handlers):
        early = _EarlyJsonHandler()
        early.setFormatter(JsonFormatter())
        root.addHandler(early)
    logging.captureWarnings(True)
    use_json_formatter()
