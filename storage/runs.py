"""crawl_runs: one row per crawl, with its arguments and Scrapy's final stats as JSON."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlite_utils

from storage.dates import now_iso, to_iso
from storage.db import storage_errors, write_transaction
from storage.errors import StorageError


def jsonable(value):
    """Scrapy stats -> JSON-safe values: datetimes to ISO strings, timedeltas to seconds, sets to
    sorted lists, keys to strings; anything else unknown to its str()."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((jsonable(v) for v in value), key=str)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _dumps(value) -> str | None:
    return None if value is None else json.dumps(jsonable(value), ensure_ascii=False, sort_keys=True)


def start_run(db: sqlite_utils.Database, *, spider: str, site: str | None, mode: str | None = None,
              scheduled_by: str | None = None, args: dict | None = None, started_at=None) -> int:
    """Record that a crawl started; returns its id (pass it to ArticleWriter.write and finish_run)."""
    with storage_errors("cannot record the crawl run"), write_transaction(db):
        cursor = db.execute(
            "INSERT INTO crawl_runs (spider, site, mode, scheduled_by, args, started_at) VALUES (?, ?, ?, ?, ?, ?)",
            (spider, site, mode, scheduled_by, _dumps(args or {}), to_iso(started_at) or now_iso()))
        return cursor.lastrowid


def finish_run(db: sqlite_utils.Database, run_id: int, *, finish_reason: str, stats: dict,
               finished_at=None) -> None:
    with storage_errors(f"cannot finish crawl run {run_id}"), write_transaction(db):
        cursor = db.execute(
            "UPDATE crawl_runs SET finished_at = ?, finish_reason = ?, stats = ? WHERE id = ?",
            (to_iso(finished_at) or now_iso(), finish_reason, _dumps(stats or {}), run_id))
        if cursor.rowcount == 0:
            raise StorageError(f"no crawl run with id {run_id}")


def list_runs(db: sqlite_utils.Database, site: str | None = None, last: int | None = None) -> list[dict]:
    """Crawl runs, newest first (optionally one site's, optionally only the `last` N); args and
    stats decoded to dicts."""
    sql = ("SELECT id, spider, site, mode, scheduled_by, args, started_at, finished_at, finish_reason, stats "
           "FROM crawl_runs")
    params: list = []
    if site is not None:
        sql += " WHERE site = ?"
        params.append(site)
    sql += " ORDER BY started_at DESC, id DESC"
    if last is not None:
        sql += " LIMIT ?"
        params.append(int(last))
    with storage_errors("cannot read crawl runs"):
        runs = [dict(row) for row in db.query(sql, params)]
    for run in runs:
        for key in ("args", "stats"):
            run[key] = json.loads(run[key]) if run[key] else {}
    return runs
