"""How a finished crawl maps to the exit status of `baotinh crawl`.

These constants are the one source for the exit codes; docs/monitoring.md documents them.
The checks run in this order and the first that applies decides:

    3  the server never answered (no response at all)
    5  the database failed during the crawl (locked, read-only, full): articles not stored
    4  the crawl ended early for another reason (shutdown, cancelled, closed by a limit)
    9  robots.txt refuses every start page (the site refuses crawlers; see robots_override)
    7  no articles from a site that had some (health no_articles)
    6  layout change suspected: field coverage below the site's thresholds (layout_change)
    8  too many errors logged or downloads failed (too_many_errors)
    0  a good crawl
    2  (before crawling) bad arguments, unknown site, unusable database
"""
from __future__ import annotations

from crawler.cli.common import CLIError

EXIT_OK = 0
EXIT_USAGE = 2          # bad arguments, unknown site, unusable database
EXIT_UNREACHABLE = 3    # the server never answered
EXIT_ABNORMAL = 4       # the crawl ended early (shutdown, cancelled, …)
EXIT_DATABASE = 5       # the database failed during the crawl: articles were not stored
EXIT_LAYOUT_CHANGE = 6  # field coverage below the thresholds: the site's layout probably changed
EXIT_NO_ARTICLES = 7    # nothing stored from a site that has articles in the archive
EXIT_TOO_MANY_ERRORS = 8  # more errors or failed downloads than the settings allow
EXIT_ROBOTS_REFUSED = 9   # robots.txt refuses every start page: nothing could be crawled

HEALTH_EXIT = {
    "no_articles": EXIT_NO_ARTICLES,
    "layout_change": EXIT_LAYOUT_CHANGE,
    "too_many_errors": EXIT_TOO_MANY_ERRORS,
}
DATABASE_REASONS = {"database_error"}


def exit_status(outcome, base_url: str | None) -> int:
    """0 for a good crawl; otherwise raise CLIError with one line for the operator."""
    stats = outcome.stats
    if outcome.responses == 0 and stats.get("downloader/exception_count"):
        raise CLIError(f"{outcome.site}: the server at {base_url or 'the site'} did not answer "
                       f"({stats.get('downloader/exception_count')} failed requests)", EXIT_UNREACHABLE)
    if outcome.finish_reason in DATABASE_REASONS:
        dropped = int(stats.get("baotinh/dropped/storage_error", 0) or 0)
        detail = stats.get("baotinh/database_error") or "see the log"
        lost = (f"{dropped} article(s) fetched but not stored; the next crawl fetches them again" if dropped
                else "nothing was stored")
        raise CLIError(f"{outcome.site}: crawl stopped by a database error ({detail}); {lost}", EXIT_DATABASE)
    if outcome.finish_reason != "finished":
        raise CLIError(f"{outcome.site}: crawl ended with {outcome.finish_reason}", EXIT_ABNORMAL)
    if stats.get("baotinh/robots/all_start_pages_refused"):
        raise CLIError(f"{outcome.site}: robots.txt refuses every start page, nothing was crawled "
                       f"(an archive allowed to crawl anyway records robots_override in the registry)",
                       EXIT_ROBOTS_REFUSED)
    health = stats.get("baotinh/health")
    if health in HEALTH_EXIT:
        findings = stats.get("baotinh/health/findings") or [health]
        raise CLIError(f"{outcome.site}: {'; '.join(findings)}", HEALTH_EXIT[health])
    return EXIT_OK
