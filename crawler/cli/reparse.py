"""`baotinh reparse [--site S] [--db PATH]`: extract the stored raw pages again, with no network.

After a selector fix (crawler/sites.toml) or an extraction change, every site's newest capture
of each article URL goes through the same code as a crawl (crawler.rawpages.reparse_capture:
extract_page, build_article, the title/body check) and the result is written through
ArticleWriter: changed articles are updated (the old text kept in article_versions), pages that
now extract become new articles, the rest are unchanged. Pages of a site the registry does not
have (a broken sites file, a renamed entry) are skipped and make the exit status 2.
"""
from __future__ import annotations

from collections import Counter

from crawler.cli.common import CLIError, add_db_argument, db_path


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "reparse", help="re-extract articles from the stored raw pages (no network), e.g. after a selector fix",
        description="Re-run extraction and normalization on the raw pages kept by earlier crawls and update "
                    "the articles; nothing is fetched.")
    parser.add_argument("--site", help="only this site (registry name)")
    add_db_argument(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    from crawler.progress import progress
    from crawler.rawpages import reparse_capture
    from crawler.registry import RegistryError, get_site, load_problems, load_registry
    from storage import ArticleWriter, StorageError, open_database
    from storage.raw_pages import count_article_urls, latest_article_captures

    try:
        sites, errors = load_registry()
        if args.site:
            sites = {args.site: get_site(args.site)}
    except RegistryError as exc:
        raise CLIError(str(exc)) from None
    path = db_path(args)
    try:
        db = open_database(path, create=False)
    except StorageError as exc:
        raise CLIError(f"cannot use the database {path}: {exc}") from None
    counts: Counter[str] = Counter()
    unknown: Counter[str] = Counter()  # pages of sites the registry does not have
    try:
        writer = ArticleWriter(db)
        total = count_article_urls(db, site=args.site)
        if total == 0:
            print(f"reparse: no stored article pages{f' for {args.site}' if args.site else ''} in {path}")
            return 0
        with progress(total=total, desc="reparse", unit="pages") as bar:
            for capture in latest_article_captures(db, site=args.site):
                bar.update(1)
                site = sites.get(capture["site"])
                if site is None:
                    counts["unknown_site"] += 1
                    unknown[capture["site"]] += 1
                    continue
                record, dropped, _problems = reparse_capture(capture, site)
                if record is None:
                    counts[f"dropped ({dropped})"] += 1
                    continue
                counts[writer.write(record, crawl_run_id=capture["crawl_run_id"])] += 1
    except StorageError as exc:
        raise CLIError(f"reparse stopped: {exc}") from None
    finally:
        db.close()
    pages = sum(counts.values())
    order = ["new", "updated", "unchanged"]
    parts = [f"{counts[k]} {k}" for k in order] + [f"{n} {k}" for k, n in sorted(counts.items()) if k not in order]
    print(f"reparse: {pages} pages: " + ", ".join(parts))
    if unknown:
        names = ", ".join(f"{name} ({n})" for name, n in unknown.most_common(3)) + (", …" if len(unknown) > 3 else "")
        problems = (f"; {load_problems(errors)}" if errors
                    else "; add them to the sites file, or reparse the others with --site NAME")
        skipped = sum(unknown.values())
        raise CLIError(f"{skipped} stored page{' was' if skipped == 1 else 's were'} not re-extracted: "
                       f"{'its' if skipped == 1 else 'their'} site is not in the registry: {names}{problems}")
    return 0
