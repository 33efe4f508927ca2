"""Bylines -> people: "Bài, ảnh: TRÍ DŨNG" -> Byline(authors=("Trí Dũng",)).

Researchers count and group articles by author, so a byline must become the names of the people
who wrote the article and nothing else: no site name, no photo credit, no news agency. Generic
extractors get this wrong (they report "Báo Lào Cai điện tử" as the author), so the rules here
follow what provincial papers actually print (see /work/shared/notes/vi-formats.md, section B):

    "Tin, ảnh: P.Y"                  -> authors ("P.Y",)
    "THUẬN VĂN - LÊ ÁNH"             -> authors ("Thuận Văn", "Lê Ánh")
    "VĂN DŨNG (TTXVN)", "ĐỨC ANH/TTXVN", "Thu Hà (Theo VOV)" -> the person, source "TTXVN"/"VOV"
    "Theo TTXVN", "Nguồn: baochinhphu.vn" -> no author, source only
    "Bài: Minh Anh - Ảnh: Hồng Khanh" -> authors ("Minh Anh",), photo_credits ("Hồng Khanh",)

Decisions worth knowing:
- authors and photo_credits are tuples (Byline is immutable); merge_authors returns a list.
- Names are NFC and title-cased only when printed in capitals; initials ("P.Y", "B.NG") and
  vowel-less abbreviations ("TP") stay as printed. Desk credits ("PV", "Nhóm PV", "CTV") are
  kept as printed: they are what the paper signed, but they are not people to title-case.
- A name glued to a paper's code by a bare hyphen ("Chí Linh-BBL") gives the author "Chí Linh"
  and the source "BBL": the code is what the text credits; whether it is the crawled site itself
  is the caller's knowledge (site_names), not the parser's. An explicit "Nguồn: ..." wins over it.
- Photo credits keep agencies too ("Ảnh: Reuters" -> photo_credits ("Reuters",)); a photo's
  source is not the article's source, so it never sets `source`.
- Anything that is not a name, a known credit form or an outlet rejects the whole byline
  (problem "not_a_name"): a byline slot holding prose must yield no author rather than a
  fragment of a sentence.

Pure functions, no Scrapy imports, and total: any input gives a Byline, never an exception.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from crawler.normalize import _byline_words as words
from crawler.normalize.text import clean_space, fold, title_case_vi

__all__ = ["Byline", "parse_byline", "merge_authors", "is_organisation"]

# Why a byline gave no author (Byline.problem).
EMPTY = "empty"                # nothing but whitespace, markup or a bare label
TOO_LONG = "too_long"          # longer than any byline: a paragraph of prose
NOT_A_NAME = "not_a_name"      # holds something that is neither a name nor a credit form
SOURCE_ONLY = "source_only"    # credits an agency or outlet only ("Theo TTXVN")
PHOTO_ONLY = "photo_only"      # credits a photographer only ("Ảnh: THUẬN VĂN")
NO_AUTHOR = "no_author"        # only compilers' notes ("(tổng hợp)")

# The longest real bylines (several authors, a photo credit and an agency) stay under 100
# characters; 150 leaves room without letting a sentence of body text through.
MAX_LENGTH = 150
# Vietnamese names have 2-4 syllables (one for a pen name); 5 allows a long full name.
MAX_NAME_WORDS = 5
MAX_WORD_LENGTH = 15

_EDGE = " .,:;-–—|*_\"'“”‘’`•·©"  # punctuation a name never starts or ends with
_VOWELS = frozenset("aeiouy")

# Labels that introduce a credit. Authors' labels that also cover the photos ("Bài, ảnh:") go
# first so their "ảnh" is not read as a photo label. A label starts the text or follows a
# separator, so "Bài:" inside a word never matches.
_BOTH = r"(?:bài|tin|ghi chép|bài viết|tin bài)\s*(?:,|và|&|\+|-|–|/)\s*(?:ảnh|hình ảnh|hình)"
_AUTHOR = (r"(?:nhóm\s+)?(?:pv|ptv|phóng viên|ctv|tác giả|thực hiện|bài viết|bài|tin bài|tin"
           r"|ghi chép|người viết|nội dung)")
_PHOTO = (r"(?:ảnh\s*(?:/|,|và|&|-)\s*video|video\s*(?:/|,|và|&|-)\s*ảnh|hình ảnh|ảnh|hình"
          r"|video|clip|đồ họa|đồ hoạ|thiết kế|infographic)")
_LABEL = re.compile(
    rf"(?:^|(?<=[\s\-–—;,|]))(?:(?P<both>{_BOTH})|(?P<photo>{_PHOTO})|(?P<author>{_AUTHOR})"
    rf"|(?P<source>nguồn))\s*[:：]\s*", re.I)
# "Bài và ảnh TRÍ DŨNG": the two-word labels are also printed without a colon, at the start.
_LEAD_BOTH = re.compile(rf"^({_BOTH})(?:\s+|$)(?![:：])", re.I)
# "NHẬT XUÂN và 1 tác giả khác": the other authors are not named, so only the first is kept.
_OTHERS = re.compile(r"\s+(?:và|cùng)\s+(?:\d+|một|hai|ba|các|nhiều|những)\s+(?:tác giả|người)"
                     r"\s+khác\b\.?", re.I)

_URL = re.compile(r"(?:https?://|www\.)[^\s()]+", re.I)
_DOMAIN = re.compile(r"^(?:[\w-]{2,}\.)+(?:vn|com|net|org|info|gov|edu|tv|asia|biz|io|co)(?:/\S*)?$",
                     re.I)
_PAREN = re.compile(r"\(([^()]*)\)")
_T_SLASH_H = re.compile(r"(?<!\w)t\s*/\s*h(?!\w)", re.I)  # "(t/h)" = tổng hợp, before "/" splits
_SLASH = re.compile(r"\s*/\s*")
_THEO = re.compile(r"^theo\s+", re.I)
_PAREN_LEAD = re.compile(r"^(?:theo|nguồn)\b\s*:?\s*", re.I)  # "(Theo VOV)", "(Nguồn: VOV)"
_NOTE_FROM = re.compile(r"^(?:tổng hợp|lược dịch|biên dịch|dịch|lược trích|trích)\s+(?:từ|theo)\s+"
                        r"(?P<src>.+)$", re.I)
_TRAILING_NOTE = re.compile(r"^(?P<name>.+?)\s*[-–,]?\s+(?:tổng hợp|lược dịch|biên dịch|sưu tầm)$",
                            re.I)
# Between credits: spaced dashes, bare long dashes, ";", "|", and "/" except in "TTXVN/VNA".
_MAJOR = re.compile(r"\s+-\s+|\s*[–—]\s*|\s*[;|]\s*|(?<!ttxvn)/|/(?!vna\b)", re.I)
# Between names of one credit: "THUẬN VĂN, LÊ ÁNH", "Minh Anh và Hồng Khanh".
_MINOR = re.compile(r"\s*,\s*|\s+(?:và|cùng)\s+|\s*[&+]\s*", re.I)
# "Chí Linh-BBL": a name glued to a paper's code (capitals) by a hyphen without spaces.
_CODE_SUFFIX = re.compile(r"^(?P<name>\S.*?[^\s\-])[-–](?P<code>[A-ZĐ]{2,6})$")
_DAI_CODE = re.compile(r"^Đài\s+[A-ZĐ]{2,}")  # "Đài PT-TH ...", "Đài VOV"; "Đài Trang" is a person
_WORD_PARTS = re.compile(r"[^'’\-]+")         # "H'HEN" -> "H'Hen", "Y-MOAN" -> "Y-Moan"
_ORG_TOKENS = re.compile(r"[\s.,;:/&+\-]+")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_SITE_TLD = re.compile(r"(?:\.com|\.net|\.org|\.gov|\.edu)?\.(?:vn|com|net|org|info|tv)$")
_SITE_AFFIXES = re.compile(
    r"^(?:https?://)?(?:www\.)?(?:bao dien tu |bao |tap chi |dai phat thanh va truyen hinh |"
    r"dai pt-th |dai |cong thong tin dien tu |trang tin dien tu )?(?P<core>.*?)"
    r"(?: dien tu| online| news| dien tu online)?$")

_OUTLETS = dict(words.KNOWN_OUTLETS)
_OUTLETS_ASCII = {fold(key): name for key, name in words.KNOWN_OUTLETS.items()}


@dataclass(frozen=True)
class Byline:
    """A parsed byline. authors/photo_credits are tuples (lists given are converted); problem
    says why there is no author (EMPTY, TOO_LONG, NOT_A_NAME, SOURCE_ONLY, PHOTO_ONLY, NO_AUTHOR)."""

    authors: tuple[str, ...] = ()
    source: str | None = None
    photo_credits: tuple[str, ...] = ()
    raw: str = ""
    problem: str | None = None

    def __post_init__(self):
        object.__setattr__(self, "authors", tuple(self.authors))
        object.__setattr__(self, "photo_credits", tuple(self.photo_credits))


@dataclass
class _Found:
    names: list[str]   # people and desk credits, in printed order
    outlets: list[str]
    failed: bool = False


def parse_byline(text) -> Byline:
    """Read one byline as printed (label, names, agency, photo credit). Never raises."""
    raw = _as_text(text)
    clean = _tidy(raw)
    if not clean:
        return Byline(raw=raw, problem=EMPTY)
    if len(clean) > MAX_LENGTH:
        return Byline(raw=raw, problem=TOO_LONG)
    clean = _LEAD_BOTH.sub(r"\1: ", _OTHERS.sub("", clean))

    authors: list[str] = []
    photos: list[str] = []
    sources: list[str] = []
    labelled_sources: list[str] = []
    segments = _segments(clean)
    if not segments:
        return Byline(raw=raw, problem=EMPTY)
    for role, segment in segments:
        found = _read(segment)
        if found.failed:
            return Byline(raw=raw, problem=NOT_A_NAME)
        if role == "author":
            authors += found.names
            sources += found.outlets
        elif role == "photo":
            photos += found.names + found.outlets
        else:  # "Nguồn: X" credits X as the source, whatever X looks like
            labelled_sources += found.outlets + found.names

    authors = _unique(authors)
    author_keys = {fold(a) for a in authors}
    photos = [p for p in _unique(photos) if fold(p) not in author_keys]
    source = ", ".join(_unique(labelled_sources or sources)) or None
    if authors:
        problem = None
    else:
        problem = PHOTO_ONLY if photos else SOURCE_ONLY if source else NO_AUTHOR
    return Byline(tuple(authors), source, tuple(photos), raw, problem)


def merge_authors(byline: Byline | None, machine_values, site_names=()) -> list[str]:
    """Authors for an article: the visible byline's, else those in meta tags / JSON-LD.

    machine_values are parsed with the byline rules. Organisations, URLs and the crawled
    site's own names (site_names: "Báo Lào Cai", "baolaocai.vn", ...) are dropped, and one
    person given twice ("Lương Văn Ý" in JSON-LD, "Lương Ý" in dable:author) is kept once.
    """
    sites = _site_keys(site_names)
    visible = byline.authors if isinstance(byline, Byline) else ()
    kept = _keep_people(visible, sites)
    if kept:
        return kept
    found: list[str] = []
    for value in _values(machine_values):
        found += parse_byline(value).authors
    return _keep_people(found, sites)


def is_organisation(name, site_names=()) -> bool:
    """True for an outlet, agency, organisation, URL or domain, or one of the site's own names."""
    return _is_org(_tidy(_as_text(name)), _site_keys(site_names))


