"""The site registry: crawler/sites.toml (or $BAOTINH_SITES) -> Site objects.

Each [sites.NAME] table is parsed on its own, so one broken entry (bad TOML, an unknown key or
family, a missing domain, a selector that is not CSS) is reported with its file and line while
every other site still loads. docs/sites.md documents every key.

The file is read once per process and again only when it changes (mtime/size), so looking a
URL up for every page of a crawl costs a dictionary walk, not a TOML parse.
"""
from __future__ import annotations

import math
import os
import re
import threading
import tomllib
from importlib import resources
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from cssselect import GenericTranslator, SelectorError

from crawler.extract.families import FAMILIES, FIELDS

DEFAULT_REGISTRY = Path(__file__).with_name("sites.toml")
KNOWN_FAMILIES = set(FAMILIES) | {"generic"}
SELECTOR_FIELDS = FIELDS
# Politeness overrides spiders/base.py applies (download_delay never below 1 s there).
POLITENESS_KEYS = {"download_delay": float, "concurrency": int, "autothrottle_max_delay": float}
STATUSES = ("current", "legacy")
# The article fields the pipelines count (crawler.pipelines.COUNTED_FIELDS): in a site's
# `coverage` table these keys are health-check thresholds (crawler/monitoring.py), checked here
# as monitoring.as_fraction reads them. Kept in step by tests/test_registry.py; not imported, so
# that loading the registry does not import Scrapy.
THRESHOLD_FIELDS = ("title", "lead", "body", "published_at", "modified_at", "authors", "source", "byline_raw",
                    "category", "tags", "images")
KNOWN_KEYS = {
    "newspaper", "province", "former_provinces", "domains", "domain", "base_url", "family",
    "listings", "sitemaps", "rss", "article_pattern", "listing_pattern", "selectors", "politeness",
    "coverage", "robots_override", "status", "merged_into", "notes",
}
_HEADER = re.compile(r"^\s*\[\s*sites\.([A-Za-z0-9_-]+)\s*\]\s*(?:#.*)?$")
_SUBTABLE = re.compile(r"^\s*\[\s*sites\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_.-]+)\s*\]\s*(?:#.*)?$")
_ANY_TABLE = re.compile(r"^\s*\[[^\[\]\"']*\]\s*(?:#.*)?$")
_TOML_AT = re.compile(r"\s*\(at line (\d+), column \d+\)")
_HOST = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_CSS = GenericTranslator()


class RegistryError(Exception):
    """A registry entry that cannot be used; str() names the file and line."""


@dataclass(frozen=True)
class Site:
    name: str
    newspaper: str
    province: str
    domains: tuple[str, ...]
    base_url: str
    family: str = "generic"
    former_provinces: tuple[str, ...] = ()
    listings: tuple[str, ...] = ("/",)
    sitemaps: tuple[str, ...] = ()
    rss: tuple[str, ...] = ()
    article_pattern: str = r"\.html?$"
    listing_pattern: str | None = None
    selectors: dict = field(default_factory=dict, compare=False, hash=False)
    politeness: dict = field(default_factory=dict, compare=False, hash=False)
    coverage: dict = field(default_factory=dict, compare=False, hash=False)
    robots_override: str | None = None
    source_line: int = 0
    status: str = "current"          # "legacy": the archive of a paper merged into another
    merged_into: str | None = None   # for a legacy paper, the registry name of today's paper
    notes: str | None = None

    @property
    def domain(self) -> str:
        return self.domains[0]

    @property
    def own_names(self) -> list[str]:
        """Names under which the site credits itself (never an author)."""
        return [self.newspaper, f"{self.newspaper} điện tử", f"{self.newspaper} Online", *self.domains]

    def as_row(self) -> dict:
        return {"name": self.name, "newspaper": self.newspaper, "province": self.province,
                "former_province": ", ".join(self.former_provinces) or None,
                "domain": self.domain, "base_url": self.base_url, "family": self.family}


class _EntryError(ValueError):
    """A problem in one entry; `key` lets the loader point at the key's own line."""

    def __init__(self, message: str, key: str | None = None):
        super().__init__(message)
        self.key = key


@dataclass
class _Chunk:
    name: str | None       # None: text that belongs to no [sites.NAME] table
    line: int              # line of the header (0 for the preamble)
    lines: list[str] = field(default_factory=list)
    first_body_line: int = 0


