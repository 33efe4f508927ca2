"""Raw pages on the crawl side: what a response becomes in storage (storage/raw_pages.py), and
the one function that turns page bytes into an article item, shared by the spider and by
`baotinh reparse` so that a re-parse stores exactly what a crawl of the same bytes would.
"""
from __future__ import annotations

import logging

from crawler.extract import extract_page
from crawler.items import ARTICLE_FIELDS
from crawler.middlewares import RAW_HEADERS_META
from crawler.urls import clean_url

logger = logging.getLogger(__name__)


def header_pairs(headers) -> list[tuple[str, str]]:
    """Scrapy Headers -> [(name, value)], one pair per value."""
    return [(name.decode("latin-1"), value.decode("latin-1"))
            for name, values in headers.items() for value in values]


def extraction_headers(pairs) -> dict[str, str]:
    """[(name, value)] -> {lowercase name: first value}, as extract_page takes them."""
    headers: dict[str, str] = {}
    for name, value in pairs:
        headers.setdefault(name.lower(), value)
    return headers


def article_item(body: bytes, url: str, *, headers: dict | None, site, fetched_at: str) -> dict:
    """Raw fields of one article page, as the spider yields them to the pipelines."""
    raw = extract_page(body, url, headers=headers, site=site)
    item = {"url": clean_url(url), "site": site.name, "fetched_at": fetched_at}
    for key, value in raw.items():
        if key in ARTICLE_FIELDS and key not in item:
            item[key] = value
    item["page_type"] = "article" if raw.get("is_article", True) else "other"
    item["problems"] = list(raw.get("problems") or [])
    return item


def capture_of(response, *, site: str, kind: str, fetched_at: str, crawl_run_id=None) -> dict:
    """A Scrapy response as a storage.raw_pages capture: the URL first requested (before
    redirects), the final URL, status, the headers as the server sent them (Content-Encoding
    included; the body is stored decoded), the request headers and the body."""
    request = response.request
    meta = response.meta if request is not None else {}
    redirects = meta.get("redirect_urls") or []
    headers = meta.get(RAW_HEADERS_META) or header_pairs(response.headers)
    return {
        "site": site, "kind": kind, "url": redirects[0] if redirects else response.url,
        "final_url": response.url, "method": request.method if request is not None else "GET",
        "status": response.status, "protocol": getattr(response, "protocol", None) or "HTTP/1.1",
        "headers": headers, "request_headers": header_pairs(request.headers) if request is not None else [],
        "fetched_at": fetched_at, "body": response.body, "crawl_run_id": crawl_run_id,
    }


def reparse_capture(capture: dict, site) -> tuple[dict | None, str | None, list]:
    """One stored article page -> (the record StorePipeline would write, None, problems), or
    (None, why it would be dropped, problems): the same extraction (article_item), normalization
    (crawler.article.build_article) and validation (title and body) as a crawl."""
    from datetime import datetime

    from crawler.article import build_article

    item = article_item(capture["body"], capture["final_url"], headers=extraction_headers(capture["headers"]),
                        site=site, fetched_at=capture["fetched_at"])
    if item["page_type"] != "article":
        return None, "not_article", []
    normalized, problems = build_article(dict(item), url=item["url"], site=site,
                                         fetched_at=datetime.fromisoformat(item["fetched_at"]))
    if not normalized.get("title"):
        return None, "no_title", problems
    if not normalized.get("body"):
        return None, "no_body", problems
    return {k: v for k, v in normalized.items() if k not in ("page_type", "problems")}, None, problems
