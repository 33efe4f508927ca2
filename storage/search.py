"""Full-text search: folded query -> FTS5 over the folded copy -> ranked, highlighted results."""
from __future__ import annotations

import sqlite3

import sqlite_utils

from storage.db import storage_errors
from storage.errors import SearchError
from storage.ftsquery import fold_query
from storage.queries import article_filters
from storage.snippets import snippet, term_regex

# bm25 column weights: a word in the title counts ten times one in the body, the lead four.
WEIGHTS = {"title": 10.0, "lead": 4.0, "body": 1.0}
RESULT_KEYS = ("title", "site", "published_at", "authors", "url", "snippet", "rank")


def search(db: sqlite_utils.Database, query: str, *, site=None, since=None, until=None, author=None,
           limit: int = 20) -> list[dict]:
    """Articles matching `query`, best first.

    Each result: title, site, published_at, authors (list), url (canonical), snippet (matches
    in [ ]), rank (bm25: lower is better, so results come in ascending rank), plus id.
    The query uses FTS5 syntax and is folded like the index (see storage.ftsquery); filters
    combine with AND; since/until are inclusive (a date covers the whole day). Raises
    SearchError for a malformed or empty query, ValueError for an unparseable date.
    """
    folded = fold_query(query)
    where, params = article_filters(site=site, since=since, until=until, author=author)
    weights = ", ".join(str(w) for w in WEIGHTS.values())
    # CROSS JOIN keeps FTS as the outer loop: the planner must not probe the index per article.
    sql = (f"SELECT a.id, bm25(articles_fts, {weights}) AS rank FROM articles_fts CROSS JOIN articles a "
           f"ON a.id = articles_fts.rowid WHERE articles_fts MATCH ? {'AND ' + where if where else ''} "
           "ORDER BY rank, a.id LIMIT ?")
    try:
        hits = db.execute(sql, [folded.fts, *params, int(limit)]).fetchall()
    except sqlite3.OperationalError as exc:
        message = " ".join(str(exc).split())
        if "fts5" in message or "no such column" in message or "syntax" in message:
            raise SearchError(f"malformed search query {query!r}: {message}") from None
        raise SearchError(f"search failed: {message}") from None
    if not hits:
        return []
    ids = [article_id for article_id, _ in hits]
    marks = ", ".join("?" * len(ids))
    with storage_errors("cannot read search results"):
        rows = {row[0]: row for row in db.execute(
            f"SELECT id, title, site, published_at, canonical_url, lead, body FROM articles WHERE id IN ({marks})",
            ids)}
        authors: dict[int, list[str]] = {}
        for article_id, name in db.execute(
                f"SELECT aa.article_id, au.name FROM article_authors aa JOIN authors au ON au.id = aa.author_id "
                f"WHERE aa.article_id IN ({marks}) ORDER BY aa.article_id, aa.position", ids):
            authors.setdefault(article_id, []).append(name)
    pattern = term_regex(folded.terms)
    results = []
    for article_id, rank in hits:
        _, title, site_name, published_at, url, lead, body = rows[article_id]
        text = "\n\n".join(p for p in (lead, body) if p)
        results.append({"id": article_id, "title": title, "site": site_name, "published_at": published_at,
                        "authors": authors.get(article_id, []), "url": url,
                        "snippet": snippet(text, pattern), "rank": rank})
    return results
