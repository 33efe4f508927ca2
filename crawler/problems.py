"""Log each kind of problem once, count every occurrence, summarize repeats at the close.

An operator reading a crawl's log should see "date_unparsed on 37 pages, e.g. …" rather than
37 warnings; the counts go to Scrapy's stats (and from there into crawl_runs).
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
}


class ProblemLog:
    def __init__(self, stats, logger: logging.Logger, prefix: str = "baotinh/problems"):
        self.stats = stats
        self.logger = logger
        self.prefix = prefix
        self.counts: Counter[str] = Counter()
        self.examples: dict[str, tuple[str, str]] = {}

    def record(self, kind: str, url: str, detail: str = "") -> None:
        self.counts[kind] += 1
        self.stats.inc_value(f"{self.prefix}/{kind}")
        if kind not in self.examples:
            self.examples[kind] = (url, detail)
            what = DESCRIPTIONS.get(kind, kind.replace("_", " "))
            self.logger.warning("%s on %s%s", what, url, f": {detail!r}" if detail else "")

    def summarize(self) -> None:
        for kind, count in self.counts.most_common():
            if count > 1:
                url, detail = self.examples[kind]
                self.logger.warning("%s on %d pages, e.g. %s%s", kind, count, url,
                                    f" ({detail!r})" if detail else "")
