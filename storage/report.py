"""Queries behind crawl monitoring and `baotinh report` (crawler/monitoring.py, crawler/cli/report.py)."""
from __future__ import annotations

import json

import sqlite_utils

from storage.db import storage_errors

_RUN_COLUMNS = ("id, spider, site, mode, scheduled_by, args, started_at, finished_at, finish_reason, stats")


def site_article_count(db: sqlite_utils.Database, site: str) -> int:
    """How many articles of `site` the archive holds."""
    with storage_errors("cannot count the site's articles"):
        return int(db.execute("SELECT count(*) FROM articles WHERE site = ?", [site]).fetchone()[0])


def _decoded(row) -> dict:
    run = dict(row)
    for key in ("args", "stats"):
        try:
            run[key] = json.loads(run[key]) if run.get(key) else {}
        except ValueError:
            run[key] = {}
    return run


def get_run(db: sqlite_utils.Database, run_id: int | None = None, *, site: str | None = None) -> dict | None:
    """One crawl run with its args and stats decoded: `run_id`, else the latest one (of `site`
    when given); None when there is no such run."""
    sql = f"SELECT {_RUN_COLUMNS} FROM crawl_runs"
    params: list = []
    if run_id is not None:
        sql += " WHERE id = ?"
        params.append(int(run_id))
    elif site is not None:
        sql += " WHERE site = ?"
        params.append(site)
    sql += " ORDER BY id DESC LIMIT 1"
    with storage_errors("cannot read crawl runs"):
        rows = list(db.query(sql, params))
    return _decoded(rows[0]) if rows else None


def run_article_count(db: sqlite_utils.Database, run_id: int) -> int:
    """Articles whose latest write came from this run (new or updated by it)."""
    with storage_errors("cannot count the run's articles"):
        return int(db.execute("SELECT count(*) FROM articles WHERE crawl_run_id = ?", [int(run_id)]).fetchone()[0])
