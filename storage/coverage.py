"""The queries behind `baotinh coverage`: counts per site per date, undated articles, crawl runs
with their field coverage, top authors. crawler/coverage.py turns them into periods and gaps.

published_at is ISO text in local time ("2024-03-05T08:15:00+07:00" or "2024-03-05"), so the
first 10 characters are the local date and the first 7 the month: grouping is a substr(), no
time-zone arithmetic. A value that does not start with YYYY-MM is counted as undated.
"""
from __future__ import annotations

import json

from storage.db import storage_errors

# Starts like a date: "YYYY-MM"; everything else (NULL, "", "hôm qua") is undated.
DATED = "a.published_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]*'"
# Columns that may link an article to the crawl run that stored it, most specific first.
RUN_LINK_COLUMNS = ("crawl_run_id", "last_crawl_run_id", "last_run_id", "run_id", "first_run_id")
FIELDS = ("published_at", "authors", "body")


def _site_filter(site: str | None, alias: str = "a") -> tuple[str, dict]:
    return (f" AND {alias}.site = :site", {"site": site}) if site else ("", {})


def date_counts(db, *, granularity: str = "day", site: str | None = None) -> dict[str, dict[str, int]]:
    """{site: {"YYYY-MM-DD" (or "YYYY-MM" for granularity="month"): articles}} over the whole archive."""
    length = 7 if granularity == "month" else 10
    where, params = _site_filter(site)
    sql = (f"SELECT a.site AS site, substr(a.published_at, 1, {length}) AS prefix, count(*) AS n "
           f"FROM articles a WHERE {DATED}{where} GROUP BY a.site, prefix")
    counts: dict[str, dict[str, int]] = {}
    with storage_errors("cannot count articles per date"):
        for row in db.query(sql, params):
            counts.setdefault(row["site"], {})[row["prefix"]] = row["n"]
    return counts


def last_dated_day(db) -> str | None:
    """The latest "YYYY-MM-DD" (or "YYYY-MM") any site's articles carry: the archive's last period
    even when one site is shown."""
    with storage_errors("cannot read the archive's last date"):
        row = db.execute(f"SELECT max(substr(a.published_at, 1, 10)) FROM articles a WHERE {DATED}").fetchone()
    return row[0] if row else None


def undated_counts(db, *, site: str | None = None) -> dict[str, int]:
    """{site: articles whose published_at is missing or does not start like a date}."""
    where, params = _site_filter(site)
    sql = (f"SELECT a.site AS site, count(*) AS n FROM articles a "
           f"WHERE (a.published_at IS NULL OR NOT ({DATED})){where} GROUP BY a.site")
    with storage_errors("cannot count undated articles"):
        return {row["site"]: row["n"] for row in db.query(sql, params)}


def site_names(db) -> list[str]:
    """Sites with at least one stored article."""
    with storage_errors("cannot list sites"):
        return [row["site"] for row in db.query("SELECT DISTINCT site FROM articles ORDER BY site")]


def site_labels(db) -> dict[str, dict]:
    """{name: {"newspaper": ..., "province": ...}} from the sites table (empty if it has none)."""
    if "sites" not in db.table_names():
        return {}
    columns = set(db["sites"].columns_dict)
    wanted = [c for c in ("newspaper", "province") if c in columns]
    if "name" not in columns or not wanted:
        return {}
    with storage_errors("cannot read the sites table"):
        return {row["name"]: {c: row[c] for c in wanted}
                for row in db.query(f"SELECT name, {', '.join(wanted)} FROM sites")}


def run_link_column(db) -> str | None:
    columns = set(db["articles"].columns_dict)
    return next((c for c in RUN_LINK_COLUMNS if c in columns), None)


