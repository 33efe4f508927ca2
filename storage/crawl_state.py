"""What a crawl needs to know from the archive before it starts (incremental, backfill, resume).

Everything here is read from the database, never from an on-disk seen-set a crash can leave
wrong: an article is "known" once ArticleWriter has committed it.

    known_urls_before(db, site, "2026-11-29T08:00:00+07:00")   # stored before that time
    resume_point(db, site, run_id)     # start of the interrupted crawls this one continues
    published_dates(db, urls)          # url -> published_at of stored articles
"""
from __future__ import annotations

import sqlite_utils

from storage.db import storage_errors

# Set by the spider at the close: False when the crawl stopped short of its natural end
# (killed, shut down, capped by --max-articles/--max-pages).
COMPLETE_STAT = "baotinh/job/complete"


def known_urls_before(db: sqlite_utils.Database, site: str, before: str | None = None) -> set[str]:
    """url and canonical_url of the site's articles first seen before `before` (ISO text at
    +07:00, compared as text); every stored article when before is None."""
    sql = "SELECT url, canonical_url FROM articles WHERE site = ?"
    params: list = [site]
    if before:
        sql += " AND first_seen_at < ?"
        params.append(before)
    urls: set[str] = set()
    with storage_errors("cannot read known URLs"):
        for url, canonical in db.execute(sql, params):
            urls.add(url)
            urls.add(canonical)
    return urls


def published_dates(db: sqlite_utils.Database, urls) -> dict[str, str | None]:
    """published_at of stored articles, by url and by canonical_url, for the given URLs."""
    urls = list(dict.fromkeys(urls))
    found: dict[str, str | None] = {}
    with storage_errors("cannot read publication dates"):
        for start in range(0, len(urls), 400):
            chunk = urls[start:start + 400]
            marks = ", ".join("?" * len(chunk))
            for url, canonical, published in db.execute(
                    f"SELECT url, canonical_url, published_at FROM articles "
                    f"WHERE url IN ({marks}) OR canonical_url IN ({marks})", chunk + chunk):
                found[url] = published
                found[canonical] = published
    return {u: found[u] for u in urls if u in found}


def resume_point(db: sqlite_utils.Database, site: str, run_id: int | None) -> tuple[str | None, list[int]]:
    """The crawls of `site` just before run `run_id` that did not complete (killed: no
    finished_at; stopped early: finish_reason other than "finished" or COMPLETE_STAT false),
    as (started_at of the earliest of them, their ids newest first); (None, []) when the
    previous crawl completed or there is none."""
    sql = (f"SELECT id, started_at, finished_at, finish_reason, "
           f"json_extract(stats, '$.\"{COMPLETE_STAT}\"') FROM crawl_runs WHERE site = ?")
    params: list = [site]
    if run_id is not None:
        sql += " AND id < ?"
        params.append(run_id)
    sql += " ORDER BY id DESC LIMIT 1000"
    started, ids = None, []
    with storage_errors("cannot read crawl runs"):
        for rid, started_at, finished_at, reason, complete in db.execute(sql, params):
            if finished_at is not None and reason == "finished" and complete != 0:
                break
            started, ids = started_at, [*ids, rid]
    return started, ids
