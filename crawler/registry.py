"""The site registry: crawler/sites.toml (or $BAOTINH_SITES) -> Site objects.

Each [sites.NAME] table is parsed on its own, so one broken entry is reported with its file
and line while every other site still loads.
"""
from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_REGISTRY = Path(__file__).with_name("sites.toml")
KNOWN_FAMILIES = {"content-detail", "article-cms", "content-fck", "b-maincontent",
                  "article-content", "singular-content", "generic"}
_HEADER = re.compile(r"^\s*\[sites\.([A-Za-z0-9_-]+)\]\s*(?:#.*)?$")


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


def _entry_chunks(text: str) -> list[tuple[str, int, str]]:
    """Split the file at [sites.NAME] headers: (name, first line number, chunk text)."""
    chunks, current, start, lines = [], None, 0, []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _HEADER.match(line)
        if match:
            if current:
                chunks.append((current, start, "\n".join(lines)))
            current, start, lines = match.group(1), number, []
        elif current:
            # Sub-tables keep working when parsed alone: [sites.X.selectors] -> [selectors].
            sub = re.match(rf"^\s*\[sites\.{re.escape(current)}\.([A-Za-z0-9_.-]+)\]", line)
            lines.append(f"[{sub.group(1)}]" if sub else line)
    if current:
        chunks.append((current, start, "\n".join(lines)))
    return chunks


def _tuple(value, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ValueError(f"{key} must be a string or a list of strings")


def _build_site(name: str, data: dict, line: int) -> Site:
    for key in ("newspaper", "province", "base_url"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise ValueError(f"missing {key}")
    domains = _tuple(data.get("domains") or data.get("domain"), "domains")
    if not domains:
        raise ValueError("missing domain")
    base = urlsplit(data["base_url"])
    if base.scheme not in ("http", "https") or not base.netloc:
        raise ValueError(f"base_url {data['base_url']!r} is not an http(s) URL")
    family = data.get("family", "generic")
    if family not in KNOWN_FAMILIES:
        raise ValueError(f"unknown family {family!r} (known: {', '.join(sorted(KNOWN_FAMILIES))})")
    for key in ("article_pattern", "listing_pattern"):
        if data.get(key) is not None:
            try:
                re.compile(data[key])
            except re.error as exc:
                raise ValueError(f"{key} is not a valid regular expression: {exc}") from None
    return Site(
        name=name, newspaper=data["newspaper"].strip(), province=data["province"].strip(),
        domains=domains, base_url=data["base_url"], family=family,
        former_provinces=_tuple(data.get("former_provinces"), "former_provinces"),
        listings=_tuple(data.get("listings"), "listings") or ("/",),
        sitemaps=_tuple(data.get("sitemaps"), "sitemaps"), rss=_tuple(data.get("rss"), "rss"),
        article_pattern=data.get("article_pattern", Site.article_pattern),
        listing_pattern=data.get("listing_pattern"),
        selectors=dict(data.get("selectors") or {}), politeness=dict(data.get("politeness") or {}),
        coverage=dict(data.get("coverage") or {}), robots_override=data.get("robots_override"),
        source_line=line,
    )


def load_registry(path: str | Path | None = None) -> tuple[dict[str, Site], list[str]]:
    """Every usable site, and one message per broken entry ("FILE:LINE: site X: problem")."""
    path = Path(path or os.environ.get("BAOTINH_SITES") or DEFAULT_REGISTRY)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryError(f"{path}: cannot read the sites file: {exc}") from None
    sites, errors = {}, []
    for name, line, chunk in _entry_chunks(text):
        try:
            data = tomllib.loads(chunk)
        except tomllib.TOMLDecodeError as exc:
            lineno = getattr(exc, "lineno", None)
            where = line + lineno if lineno else line
            errors.append(f"{path}:{where}: site {name}: bad TOML: {getattr(exc, 'msg', exc)}")
            continue
        try:
            site = _build_site(name, data, line)
        except ValueError as exc:
            errors.append(f"{path}:{line}: site {name}: {exc}")
            continue
        if name in sites:
            errors.append(f"{path}:{line}: site {name}: defined twice (first at line {sites[name].source_line})")
            continue
        sites[name] = site
    return sites, errors


def load_sites(path: str | Path | None = None) -> dict[str, Site]:
    return load_registry(path)[0]


def get_site(name: str, path: str | Path | None = None) -> Site:
    sites, errors = load_registry(path)
    if name in sites:
        return sites[name]
    broken = [e for e in errors if f": site {name}:" in e]
    if broken:
        raise RegistryError(broken[0])
    raise RegistryError(f"unknown site {name!r}; known sites: {', '.join(sorted(sites)) or 'none'}")


def site_for_url(url: str, sites: dict[str, Site] | None = None) -> Site | None:
    host = (urlsplit(url).hostname or "").lower()
    for site in (sites if sites is not None else load_sites()).values():
        if any(host == d or host.endswith("." + d) for d in site.domains):
            return site
    return None