# --- reading one labelled segment ------------------------------------------------------------

def _segments(text: str) -> list[tuple[str, str]]:
    """Split at labels: [(role, text)] with role "author" (also for unlabelled text), "photo"
    or "source"."""
    out, role, start = [], "author", 0
    for m in _LABEL.finditer(text):
        out.append((role, text[start:m.start()]))
        role = "photo" if m.group("photo") else "source" if m.group("source") else "author"
        start = m.end()
    out.append((role, text[start:]))
    return [(r, s.strip(_EDGE)) for r, s in out if s.strip(_EDGE)]


def _read(segment: str) -> _Found:
    found = _Found([], [])
    for url in _URL.findall(segment):
        found.outlets.append(url.rstrip(_EDGE))
    text = _URL.sub(" ", segment)
    for inner in _PAREN.findall(text):
        _read_paren(inner, found)
    text = _PAREN.sub(" ", text).replace("(", " ").replace(")", " ")
    text = _SLASH.sub("/", _T_SLASH_H.sub(" ", text))
    text = _THEO.sub("", clean_space(text).strip(_EDGE))
    if not text:
        return found
    # "Báo Bà Rịa - Vũng Tàu", "Báo Đời sống và Pháp luật": an outlet's name may hold a separator.
    if "," not in text and _strong_outlet(text):
        found.outlets.append(_outlet_name(text))
        return found
    for major in _MAJOR.split(text):
        major = _THEO.sub("", major.strip(_EDGE))
        if major and "," not in major and _strong_outlet(major):
            found.outlets.append(_outlet_name(major))
            continue
        for piece in _MINOR.split(major):
            _read_piece(_THEO.sub("", piece.strip(_EDGE)), found)
    return found


