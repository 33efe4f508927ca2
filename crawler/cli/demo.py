"""`baotinh demo`: serve the sample site, crawl it with the real spiders, summarize the archive."""
from __future__ import annotations

from crawler.cli.common import CLIError, add_db_argument, db_path
from crawler.registry import load_sites
from crawler.runner import CrawlRequest, StorageError, run_crawls
from crawler.sample_site import serve_sample_site, mirror_dirs
from storage import open_database
from storage.summary import archive_summary


def register(subparsers) -> None:
    parser = subparsers.add_parser("demo", help="crawl the bundled sample site and summarize it")
    parser.add_argument("--port", type=int, default=0, help="first port for the mirrors (0: free ports)")
    add_db_argument(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    sites = load_sites()
    names = [name for name in mirror_dirs() if name in sites]
    try:
        servers = serve_sample_site(args.port, sites=names)
    except OSError as exc:
        raise CLIError(f"cannot start the sample site: {exc.strerror or exc}") from None
    try:
        for server in servers:
            print(f"serving {server.name} at {server.base_url}", flush=True)
        outcomes = run_crawls([CrawlRequest(s.name, s.base_url) for s in servers], db_path(args),
                              overrides={"LOG_LEVEL": "WARNING"})
    except StorageError as exc:
        raise CLIError(f"cannot use the database {db_path(args)}: {exc}") from None
    finally:
        for server in servers:
            server.stop()
    for outcome in outcomes:
        if outcome.finish_reason != "finished":
            raise CLIError(f"{outcome.site}: crawl ended with {outcome.finish_reason}")
    db = open_database(db_path(args))
    print_summary(archive_summary(db), outcomes, db_path(args))
    db.close()
    return 0


def print_summary(summary: dict, outcomes, path) -> None:
    print(f"\nArchive {path}: {summary['total']} articles")
    print(f"  {'site':<12} {'articles':>8}  {'first published':<25} last published")
    for site in summary["sites"]:
        print(f"  {site['site']:<12} {site['articles']:>8}  {site['first'] or '-':<25} {site['last'] or '-'}")
    fetched = {o.site: o for o in outcomes}
    print("  this run: " + ", ".join(
        f"{name} {o.responses} pages, {o.stats.get('baotinh/articles/new', 0)} new, "
        f"{o.stats.get('baotinh/articles/updated', 0)} updated, "
        f"{o.stats.get('baotinh/articles/unchanged', 0)} unchanged" for name, o in fetched.items()))
    print("\nTop authors:")
    for author in summary["top_authors"]:
        print(f"  {author['articles']:>3}  {author['name']}")
    example = summary["example"]
    if example:
        print(f"\nExample query (author = {example['params']['author']!r}):")
        print("  " + example["sql"].replace("\n", "\n  "))
        for row in example["rows"]:
            print(f"  -> {row['published_at']}  {row['title']}")
