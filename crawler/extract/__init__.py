"""Page bytes -> raw article fields.

    extract_page(body: bytes, url: str, *, headers=None, site=None) -> dict

`site` is a registry Site; None looks the URL's domain up in the registry (and an unknown
domain is extracted by the generic layers alone). Layers, in order: the site's own selectors
(registry `selectors`), CMS family rules (families.py), page metadata (JSON-LD, article:/og:
meta, microdata; meta.py), structure (the article's h1 and the densest block of paragraphs;
structure.py). Body text rules live in body.py, the date choice in published.py.

The dict returned (strings NFC, whitespace collapsed):

    title, lead            str | None
    body                   str: paragraphs joined by "\\n\\n" (no lead, captions, byline, chrome)
    published_raw          str | None: the chosen date string (visible date line or machine value)
    modified_raw           str | None
    byline_raw             str | None: the byline as printed, e.g. "Tin, ảnh: P.Y"
    author_meta            list[str]: author values from meta / JSON-LD / microdata
    canonical_url          absolute URL | None
    category               str | None
    tags                   list[str]
    images                 list of {"url", "caption", "credit"} (credit: the "Ảnh: X" of a caption)
    language               "vi", ...
    is_article             bool: False for listings, home pages, video hubs, non-HTML
    family                 the layer that found the body ("site:NAME", a family, "metadata",
                           "structure"), for logs
    problems               list[str] "kind detail": "not_html pdf", "no_visible_date",
                           "date_conflict machine=… visible=…", "not_article", "no_byline", ...

extract_page never raises: an unexpected error becomes the problem "extract_error …".
"""
from __future__ import annotations

import logging

log = logging.getLogger(__name__)

__all__ = ["extract_page"]


def extract_page(body: bytes, url: str, *, headers: dict | None = None, site=None) -> dict:
    from crawler.extract.extractor import empty_result, extract

    try:
        if site is None:
            site = _site_for(url)
        return extract(body, url, headers=headers, site=site)
    except Exception as exc:  # noqa: BLE001 - a page must never stop a crawl
        log.exception("extraction failed for %s", url)
        result = empty_result()
        result["problems"] = [f"extract_error {type(exc).__name__}: {exc}"]
        return result


def _site_for(url: str):
    try:
        from crawler.registry import site_for_url

        return site_for_url(url)
    except Exception:  # noqa: BLE001 - a broken registry must not stop extraction
        log.warning("registry lookup failed for %s", url, exc_info=True)
        return None
