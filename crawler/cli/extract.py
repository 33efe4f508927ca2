"""`baotinh extract FILE --url URL`: what a crawl would store for one saved page."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from urllib.parse import urlsplit

from crawler.article import build_article
from crawler.clock import now_vn
from crawler.cli.common import CLIError
from crawler.extract import extract_page
from crawler.registry import RegistryError, get_site, site_for_url


# Extraction problems that mean there was no page to read at all.
UNREADABLE = {"not_html", "bad_gzip", "truncated_gzip"}


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "extract", help="extract and normalize one saved page, print the Article as JSON",
        description="Run the extraction and normalization a crawl would run on one saved page "
                    "(plain or gzip-compressed HTML) and print the Article as one JSON object.")
    parser.add_argument("file", type=Path, help="saved page (.html or .html.gz)")
    parser.add_argument("--url", required=True, help="the URL the page was fetched from")
    parser.add_argument("--site", help="registry name (default: found from the URL's domain)")
    parser.set_defaults(func=run)


def run(args) -> int:
    parts = urlsplit(args.url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise CLIError(f"--url {args.url!r} is not an http(s) URL")
    try:
        body = args.file.read_bytes()
    except OSError as exc:
        raise CLIError(f"cannot read {args.file}: {exc.strerror or exc}") from None
    try:
        site = get_site(args.site) if args.site else site_for_url(args.url)
    except RegistryError as exc:
        raise CLIError(str(exc)) from None
    raw = extract_page(body, args.url, site=site)
    unreadable = [p for p in raw.get("problems") or [] if p.split(" ")[0] in UNREADABLE]
    if unreadable:
        raise CLIError(f"{args.file} is not a readable HTML page ({unreadable[0]})", 1)
    item, problems = build_article(raw, url=args.url, site=site, fetched_at=now_vn())
    item["is_article"] = bool(raw.get("is_article", True))
    item["problems"] = [" ".join(p for p in problem if p) for problem in problems]
    json.dump(item, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0
