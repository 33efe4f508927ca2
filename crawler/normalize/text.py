"""Text normalization shared by every normalizer: NFC, whitespace, and search folding.

Pure functions, no Scrapy imports. Vietnamese text arrives both precomposed (NFC) and
decomposed (NFD, common from Mac editors and some CMSs); everything downstream assumes NFC.
"""
from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"[\s\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]+")
_DD = str.maketrans({"đ": "d", "Đ": "D"})


def nfc(text: str | None) -> str:
    """NFC-normalize; None becomes the empty string."""
    if not text:
        return ""
    return unicodedata.normalize("NFC", text)


def clean_space(text: str | None) -> str:
    """NFC, every run of whitespace (non-breaking and zero-width included) to one space, stripped."""
    return _SPACES.sub(" ", nfc(text)).strip()


def strip_diacritics(text: str | None) -> str:
    """Remove Vietnamese diacritics, đ/Đ included: "Đồng chí" -> "Dong chi"."""
    decomposed = unicodedata.normalize("NFD", nfc(text).translate(_DD))
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


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
