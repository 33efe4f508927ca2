"""The structure layer: what any news page shows, whatever its CMS.

- the article's h1 (the one that matches the metadata headline when there are several);
- the densest block of paragraphs (text in <p> or bare <div> paragraphs, scored on their
  parent and, with less weight, their grand- and great-grandparents, links discounted);
- the article region: the smallest element holding both the title and the body. Dates, the
  lead, author elements and tags are looked for there, never in page chrome (header "today"
  bars, sidebars, related lists, footers) nor inside the body text itself.
"""
from __future__ import annotations

import re

from crawler.extract.body import JUNK
from crawler.extract.dom import Order, attrs_text, common_ancestor, is_inside, raw_text, tag_of, text_of
from crawler.normalize.text import clean_space, fold

CHROME_TAGS = frozenset({"nav", "aside", "footer", "form", "select", "button"})
CHROME = re.compile(
    r"(?<![a-z0-9])(?:side-?bar[a-z-]*|sub-col|col-right|col-left|right-col|left-col|related[a-z]*|"
    r"relate[sd]?|most[a-z-]*|hot-?news|box-?news|list-?news|news-?list|listing|menu[a-z]*|"
    r"footer[a-z]*|top-?bar|navbar|nav|site-header|header-top|top-header|comments?|widget|"
    r"tin-?lien-?quan|xem-?them|doc-?them|readmore|advert[a-z]*|banner[a-z]*|ads?|"
    r"weather|thoi-?tiet|today|clock|marquee|ticker|popup|modal)(?![a-z0-9])")
DATE_HINT = re.compile(
    r"(?<![a-z0-9])(?:date[a-z-]*|time[a-z-]*|datetime|pubdate|publish[a-z-]*|posted[a-z-]*|"
    r"post-?date|ngay[a-z-]*|thoi-?gian|timestamp|meta-?time|created?|update[a-z-]*|"
    r"[a-z-]*-(?:date|time|publish))(?![a-z0-9])")
LEAD_HINT = re.compile(
    r"(?<![a-z0-9])(?:[a-z_-]*sapo[a-z_-]*|lead|lead-?text|summary|[a-z_-]+-summary|description|"
    r"[a-z_-]*-desc|desc|chapeau|intro|excerpt|abstract|tom-?tat|init-?content|teaser)(?![a-z0-9])")
TAG_HINT = re.compile(r"(?<![a-z0-9])(?:[a-z_]*tags?|tag-?list|keywords?|tu-?khoa|[a-z]*-tags?|"
                      r"box-?tags?|block_tag|topics?)(?![a-z0-9])")
CATEGORY_HINT = re.compile(r"(?<![a-z0-9])(?:[a-z-]*category|[a-z-]*-cate|cate|chuyen-?muc|"
                           r"[a-z-]*-category)(?![a-z0-9])")
BREADCRUMB_HINT = re.compile(r"breadcrumb|bread-crumb|duong-dan")
_ABSOLUTE_DATE = re.compile(r"\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{2,4}|\d{4}-\d{2}-\d{2}|"
                            r"tháng\s*\d{1,2}|\d{1,2}\s+tháng", re.I)
_UPDATED = re.compile(r"^\s*(?:cập nhật|cap nhat|updated?|sửa|chỉnh sửa)", re.I)
HOME_WORDS = {"trang chu", "home", "trang nhat", "tin tuc", "trang chinh", "doc them", "xem them",
              "tin lien quan", "tin khac"}

GENERIC_AUTHOR = (".cms-author", "div.author-make", ".the-article-credit p.author",
                  ".article__author", ".article-author", ".author-name", ".author", ".byline",
                  ".tac-gia", ".tacgia", "[itemprop=author]", "a[rel=author]", "a[href*='/tac-gia/']")


class Chrome:
    """The article region's view of the page: memoised "is this element page chrome?" (teasers,
    sidebars, menus) and the document order of the region's elements."""

    def __init__(self, region, keep=()):
        self.region = region
        self.order = Order(region)
        self.keep = [k for k in keep if k is not None]   # elements whose ancestors are never chrome
        self._seen: dict[int, bool] = {}
        self._alive: list = []

    def _own(self, el) -> bool:
        tag = tag_of(el)
        if tag in CHROME_TAGS or tag == "a":
            return True
        if tag == "article" and not any(is_inside(k, el) for k in self.keep):
            return True  # a teaser <article> that does not hold our title or body
        attrs = attrs_text(el)
        return bool(attrs) and bool(CHROME.search(attrs)) and not any(is_inside(k, el) for k in self.keep)

    def __call__(self, el) -> bool:
        chain = []
        node = el
        while node is not None and node is not self.region:
            key = id(node)
            if key in self._seen:
                result = self._seen[key]
                break
            chain.append(node)
            node = node.getparent()
        else:
            result = False
        for item in reversed(chain):
            result = result or self._own(item)
            self._seen[id(item)] = result
            self._alive.append(item)
        return result