def _chunks(text: str) -> tuple[list[_Chunk], list[tuple[int, str]]]:
    """Split the file at [sites.NAME] headers. Also returns (line, problem) for stray tables."""
    chunks = [_Chunk(None, 0, first_body_line=1)]
    stray: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        current = chunks[-1]
        header = _HEADER.match(line)
        if header:
            chunks.append(_Chunk(header.group(1), number, first_body_line=number + 1))
            continue
        sub = _SUBTABLE.match(line)
        if sub and current.name == sub.group(1):
            # Sub-tables keep working when parsed alone: [sites.X.selectors] -> [selectors].
            current.lines.append(f"[{sub.group(2)}]")
            continue
        if _ANY_TABLE.match(line):
            stray.append((number, f"table {line.strip()} is not [sites.NAME] or a sub-table of the "
                                  f"site above it; its keys are ignored"))
            chunks.append(_Chunk(None, number, first_body_line=number + 1))
            continue
        current.lines.append(line)
    return chunks, stray


def _key_line(chunk: _Chunk, key: str | None) -> int:
    """The file line where `key` (or "table.key") is set in a chunk, else the header line.

    For "table.key" the key's own line is found in a [table] sub-table or as a dotted key
    (table.key = ...); otherwise the line that opens the table (or its inline table)."""
    if not key:
        return chunk.line
    head, _, sub = key.partition(".")
    if sub:
        sub = sub.split(".")[0]
        dotted = re.compile(rf"^\s*{re.escape(head)}\s*\.\s*{re.escape(sub)}\s*=")
        table = re.compile(rf"^\s*\[\s*{re.escape(head)}\s*\]")
        in_table = False
        for offset, line in enumerate(chunk.lines):
            if dotted.match(line) or (in_table and re.match(rf"^\s*{re.escape(sub)}\s*=", line)):
                return chunk.first_body_line + offset
            if line.lstrip().startswith("["):
                in_table = bool(table.match(line))
    pattern = re.compile(rf"^\s*(?:{re.escape(head)}\s*[=.]|\[{re.escape(head)}\])")
    for offset, line in enumerate(chunk.lines):
        if pattern.match(line):
            return chunk.first_body_line + offset
    return chunk.line


