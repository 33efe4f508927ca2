"""The parsed page and the small DOM helpers every layer shares.

The document is parsed once (lxml, comments dropped); one pass over it collects what the
metadata layer and the structure layer need (meta/link/script/h1/time/itemprop elements), so
no layer scans the whole tree again. CSS selectors from the registry are compiled to XPath once
per process.
"""
from __future__ import annotations

import logging
import re
import threading
from bisect import bisect_right
from functools import lru_cache
from itertools import accumulate
from urllib.parse import urljoin

import lxml.etree
from cssselect import HTMLTranslator, SelectorError

from crawler.normalize.text import clean_space

log = logging.getLogger(__name__)

_TRANSLATOR = HTMLTranslator()
# Plain etree elements: lxml.html's element classes cost a Python call per element visited.
_PARSER = lxml.etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True,
                                default_doctype=False, no_network=True)
_STRING = lxml.etree.XPath("string()", smart_strings=False)
NON_CONTENT = frozenset({"script", "style", "noscript", "template", "svg", "math", "head", "title",
                         "iframe", "object", "embed", "canvas", "select", "option", "textarea",
                         "button", "input"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*>", re.I)


class BadSelector(ValueError):
    pass


@lru_cache(maxsize=2048)
def compile_css(selector: str) -> lxml.etree.XPath:
    """CSS -> compiled XPath (cached). Raises BadSelector for CSS cssselect cannot read."""
    try:
        return lxml.etree.XPath(_TRANSLATOR.css_to_xpath(selector))
    except (SelectorError, lxml.etree.XPathError, TypeError) as exc:
        raise BadSelector(f"{selector!r}: {exc}") from None


_CLASS_OR_ID = re.compile(r"([.#])(-?[_a-zA-Z][\w-]*)")


@lru_cache(maxsize=2048)
def _required_tokens(selector: str) -> tuple[str, ...]:
    """Classes and ids every match of a selector needs (none for selector lists, to stay safe)."""
    if "," in selector or ":not(" in selector or "\\" in selector:
        return ()
    out = []
    for kind, name in _CLASS_OR_ID.findall(re.sub(r"\[[^\]]*\]", "", selector)):
        out.append(name if kind == "." else "#" + name)
    return tuple(out)


# A selector whose first compound is a tag (or *) with classes/ids only, e.g. ".article__tags a",
# "div.article__body.cms-body", "#content-detail + .author": its matches all hang off the
# elements that carry the first class/id, which Page finds without running XPath over the tree.
_FIRST_COMPOUND = re.compile(r"\s*(?:[a-zA-Z][a-zA-Z0-9]*|\*)?((?:[.#]-?[_a-zA-Z][\w-]*)+)(?=[\s>+~]|$)")


@lru_cache(maxsize=2048)
def _anchored(selector: str):
    """("." or "#", name, XPath of the selector from an anchor element itself) or None."""
    if "," in selector or "\\" in selector:
        return None
    m = _FIRST_COMPOUND.match(selector)
    if not m:
        return None
    kind, name = _CLASS_OR_ID.match(m.group(1)).groups()
    try:
        xpath = lxml.etree.XPath(_TRANSLATOR.css_to_xpath(selector, prefix="self::"))
    except (SelectorError, lxml.etree.XPathError, TypeError):
        return None
    return kind, name, xpath


def _has_ancestor(el, root) -> bool:
    for anc in el.iterancestors():
        if anc is root:
            return True
    return False


def select(root, selector: str) -> list:
    """Elements under (and including) root matching one CSS selector; [] for a bad selector."""
    if root is None:
        return []
    try:
        found = compile_css(selector)(root)
    except BadSelector as exc:
        log.warning("bad selector %s", exc)
        return []
    return [el for el in found if isinstance(el.tag, str)]


def tag_of(el) -> str:
    tag = el.tag
    return tag.lower() if isinstance(tag, str) else ""


def attrs_text(el) -> str:
    """'class id' in lower case: what the chrome patterns look at."""
    cls, ident = el.get("class"), el.get("id")
    if cls and ident:
        return f"{cls} {ident}".lower()
    return (cls or ident or "").lower()


def raw_text(el) -> str:
    """All text under an element, scripts included (fast, for sizes and link shares)."""
    return _STRING(el) if el is not None else ""


def is_hidden(el) -> bool:
    style = el.get("style")
    return bool((style and _HIDDEN_STYLE.search(style)) or el.get("hidden") is not None)


def iter_text(el):
    """Text pieces of el, skipping scripts, styles and other non-content subtrees."""
    if el.text and tag_of(el) not in NON_CONTENT:
        yield el.text
    for child in el:
        if isinstance(child.tag, str) and tag_of(child) not in NON_CONTENT:
            yield from iter_text(child)
        if child.tail:
            yield child.tail


_NON_CONTENT_TAGS = tuple(sorted(NON_CONTENT))


_LOCAL = threading.local()


class text_cache:
    """Within this block (one page's extraction, this thread) text_of computes each element's
    text once: the layers ask for the same elements' text again and again. The tree must not
    change inside the block."""

    def __enter__(self):
        self._outer = getattr(_LOCAL, "texts", None)
        _LOCAL.texts = {}
        return self

    def __exit__(self, *exc):
        _LOCAL.texts = self._outer
        return False


def text_of(el) -> str:
    """Visible text of an element, NFC, whitespace collapsed ('' for None)."""
    if el is None:
        return ""
    cache = getattr(_LOCAL, "texts", None)
    if cache is None:
        return _text_of(el)
    text = cache.get(el)
    if text is None:
        text = cache[el] = _text_of(el)  # (the key keeps the element's proxy, so its identity, alive)
    return text


def _text_of(el) -> str:
    if tag_of(el) in NON_CONTENT:
        return ""
    # No script/style/... below: every text node counts, and XPath string() joins them in C.
    # (The parser lower-cases tag names and drops comments and processing instructions.)
    if next(el.iter(*_NON_CONTENT_TAGS), None) is None:
        return clean_space(_STRING(el))
    return clean_space("".join(iter_text(el)))


def is_inside(el, container) -> bool:
    if el is None or container is None:
        return False
    if el is container:
        return True
    for anc in el.iterancestors():
        if anc is container:
            return True
    return False


def common_ancestor(a, b):
    if a is None:
        return b
    if b is None:
        return a
    # lxml keeps one proxy per node while it is referenced: hold the chain so ids stay valid.
    chain = [a, *a.iterancestors()]
    ids = {id(x) for x in chain}
    if id(b) in ids:
        return b
    for anc in b.iterancestors():
        if id(anc) in ids:
            return anc
    return None


_BREADCRUMBS = lxml.etree.XPath(
    "//body//*[contains(@class, 'readcrumb') or contains(@id, 'readcrumb')"
    " or contains(@class, 'READCRUMB')]")
_SPECIAL_TAGS = ("meta", "link", "script", "h1", "base", "body", "style")


class Page:
    """One parsed document plus the elements the layers look up (found in C-level passes)."""

    def __init__(self, text: str, url: str):
        self.url = url
        text = _XML_DECL.sub("", text, count=1)
        doc = lxml.etree.fromstring(text.encode("utf-8", "surrogatepass"), parser=_PARSER)
        if doc is None or not isinstance(doc.tag, str):
            raise ValueError("no document")
        self.doc = doc
        self.metas: list = []        # <meta> elements, document order
        self.links: list = []        # <link> elements
        self.ld_scripts: list = []   # <script type=application/ld+json>
        self.h1s: list = []
        self.styles: list = []       # <style> elements in <body> (inline rules, e.g. .t1 {text-align:right})
        self.base = url
        self.lang = (doc.get("lang") or doc.get("xml:lang") or "").strip()
        body = None
        for el in doc.iter(*_SPECIAL_TAGS):
            tag = el.tag
            if tag == "meta":
                self.metas.append(el)
            elif tag == "link":
                self.links.append(el)
            elif tag == "script":
                if "ld+json" in (el.get("type") or "").lower():
                    self.ld_scripts.append(el)
            elif tag == "h1":
                self.h1s.append(el)
            elif tag == "base" and el.get("href"):
                self.base = urljoin(url, el.get("href").strip())
            elif tag == "body" and body is None:
                body = el
            elif tag == "style" and body is not None:
                self.styles.append(el)
        self.body = body if body is not None else doc
        # One walk (cheaper than an XPath per attribute): the elements with itemprop, class, id,
        # in document order, and their class and id values.
        self.itemprops: list = []        # elements with itemprop
        self._classes: list = []         # class values, document order
        self._class_elements: list = []  # their elements
        self._ids: list = []
        self._id_elements: list = []
        for el in doc.iter(lxml.etree.Element):
            attrib = el.attrib
            if not attrib:
                continue
            value = attrib.get("class")
            if value is not None:
                self._classes.append(value)
                self._class_elements.append(el)
            value = attrib.get("id")
            if value is not None:
                self._ids.append(value)
                self._id_elements.append(el)
            if "itemprop" in attrib:
                self.itemprops.append(el)
        self._breadcrumbs: list | None = None
        self._class_starts: list | None = None
        # Every class and id on the page: a selector that needs another one cannot match.
        self.tokens: set = set(" ".join(self._classes).split())
        self.tokens.update("#" + i.strip() for i in self._ids)
        self._anchors: dict = {}

    @property
    def breadcrumbs(self) -> list:
        """Elements whose class or id says "breadcrumb" (looked up on first use)."""
        if self._breadcrumbs is None:
            # (tokens hold no spaces, so one search over them joined finds the same)
            wanted = "readcrumb" in " ".join(self.tokens).lower()
            self._breadcrumbs = _BREADCRUMBS(self.doc) if wanted else []
        return self._breadcrumbs

    def may_match(self, selector: str) -> bool:
        """False when the selector names a class or id that is nowhere on the page."""
        return all(token in self.tokens for token in _required_tokens(selector))

    def select(self, selector: str, root=None) -> list:
        """CSS select on the page (or under root), skipping selectors that cannot match."""
        if not self.may_match(selector):
            return []
        plan = _anchored(selector)
        if plan is None:
            return select(self.doc if root is None else root, selector)
        kind, name, xpath = plan
        anchors = self._anchored_elements(kind, name)
        if anchors is None:
            return select(self.doc if root is None else root, selector)
        if root is not None and root is not self.doc:
            anchors = [a for a in anchors if a is root or _has_ancestor(a, root)]
        found = None
        for anchor in anchors:
            matches = xpath(anchor)
            if matches:
                if found is not None:
                    # Matches from two anchors: XPath over the tree merges them in document order.
                    return select(self.doc if root is None else root, selector)
                found = matches
        if found is None:
            return []
        return [el for el in found if isinstance(el.tag, str)]

    def _anchored_elements(self, kind: str, name: str) -> list | None:
        """Elements whose class list holds name (kind ".") or whose id is name ("#"), in
        document order: a superset of those XPath's class/id tests accept. None if unknown."""
        key = kind + name
        found = self._anchors.get(key)
        if found is None:
            if kind == ".":
                found = [self._class_elements[i] for i in self._class_holders(name)]
            else:
                found = [el for el, value in zip(self._id_elements, self._ids) if value == name]
            self._anchors[key] = found
        return found

    def _class_holders(self, name: str) -> list[int]:
        """Indexes of the class values that hold name as a whole word (str.find over them all)."""
        classes = self._classes
        if self._class_starts is None:
            self._joined_classes = "\n".join(classes)  # (a name never holds a line break)
            self._class_starts = list(accumulate((len(v) + 1 for v in classes[:-1]), initial=0))
        joined, starts = self._joined_classes, self._class_starts
        out: list[int] = []
        pos = joined.find(name)
        while pos != -1:
            i = bisect_right(starts, pos) - 1
            if (not out or out[-1] != i) and name in classes[i].split():
                out.append(i)
            pos = joined.find(name, pos + 1)
        return out

    def absolute(self, href: str | None) -> str | None:
        if not href:
            return None
        href = href.strip()
        if not href or href.startswith(("data:", "javascript:", "about:", "#")):
            return None
        try:
            return urljoin(self.base, href)
        except ValueError:
            return None



class Order:
    """Document positions of the elements under one root (the article region), computed once."""

    def __init__(self, root):
        self._pos = {el: i for i, el in enumerate(root.iter())} if root is not None else {}

    def __call__(self, el) -> int:
        return self._pos.get(el, -1) if el is not None else -1
