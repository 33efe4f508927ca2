"""The article body container -> paragraphs, images with captions, and the trailing byline.

One walk over the container turns it into blocks (a paragraph of text with what it looked
like: bold, italic, capitals, alignment, link share; or an image). The rules then read the
block list, never the tree again:

- ads, scripts, share bars, related boxes and hidden elements are never walked;
- a short centred/italic paragraph (or a figcaption) right after an image is that image's
  caption, and a trailing "Ảnh: X" in it is the image's credit;
- "Tin liên quan"/"Xem thêm" headings drop the link list that follows them; "Từ khóa",
  "Ý kiến bạn đọc", "Bình luận" end the body;
- the last short paragraph that is right-aligned, bold, in capitals or labelled ("Tin, ảnh:",
  "Theo ...") is the byline and leaves the body. All-caps subheadings before it stay;
- template text that was never rendered ("{{ item.title }}") is dropped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from crawler.extract.dom import NON_CONTENT, attrs_text, is_hidden, raw_text, tag_of, text_of
from crawler.normalize.text import clean_space, fold

BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "main", "header", "h1", "h2", "h3", "h4", "h5", "h6", "ul",
    "ol", "li", "dl", "dt", "dd", "blockquote", "pre", "table", "thead", "tbody", "tfoot", "tr",
    "td", "th", "center", "address", "hr", "caption", "details", "summary", "fieldset", "figure",
    "figcaption", "body", "html",
})
SKIP_TAGS = frozenset({"nav", "aside", "footer", "form", "ins", "audio", "video", "source", "track",
                       "map", "label", "dialog", "menu", "link", "meta"})
INLINE_TAGS = frozenset({"a", "span", "strong", "b", "em", "i", "u", "abbr", "font", "sup", "sub",
                         "small", "big", "mark", "cite", "q", "s", "del", "code", "time", "label"})
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Class/id words of things that are never article text (matched as whole words of class/id).
JUNK = re.compile(
    r"(?<![a-z0-9])(?:ads?|ads[a-z]+|adv|advert[a-z]*|adsense|banner[a-z]*|sda[a-z]*|rennab|qc|"
    r"quang-?cao|sponsor(?:ed)?|share[a-z]*|sharing|social[a-z]*|fb-like|zalo-share-button|"
    r"print|toolbar|related[a-z]*|relate[sd]?|tin-?lien-?quan|lien-?quan|tags?|tag-?list|"
    r"keywords?|tu-?khoa|comments?|binh-?luan|rating|vote|poll|newsletter|subscribe|"
    r"breadcrumbs?|audio|player|tts|texttospeech|readmore|read-more|xem-?them|see-?also|"
    r"more-?news|widget|hidden|d-none|hide)(?![a-z0-9])")
CAPTION_CLASS = re.compile(r"(?<![a-z0-9])(?:caption|pcaption|image-caption|img-caption|"
                           r"photo-caption|figcaption|chuthich|chu-thich|image_caption|desc_image)(?![a-z0-9])")
_RIGHT = re.compile(r"(?<![a-z0-9])(?:text-right|text-end|txt-right|align-right|alignright|tr|right|"
                    r"text-align-right|ta-right)(?![a-z0-9])")
_CENTER = re.compile(r"(?<![a-z0-9])(?:text-center|txt-center|align-center|aligncenter|tc|center|"
                     r"text-align-center|ta-center)(?![a-z0-9])")
_AUTHOR_HINT = re.compile(r"(?<![a-z0-9])(?:author[a-z-]*|byline|tac-?gia|signature|sign|"
                          r"nguon|source)(?![a-z0-9])")
_STYLE_ALIGN = re.compile(r"text-align\s*:\s*(right|center|end)", re.I)
_STYLE_BOLD = re.compile(r"font-weight\s*:\s*(?:bold|bolder|[6-9]00)", re.I)
_STYLE_ITALIC = re.compile(r"font-style\s*:\s*italic", re.I)
_CSS_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_CSS_CLASS = re.compile(r"\.([A-Za-z0-9_-]+)\s*$")
_NONWORD = re.compile(r"[\W_]+")
_TEMPLATE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
_PUNCT_ONLY = re.compile(r"^[\W_]*$")
_DATE_LINE = re.compile(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{4}|\d{4}-\d{2}-\d{2}")
_KEYWORDS_LINE = re.compile(r"^(?:từ khóa|từ khoá|tags?)\s*:\s*(.+)$", re.I)

# "… tại hội nghị. Ảnh: THUẬN VĂN", "(Ảnh: Reuters)": the credit at the end of a caption.
_CREDIT_WORDS = (r"ảnh minh họa|ảnh minh hoạ|ảnh tư liệu|ảnh chụp màn hình|nguồn ảnh|ảnh|"
                 r"nguồn|photo|đồ họa|đồ hoạ|video")
CREDIT_TAIL = re.compile(rf"(?:^|[\s,;–—-]+)\(?\s*(?:{_CREDIT_WORDS})\s*:\s*([^():]{{1,60}}?)\s*\)?\s*\.?\s*$",
                         re.I)
CREDIT_ONLY = re.compile(rf"^\(?\s*(?:{_CREDIT_WORDS})\s*:\s*(.{{1,60}}?)\s*\)?\s*\.?$", re.I)
_BYLINE_LABEL = re.compile(
    r"^(?:tin|bài|tin bài|bài viết|ghi chép|tin và ảnh|bài và ảnh|tin, ảnh|bài, ảnh|tin - ảnh|"
    r"bài - ảnh|tin/ảnh|bài/ảnh|tin & ảnh|bài & ảnh|nhóm pv|pv|ctv|tác giả|thực hiện|nhóm phóng viên)"
    r"\s*[:：]|^(?:theo|nguồn)\b", re.I)

RELATED_MARKERS = ("tin lien quan", "bai lien quan", "tin bai lien quan", "bai viet lien quan",
                   "tin cung chuyen muc", "cung chuyen muc", "xem them", "doc them", "tin khac",
                   "cac tin khac", "co the ban quan tam", "ban co the quan tam", "tin moi",
                   "tin moi nhat", "doc nhieu", "tin doc nhieu", "bai doc nhieu", "tin noi bat")
END_MARKERS = ("y kien ban doc", "binh luan", "y kien cua ban", "gui binh luan", "gui y kien",
               "tu khoa", "tags", "tag", "chia se", "chia se bai viet", "cac tin, bai da dua",
               "tin, bai da dua", "cac tin bai da dua", "bai cung chuyen muc",
               "bai viet cung chuyen muc")


# letters(): the characters of a text that are neither \W nor "_" (str.isalnum), counted without
# building a new string per word: ASCII ones through bytes.translate, the rest with a regex
# that only matches the rare non-ASCII punctuation (quotes, dashes, nbsp).
_NOT_ASCII_NONWORD = bytes(b for b in range(256) if b >= 128 or chr(b).isalnum())
_NONASCII_NONWORD = re.compile(r"[^\x00-\x7f\w]")


def letters(text: str) -> int:
    encoded = text.encode("utf-8", "surrogatepass")
    n = len(text) - len(encoded.translate(None, _NOT_ASCII_NONWORD))
    if len(encoded) != len(text):
        n -= len(_NONASCII_NONWORD.findall(text))
    return n


@dataclass
class Block:
    text: str = ""
    el: object = None
    letters: int = 0
    bold: int = 0
    italic: int = 0
    link: int = 0
    align: str | None = None
    heading: bool = False
    hint: str = ""
    caption: bool = False            # came from a figcaption / caption-class element
    images: list | None = None       # image records, for an image block

    @property
    def is_image(self) -> bool:
        return self.images is not None

    @property
    def link_share(self) -> float:
        return self.link / self.letters if self.letters else 0.0


@dataclass
class BodyResult:
    paragraphs: list[str] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    byline: str | None = None
    letters: int = 0
    link_letters: int = 0
    opening: str | None = None  # a first paragraph printed like a sapo (heading or all bold)
    tags: list[str] = field(default_factory=list)  # from a "Từ khóa: a, b" line ending the body
    blocks: int = 0          # text blocks walked
    link_blocks: int = 0     # of which bare links (teaser headlines on a listing)
    date_lines: int = 0      # of which short date lines ("Thời sự 16/12/2025 10:05" under a teaser)
    dropped: list[str] = field(default_factory=list)   # what was cut, for debugging


@dataclass(frozen=True)
class _State:
    bold: bool = False
    italic: bool = False
    link: bool = False
    align: str | None = None
    block: object = None
    hint: str = ""


def class_styles(style_elements) -> dict[str, set[str]]:
    """{class: {"right", "center", "bold", "italic"}} from inline <style> rules."""
    out: dict[str, set[str]] = {}
    for el in style_elements:
        css = el.text or ""
        if len(css) > 20000:
            continue
        for selectors, decl in _CSS_RULE.findall(css):
            flags = set()
            m = _STYLE_ALIGN.search(decl)
            if m:
                flags.add("center" if m.group(1).lower() == "center" else "right")
            if _STYLE_BOLD.search(decl):
                flags.add("bold")
            if _STYLE_ITALIC.search(decl):
                flags.add("italic")
            if not flags:
                continue
            for sel in selectors.split(","):
                m = _CSS_CLASS.search(sel.strip())
                if m:
                    out.setdefault(m.group(1), set()).update(flags)
    return out


def image_url(img, page) -> str | None:
    for attr in ("data-src", "data-original", "data-lazy-src", "data-lazy", "data-srcset",
                 "srcset", "src"):
        value = (img.get(attr) or "").strip()
        if attr.endswith("srcset") and value:
            value = value.split(",")[0].strip().split(" ")[0]
        if value and not value.startswith("data:"):
            return page.absolute(value)
    return None


def split_credit(text: str) -> tuple[str | None, str | None]:
    """'Caption. Ảnh: X' -> ('Caption.', 'X'); 'Ảnh minh họa' stays a caption."""
    text = clean_space(text)
    if not text:
        return None, None
    m = CREDIT_TAIL.search(text)
    if not m:
        return text, None
    credit = m.group(1).strip(" .,;-–—") or None
    caption = text[:m.start()].strip(" ,;-–—(") or None
    return caption, credit


class _Walker:
    def __init__(self, page, container, skip: list, styles: dict[str, set[str]]):
        self.page = page
        self.container = container
        self.skip_ids = {id(el) for el in skip}
        self._skip_alive = skip  # keep the proxies (and so their ids) alive
        self.styles = styles
        self.blocks: list[Block] = []
        self.pieces: list[tuple[str, _State]] = []
        self.total = max(1, len(raw_text(container)))

    def run(self) -> list[Block]:
        st = _State(block=self.container, hint=attrs_text(self.container))
        if self.container.text:
            self._add(self.container.text, st)
        for child in self.container:
            self._visit(child, st)
            if child.tail:
                self._add(child.tail, st)
        self._flush()
        return self.blocks

    # -- walking ------------------------------------------------------------------------
    def _junk(self, el, attrs: str) -> bool:
        if not JUNK.search(attrs):
            return False
        size = len(raw_text(el))
        return size < 300 or size < self.total * 0.5  # never drop most of the article

    def _visit(self, el, st: _State) -> None:
        tag = tag_of(el)
        if not tag or tag in NON_CONTENT or tag in SKIP_TAGS or id(el) in self.skip_ids:
            return
        if tag == "br":
            self._flush()
            return
        if is_hidden(el) or el.get("aria-hidden") == "true" and not (el.text or "").strip():
            return
        attrs = attrs_text(el)
        if attrs and tag not in INLINE_TAGS and self._junk(el, attrs):
            return  # (inline autolinks such as plo's <a class="cms-relate"> are text)
        if tag in ("img", "picture", "amp-img"):
            img = el if tag != "picture" else next(el.iter("img"), None)
            if img is not None:
                self._images([img], None, st)
            return
        captioned = bool(attrs) and bool(CAPTION_CLASS.search(attrs))
        if tag == "figure" or (tag == "table" and self._picture_table(el)) or (
                captioned and next(el.iter("img"), None) is not None):  # <div class="wp-caption"><img>…
            self._figure(el, st)
            return
        if tag == "figcaption" or captioned:
            self._flush()
            text = text_of(el)
            if text:
                self.blocks.append(Block(text=text, el=el, letters=letters(text), caption=True,
                                         hint=st.hint + " " + attrs))
            return
        st = self._style(el, tag, attrs, st)
        block = tag in BLOCK_TAGS
        if block:
            self._flush()
            st = _State(st.bold, st.italic, st.link, st.align, el, st.hint + " " + attrs)
        if el.text:
            self._add(el.text, st)
        for child in el:
            self._visit(child, st)
            if child.tail:
                self._add(child.tail, st)
        if block:
            self._flush()

    def _style(self, el, tag: str, attrs: str, st: _State) -> _State:
        bold, italic, link, align = st.bold, st.italic, st.link, st.align
        if tag in ("b", "strong") or tag in HEADINGS:
            bold = True
        elif tag in ("i", "em", "cite"):
            italic = True
        elif tag == "a":
            link = True
        style = el.get("style")
        if style:
            m = _STYLE_ALIGN.search(style)
            if m:
                align = "center" if m.group(1).lower() == "center" else "right"
            if _STYLE_BOLD.search(style):
                bold = True
            if _STYLE_ITALIC.search(style):
                italic = True
        value = (el.get("align") or "").lower()
        if value in ("right", "center"):
            align = value
        if attrs:
            if _RIGHT.search(attrs):
                align = "right"
            elif _CENTER.search(attrs):
                align = "center"
            for cls in (el.get("class") or "").split():
                flags = self.styles.get(cls)
                if flags:
                    bold = bold or "bold" in flags
                    italic = italic or "italic" in flags
                    if "right" in flags:
                        align = "right"
                    elif "center" in flags:
                        align = "center"
        if tag == "center":
            align = "center"
        return _State(bold, italic, link, align, st.block, st.hint)

    def _picture_table(self, table) -> bool:
        imgs = list(table.iter("img"))
        return bool(imgs) and len(imgs) <= 4 and len(text_of(table)) <= 500

    def _figure(self, el, st: _State) -> None:
        imgs = [img for img in el.iter("img") if not self._in_junk(img, el)]
        captions = [c for c in el.iter("figcaption")]
        if not captions:
            captions = [c for c in el.iter() if isinstance(c.tag, str) and c is not el
                        and CAPTION_CLASS.search(attrs_text(c))]
        if captions:
            caption = " ".join(text_of(c) for c in captions)
        else:
            caption = text_of(el)
        if imgs:
            self._images(imgs, caption or None, st)
        # A figure without a picture (an embedded video or tweet) is not article text.

    def _in_junk(self, el, stop) -> bool:
        for anc in el.iterancestors():
            if anc is stop:
                return False
            if JUNK.search(attrs_text(anc)):
                return True
        return False

    def _images(self, imgs, caption: str | None, st: _State) -> None:
        records = []
        for img in imgs:
            url = image_url(img, self.page)
            if not url:
                continue
            width, height = img.get("width") or "", img.get("height") or ""
            if (width.isdigit() and int(width) < 50) or (height.isdigit() and int(height) < 50):
                continue
            if url.split("?")[0].lower().endswith(".svg"):
                continue  # logos and icons; article photos are never SVG
            records.append({"url": url, "caption": None, "credit": None})
        if not records:
            return
        self._flush()
        block = Block(el=imgs[0], images=records, hint=st.hint)
        self.blocks.append(block)
        if caption:
            _set_caption(records, caption)

    # -- text ---------------------------------------------------------------------------
    def _add(self, text: str, st: _State) -> None:
        self.pieces.append((text, st))

    def _flush(self) -> None:
        if not self.pieces:
            return
        pieces, self.pieces = self.pieces, []
        text = clean_space("".join(p for p, _ in pieces))
        if not text:
            return
        block = Block(text=text)
        first = None
        for piece, st in pieces:
            n = letters(piece)
            if not n:
                continue
            first = first or st
            block.letters += n
            if st.bold:
                block.bold += n
            if st.italic:
                block.italic += n
            if st.link:
                block.link += n
        first = first or pieces[0][1]
        block.el = first.block
        block.align = first.align
        block.hint = first.hint
        block.heading = tag_of(first.block) in HEADINGS if first.block is not None else False
        self.blocks.append(block)


def _set_caption(records: list[dict], text: str) -> None:
    caption, credit = split_credit(text)
    for rec in records:
        if rec["caption"] is None and rec["credit"] is None:
            rec["caption"], rec["credit"] = caption, credit


def _marker(text: str) -> str | None:
    if len(text) > 60 and not text[:8].lower().startswith(("từ kh", "tu kh", "tag", "xem th", "đọc th",
                                                            "tin li", "bài li")):
        return None
    key = fold(text).rstrip(" :.>»›").strip()
    for marker in END_MARKERS:
        if key == marker or (key.startswith(marker + ":") or key.startswith(marker + " :")):
            return "end"
    if len(text) <= 60 and key in RELATED_MARKERS:
        return "related"
    head = key.split(":", 1)[0].strip() if ":" in key else None
    if head in RELATED_MARKERS:
        return "related-inline"
    return None


def _fold_head(text: str, n: int) -> str:
    """fold(text)[:n] without folding all of a long text. Folding works character by character
    except at the very end of what it is given (a trailing space is stripped, a last character
    may compose with the next), so the fold of a long enough head starts like the whole fold."""
    if len(text) > 2 * n + 64:
        head = fold(text[: 2 * n + 64])
        if len(head) >= n + 16:
            return head[:n]
    return fold(text)[:n]


def _sentence_like(text: str) -> bool:
    """Ends like prose ("… hội nghị.", "Vì sao?") rather than like a name or initials ("P.Y.")."""
    if text[-1] in "?!…:;":
        return True
    return text.endswith(".") and len(text) > 1 and text[-2].islower()


def _caps(text: str) -> bool:
    alpha = [c for c in text if c.isalpha()]
    return len(alpha) >= 3 and all(c.isupper() for c in alpha)


def byline_like(block: Block) -> bool:
    """The last short paragraph printed like a signature, not like a sentence."""
    text = block.text
    if not text or block.is_image or block.heading and not _caps(text):
        return False
    if CREDIT_ONLY.match(text):
        return False  # a photo credit, not who wrote the article
    labelled = bool(_BYLINE_LABEL.search(text))
    if len(text) > (120 if labelled else 70):
        return False
    if labelled:
        return True
    words = text.split()
    if len(words) > 10 or _sentence_like(text):
        return False
    right = block.align == "right" or bool(_AUTHOR_HINT.search(block.hint or ""))
    bold = block.letters > 0 and block.bold >= 0.8 * block.letters
    return right or bold or _caps(text)


def _caption_like(block: Block) -> bool:
    if block.is_image or block.heading or block.letters == 0 or len(block.text) > 400:
        return False
    if block.caption:
        return True
    if CREDIT_TAIL.search(block.text) and len(block.text) <= 300:
        return True
    italic = block.italic >= 0.8 * block.letters
    return block.align == "center" or italic or bool(CAPTION_CLASS.search(block.hint or ""))


def read_body(page, container, *, skip=(), lead: str | None = None) -> BodyResult:
    """Paragraphs, images and the trailing byline of one body container."""
    styles = class_styles(st for st in container.iter("style"))
    blocks = _Walker(page, container, list(skip), styles).run()
    result = BodyResult()

    # 1. Template text, captions and credits.
    kept: list[Block] = []
    pending: list[dict] = []     # images since the last paragraph
    last_captioned: list[dict] = []
    for block in blocks:
        if block.is_image:
            pending.extend(block.images)
            result.images.extend(block.images)
            continue
        if "{{" in block.text or "{%" in block.text:
            block.text = clean_space(_TEMPLATE.sub(" ", block.text))
            if _PUNCT_ONLY.match(block.text):
                result.dropped.append("template")
                continue
        uncaptioned = [r for r in pending if r["caption"] is None and r["credit"] is None]
        if uncaptioned and _caption_like(block):
            _set_caption(uncaptioned, block.text)
            last_captioned = uncaptioned
            pending = []
            continue
        credit = CREDIT_ONLY.match(block.text)
        if credit:  # "Ảnh: X" on its own line credits the picture above; it is never body text
            for rec in (pending or last_captioned):
                rec["credit"] = rec["credit"] or credit.group(1).strip(" .")
            pending = []
            result.dropped.append("credit")
            continue
        if block.caption:  # a caption with no picture left (the picture was an ad or a video)
            result.dropped.append("caption")
            continue
        pending, last_captioned = [], []
        kept.append(block)

    # 2. Related boxes and the end of the article.
    blocks, kept, skipping = kept, [], False
    for block in blocks:
        kind = _marker(block.text)
        if kind == "end":
            result.dropped.append(block.text[:40])
            m = _KEYWORDS_LINE.match(block.text)
            if m:  # "Từ khóa: Hạ Long, du lịch biển" printed at the end of the body
                result.tags = [t for t in (clean_space(x) for x in re.split(r"[,;]", m.group(1))) if t]
            break
        if kind == "related":
            skipping = True
            continue
        if kind == "related-inline" and block.link >= 0.5 * block.letters:
            result.dropped.append(block.text[:40])  # "Xem thêm: <a>another article</a>"
            continue
        if skipping and (block.link_share >= 0.6 or block.el is not None and tag_of(block.el) == "li"):
            continue
        skipping = False
        kept.append(block)

    # 3. The byline: the last paragraph, if it is printed like one (a source line may follow
    #    it). Bare links after it ("Xem thêm: <a>…</a>") do not count as the last paragraph.
    def link_only(block: Block) -> bool:
        return bool(block.letters) and block.link >= 0.9 * block.letters

    end = len(kept)
    while end and link_only(kept[end - 1]) and not byline_like(kept[end - 1]):
        end -= 1
    if end and byline_like(kept[end - 1]):
        last = kept.pop(end - 1)
        byline = last.text
        end -= 1
        if (end and last.text.lower().startswith(("nguồn", "theo")) and byline_like(kept[end - 1])
                and not _BYLINE_LABEL.search(kept[end - 1].text)):
            byline = kept.pop(end - 1).text + " " + byline
        result.byline = byline

    # 4. Link lists and bare links are navigation, not text.
    paragraphs = []
    lead_key = _fold_head(lead, 200) if lead else None
    result.blocks = len(kept)
    if kept and len(kept[0].text) >= 60 and (kept[0].heading or kept[0].bold >= 0.9 * kept[0].letters) \
            and not _caps(kept[0].text) and kept[0].link < 0.5 * kept[0].letters:
        result.opening = kept[0].text
    for block in kept:
        if len(block.text) <= 40 and _DATE_LINE.search(block.text):
            result.date_lines += 1
        if link_only(block):
            result.link_blocks += 1
            result.dropped.append("link:" + block.text[:30])
            continue
        if lead_key and not paragraphs and _fold_head(block.text, 200) == lead_key:
            continue
        paragraphs.append(block.text)
        result.letters += block.letters
        result.link_letters += block.link
    result.paragraphs = paragraphs
    return result