def choose_h1(page, headline: str | None):
    """The article's h1: the one like the metadata headline, else the first with real text."""
    h1s = [(h, text_of(h)) for h in page.h1s]
    h1s = [(h, t) for h, t in h1s if len(t) >= 8]
    if not h1s:
        return None
    if headline:
        key = fold(headline)
        for h, t in h1s:
            ft = fold(t)
            if ft == key or (len(ft) >= 20 and (ft.startswith(key[:40]) or key.startswith(ft[:40]))):
                return h
    # The logo is often an h1 holding the site name; prefer the h1 with the most words.
    return max(h1s, key=lambda ht: len(ht[1].split()))[0]


def densest_block(page):
    """The element holding the most paragraph text (links discounted), or None."""
    scores: dict[int, list] = {}
    skip_cache: dict[int, bool] = {}
    alive = []

    def excluded(el) -> bool:
        chain = []
        node = el.getparent()
        result = False
        depth = 0
        while node is not None and depth < 40:
            key = id(node)
            if key in skip_cache:
                result = skip_cache[key]
                break
            chain.append(node)
            tag = tag_of(node)
            if tag in CHROME_TAGS or tag == "a" or tag == "header" and depth > 3:
                result = True
                break
            attrs = attrs_text(node)
            if attrs and JUNK.search(attrs):  # not CHROME: vnexpress's main column is "sidebar-1"
                result = True
                break
            node = node.getparent()
            depth += 1
        for item in chain:
            skip_cache[id(item)] = result
        alive.extend(chain)
        return result

    for el in page.body.iter("p", "div", "td", "pre", "blockquote"):
        tag = el.tag
        if tag in ("div", "td"):
            # a bare <div> paragraph: its own text, no block children
            if not (el.text and len(el.text.strip()) >= 25):
                continue
            if any(isinstance(c.tag, str) and c.tag in ("div", "p", "table", "ul", "ol", "section",
                                                        "article", "h2", "h3") for c in el):
                continue
        text = raw_text(el).strip()
        n = len(text)
        if n < 25:
            continue
        linked = sum(len(raw_text(a)) for a in el.iter("a"))
        if linked > n * 0.5 or excluded(el):
            continue
        score = n - linked + 20 * text.count(",")
        node, weight = el.getparent(), 1.0
        for _ in range(3):
            if node is None:
                break
            entry = scores.get(id(node))
            if entry is None:
                scores[id(node)] = entry = [node, 0.0]
            entry[1] += score * weight
            node = node.getparent()
            weight = 0.5 if weight == 1.0 else 1 / 3
    if not scores:
        return None
    best = max(scores.values(), key=lambda e: e[1])
    return best[0] if best[1] >= 140 else None


def region_of(page, h1, body_el):
    """The smallest element holding the title and the body (never the whole <body>)."""
    if h1 is None and body_el is None:
        return None
    region = common_ancestor(h1, body_el) if h1 is not None and body_el is not None else None
    if region is None or tag_of(region) in ("body", "html"):
        anchor = h1 if h1 is not None else body_el
        region = anchor.getparent()
        for _ in range(2):
            parent = region.getparent() if region is not None else None
            if parent is None or tag_of(parent) in ("body", "html"):
                break
            region = parent
    return region


def _distance(chrome, el, anchor) -> int:
    if anchor is None:
        return chrome.order(el)
    return abs(chrome.order(el) - chrome.order(anchor))


def visible_dates(page, region, body_el, h1, chrome) -> list:
    """Date-line elements near the title (not in the body, not chrome), nearest first."""
    if region is None:
        return []
    found = []
    for el in region.iter():
        tag = el.tag
        if not isinstance(tag, str):
            continue
        if tag != "time":
            attrs = attrs_text(el)
            if not attrs or not DATE_HINT.search(attrs):
                continue
        if body_el is not None and is_inside(el, body_el):
            continue
        text = text_of(el)
        if not text or len(text) > 120 or not _ABSOLUTE_DATE.search(text) and not el.get("datetime"):
            continue
        if chrome(el):
            continue
        found.append(el)
    found.sort(key=lambda e: _distance(chrome, e, h1))
    return found


