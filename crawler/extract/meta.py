"""The page-metadata layer: JSON-LD (NewsArticle, @graph, lists), article:/og: meta, microdata.

Everything here comes from the elements Page collected in its one pass; nothing scans the tree.
Values are returned as printed (NFC, whitespace collapsed); dates stay strings for the caller
to compare with parse_date.
"""
from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field

from crawler.extract.dom import Page, tag_of, text_of
from crawler.normalize.text import clean_space, fold

log = logging.getLogger(__name__)

ARTICLE_TYPES = {"newsarticle", "article", "reportagenewsarticle", "analysisnewsarticle",
                 "opinionnewsarticle", "backgroundnewsarticle", "reviewnewsarticle", "blogposting",
                 "liveblogposting", "report", "scholarlyarticle", "techarticle", "socialmediaposting"}
_LIST_TYPES = {"itemlist", "collectionpage", "searchresultspage"}
_PUBLISHED_META = ("article:published_time", "og:article:published_time", "article:published",
                   "og:published_time", "pubdate", "publishdate", "publish-date", "publish_date",
                   "dc.date.issued", "dcterms.issued", "dcterms.created", "dc.date", "date",
                   "sailthru.date", "parsely-pub-date", "datepublished")
_MODIFIED_META = ("article:modified_time", "og:updated_time", "og:article:modified_time",
                  "lastmod", "last-modified", "dcterms.modified", "datemodified")
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_URLISH = re.compile(r"^(?:https?:)?//|^www\.|\.(?:vn|com|net|org)(?:/|$)", re.I)


@dataclass
class Metadata:
    props: dict = field(default_factory=dict)       # meta property/name/itemprop (lower) -> [values]
    canonical: str | None = None
    article: dict = field(default_factory=dict)     # the page's JSON-LD NewsArticle (or {})
    ld_list_only: bool = False                      # JSON-LD describes a list of articles
    breadcrumbs: list = field(default_factory=list)
    site_names: list = field(default_factory=list)
    body_elements: list = field(default_factory=list)  # [itemprop=articleBody] elements
    micro: dict = field(default_factory=dict)       # microdata itemprop -> first visible value

    def first(self, *keys: str) -> str | None:
        for key in keys:
            for value in self.props.get(key, ()):
                value = clean_space(value)
                if value:
                    return value
        return None

    def all(self, key: str) -> list[str]:
        return [v for v in (clean_space(x) for x in self.props.get(key, ())) if v]

    # -- fields ---------------------------------------------------------------------------
    def title(self) -> str | None:
        return (self.ld_text("headline") or self.first("og:title", "twitter:title", "title")
                or self.ld_text("name"))

    def description(self) -> str | None:
        return self.first("og:description", "description", "twitter:description") or self.ld_text("description")

    def published_candidates(self) -> list[tuple[str, str]]:
        """Machine publication values, most trusted first: [(source, value)]."""
        out = []
        value = self.ld_text("datePublished")
        if value:
            out.append(("jsonld", value))
        for key in _PUBLISHED_META:
            for value in self.all(key):
                out.append((key, value))
        if self.micro.get("datepublished"):
            out.append(("itemprop", self.micro["datepublished"]))
        return out  # (dateCreated is when the CMS record was made: vtcnews's is the day before)

    def modified(self) -> str | None:
        return (self.ld_text("dateModified") or self.first(*_MODIFIED_META)
                or self.micro.get("datemodified"))

    def section(self) -> str | None:
        value = self.article.get("articleSection")
        if isinstance(value, list):
            value = next((v for v in value if isinstance(v, str) and v.strip()), None)
        section = clean_space(value) if isinstance(value, str) else None
        section = section or self.first("article:section", "articlesection") or self.micro.get("articlesection")
        if section and "," in section:
            section = section.split(",")[0].strip()
        return section or None

    def keywords(self) -> list[str]:
        tags = self.all("article:tag")
        if len(tags) == 1 and "," in tags[0]:
            tags = tags[0].split(",")
        if not tags:
            value = self.article.get("keywords")
            if isinstance(value, list):
                tags = [v for v in value if isinstance(v, str)]
            elif isinstance(value, str):
                tags = value.split(",")
        if not tags:
            value = self.first("news_keywords", "keywords")
            tags = value.split(",") if value else []
        out = []
        for tag in (clean_space(t) for t in tags):
            if tag and tag not in out:
                out.append(tag)
        return out

    def language(self) -> str | None:
        value = self.ld_text("inLanguage") or self.first("content-language", "og:locale", "language")
        return value

    def authors(self) -> list[str]:
        """Author values from JSON-LD, meta and microdata: people only, as far as we can tell."""
        values: list[str] = []
        for person in _as_list(self.article.get("author")) + _as_list(self.article.get("creator")):
            if isinstance(person, dict):
                kinds = {t.lower() for t in _as_list(person.get("@type")) if isinstance(t, str)}
                if kinds & {"organization", "newsmediaorganization", "corporation"}:
                    continue
                person = person.get("name")
            if isinstance(person, str):
                values.append(person)
        values += self.all("author") + self.all("dable:author") + self.all("article:author")
        values += self.all("byl") + self.all("parsely-author") + self.all("sailthru.author")
        if self.micro.get("author"):
            values.append(self.micro["author"])
        own = {site_core(n) for n in self.site_names}
        out, seen = [], set()
        for value in values:
            value = clean_space(value)
            key = fold(value)
            if not value or key in seen or site_core(value) in own or _URLISH.search(value):
                continue
            seen.add(key)
            out.append(value)
        return out

    def ld_text(self, key: str) -> str | None:
        value = self.article.get(key)
        if isinstance(value, list):
            value = next((v for v in value if isinstance(v, str) and v.strip()), None)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        return clean_space(value) if isinstance(value, str) and value.strip() else None