def _read_paren(inner: str, found: _Found) -> None:
    """"(TTXVN)", "(Theo VOV)", "(Báo Lạng Sơn)" -> source; "(tổng hợp)", "(t/h)" -> dropped."""
    inner = clean_space(inner).strip(_EDGE)
    key = inner.casefold()
    if not inner or key in words.NOTES or key in words.PAREN_NOTES or _T_SLASH_H.fullmatch(inner):
        return
    m = _NOTE_FROM.match(inner)
    if m:
        inner = m.group("src")
    elif _PAREN_LEAD.match(inner):  # "(Theo VOV)"; a person here is also a source: it is cited
        inner = _PAREN_LEAD.sub("", inner)
    elif not _is_org(inner, frozenset()):
        return  # a place or a role in parentheses credits nobody
    for part in _MINOR.split(inner):
        part = part.strip(_EDGE)
        if part and part.casefold() not in words.NOTES:
            found.outlets.append(_outlet_name(part))


def _read_piece(piece: str, found: _Found) -> None:
    """One credit without separators: a person, a desk credit, an outlet, or a failure."""
    if not piece or piece.casefold() in words.NOTES:
        return
    m = _TRAILING_NOTE.match(piece)  # "Hà Thu tổng hợp"
    if m:
        piece = m.group("name").strip(_EDGE)
    if piece.casefold() in words.GROUP_CREDITS:
        found.names.append(piece)
        return
    if _is_org(piece, frozenset()):
        found.outlets.append(_outlet_name(piece))
        return
    m = _CODE_SUFFIX.match(piece)
    if m and (" " in m.group("name") or _known_outlet(m.group("code"))):
        name = _person(m.group("name"))
        if name:
            found.names.append(name)
            found.outlets.append(_outlet_name(m.group("code")))
            return
    # "THUẬN VĂN-LÊ ÁNH": two full names joined by a bare hyphen. A side of one word is part of
    # a hyphenated name instead ("Y-Moan Ênuôl"), read whole below.
    sides = [side.strip(_EDGE) for side in piece.split("-")]
    if len(sides) > 1 and all(" " in side for side in sides):
        names = [_person(side) for side in sides]
        if all(names):
            found.names.extend(names)
            return
    name = _person(piece)
    if name:
        found.names.append(name)
        return
    found.failed = True


