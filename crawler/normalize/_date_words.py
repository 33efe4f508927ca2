"""Vocabulary for crawler.normalize.dates, in folded form (lowercase ASCII, no diacritics).

The date parser matches folded text so that one pattern covers "Thứ Hai", "THỨ HAI", "thu hai",
decomposed (NFD) input and text typed without diacritics ("10 phut truoc"). Folding never changes
a digit, so numbers are read exactly as printed.
"""
from __future__ import annotations

import unicodedata


def _build_fold_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {ord(c): c.lower() for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
    # Latin-1, Latin Extended-A/B and Latin Extended Additional hold every Vietnamese letter.
    for block in (range(0xC0, 0x250), range(0x1E00, 0x1F00)):
        for cp in block:
            base = unicodedata.normalize("NFD", chr(cp))[0]
            if base.isascii() and base.isalpha():
                table[cp] = base.lower()
    # Đ does not decompose; Ð (eth) is a common look-alike typed in its place.
    table.update({ord(c): "d" for c in "đĐðÐ"})
    # Combining marks go, so NFD text that slipped past NFC still folds like NFC text.
    table.update({cp: None for cp in range(0x300, 0x370)})
    # Zero-width characters are invisible glue in CMS output; they must not split tokens.
    table.update({cp: None for cp in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0xAD)})
    # Typographic variants of the ASCII punctuation the patterns expect.
    for cp in (0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212):
        table[cp] = "-"
    for cp in (0x2018, 0x2019, 0x2032, 0xB4, 0x60):
        table[cp] = "'"
    table[0xFF1A] = ":"
    table[0xFF0F] = "/"
    return table


FOLD = _build_fold_table()

# Month names: "Tháng Mười Hai", "Tháng một", "tháng Tư". "tháng Giêng" and "tháng Chạp" are
# left out on purpose: they name the first and last months of the lunar year.
VI_MONTHS = {
    "muoi mot": 11, "muoi hai": 12, "muoi": 10,
    "mot": 1, "hai": 2, "ba": 3, "tu": 4, "bon": 4, "nam": 5,
    "sau": 6, "bay": 7, "tam": 8, "chin": 9,
}

EN_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}

# Vietnamese weekdays count from Sunday as day 1 ("Thứ Hai" = 2nd day = Monday), and the week
# starts on Monday. Values are Python weekday() numbers (Monday = 0).
WEEKDAYS = {
    "hai": 0, "2": 0, "ba": 1, "3": 1, "tu": 2, "4": 2, "nam": 3, "5": 3,
    "sau": 4, "6": 4, "bay": 5, "7": 5, "chu nhat": 6, "cn": 6,
}

# "thu hai", "thu 2", "t2", "chu nhat", "cn" (also "thứ tư"/"thứ bốn" spellings).
WEEKDAY_RE = r"(?:thu\s+(?:hai|ba|tu|bon|nam|sau|bay|[2-7])|chu\s+nhat|cn|t[2-7])"


def weekday_number(word: str) -> int:
    """Weekday number (Monday = 0) of a folded weekday phrase matched by WEEKDAY_RE."""
    word = " ".join(word.split())
    if word in ("chu nhat", "cn"):
        return 6
    key = word.rsplit(" ", 1)[-1] if " " in word else word[1:]
    return WEEKDAYS["4" if key == "bon" else key]


# Units of "N <unit> trước" (N units ago). Seconds for fixed-length units; months and years are
# calendar units and are handled apart.
AGO_SECONDS = {
    "giay": 1, "s": 1,
    "phut": 60, "p": 60, "'": 60, "ph": 60,
    "gio": 3600, "tieng": 3600, "h": 3600,
    "ngay": 86400,
    "tuan": 7 * 86400,
}
AGO_MONTHS = {"thang": 1, "nam": 12}


def adjust_hour(hour: int, ampm: str | None, half: str | None) -> int:
    """Apply AM/PM (also SA/CH, Vietnamese locale) and the part-of-day word to a 12-hour clock.

    A 24-hour value (13..23) is kept as printed: the numbers win over a contradicting word.
    """
    if ampm:
        if ampm[0] in "as":  # am, a.m., sa (sáng)
            return 0 if hour == 12 else hour
        return hour + 12 if hour < 12 else hour  # pm, p.m., ch (chiều)
    if half in ("chieu", "toi"):
        return hour + 12 if 1 <= hour < 12 else hour
    if half == "trua":  # noon spans 11..13; "1 giờ trưa" is 13:00
        return hour + 12 if 1 <= hour <= 4 else hour
    if half in ("dem", "khuya"):  # "9 giờ đêm" is 21:00 but "2 giờ đêm" is 02:00
        if 6 <= hour < 12:
            return hour + 12
        return 0 if hour == 12 else hour
    return hour
