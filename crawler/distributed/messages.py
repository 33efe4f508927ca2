"""What workers push to `baotinh:items` and the ingester reads: one JSON object per message.

    {"v": 1, "type": "article",    "run": RUN, "site": SITE, "item": {...}}   normalized, validated
    {"v": 1, "type": "page",       "run": RUN, "page": {..., "body": BASE64 of zlib}}   a raw page
    {"v": 1, "type": "run-start",  "run": RUN, "spider": ..., "site": ..., "mode": ..., "args": {...},
                                   "scheduled_by": ..., "started_at": ISO}
    {"v": 1, "type": "run-finish", "run": RUN, "reason": ..., "stats": {...}, "finished_at": ISO}

RUN is the worker's id (host:pid:random): each worker process is one crawl_runs row.
"""
from __future__ import annotations

import base64
import json
import zlib

VERSION = 1
TYPES = ("article", "page", "run-start", "run-finish")


class BadMessage(ValueError):
    pass


def _default(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def encode(message: dict) -> bytes:
    return json.dumps({"v": VERSION, **message}, ensure_ascii=False, default=_default,
                      separators=(",", ":")).encode("utf-8")


def decode(raw: bytes | str) -> dict:
    try:
        message = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadMessage(f"not JSON: {exc}") from None
    if not isinstance(message, dict) or message.get("type") not in TYPES:
        raise BadMessage(f"unknown message type {message.get('type') if isinstance(message, dict) else None!r}")
    if message.get("v") != VERSION:
        raise BadMessage(f"message version {message.get('v')!r}, this ingester reads {VERSION}")
    return message


def article(item: dict, *, run: str | None) -> bytes:
    record = {k: v for k, v in dict(item).items() if k not in ("page_type", "problems")}
    return encode({"type": "article", "run": run, "site": record.get("site"), "item": record})


def page(capture: dict, *, run: str | None) -> bytes:
    body = capture.get("body") or b""
    packed = {k: v for k, v in capture.items() if k != "body"}
    packed["body"] = base64.b64encode(zlib.compress(bytes(body), 6)).decode("ascii")
    return encode({"type": "page", "run": run, "page": packed})


def page_capture(message: dict) -> dict:
    """The storage.raw_pages capture of a page message (body as bytes, headers as pairs)."""
    capture = dict(message.get("page") or {})
    try:
        capture["body"] = zlib.decompress(base64.b64decode(capture.get("body") or ""))
    except (ValueError, zlib.error) as exc:
        raise BadMessage(f"raw page body unreadable: {exc}") from None
    for key in ("headers", "request_headers"):
        if isinstance(capture.get(key), list):
            capture[key] = [tuple(pair) for pair in capture[key]]
    return capture
