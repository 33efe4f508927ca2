"""Log each kind of problem once, count every occurrence, summarize repeats at the close.

An operator reading a crawl's log should see "publication date not understood on 37 pages,
e.g. …" rather than 37 warnings; the counts go to Scrapy's stats (and from there into
crawl_runs), one example URL per kind to `baotinh/examples` for `baotinh report`.

Two users: the normalize pipeline records extraction problems (`baotinh/problems/<kind>`);
the validate and store pipelines record dropped articles (`baotinh/dropped/<reason>`), whose
first WARNING line comes from Scrapy's LogFormatter (crawler/logformat.py), not from here.
"""
from __future__ import annotations

import logging
from collections import Counter

DESCRIPTIONS = {
    "date_unparsed": "publication date not understood",
    "date_missing": "no publication date found",
    "date_out_of_range": "publication date in the future or before 1900",
    "modified_date_unparsed": "modification date not understood",
    "modified_date_out_of_range": "modification date in the future or before 1900",
    "byline_missing": "no author or source found",
    "byline_too_long": "byline too long to be one",
    # Extraction problems (crawler/extract): "kind detail" strings passed through.
    "bad_bytes": "bytes not valid in the page's encoding (replaced)",
    "charset_mismatch": "declared charset does not match the bytes",
    "no_visible_date": "no date shown on the page (machine date used)",
    "date_conflict": "page's machine and visible dates disagree",
    "extract_error": "extraction failed",
    "bad_gzip": "gzip body that does not decompress",
    "truncated_gzip": "truncated gzip body",
    # Redirects the crawl did not follow (crawler/monitoring.py).
    "offsite": "redirect to another site, not followed",
    "loop": "redirect to a page already requested (a loop), not followed",
    # Reasons an article is dropped (baotinh/dropped/<reason>).
    "not_article": "not an article page (listing, video hub)",
    "not_html": "not an HTML page (PDF, image, empty answer)",
    "no_title": "article without a title",
    "no_body": "article without a body",
    "normalize_error": "article that could not be normalized",
    "storage_error": "article not stored (database error)",
}

EXAMPLES_KEY = "baotinh/examples"


def describe(kind: str) -> str:
    return DESCRIPTIONS.get(kind, kind.replace("_", " "))


class ProblemLog:
    """Counts problems of one family (stats prefix) and logs the first of each kind.

    `announce=False` counts without logging the first occurrence (someone else logs it, as
    Scrapy's LogFormatter does for dropped items); the close summary is logged either way.
    """

    def __init__(self, stats, logger: logging.Logger | logging.LoggerAdapter, prefix: str = "baotinh/problems", *,
                 announce: bool = True, level: int = logging.WARNING):
        self.stats = stats
        self.logger = logger
        self.prefix = prefix
        self.announce = announce
        self.level = level
        self.counts: Counter[str] = Counter()
        self.examples: dict[str, tuple[str, str]] = {}

    @property
    def family(self) -> str:
        return self.prefix.rsplit("/", 1)[-1]

    def record(self, kind: str, url: str, detail: str = "") -> bool:
        """Count one occurrence; True when it is the first of its kind in this crawl."""
        self.counts[kind] += 1
        self.stats.inc_value(f"{self.prefix}/{kind}")
        if kind in self.examples:
            return False
        detail = _short(detail)
        self.examples[kind] = (url, detail)
        examples = dict(self.stats.get_value(EXAMPLES_KEY) or {})
        examples[f"{self.family}/{kind}"] = [url, detail] if detail else [url]
        self.stats.set_value(EXAMPLES_KEY, examples)
        if self.announce:
            self.logger.log(self.level, "%s on %s%s", describe(kind), url, f": {detail!r}" if detail else "")
        return True

    def summarize(self) -> None:
        """One line per kind that happened more than once."""
        for kind, count in self.counts.most_common():
            if count > 1:
                url, detail = self.examples[kind]
                self.logger.log(self.level, "%s on %d pages (%s/%s), e.g. %s%s", describe(kind), count,
                                self.prefix, kind, url, f" ({detail!r})" if detail else "")


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= limit else text[:limit - 1] + "…"
