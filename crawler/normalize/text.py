"""Text normalization shared by every normalizer: NFC, whitespace, and search folding.

Pure functions, no Scrapy imports. Vietnamese text arrives both precomposed (NFC) and
decomposed (NFD, common from Mac editors and some CMSs); everything downstream assumes NFC.
"""
from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"[\s\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]+")
_RUNS = re.compile("  +")


def nfc(text: str | None) -> str:
    """NFC-normalize; None becomes the empty string."""
    if not text:
        return ""
    return unicodedata.normalize("NFC", text)


def clean_space(text: str | None) -> str:
    """NFC, every run of whitespace (non-breaking and zero-width included) to one space, stripped."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)  # returns text itself when it is already NFC
    if type(text) is not str:
        text = str(text)  # (a str subclass, e.g. an lxml smart string that keeps its tree alive)
    # The only printable whitespace is " ": printable text with no doubled, leading or trailing
    # space is already clean (the common case: text cleaned once already).
    if text.isprintable():
        if "  " not in text and text[0] != " " and text[-1] != " ":
            return text
        return _squeeze(text)
    # Text from the page: usually its only other whitespace is line breaks, tabs and nbsp.
    spaced = text.replace("\n", " ").replace("\t", " ").replace("\r", " ").replace("\xa0", " ")
    if spaced.isprintable():
        return _squeeze(spaced)
    # str.split() splits on exactly what \s matches; of _SPACES only U+200B and U+FEFF are not \s.
    if "\u200b" in text or "\ufeff" in text:
        return _SPACES.sub(" ", text).strip()
    return " ".join(text.split())


def _squeeze(text: str) -> str:
    """Runs of " " to one, stripped (text whose only whitespace is " ")."""
    return _RUNS.sub(" ", text).strip(" ")


# Combining marks U+0300-U+036F (all of them combining, except U+034F GRAPHEME JOINER):
# the Vietnamese tone and vowel marks once text is decomposed.
_LATIN_MARKS = re.compile("[\u0300-\u034e\u0350-\u036f]+")


def strip_diacritics(text: str | None) -> str:
    """Remove Vietnamese diacritics, đ/Đ included: "Đồng chí" -> "Dong chi"."""
    if not text:
        return ""
    # NFD, drop every combining mark (canonical combining class != 0), NFC again.
    # (đ/Đ have no decomposition: replacing them before or after NFD is the same.)
    decomposed = _LATIN_MARKS.sub("", unicodedata.normalize("NFD", text).replace("đ", "d").replace("Đ", "D"))
    if not decomposed.isascii():
        others = [c for c in set(decomposed) if c > "\x7f" and unicodedata.combining(c)]
        if others:
            drop = set(others)
            decomposed = "".join(c for c in decomposed if c not in drop)
    return unicodedata.normalize("NFC", decomposed)


def fold(text: str | None) -> str:
    """Search key: no diacritics, đ→d, casefolded, whitespace collapsed. "ĐỒNG  Chí" -> "dong chi"."""
    return clean_space(strip_diacritics(text)).casefold()


def title_case_vi(text: str | None) -> str:
    """Vietnamese title case on NFC text: "TRÍ DŨNG" -> "Trí Dũng", "ưng hoàng" -> "Ưng Hoàng".

    str.title() on NFD text capitalizes after combining marks ("DũNg"); NFC first avoids that.
    Words with inner dots (initials such as "P.Y") are kept as printed.
    """
    words = clean_space(text).split(" ")
    out = []
    for word in words:
        if "." in word.strip("."):
            out.append(word)
        else:
            out.append(word[:1].upper() + word[1:].lower())
    return " ".join(w for w in out if w)
