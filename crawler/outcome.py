"""How a finished crawl maps to the exit status of `baotinh crawl` (documented in the README)."""
from __future__ import annotations

from crawler.cli.common import CLIError

EXIT_OK = 0
EXIT_USAGE = 2          # bad arguments, unknown site, unusable database
EXIT_UNREACHABLE = 3    # the server never answered
EXIT_ABNORMAL = 4       # the crawl ended early (database error, shutdown, …)


def exit_status(outcome, base_url: str | None) -> int:
    """0 for a good crawl; otherwise raise CLIError with one line for the operator."""
    stats = outcome.stats
    if outcome.responses == 0 and stats.get("downloader/exception_count"):
        raise CLIError(f"{outcome.site}: the server at {base_url or 'the site'} did not answer "
                       f"({stats.get('downloader/exception_count')} failed requests)", EXIT_UNREACHABLE)
    if outcome.finish_reason != "finished":
        raise CLIError(f"{outcome.site}: crawl ended with {outcome.finish_reason}", EXIT_ABNORMAL)
    return EXIT_OK