# --- names -----------------------------------------------------------------------------------

def _person(text: str) -> str | None:
    """The name in Vietnamese title case, or None if text cannot be a person's name."""
    parts = text.split()
    if not 1 <= len(parts) <= MAX_NAME_WORDS:
        return None
    if not all(_name_word(w) and w.casefold() not in words.NOT_NAME_WORDS for w in parts):
        return None
    return " ".join(_name_case(w) for w in parts)


def _name_word(word: str) -> bool:
    # Every word of a name is capitalized (or in capitals): lower-case words mean a sentence.
    return (len(word) <= MAX_WORD_LENGTH and word[0].isalpha() and word[0].isupper()
            and all(c.isalpha() or c in ".'’-" for c in word))


def _name_case(word: str) -> str:
    if "." in word.strip("."):
        return word  # initials: "P.Y", "B.NG", "M.Đ"
    if not word.isupper():
        return word  # already printed in title or mixed case ("McCain")
    if len(word) > 1 and not _VOWELS & set(fold(word)):
        return word  # "TP": no vowel, so not a syllable but an abbreviation
    return _WORD_PARTS.sub(lambda m: title_case_vi(m.group()), word)


# --- organisations ---------------------------------------------------------------------------

def _is_org(text: str, site_keys: frozenset[str]) -> bool:
    if not text:
        return False
    if _URL.search(text) or any(_DOMAIN.match(token) for token in text.split()):
        return True
    if site_keys and (_compact(text) in site_keys or _compact(_site_core(text)) in site_keys):
        return True
    if _strong_outlet(text):
        return True
    key = text.casefold()
    if set(_ORG_TOKENS.split(key)) & words.ORG_WORDS:
        return True
    padded = f" {key} "
    return any(f" {phrase} " in padded for phrase in words.ORG_PHRASES)