def crawl_runs(db, *, site: str | None = None, limit: int = 50) -> list[dict]:
    """The latest crawl runs, newest first: the crawl_runs row with `stats` parsed from JSON
    (None if absent or unreadable) and `counted`: {"articles", "published_at", "authors", "body"}
    counted from the articles linked to the run (None if articles carry no run id)."""
    if "crawl_runs" not in db.table_names():
        return []
    columns = set(db["crawl_runs"].columns_dict)
    wanted = [c for c in ("id", "spider", "site", "started_at", "finished_at", "finish_reason", "stats")
              if c in columns]
    where, params = ("WHERE site = :site", {"site": site}) if site and "site" in columns else ("", {})
    order = "started_at DESC, id DESC" if "started_at" in columns else "id DESC"
    with storage_errors("cannot read crawl runs"):
        runs = [dict(row) for row in db.query(
            f"SELECT {', '.join(wanted)} FROM crawl_runs {where} ORDER BY {order} LIMIT :limit",
            {**params, "limit": limit})]
    for run in runs:
        run["stats"] = _parse_stats(run.get("stats"))
    counted = _run_field_counts(db, [run["id"] for run in runs])
    for run in runs:
        run["counted"] = counted.get(run["id"]) if counted is not None else None
    return runs


def _parse_stats(value):
    if isinstance(value, dict):
        return value
    if not value:
        return None
    try:
        stats = json.loads(value)
    except (TypeError, ValueError):
        return None
    return stats if isinstance(stats, dict) else None


def _run_field_counts(db, run_ids: list[int]) -> dict[int, dict] | None:
    column = run_link_column(db)
    if column is None:
        return None
    if not run_ids:
        return {}
    marks = ", ".join(f":r{i}" for i in range(len(run_ids)))
    params = {f"r{i}": run_id for i, run_id in enumerate(run_ids)}
    sql = (f"SELECT a.{column} AS run_id, count(*) AS articles, "
           f"sum({DATED}) AS published_at, "
           f"sum(EXISTS (SELECT 1 FROM article_authors aa WHERE aa.article_id = a.id)) AS authors, "
           f"sum(coalesce(a.body, '') != '') AS body "
           f"FROM articles a WHERE a.{column} IN ({marks}) GROUP BY a.{column}")
    with storage_errors("cannot count fields per crawl run"):
        return {row["run_id"]: {k: row[k] or 0 for k in ("articles", *FIELDS)}
                for row in db.query(sql, params)}


def field_counts(db, *, site: str | None = None) -> dict[str, dict]:
    """{site: {"articles", "published_at", "authors", "body"}} over every stored article."""
    where, params = _site_filter(site)
    sql = (f"SELECT a.site AS site, count(*) AS articles, sum({DATED}) AS published_at, "
           f"sum(EXISTS (SELECT 1 FROM article_authors aa WHERE aa.article_id = a.id)) AS authors, "
           f"sum(coalesce(a.body, '') != '') AS body FROM articles a WHERE 1{where} GROUP BY a.site")
    with storage_errors("cannot count fields per site"):
        return {row["site"]: {k: row[k] or 0 for k in ("articles", *FIELDS)} for row in db.query(sql, params)}


def top_authors(db, *, site: str | None = None, limit: int = 10) -> dict[str, list[dict]]:
    """{site: [{"name", "articles"}, ...]}: each site's most published authors, most first."""
    where, params = _site_filter(site)
    sql = ("SELECT site, name, articles FROM ("
           " SELECT a.site AS site, au.name AS name, count(DISTINCT a.id) AS articles,"
           "  row_number() OVER (PARTITION BY a.site ORDER BY count(DISTINCT a.id) DESC, au.name) AS rank"
           " FROM articles a JOIN article_authors aa ON aa.article_id = a.id"
           f" JOIN authors au ON au.id = aa.author_id WHERE 1{where} GROUP BY a.site, au.id"
           ") WHERE rank <= :limit ORDER BY site, rank")
    result: dict[str, list[dict]] = {}
    with storage_errors("cannot count authors"):
        for row in db.query(sql, {**params, "limit": limit}):
            result.setdefault(row["site"], []).append({"name": row["name"], "articles": row["articles"]})
    return result


def has_articles_table(db) -> bool:
    return "articles" in db.table_names()
