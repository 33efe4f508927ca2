"""Raw pages: what the server actually sent, kept for re-parsing and WARC export.

    capture_id, revisit = RawPageWriter(db).write(page)   # one transaction, committed
    for capture in iter_captures(db, site="baolangson", since="2024-01-01"):
        capture["body"]                                     # bytes, decompressed

Tables (migration 5): `payloads` holds each distinct body once, keyed by its sha256 (hex, of
the body as received with transfer gzip decoded), zlib-compressed; `captures` holds one row
per fetch (URL requested, final URL, status, response headers as sent, request headers,
fetched_at, crawl run) referencing its payload. A capture whose digest an earlier capture
already had is a *revisit*: the same bytes fetched again, stored once.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
import zlib
from collections.abc import Iterator

import sqlite_utils

from storage.dates import date_bounds, now_iso
from storage.db import storage_errors, write_transaction
from storage.errors import StorageError, describe

COMPRESSION = "zlib"
KINDS = ("article", "listing", "sitemap")

_CAPTURE_COLUMNS = ("id", "site", "kind", "url", "final_url", "method", "status", "protocol", "headers",
                    "request_headers", "fetched_at", "digest", "crawl_run_id")


def body_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def compress(body: bytes) -> bytes:
    # Level 3: half the CPU of the default 6 on real news pages for ~13% more bytes (benchmarks/).
    return zlib.compress(body, 3)


def decompress(blob: bytes, compression: str = COMPRESSION) -> bytes:
    if compression == "zlib":
        return zlib.decompress(blob)
    if compression in ("", "none", None):
        return bytes(blob)
    raise StorageError(f"unknown payload compression {compression!r}")


def _pairs(headers) -> str:
    if headers is None:
        return "[]"
    if isinstance(headers, dict):
        headers = list(headers.items())
    return json.dumps([[str(k), str(v)] for k, v in headers], ensure_ascii=False)


class RawPageWriter:
    """Stores captures; write() commits before returning (a stored page survives a killed crawl)."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db

    def write(self, page: dict) -> tuple[int, bool]:
        """Store one fetched page: dict with site, kind, url, final_url, status, headers
        ([(name, value)] or dict), body (bytes) and optionally method, protocol,
        request_headers, fetched_at, crawl_run_id. Returns (capture id, revisit?)."""
        body = page.get("body") or b""
        if not isinstance(body, (bytes, bytearray, memoryview)):
            raise StorageError(f"raw page body must be bytes: {page.get('url')}")
        body = bytes(body)
        for key in ("site", "kind", "url", "status"):
            if page.get(key) in (None, ""):
                raise StorageError(f"raw page without {key}: {page.get('url')}")
        digest = body_digest(body)
        try:
            with write_transaction(self.db):
                revisit = self.db.execute("SELECT 1 FROM payloads WHERE digest = ?", (digest,)).fetchone() is not None
                if not revisit:
                    self.db.execute("INSERT INTO payloads (digest, length, compression, body) VALUES (?, ?, ?, ?)",
                                    (digest, len(body), COMPRESSION, compress(body)))
                cursor = self.db.execute(
                    "INSERT INTO captures (site, kind, url, final_url, method, status, protocol, headers, "
                    "request_headers, fetched_at, digest, crawl_run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (page["site"], page["kind"], page["url"], page.get("final_url") or page["url"],
                     page.get("method") or "GET", int(page["status"]), page.get("protocol"),
                     _pairs(page.get("headers")), _pairs(page.get("request_headers")),
                     page.get("fetched_at") or now_iso(), digest, page.get("crawl_run_id")))
                return cursor.lastrowid, revisit
        except sqlite3.Error as exc:
            raise StorageError(f"cannot store the raw page {page.get('url')}: {describe(exc)}") from exc


def _filters(site=None, since=None, until=None, kinds=None) -> tuple[str, list]:
    conditions, params = [], []
    if site:
        conditions.append("c.site = ?")
        params.append(site)
    for operator, value in date_bounds(since, until):
        conditions.append(f"c.fetched_at {operator} ?")
        params.append(value)
    if kinds:
        conditions.append(f"c.kind IN ({', '.join('?' * len(kinds))})")
        params.extend(kinds)
    return (" WHERE " + " AND ".join(conditions)) if conditions else "", params


def _row(names, row) -> dict:
    capture = dict(zip(names, row))
    for key in ("headers", "request_headers"):
        capture[key] = [tuple(pair) for pair in json.loads(capture[key] or "[]")]
    return capture


def count_captures(db: sqlite_utils.Database, *, site=None, since=None, until=None, kinds=None) -> int:
    where, params = _filters(site, since, until, kinds)
    with storage_errors("cannot count raw pages"):
        return db.execute(f"SELECT count(*) FROM captures c{where}", params).fetchone()[0]


def iter_captures(db: sqlite_utils.Database, *, site=None, since=None, until=None, kinds=None,
                  with_body: bool = True) -> Iterator[dict]:
    """Captures in fetch order (id), as dicts with the captures columns (headers as lists of
    (name, value)), plus `body` (bytes) and `length` when with_body. since/until filter
    fetched_at (YYYY-MM-DD inclusive, as storage.dates.date_bounds). Read lazily."""
    where, params = _filters(site, since, until, kinds)
    columns = ", ".join(f"c.{c}" for c in _CAPTURE_COLUMNS)
    if with_body:
        columns += ", p.length, p.compression, p.body"
    sql = f"SELECT {columns} FROM captures c JOIN payloads p ON p.digest = c.digest{where} ORDER BY c.id"
    with storage_errors("cannot read raw pages"):
        cursor = db.execute(sql, params)
        names = [d[0] for d in cursor.description]
        for row in cursor:
            capture = _row(names, row)
            if with_body:
                capture["body"] = decompress(capture.pop("body"), capture.pop("compression"))
            yield capture


def latest_article_captures(db: sqlite_utils.Database, *, site=None) -> Iterator[dict]:
    """For each article URL (final URL) the newest successful capture, with its body: what a
    re-parse works from. Ordered by site, then capture id."""
    where, params = _filters(site, None, None, ["article"])
    columns = ", ".join(f"c.{c}" for c in _CAPTURE_COLUMNS)
    sql = (f"SELECT {columns}, p.length, p.compression, p.body FROM captures c "
           f"JOIN payloads p ON p.digest = c.digest "
           f"JOIN (SELECT max(c.id) AS id FROM captures c{where}{' AND' if where else ' WHERE'} "
           f"c.status BETWEEN 200 AND 299 GROUP BY c.final_url) latest ON latest.id = c.id "
           f"ORDER BY c.site, c.id")
    with storage_errors("cannot read raw pages"):
        cursor = db.execute(sql, params)
        names = [d[0] for d in cursor.description]
        for row in cursor:
            capture = _row(names, row)
            capture["body"] = decompress(capture.pop("body"), capture.pop("compression"))
            yield capture


def count_article_urls(db: sqlite_utils.Database, *, site=None) -> int:
    """How many article URLs latest_article_captures yields."""
    where, params = _filters(site, None, None, ["article"])
    with storage_errors("cannot count raw pages"):
        return db.execute(f"SELECT count(DISTINCT c.final_url) FROM captures c{where} AND c.status BETWEEN 200 AND 299",
                          params).fetchone()[0]


def payload_count(db: sqlite_utils.Database) -> int:
    with storage_errors("cannot count payloads"):
        return db.execute("SELECT count(*) FROM payloads").fetchone()[0]