def is_update_line(text: str) -> bool:
    return bool(_UPDATED.match(text))


def find_lead(page, region, body_el, h1, chrome):
    """A sapo element near the title (outside the body), else the first h2 after the title."""
    if region is None:
        return None
    order = chrome.order
    h1_pos = order(h1)
    hinted, h2s = [], []
    for el in region.iter():
        tag = el.tag
        if not isinstance(tag, str) or tag in ("meta", "script", "style", "img", "a", "span", "time"):
            continue
        if body_el is not None and (el is body_el or is_inside(el, body_el)):
            continue
        if h1 is not None and is_inside(el, h1):
            continue
        attrs = attrs_text(el) + " " + (el.get("data-slot") or "").lower()
        if LEAD_HINT.search(attrs) or (el.get("itemprop") or "").lower() == "description":
            hinted.append(el)
        elif tag == "h2" and order(el) > h1_pos:
            h2s.append(el)
    for group in (hinted, h2s):
        best = None
        for el in sorted(group, key=lambda e: _distance(chrome, e, h1)):
            text = text_of(el)
            if len(text) < 30 or chrome(el):
                continue
            if group is h2s and body_el is not None and order(el) > order(body_el):
                continue  # an h2 after the body starts is a related-news heading
            best = el
            break
        if best is not None:
            return best
    return None


def join_names(texts) -> str | None:
    """Author element texts as one byline; a text already contained in another is dropped
    (plo prints "THUẬN VĂN - LÊ ÁNH" in the header and each name again below the body)."""
    kept: list[str] = []
    for text in texts:
        if not text or len(text) > 100:
            continue
        key = fold(text)
        if any(key in fold(k) for k in kept):
            continue
        kept = [k for k in kept if fold(k) not in key]
        kept.append(text)
    return ", ".join(kept) or None


def find_author_elements(page, region, body_el, chrome, selectors=GENERIC_AUTHOR) -> tuple[str | None, list]:
    """(text, elements) of the first author selector with a short visible match in the region."""
    scope = region if region is not None else body_el
    if scope is None:
        return None, []
    for selector in selectors:
        texts, elements = [], []
        for el in page.select(selector, scope):
            if tag_of(el) == "meta" or any(is_inside(el, other) for other in elements):
                continue
            parent = el.getparent()
            if region is not None and parent is not None and chrome(parent) and not is_inside(el, body_el):
                continue
            text = text_of(el)
            if not text or len(text) > 100:
                continue
            texts.append(text)
            elements.append(el)
        if texts:
            return join_names(texts), elements
    return None, []


def find_tags(page, region) -> list[str]:
    if region is None:
        return []
    for el in region.iter():
        if not isinstance(el.tag, str) or el.tag in ("meta", "a", "script", "style"):
            continue
        attrs = attrs_text(el)
        if not attrs or not TAG_HINT.search(attrs):
            continue
        items = [c for c in el.iter("a", "span", "strong", "li") if not len(c) or c.tag == "a"]
        tags = []
        for c in items:
            text = clean_space(text_of(c).lstrip("#"))
            key = fold(text).rstrip(":")
            if not text or len(text) > 80 or key in ("tu khoa", "tags", "tag", "chu de", "tu khoa lien quan"):
                continue
            if text not in tags:
                tags.append(text)
        if tags:
            return tags
    return []


def link_text(el) -> str:
    """A category link's text; "KINH TẾ" printed in capitals reads as its title "Kinh tế"."""
    text = text_of(el)
    if not text.isupper():
        return text
    title = clean_space(el.get("title") or "")
    if title and fold(title) == fold(text):
        return title
    # "VĂN HÓA - XÃ HỘI" -> "Văn hóa - Xã hội": each part capitalised like a section name.
    parts = re.split(r"(\s+[-–—/|,]\s+|,\s*)", text.lower())
    return "".join(p[:1].upper() + p[1:] for p in parts)


def find_category(page, region) -> str | None:
    candidates = list(page.breadcrumbs[:1])
    if region is not None:
        for el in region.iter():
            if isinstance(el.tag, str) and CATEGORY_HINT.search(attrs_text(el)):
                candidates.append(el)
                break
    for el in candidates:
        links = [link_text(a) for a in el.iter("a")] or [text_of(el)]
        links = [t for t in links if t and fold(t) not in HOME_WORDS and len(t) <= 60]
        if links:
            return links[0]
    return None
