"""Read side: what the crawler already has, export streams, author counts."""
from __future__ import annotations

import json
from collections.abc import Iterator

import sqlite_utils

from storage.dates import date_bounds
from storage.db import storage_errors
from crawler.normalize.text import fold

# Article columns in export order (authors, tags, images decoded to lists).
EXPORT_COLUMNS = ("id", "site", "province", "published_at", "title", "authors", "lead", "body", "url",
                  "canonical_url", "category", "tags", "source", "byline_raw", "published_raw",
                  "modified_at", "modified_raw", "language", "word_count", "images", "first_seen_at",
                  "last_seen_at", "content_sha256", "crawl_run_id")
AUTHORS_JSON = ("(SELECT json_group_array(name) FROM (SELECT au.name FROM article_authors aa "
                "JOIN authors au ON au.id = aa.author_id WHERE aa.article_id = a.id ORDER BY aa.position))")
_IMAGES_JSON = ("(SELECT json_group_array(json_object('url', url, 'caption', caption, 'credit', credit)) "
                "FROM (SELECT url, caption, credit FROM images i WHERE i.article_id = a.id ORDER BY position))")


def known_urls(db: sqlite_utils.Database, site: str) -> set[str]:
    """Every url and canonical_url stored for `site` (what the crawler need not fetch again)."""
    urls: set[str] = set()
    with storage_errors("cannot read known URLs"):
        for url, canonical in db.execute("SELECT url, canonical_url FROM articles WHERE site = ?", (site,)):
            urls.add(url)
            urls.add(canonical)
    return urls


def is_known(db: sqlite_utils.Database, url: str) -> bool:
    with storage_errors("cannot look up a URL"):
        return db.execute("SELECT 1 FROM articles WHERE url = ? OR canonical_url = ? LIMIT 1",
                          (url, url)).fetchone() is not None


def article_filters(*, site=None, since=None, until=None, author=None, alias: str = "a") -> tuple[str, list]:
    """SQL conditions (joined with AND, "" if none) and parameters for the common filters.
    ValueError for an unparseable date."""
    conditions, params = [], []
    if site:
        conditions.append(f"{alias}.site = ?")
        params.append(site)
    for operator, value in date_bounds(since, until):
        conditions.append(f"{alias}.published_at {operator} ?")
        params.append(value)
    if author:
        conditions.append(f"{alias}.id IN (SELECT aa.article_id FROM article_authors aa "
                          "JOIN authors au ON au.id = aa.author_id WHERE au.name_folded = ?)")
        params.append(fold(author))
    return " AND ".join(conditions), params


def _decode(row: dict) -> dict:
    row["authors"] = json.loads(row["authors"]) if row["authors"] else []
    row["tags"] = json.loads(row["tags"]) if row["tags"] else []
    row["images"] = json.loads(row["images"]) if row["images"] else []
    return row


def iter_articles(db: sqlite_utils.Database, *, site=None, since=None, until=None,
                  author=None) -> Iterator[dict]:
    """Stream articles (oldest publication first, undated ones first) as dicts with
    EXPORT_COLUMNS; authors, tags and images as lists. Rows are read lazily from one cursor."""
    where, params = article_filters(site=site, since=since, until=until, author=author)
    columns = ", ".join(
        AUTHORS_JSON + " AS authors" if c == "authors" else _IMAGES_JSON + " AS images" if c == "images"
        else f"a.{c}" for c in EXPORT_COLUMNS)
    sql = f"SELECT {columns} FROM articles a {'WHERE ' + where if where else ''} ORDER BY a.published_at, a.id"
    return _stream(db, sql, params)


def _stream(db, sql: str, params: list) -> Iterator[dict]:
    with storage_errors("cannot read articles"):
        cursor = db.execute(sql, params)
        names = [d[0] for d in cursor.description]
        for row in cursor:
            yield _decode(dict(zip(names, row)))


def get_article(db: sqlite_utils.Database, url: str) -> dict | None:
    """One article by url or canonical_url, in the iter_articles shape; None if unknown."""
    columns = ", ".join(
        AUTHORS_JSON + " AS authors" if c == "authors" else _IMAGES_JSON + " AS images" if c == "images"
        else f"a.{c}" for c in EXPORT_COLUMNS)
    with storage_errors("cannot read the article"):
        rows = list(db.query(f"SELECT {columns} FROM articles a WHERE a.url = ? OR a.canonical_url = ? "
                             "ORDER BY a.canonical_url = ? DESC LIMIT 1", (url, url, url)))
    return _decode(rows[0]) if rows else None


def count_articles(db: sqlite_utils.Database, *, site: str | None = None) -> int:
    """Stored articles, of one site or of all."""
    where, params = ("WHERE site = ?", [site]) if site else ("", [])
    with storage_errors("cannot count articles"):
        return db.execute(f"SELECT count(*) FROM articles {where}", params).fetchone()[0]


def top_authors(db: sqlite_utils.Database, *, site: str | None = None, top: int = 20) -> list[tuple[str, int]]:
    """(name, article count), most prolific first, ties by name."""
    if site:
        sql = ("SELECT au.name, count(*) AS n FROM article_authors aa JOIN authors au ON au.id = aa.author_id "
               "JOIN articles a ON a.id = aa.article_id WHERE a.site = ? "
               "GROUP BY au.id ORDER BY n DESC, au.name LIMIT ?")
        params = (site, top)
    else:
        sql = ("SELECT au.name, count(*) AS n FROM article_authors aa JOIN authors au ON au.id = aa.author_id "
               "GROUP BY au.id ORDER BY n DESC, au.name LIMIT ?")
        params = (top,)
    with storage_errors("cannot count authors"):
        return [(name, count) for name, count in db.execute(sql, params)]