def _strong_outlet(text: str) -> bool:
    """Known outlet or an outlet's opening words ("Báo ", "Tạp chí ", "Đài PT-TH")."""
    if _known_outlet(text):
        return True
    # An outlet's name holds no digits: "Báo Lào Cai Thường kỳ số 118 ra ngày 5/1/2026" is a
    # line of page chrome that happens to start like one.
    if any(c.isdigit() for c in text):
        return False
    key = text.casefold()
    if key.startswith(words.ORG_PREFIXES) or _DAI_CODE.match(text):
        return True
    # Typed without diacritics: "BAO DIEN TU ..." (bare "bao" is also "Bảo", a given name).
    return text.isascii() and key.startswith(("bao dien tu ", "tap chi "))


def _known_outlet(text: str) -> str | None:
    key = clean_space(text).casefold()
    if key in _OUTLETS:
        return _OUTLETS[key]
    # Diacritic-free keys only for diacritic-free text: "TIEN PHONG" is the paper, "Tiến Phong"
    # a person.
    return _OUTLETS_ASCII.get(fold(text)) if text.isascii() else None


def _outlet_name(text: str) -> str:
    return _known_outlet(text) or clean_space(text).strip(_EDGE)


def _site_core(text: str) -> str:
    """ "Báo Lào Cai điện tử", "baolaocai.vn" -> "lao cai", "baolaocai" (folded)."""
    key = _SITE_TLD.sub("", fold(text).rstrip("/"))
    m = _SITE_AFFIXES.match(key)
    return m.group("core") if m else key


def _compact(text: str) -> str:
    return _NON_ALNUM.sub("", fold(text))


def _site_keys(site_names) -> frozenset[str]:
    keys = set()
    for name in _values(site_names):
        for form in (name, _site_core(name)):
            compact = _compact(form)
            if len(compact) >= 2:
                keys.add(compact)
                if compact.startswith("bao") and len(compact) > 5:
                    keys.add(compact[3:])  # "baolaocai" (domain) -> "laocai"
    return frozenset(keys)


def _keep_people(names, site_keys: frozenset[str]) -> list[str]:
    kept: list[str] = []
    for name in names:
        if _is_org(name, site_keys) or any(_same_person(name, k) for k in kept):
            continue
        kept.append(name)
    return kept


def _same_person(a: str, b: str) -> bool:
    """ "Lương Ý" and "Lương Văn Ý": same first and last word, one inside the other."""
    short, long_ = sorted((fold(a).split(), fold(b).split()), key=len)
    if short == long_:
        return True
    if len(short) < 2 or short[0] != long_[0] or short[-1] != long_[-1]:
        return False
    rest = iter(long_)
    return all(word in rest for word in short)  # an ordered subsequence


# --- input hygiene ---------------------------------------------------------------------------

def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


def _tidy(text: str) -> str:
    """NFC, one space, no Markdown emphasis ("**NAME - NAME**"), no stray edge punctuation."""
    return clean_space(clean_space(text).replace("**", " ").replace("__", " ")).strip(_EDGE)


def _values(values) -> list[str]:
    """Machine values as strings: one string, a list, or JSON-LD objects with a "name"."""
    if values is None:
        return []
    if isinstance(values, (str, dict)):
        values = [values]
    try:
        items = list(values)
    except TypeError:
        return []
    out = []
    for item in items:
        if isinstance(item, dict):
            item = item.get("name")
        if isinstance(item, str) and item.strip():
            out.append(item)
    return out


def _unique(names: list[str]) -> list[str]:
    seen, out = set(), []
    for name in names:
        key = fold(name)
        if key and key not in seen:
            seen.add(key)
            out.append(name)
    return out