_CORE_AFFIXES = re.compile(r"^(?:bao dien tu|bao|tap chi|trang tin)\s+|\s+(?:dien tu|online)$|"
                           r"\.(?:com\.vn|org\.vn|vn|com|net|org)$")


def site_core(name: str) -> str:
    """'Báo điện tử VTC News', 'vtcnews.vn' -> 'vtcnews': how a site's names compare."""
    key = fold(name)
    for _ in range(3):
        key = _CORE_AFFIXES.sub("", key).strip()
    return re.sub(r"[^a-z0-9]", "", key)


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _types(obj: dict) -> set[str]:
    return {t.lower().rsplit("/", 1)[-1] for t in _as_list(obj.get("@type")) if isinstance(t, str)}


def _load_json(text: str):
    text = text.strip()
    if text.startswith("<!--"):
        text = text[4:]
    if text.endswith("-->"):
        text = text[:-3]
    text = text.replace("<![CDATA[", "").replace("]]>", "").strip().rstrip(";")
    for attempt in (text, _TRAILING_COMMA.sub(r"\1", text)):
        try:
            return json.loads(attempt, strict=False)
        except (ValueError, RecursionError):
            continue
    return None


def _walk_ld(node, in_list: bool, found: list, crumbs: list, depth: int = 0) -> None:
    if depth > 8:
        return
    if isinstance(node, list):
        for item in node:
            _walk_ld(item, in_list, found, crumbs, depth + 1)
        return
    if not isinstance(node, dict):
        return
    types = _types(node)
    if types & ARTICLE_TYPES:
        found.append((node, in_list))
    if "breadcrumblist" in types:
        crumbs.extend(_crumb_names(node.get("itemListElement")))
    nested_list = in_list or bool(types & _LIST_TYPES)
    for key in ("@graph", "mainEntity", "itemListElement", "hasPart"):
        if key in node and "breadcrumblist" not in types:
            _walk_ld(node[key], nested_list or key == "itemListElement", found, crumbs, depth + 1)
    if "item" in node and in_list:
        _walk_ld(node["item"], True, found, crumbs, depth + 1)


def _crumb_names(items) -> list[str]:
    names = []
    for item in _as_list(items):
        if isinstance(item, list):
            names += _crumb_names(item)
            continue
        if not isinstance(item, dict):
            continue
        name = item.get("name")
        inner = item.get("item")
        if not name and isinstance(inner, dict):
            name = inner.get("name")
        if isinstance(name, str) and name.strip():
            names.append(clean_space(name))
    return names


def _same_page(obj: dict, urls: set[str]) -> bool:
    for key in ("url", "@id", "mainEntityOfPage"):
        value = obj.get(key)
        if isinstance(value, dict):
            value = value.get("@id") or value.get("url")
        if isinstance(value, str) and value.split("#")[0].rstrip("/") in urls:
            return True
    return False


def read_metadata(page: Page) -> Metadata:
    meta = Metadata()
    props = meta.props
    for el in page.metas:
        key = el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv")
        content = el.get("content")
        if key and content is not None:
            props.setdefault(key.strip().lower(), []).append(content)
    for el in page.links:
        rel = (el.get("rel") or "").lower().split()
        if "canonical" in rel and el.get("href") and meta.canonical is None:
            meta.canonical = page.absolute(el.get("href"))
    title = page.doc.find(".//title")
    if title is not None and title.text:
        props.setdefault("title", []).append(title.text)

    found: list = []
    for script in page.ld_scripts:
        data = _load_json(script.text or "")
        if data is None:
            log.debug("unreadable JSON-LD on %s", page.url)
            continue
        _walk_ld(data, False, found, meta.breadcrumbs)
        for obj in (data if isinstance(data, list) else [data]):
            if isinstance(obj, dict):
                for org in _as_list(obj.get("publisher")) + ([obj] if _types(obj) & {
                        "organization", "newsmediaorganization", "website"} else []):
                    if isinstance(org, dict) and isinstance(org.get("name"), str):
                        meta.site_names.append(clean_space(org["name"]))
    own = [a for a, in_list in found if not in_list]
    if own:
        urls = {u.split("#")[0].rstrip("/") for u in (page.url, meta.canonical) if u}
        meta.article = next((a for a in own if _same_page(a, urls)), own[0])
        publisher = meta.article.get("publisher")
        if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
            meta.site_names.append(clean_space(publisher["name"]))
    elif found:
        meta.ld_list_only = True

    for el in page.itemprops:
        prop = el.get("itemprop").strip().lower()
        if tag_of(el) == "meta":
            continue  # already in props
        if prop == "articlebody":
            meta.body_elements.append(el)
            continue
        if prop in meta.micro:
            continue
        value = el.get("datetime") or el.get("content")
        if prop == "author":
            names = [n for n in el.iter() if (n.get("itemprop") or "").lower() == "name"]
            value = (names[0].get("content") or text_of(names[0])) if names else value or text_of(el)
        elif not value and prop in ("datepublished", "datemodified", "headline", "articlesection",
                                    "description", "keywords"):
            value = text_of(el)
        if value:
            meta.micro[prop] = clean_space(value)

    for key in ("og:site_name", "application-name", "apple-mobile-web-app-title", "twitter:site"):
        for value in meta.all(key):
            meta.site_names.append(value.lstrip("@"))
    return meta