def _tuple(value, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise _EntryError(f"{key} must be a string or a list of strings", key)


def _selectors(value) -> dict[str, list[str]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _EntryError("selectors must be a table of field = CSS selector(s)", "selectors")
    out = {}
    for fname, css in value.items():
        if fname not in SELECTOR_FIELDS:
            raise _EntryError(f"selectors.{fname} is not a field (fields: {', '.join(SELECTOR_FIELDS)})",
                              "selectors")
        css_list = list(_tuple(css, f"selectors.{fname}"))
        for selector in css_list:
            try:
                _CSS.css_to_xpath(selector)
            except (SelectorError, TypeError, ValueError) as exc:
                raise _EntryError(f"selectors.{fname}: {selector!r} is not CSS cssselect can read ({exc})",
                                  "selectors") from None
        out[fname] = css_list
    return out


def _politeness(value) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _EntryError("politeness must be a table", "politeness")
    out = {}
    for key, number in value.items():
        kind = POLITENESS_KEYS.get(key)
        if kind is None:
            raise _EntryError(f"politeness.{key} is not a setting (settings: {', '.join(POLITENESS_KEYS)})",
                              "politeness")
        if isinstance(number, bool) or not isinstance(number, (int, float)) or number <= 0 or (
                kind is int and not float(number).is_integer()):
            raise _EntryError(f"politeness.{key} must be a positive {'whole ' if kind is int else ''}number",
                              "politeness")
        out[key] = kind(number)
    return out


def _coverage(value) -> dict:
    """The site's coverage table: keys that are counted fields must be usable thresholds, a
    fraction from 0 to 1 or a percentage up to 100 (what crawler.monitoring.as_fraction
    accepts); other keys (`since = 2012`, notes) are kept as they are."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _EntryError("coverage must be a table", "coverage")
    for name, number in value.items():
        if name not in THRESHOLD_FIELDS:
            continue
        if isinstance(number, bool) or not isinstance(number, (int, float)) or not math.isfinite(number) \
                or not 0 <= number <= 100:
            raise _EntryError(f"coverage.{name} = {number!r} is not a threshold: give a fraction from 0 to 1 "
                              f"or a percentage up to 100 (0 switches the check off)", f"coverage.{name}")
    return dict(value)


def _text(data: dict, key: str, required: bool = False) -> str | None:
    value = data.get(key)
    if value is None:
        if required:
            raise _EntryError(f"missing {key}", None)
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise _EntryError(f"{key} must be {'a non-empty' if required else 'a'} string", key)
    return value.strip()


def _build_site(name: str, data: dict, line: int) -> Site:
    unknown = sorted(set(data) - KNOWN_KEYS)
    if unknown:
        raise _EntryError(f"unknown key {unknown[0]!r} (see docs/sites.md for the keys)", unknown[0])
    newspaper = _text(data, "newspaper", required=True)
    province = _text(data, "province", required=True)
    base_url = _text(data, "base_url", required=True)
    if "domains" in data and "domain" in data:
        raise _EntryError("give domains or domain, not both", "domain")
    domains = tuple(d.strip().lower().rstrip(".") for d in _tuple(data.get("domains", data.get("domain")), "domains"))
    if not domains:
        raise _EntryError("missing domain", None)
    for domain in domains:
        if not _HOST.match(domain):
            raise _EntryError(f"domain {domain!r} is not a host name (no scheme, port or path)", "domains")
    base = urlsplit(base_url)
    if base.scheme not in ("http", "https") or not base.netloc:
        raise _EntryError(f"base_url {base_url!r} is not an http(s) URL", "base_url")
    family = data.get("family", "generic")
    if family not in KNOWN_FAMILIES:
        raise _EntryError(f"unknown family {family!r} (known: {', '.join(sorted(KNOWN_FAMILIES))})", "family")
    for key in ("article_pattern", "listing_pattern"):
        if data.get(key) is not None:
            if not isinstance(data[key], str):
                raise _EntryError(f"{key} must be a string (a regular expression)", key)
            try:
                re.compile(data[key])
            except re.error as exc:
                raise _EntryError(f"{key} is not a valid regular expression: {exc}", key) from None
    status = data.get("status", "current")
    if status not in STATUSES:
        raise _EntryError(f"status must be one of {', '.join(STATUSES)}", "status")
    merged_into = _text(data, "merged_into")
    if merged_into and status != "legacy":
        raise _EntryError("merged_into is for legacy papers (status = \"legacy\")", "merged_into")
    coverage = _coverage(data.get("coverage"))
    return Site(
        name=name, newspaper=newspaper, province=province, domains=domains, base_url=base_url,
        family=family,
        former_provinces=_tuple(data.get("former_provinces"), "former_provinces"),
        listings=_tuple(data.get("listings"), "listings") or ("/",),
        sitemaps=_tuple(data.get("sitemaps"), "sitemaps"), rss=_tuple(data.get("rss"), "rss"),
        article_pattern=data.get("article_pattern", Site.article_pattern),
        listing_pattern=data.get("listing_pattern"),
        selectors=_selectors(data.get("selectors")), politeness=_politeness(data.get("politeness")),
        coverage=coverage, robots_override=_text(data, "robots_override"),
        source_line=line, status=status, merged_into=merged_into, notes=_text(data, "notes"),
    )


def _parse(path: Path, text: str) -> tuple[dict[str, Site], list[str]]:
    sites: dict[str, Site] = {}
    errors: list[str] = []
    chunks, stray = _chunks(text)
    for number, problem in stray:
        errors.append(f"{path}:{number}: {problem}")
    entries: dict[str, _Chunk] = {}
    for chunk in chunks:
        body = "\n".join(chunk.lines)
        try:
            data = tomllib.loads(body)
        except tomllib.TOMLDecodeError as exc:
            # Python < 3.14 gives the position only in the message: "... (at line 2, column 5)".
            match = _TOML_AT.search(str(exc))
            lineno = getattr(exc, "lineno", None) or (int(match.group(1)) if match else None)
            where = chunk.first_body_line + lineno - 1 if lineno else chunk.line
            label = f"site {chunk.name}: " if chunk.name else ""
            message = _TOML_AT.sub("", getattr(exc, "msg", None) or str(exc)).strip()
            errors.append(f"{path}:{where}: {label}bad TOML: {message}")
            continue
        if chunk.name is None:
            if data and chunk.line == 0:
                errors.append(f"{path}:{_key_line(chunk, next(iter(data)))}: keys before the first "
                              f"[sites.NAME] table are ignored")
            continue
        try:
            site = _build_site(chunk.name, data, chunk.line)
        except _EntryError as exc:
            errors.append(f"{path}:{_key_line(chunk, exc.key)}: site {chunk.name}: {exc}")
            continue
        if chunk.name in sites:
            errors.append(f"{path}:{chunk.line}: site {chunk.name}: defined twice "
                          f"(first at line {sites[chunk.name].source_line})")
            continue
        sites[chunk.name] = site
        entries[chunk.name] = chunk
    for name, site in list(sites.items()):
        if site.merged_into and site.merged_into not in sites:
            errors.append(f"{path}:{_key_line(entries[name], 'merged_into')}: site {name}: merged_into "
                          f"{site.merged_into!r} is not a site in this registry")
            del sites[name]
    return sites, errors


_CACHE: dict[Path, tuple[tuple, dict, list]] = {}
_LOCK = threading.Lock()


def registry_path(path: str | Path | None = None) -> Path:
    return Path(path or os.environ.get("BAOTINH_SITES") or DEFAULT_REGISTRY)


def load_registry(path: str | Path | None = None) -> tuple[dict[str, Site], list[str]]:
    """Every usable site, and one message per broken entry ("FILE:LINE: site X: problem")."""
    path = registry_path(path)
    try:
        try:
            stat = path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
        except NotADirectoryError:
            if path != DEFAULT_REGISTRY:
                raise
            stamp = ("package data",)  # inside a zipped egg (Scrapyd): read it from the package
        with _LOCK:
            cached = _CACHE.get(path)
        if cached and cached[0] == stamp:
            return dict(cached[1]), list(cached[2])
        if stamp == ("package data",):
            text = resources.files("crawler").joinpath("sites.toml").read_text(encoding="utf-8-sig")
        else:
            text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryError(f"{path}: cannot read the sites file: {exc}") from None
    sites, errors = _parse(path, text)
    with _LOCK:
        _CACHE[path] = (stamp, sites, errors)
    return dict(sites), list(errors)


def load_sites(path: str | Path | None = None) -> dict[str, Site]:
    return load_registry(path)[0]


def load_problems(errors: list[str]) -> str:
    """The registry's load errors in one clause: the first (FILE:LINE: problem) and how many."""
    if not errors:
        return ""
    if len(errors) == 1:
        return f"the sites file has an error: {errors[0]}"
    return f"the sites file has {len(errors)} errors (`baotinh sites` lists them), the first: {errors[0]}"


def unknown_site_message(name: str, sites: dict[str, Site], errors: list[str]) -> str:
    """Why `name` is not a usable site: its own broken entry if it has one, else "unknown site"
    with the known names and, when the file had errors, the first of them (a broken header
    can hide every site after it)."""
    broken = [e for e in errors if f": site {name}:" in e]
    if broken:
        return broken[0] + (f" ({len(errors)} errors in the sites file)" if len(errors) > 1 else "")
    message = f"unknown site {name!r}; known sites: {', '.join(sorted(sites)) or 'none'}"
    return f"{message}; {load_problems(errors)}" if errors else message


def get_site(name: str, path: str | Path | None = None) -> Site:
    sites, errors = load_registry(path)
    if name in sites:
        return sites[name]
    raise RegistryError(unknown_site_message(name, sites, errors))


def site_for_url(url: str, sites: dict[str, Site] | None = None) -> Site | None:
    """The site whose domain matches the URL's host; the most specific domain wins
    (dongkhoi.baovinhlong.vn is Báo Đồng Khởi's archive, not Báo Vĩnh Long)."""
    try:
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return None
    if not host:
        return None
    best, best_len = None, -1
    for site in (sites if sites is not None else load_sites()).values():
        for domain in site.domains:
            if (host == domain or host.endswith("." + domain)) and len(domain) > best_len:
                best, best_len = site, len(domain)
    return best
