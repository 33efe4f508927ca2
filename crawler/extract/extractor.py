"""The layers, in order, for one page: site selectors -> CMS family rules -> page metadata -> structure.

Each field takes the first layer that gives it a value, with two exceptions written down in
the modules that implement them: the publication date (published.py: machine values checked
against the visible date line) and the byline (a visible byline beats meta values, which often
name the site).
"""
from __future__ import annotations

import logging
import re

import lxml.etree

from crawler.extract import body as body_rules
from crawler.extract import structure
from crawler.extract.decode import decode_body
from crawler.extract.dom import Page, is_inside, raw_text, tag_of, text_cache, text_of
from crawler.extract.families import FAMILIES
from crawler.extract.meta import read_metadata
from crawler.extract.published import choose_published
from crawler.normalize.text import clean_space, fold

log = logging.getLogger(__name__)

_TITLE_SEPARATORS = re.compile(r"\s+[|–—-]\s+|\s*\|\s*")
_SITE_WORDS = re.compile(r"(?:^|\s)(?:báo|bao|news|online|điện tử|tin tức|tạp chí|newspaper)(?:\s|$)|"
                         r"\.(?:vn|com|net|org)\b", re.I)
_LANG = re.compile(r"[a-z]{2,3}")
MIN_BODY_LETTERS = 200


def empty_result() -> dict:
    return {
        "title": None, "lead": None, "body": "", "published_raw": None, "modified_raw": None,
        "byline_raw": None, "author_meta": [], "canonical_url": None, "category": None, "tags": [],
        "images": [], "language": "vi", "is_article": False, "family": None, "problems": [],
    }


def _selector_list(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, str)]
    return []


class Layers:
    """The rule sets that apply to a page: the site's own selectors, then its CMS family."""

    def __init__(self, page: Page, site):
        self.page = page
        self.sets: list[tuple[str, dict]] = []
        if site is not None and getattr(site, "selectors", None):
            self.sets.append((f"site:{site.name}", {k: _selector_list(v) for k, v in site.selectors.items()}))
        family = getattr(site, "family", None)
        if family in FAMILIES:
            self.sets.append((family, FAMILIES[family]))
        self.detected = False

    def detect(self) -> None:
        """Add the first CMS family whose signature is on the page (once)."""
        if self.detected:
            return
        self.detected = True
        known = {name for name, _ in self.sets}
        for name, rules in FAMILIES.items():
            if name in known:
                continue
            if any(self.page.select(sig) for sig in rules.get("signature", ())):
                self.sets.append((name, rules))
                return

    def first(self, field: str, *, within=None, pick=None, reject=None):
        """(element, layer name) of the first selector match of a field, or (None, None)."""
        for name, rules in self.sets:
            for selector in rules.get(field, ()):
                found = self.page.select(selector)
                if within is not None:
                    found = [el for el in found if is_inside(el, within)] or found
                if reject is not None:
                    found = [el for el in found if not reject(el)]
                if pick is not None:
                    found = pick(found)
                for el in found:
                    if text_of(el):
                        return el, name
        return None, None

    def all(self, field: str, within=None) -> list:
        for _name, rules in self.sets:
            for selector in rules.get(field, ()):
                found = [el for el in self.page.select(selector) if text_of(el)]
                if within is not None:
                    found = [el for el in found if is_inside(el, within)] or found
                if found:
                    return found
        return []

    def removals(self, container) -> list:
        out = []
        for _name, rules in self.sets:
            for selector in rules.get("remove", ()):
                out += [el for el in self.page.select(selector, container) if el is not container]
        return out


def _largest(elements):
    elements = [el for el in elements if el is not None]
    if not elements:
        return []
    return [max(elements, key=lambda el: len(raw_text(el)))]


def _strip_site_suffix(title: str | None, names: list[str]) -> str | None:
    if not title:
        return None
    title = clean_space(title)
    keys = {fold(n) for n in names if n}
    parts = _TITLE_SEPARATORS.split(title)
    while len(parts) > 1:
        tail = parts[-1]
        if fold(tail) in keys or _SITE_WORDS.search(tail) or any(k and k in fold(tail) for k in keys):
            title = title[: title.rfind(tail)].rstrip(" |–—-")
            parts = parts[:-1]
        else:
            break
    return clean_space(title) or None


def _language(page: Page, meta) -> str:
    for value in (page.lang, meta.language()):
        if value:
            m = _LANG.match(value.strip().lower())
            if m:
                return m.group(0)
    return "vi"


def _home(text: str) -> bool:
    return fold(text) in structure.HOME_WORDS


def extract(body: bytes, url: str, headers=None, site=None) -> dict:
    with text_cache():
        return _extract(body, url, headers, site)


