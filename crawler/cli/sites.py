"""`baotinh sites [--format table|json]`: the newspapers in the registry (crawler/sites.toml).

Broken entries are reported on stderr, one line each with file and line; the other sites are
still listed. Exit status 0 when every entry loaded, 1 when some were broken, 2 when the file
itself cannot be read.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from crawler.cli.common import CLIError
from crawler.registry import RegistryError, load_registry, registry_path

COLUMNS = ("name", "province", "domain", "family", "selectors", "status")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "sites", help="the configured newspapers (crawler/sites.toml)",
        description="List the newspapers in the site registry. Broken entries are reported on "
                    "stderr with file and line; the exit status is 1 if there were any.")
    parser.add_argument("--format", choices=("table", "json"), default="table",
                        help="table (default) or json (every key of every site)")
    parser.add_argument("--file", type=Path, default=None,
                        help="registry file (default: $BAOTINH_SITES or crawler/sites.toml)")
    parser.set_defaults(func=run)


def site_record(site) -> dict:
    return {
        "name": site.name, "newspaper": site.newspaper, "province": site.province,
        "former_provinces": list(site.former_provinces), "domains": list(site.domains),
        "base_url": site.base_url, "family": site.family, "status": site.status,
        "merged_into": site.merged_into, "listings": list(site.listings),
        "sitemaps": list(site.sitemaps), "rss": list(site.rss),
        "article_pattern": site.article_pattern, "listing_pattern": site.listing_pattern,
        "selectors": site.selectors, "politeness": site.politeness, "coverage": site.coverage,
        "robots_override": site.robots_override, "notes": site.notes, "line": site.source_line,
    }


def _row(site) -> dict:
    return {"name": site.name, "province": site.province, "domain": site.domain,
            "family": site.family, "selectors": "own" if site.selectors else "-",
            "status": site.status if not site.merged_into else f"legacy → {site.merged_into}"}


def render_table(sites) -> str:
    rows = [_row(site) for site in sites]
    widths = {c: max([len(c)] + [len(r[c]) for r in rows]) for c in COLUMNS}
    lines = ["  ".join(c.ljust(widths[c]) for c in COLUMNS).rstrip()]
    lines.append("  ".join("-" * widths[c] for c in COLUMNS))
    lines += ["  ".join(r[c].ljust(widths[c]) for c in COLUMNS).rstrip() for r in rows]
    return "\n".join(lines)


def run(args) -> int:
    try:
        sites, errors = load_registry(args.file)
    except RegistryError as exc:
        raise CLIError(str(exc)) from None
    for error in errors:
        print(error, file=sys.stderr)
    ordered = sorted(sites.values(), key=lambda s: (s.status != "current", s.source_line))
    if args.format == "json":
        json.dump([site_record(s) for s in ordered], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print(render_table(ordered))
        current = sum(1 for s in ordered if s.status == "current")
        provinces = len({s.province for s in ordered if s.status == "current"})
        print(f"\n{len(ordered)} sites from {registry_path(args.file)}: {current} current papers "
              f"({provinces} provincial-level units), {len(ordered) - current} legacy archives"
              + (f"; {len(errors)} broken entries (see stderr)" if errors else ""))
    return 1 if errors else 0
