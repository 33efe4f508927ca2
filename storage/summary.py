"""The short archive summary `baotinh demo` prints."""
from __future__ import annotations

EXAMPLE_QUERY = """SELECT a.title, a.published_at
FROM articles a
JOIN article_authors aa ON aa.article_id = a.id
JOIN authors au ON au.id = aa.author_id
WHERE au.name = :author
ORDER BY a.published_at DESC
LIMIT 3"""


def archive_summary(db, top: int = 5) -> dict:
    per_site = [dict(row) for row in db.query(
        "SELECT site, count(*) AS articles, min(published_at) AS first, max(published_at) AS last "
        "FROM articles GROUP BY site ORDER BY site")]
    authors = [dict(row) for row in db.query(
        "SELECT au.name, count(*) AS articles FROM authors au "
        "JOIN article_authors aa ON aa.author_id = au.id "
        "GROUP BY au.id ORDER BY articles DESC, au.name LIMIT :top", {"top": top})]
    example = None
    if authors:
        params = {"author": authors[0]["name"]}
        example = {"sql": EXAMPLE_QUERY, "params": params,
                   "rows": [dict(row) for row in db.query(EXAMPLE_QUERY, params)]}
    total = sum(site["articles"] for site in per_site)
    return {"total": total, "sites": per_site, "top_authors": authors, "example": example}