def _extract(body: bytes, url: str, headers=None, site=None) -> dict:
    result = empty_result()
    decoded = decode_body(body, headers)
    problems = result["problems"] = list(decoded.problems)
    if decoded.text is None:
        return result
    try:
        page = Page(decoded.text, url)
    except (lxml.etree.LxmlError, ValueError) as exc:
        problems.append(f"not_html {type(exc).__name__}")
        return result
    meta = read_metadata(page)
    layers = Layers(page, site)
    own_names = list(meta.site_names) + (list(site.own_names) if site is not None else [])

    body_el, result["family"] = _body_container(page, meta, layers)
    title_el, result["title"] = _title(page, meta, layers, own_names)
    region = structure.region_of(page, title_el, body_el)
    chrome = structure.Chrome(region, keep=[title_el, body_el])

    lead_el, _ = layers.first("lead", within=region)
    if lead_el is None:
        lead_el = structure.find_lead(page, region, body_el, title_el, chrome)
    lead = text_of(lead_el) if lead_el is not None else None

    # Byline elements: the site's/family's author selectors, else the generic author elements.
    author_els = layers.all("author", within=region)
    in_body = [el for el in author_els if body_el is not None and is_inside(el, body_el)]
    outside = [el for el in author_els if not any(el is b for b in in_body)]
    # An author element by the title wins; a signature inside the body counts only when it is
    # the only one (the last such signature). Either way none of them stays in the body text.
    author_text = structure.join_names(text_of(el) for el in (outside or in_body[-1:]))
    generic_text, generic_els = None, []
    if author_text is None:
        generic_text, generic_els = structure.find_author_elements(page, region, body_el, chrome)

    read = None
    if body_el is not None:
        skip = layers.removals(body_el) + [el for el in author_els + generic_els if is_inside(el, body_el)]
        if lead_el is not None and is_inside(lead_el, body_el):
            skip.append(lead_el)
        read = body_rules.read_body(page, body_el, skip=skip, lead=lead)
        if lead is None and read.paragraphs and read.opening == read.paragraphs[0]:
            lead = read.paragraphs.pop(0)  # the sapo printed as the body's first, bold paragraph
    paragraphs = read.paragraphs if read is not None else []
    result["body"] = "\n\n".join(paragraphs)
    seen: set[str] = set()
    result["images"] = [img for img in (read.images if read is not None else [])
                        if not (img["url"] in seen or seen.add(img["url"]))]
    if lead is None:
        description = meta.description()
        if description and not _repeats_body(description, paragraphs):
            lead = description
    result["lead"] = lead or None
    result["byline_raw"] = author_text or (read.byline if read is not None else None) or generic_text
    result["author_meta"] = meta.authors()

    published, modified, date_problems = _dates(page, meta, layers, region, body_el, title_el, chrome)
    result["published_raw"], result["modified_raw"] = published, modified
    problems.extend(date_problems)

    result["canonical_url"] = meta.canonical or page.absolute(meta.first("og:url"))
    result["language"] = _language(page, meta)
    result["category"] = _category(layers, page, region, meta)
    result["tags"] = _tags(layers, page, region, meta, read.tags if read is not None else [])
    result["is_article"] = _is_article(result, meta, read)
    if not result["is_article"]:
        problems.append("not_article")
    elif result["byline_raw"] is None and not result["author_meta"]:
        problems.append("no_byline")
    return result


def _body_container(page, meta, layers):
    """(element, layer name): site/family selectors, a detected family, itemprop, densest block."""
    body_el, family = layers.first("body", pick=_largest)
    if body_el is None:
        layers.detect()
        body_el, family = layers.first("body", pick=_largest)
    if body_el is not None and len(text_of(body_el)) < 50:
        body_el = None
    if body_el is None and meta.body_elements:
        return _largest(meta.body_elements)[0], "metadata"
    if body_el is None:
        body_el = structure.densest_block(page)
        family = "structure" if body_el is not None else None
    return body_el, family


def _title(page, meta, layers, own_names):
    """(the title element or None, the title): the article's h1, else og:title without the site."""
    headline = _strip_site_suffix(meta.title(), own_names)
    title_el, _ = layers.first("title")
    if title_el is None:
        title_el = structure.choose_h1(page, headline)
    title = text_of(title_el) if title_el is not None else None
    return title_el, title or headline


def _dates(page, meta, layers, region, body_el, title_el, chrome):
    """(published_raw, modified_raw, problems): machine values checked against the date line."""
    date_el, _ = layers.first("date", within=region, reject=lambda el: chrome(el) or (
        body_el is not None and is_inside(el, body_el)))
    visible_els = [date_el] if date_el is not None else []
    visible_els += structure.visible_dates(page, region, body_el, title_el, chrome)
    machine = [value for _source, value in meta.published_candidates()]
    machine += [el.get("datetime") for el in visible_els if el.get("datetime")]
    visible, updated = [], []
    for el in visible_els:
        text = text_of(el)
        if text:
            (updated if structure.is_update_line(text) else visible).append(text)
    published, problems = choose_published(machine, visible, url=page.url)
    return published, meta.modified() or (updated[0] if updated else None), problems


def _repeats_body(description: str, paragraphs: list[str]) -> bool:
    key = fold(description).rstrip(". …").rstrip(".")
    start = fold(" ".join(paragraphs[:3]))
    return not key or key[:60] in start or start[:60] in key


def _category(layers, page, region, meta) -> str | None:
    texts = [structure.link_text(el) for el in layers.all("category", within=region)]
    texts = [t for t in texts if t and not _home(t) and len(t) <= 60]
    if texts:
        return texts[0]  # the section, not the sub-section
    return (structure.find_category(page, region) or meta.section()
            or next((c for c in reversed(meta.breadcrumbs) if not _home(c)), None))


def _tags(layers, page, region, meta, body_tags) -> list[str]:
    found = layers.all("tags", within=region)
    tags = []
    for el in found:
        text = clean_space(text_of(el).lstrip("#"))
        if text and text not in tags and len(text) <= 80:
            tags.append(text)
    return tags or structure.find_tags(page, region) or body_tags or meta.keywords()


def _is_article(result: dict, meta, read) -> bool:
    """False for listings, home pages and video hubs: teaser links and no article of their own."""
    if read is None or not result["title"]:
        return False
    dated = result["published_raw"] is not None
    teasers = (read.link_blocks >= 3 and read.link_blocks >= 0.2 * read.blocks) or read.date_lines >= 2
    listing_signs = (meta.first("og:type") or "").lower() == "website" or meta.ld_list_only or not dated
    if teasers and listing_signs and not meta.article:
        return False
    if read.letters < MIN_BODY_LETTERS:
        return bool(meta.article) and dated  # a short photo or video story that says it is an article
    return read.link_letters <= 0.5 * read.letters
