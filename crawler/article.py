"""Raw extracted fields -> the Article as it is stored.

Used by the normalize pipeline and by `baotinh extract`, so that what a person checks offline
is exactly what a crawl stores. Normalizers never raise; every field they cannot fill is
reported as a problem (a short kind plus detail) for the caller to log and count.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from crawler.normalize.bylines import merge_authors, parse_byline
from crawler.normalize.dates import parse_date, to_iso
from crawler.normalize.text import clean_space, nfc
from crawler.urls import clean_url

EARLIEST_PUBLICATION = date(1900, 1, 1)


class Problem(tuple):
    """(kind, detail): kind is a stats key such as "date_unparsed"; detail is for the log."""

    def __new__(cls, kind: str, detail: str = ""):
        return super().__new__(cls, (kind, detail))

    kind = property(lambda self: self[0])
    detail = property(lambda self: self[1])


def _clean(value) -> str | None:
    text = clean_space(value) if isinstance(value, str) else ""
    return text or None


def _body(value) -> str:
    text = nfc(value or "")
    if text and type(text) is str and "\n\n\n" not in text:
        # Already clean (as extract_page returns it): non-empty paragraphs of printable text with
        # single inner spaces, "\n\n" between them. Checked in a few C passes, not per paragraph.
        flat = text.replace("\n\n", "|")
        if (flat.isprintable() and "  " not in flat and " |" not in flat and "| " not in flat
                and "||" not in flat and flat[0] not in " |" and flat[-1] not in " |"):
            return text
    paragraphs = [clean_space(p) for p in text.split("\n\n")]
    return "\n\n".join(p for p in paragraphs if p)


def _as_day(value) -> date:
    return value.date() if isinstance(value, datetime) else value


def _parse_when(raw, fetched_at: datetime, field: str, problems: list) -> str | None:
    text = _clean(raw)
    if text is None:
        return None
    value = parse_date(text, reference=fetched_at)
    if value is None:
        problems.append(Problem(f"{field}_unparsed", text))
        return None
    if not EARLIEST_PUBLICATION <= _as_day(value) <= _as_day(fetched_at + timedelta(days=1)):
        problems.append(Problem(f"{field}_out_of_range", text))
        return None
    return to_iso(value)


def build_article(raw: dict, *, url: str, site=None, fetched_at: datetime) -> tuple[dict, list[Problem]]:
    """The normalized item for one page, and the problems met on the way."""
    problems = [Problem(*p.split(" ", 1)) if " " in p else Problem(p) for p in raw.get("problems") or []]
    item = {
        "url": clean_url(url),
        "canonical_url": clean_url(raw.get("canonical_url") or url),
        "site": site.name if site else None,
        "title": _clean(raw.get("title")),
        "lead": _clean(raw.get("lead")),
        "body": _body(raw.get("body")),
        "category": _clean(raw.get("category")),
        "tags": [t for t in (_clean(t) for t in raw.get("tags") or []) if t],
        "images": [{"url": img.get("url"), "caption": _clean(img.get("caption")),
                    "credit": _clean(img.get("credit"))} for img in raw.get("images") or []],
        "language": raw.get("language") or "vi",
        "fetched_at": to_iso(fetched_at),
    }
    item["published_raw"] = _clean(raw.get("published_raw"))
    item["published_at"] = _parse_when(item["published_raw"], fetched_at, "date", problems)
    if item["published_raw"] is None:
        problems.append(Problem("date_missing"))
    item["modified_raw"] = _clean(raw.get("modified_raw"))
    item["modified_at"] = _parse_when(item["modified_raw"], fetched_at, "modified_date", problems)

    item["byline_raw"] = _clean(raw.get("byline_raw"))
    byline = parse_byline(item["byline_raw"]) if item["byline_raw"] else None
    machine = [v for v in (_clean(v) for v in raw.get("author_meta") or []) if v]
    item["author_meta"] = machine
    item["authors"] = list(merge_authors(byline, machine, site.own_names if site else []))
    item["source"] = byline.source if byline else None
    if not item["authors"] and not item["source"]:
        too_long = byline is not None and byline.problem == "too_long"
        problems.append(Problem("byline_too_long" if too_long else "byline_missing", item["byline_raw"] or ""))
    return item, problems
