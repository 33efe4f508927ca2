"""Vietnamese publication dates and times -> one timezone-aware value, or None with a reason.

    parse_date("Thứ ba, 23/12/2025 09:02 (GMT+7)")      -> datetime(2025, 12, 23, 9, 2, +07:00)
    parse_date("ngày 25 tháng 10 năm 2021")             -> date(2021, 10, 25)
    parse_date("7' trước", reference=now)               -> now - 7 minutes
    date_rejection("31/02/2021")                        -> "impossible_date"

Why our own parser: dateutil reads "GMT+7" as UTC-7 (POSIX sign) and guesses month-first;
dateparser misses "10h30", "7' trước" and "T2, ...", returns *today* for text it half-reads, and
costs milliseconds per string. Here every rule is a regex compiled once, numbers are always
day-first, and anything that would need a guess is rejected with a reason instead.

How a string is read:
1. fold it (NFC, lowercase, no diacritics, one space between tokens), so "THỨ HAI", "Thứ hai"
   and "thu hai" are the same text and "10 phut truoc" is read like "10 phút trước";
2. a whole-string machine value (ISO 8601, epoch seconds/ms) takes the fast path;
3. otherwise look for calendar days anywhere in the text, then for a time of day written next to
   one of them (joined only by separators such as " - ", "|", ",", "lúc", "ngày", a weekday);
4. only if no calendar day is written: relative forms ("2 giờ trước", "hôm qua"), which need
   `reference`; an absolute date always wins over a relative one in the same text.

Reasons date_rejection gives:
    empty            no text (or not a str)
    no_date          nothing that names a day: counters, percentages, a lone weekday, prose
    impossible_date  a day no calendar has ("31/02/2021", "32/13/2021"), or a year out of range
    impossible_time  a machine timestamp with an hour/minute/second out of range
    needs_reference  relative or year-less ("2 giờ trước", "hôm qua", "Ngày 8-1") without reference
    time_only        a time of day with no day ("14:55", "10h45"); "today" would be a guess
    ambiguous        several different days, not exactly one of them with a time of day
    future           "sau 22 giờ nữa", "tuần sau": not when anything was published
    vague            a period, not a moment ("tuần trước", "vài phút trước")
    lunar_date       "15 tháng 8 âm lịch": another calendar
    bad_zone         a zone that cannot exist ("GMT+25")

No clock is read here: "now" enters only through `reference`. Pure: no Scrapy imports.
"""
from __future__ import annotations

import re
import unicodedata
from calendar import monthrange
from datetime import date, datetime, timedelta, timezone
from typing import NamedTuple
from zoneinfo import ZoneInfo

from crawler.normalize._date_words import (
    AGO_MONTHS,
    AGO_SECONDS,
    EN_MONTHS,
    FOLD,
    VI_MONTHS,
    WEEKDAY_RE,
    adjust_hour,
    weekday_number,
)

__all__ = ["VIETNAM", "parse_date", "date_rejection", "to_iso"]

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
# Vietnam has kept +07:00 since 1975-06-13; before that the tz database gives it +08:00 or +09:00
# for some years. The contract is +07:00, so the rare older moment carries a fixed +07:00, and
# arithmetic on relative forms is done at the fixed offset too.
_ICT = timezone(timedelta(hours=7))
_SINCE_1975 = datetime(1975, 6, 13, tzinfo=_ICT)

# Years outside this window are typos or not years at all ("ngày 5/1/0026").
_MIN_YEAR, _MAX_YEAR = 1800, 2199


def parse_date(text: object, *, reference: datetime | None = None) -> datetime | date | None:
    """The one date (aware datetime at +07:00, or a date when no time is given) in `text`, or None."""
    return _parse(text, reference)[0]


def date_rejection(text: object, *, reference: datetime | None = None) -> str | None:
    """Why parse_date returns None for `text` ("no_date", "impossible_date", ...); None if it parses."""
    return _parse(text, reference)[1]


def to_iso(value: object) -> str | None:
    """"2021-10-25T08:30:00+07:00" for a datetime, "2021-10-25" for a date, None otherwise."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return None


# --------------------------------------------------------------------------------------------
# Patterns. All run on folded text (see _fold) and with re.ASCII, so \d, \s, \b only ever see
# ASCII: Arabic-Indic or full-width digits are not silently read as numbers.


def _c(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.ASCII)


def _alternation(words) -> str:
    # Longest first, so "muoi hai" wins over "muoi" and "september" over "sep".
    return "|".join(sorted(words, key=len, reverse=True))


# A number glued to a preceding number ("1.500.000", "118/2021/...") is not a date. A comma is
# allowed before a full date ("T2,25/10/2021") but not before a bare day/month ("1,5/10").
_NOT_AFTER_NUMBER = r"(?<![0-9])(?<![0-9][/.:-])"

_EPOCH = _c(r"[12][0-9]{9}(?:[0-9]{3})?")

_ISO = _c(
    r"(?P<y>[0-9]{4})-(?P<m>[0-9]{2})-(?P<d>[0-9]{2})"
    r"(?:[t ](?P<h>[0-9]{2}):(?P<mi>[0-9]{2})(?::(?P<s>[0-9]{2})(?:[.,](?P<f>[0-9]{1,6})[0-9]*)?)?"
    r" ?(?:(?P<z>z)|(?P<sign>[+-])(?P<oh>[0-9]{2})(?::?(?P<om>[0-9]{2}))?)?)?"
)

# Day-first numbers: 25/10/2021, 7-3-2026, 14.8.1929, 3/3/17. Two-digit years only with / or -,
# because dotted triples with a short last part are version numbers ("2.0.12").
_NUM_DMY = _c(
    _NOT_AFTER_NUMBER
    + r"(?P<d>[0-9]{1,2})(?P<sep>[/.-])(?P<m>[0-9]{1,2})(?P=sep)"
    r"(?P<y>[0-9]{4}|(?<=[/-])[0-9]{2})(?![0-9%]|[/.][0-9])"
)
_NUM_YMD = _c(
    _NOT_AFTER_NUMBER
    + r"(?P<y>[0-9]{4})(?P<sep>[/.-])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})(?![0-9%]|[/.-][0-9])"
)
# Day and month without a year (22/12, 8-1, 14.8). Fractions and scores look the same, so these
# count only with a day word before them, a time beside them, or alone (see _usable_yearless).
_NUM_DM = _c(
    r"(?<![0-9])(?<![0-9][/.:,-])"
    r"(?P<d>[0-9]{1,2})(?P<sep>[/.-])(?P<m>[0-9]{1,2})(?![0-9%]|[/.,-][0-9])"
)
_MONTH_WORD = _alternation(VI_MONTHS)
# "25 tháng 10 năm 2021", "25 tháng 10, 2021", "9 Tháng 1 2015", "05 Tháng một 2015".
_VERBAL_DMY = _c(
    r"(?<![0-9.,])(?P<d>[0-9]{1,2}) ?thang (?P<m>[0-9]{1,2}|" + _MONTH_WORD + r")(?![a-z0-9])"
    r"(?:(?: ?, ?| nam | )(?P<y>[0-9]{4})(?![0-9]))?"
)
# "Tháng Mười Hai 29, 2013" (month first, as WordPress prints it in Vietnamese).
_VERBAL_MDY = _c(
    r"(?<![a-z])thang (?P<m>[0-9]{1,2}|" + _MONTH_WORD + r") (?P<d>[0-9]{1,2}) ?, ?(?P<y>[0-9]{4})(?![0-9])"
)
_EN_MONTH = _alternation(
    ["january", "february", "march", "april", "may", "june", "july", "august",
     "september", "sept", "october", "november", "december", *EN_MONTHS]
)
# RSS pubDate and English bylines: "Mon, 25 Oct 2021 01:30:00 GMT", "Oct 25, 2021".
_EN_DMY = _c(
    r"(?<![0-9])(?P<d>[0-9]{1,2})(?:st|nd|rd|th)? (?P<m>" + _EN_MONTH + r")\.?,? (?P<y>[0-9]{4})(?![0-9])"
)
_EN_MDY = _c(
    r"(?<![a-z])(?P<m>" + _EN_MONTH + r")\.? (?P<d>[0-9]{1,2})(?:st|nd|rd|th)?, ?(?P<y>[0-9]{4})(?![0-9])"
)
# Patterns grouped under a cheap hint they cannot match without: one quick search skips a group.
_DAY_PATTERNS = (
    (_c(r"[0-9][/.-][0-9]"), (_NUM_DMY, _NUM_YMD, _NUM_DM)),
    (_c(r"thang"), (_VERBAL_DMY, _VERBAL_MDY)),
    (_c("|".join(EN_MONTHS)), (_EN_DMY, _EN_MDY)),
)

# Words that announce a day: "ngày 8-1", "mồng 3 tháng 3", "sáng 11-10", "phiên 22/12", "T2 22/12".
_DAY_CONTEXT = _c(
    r"(?:(?<![a-z])(?:ngay|mong|mung|sang|trua|chieu|toi|dem|khuya|hom|phien(?: giao dich)?)"
    r"|(?<![a-z])" + WEEKDAY_RE + r") ?,? ?$"
)
# "15 tháng 8 âm lịch" is a lunar date: a different calendar, not a publication date.
_LUNAR = _c(r" ?\(?(?:am lich|al\))")

_ZONE = (
    r"(?: ?[(\[]? ?(?:(?P<gmt>gmt|utc)(?: ?(?P<gsign>[+-]) ?(?P<gh>[0-9]{1,2})(?::?(?P<gm>[0-9]{2}))?)?"
    r"|(?P<osign>[+-])(?P<oh>[0-9]{2}):?(?P<om>[0-9]{2}){z})(?![a-z0-9]) ?[)\]]?)"
)
_TIME_SUFFIX = (
    r"(?: ?(?P<ampm>a\.?m\.?|p\.?m\.?|sa|ch)(?![a-z]))?"
    r"(?: ?(?P<half>sang|trua|chieu|toi|dem|khuya)(?![a-z]))?"
    + _ZONE.replace("{z}", r"|(?P<z>z)") + "?"
)
_TIME_PATTERNS = (
    # 08:30, 8:30:15, 09:30:00.000
    (_c(
        r"(?<![0-9:.,])(?P<h>[0-9]{1,2}):(?P<mi>[0-9]{2})"
        r"(?::(?P<s>[0-9]{2})(?:[.,](?P<f>[0-9]{1,6})[0-9]*)?)?(?![0-9]|:[0-9])" + _TIME_SUFFIX
    ), _c(r"[0-9]:[0-9]")),
    # 10h30, 10h30', 10h, 10g45 ("10g" alone is ten grams, so g needs its minutes)
    (_c(
        r"(?<![0-9:.,])(?P<h>[0-9]{1,2})(?:[hg](?P<mi>[0-9]{2})(?:'|p)?|h)(?![a-z0-9])" + _TIME_SUFFIX
    ), _c(r"[0-9][hg]")),
    # 15 giờ 30 phút, 7 giờ 30, 3 giờ rưỡi, 11 giờ kém 15
    (_c(
        r"(?<![0-9.,])(?P<h>[0-9]{1,2}) ?gio(?: (?:kem (?P<kem>[0-9]{1,2})(?: ?phut)?|(?P<ruoi>ruoi)"
        r"|(?P<mi>[0-9]{1,2})(?![0-9])(?: ?phut)?))?(?![a-z])" + _TIME_SUFFIX
    ), _c(r"[0-9] ?gio")),
)
# A zone written after the date rather than after the time: "09:02 23/12/2025 (GMT+7)".
_ZONE_AFTER_DAY = _c(_ZONE.replace("{z}", ""))

# What may stand between a day and its time: separators, "lúc", "vào lúc", "ngày", a weekday,
# and the "T" of ISO 8601. Anything else (words, numbers) means the time belongs to something else.
_GAP = _c(
    r"(?:[ ,;|/()\[\]\-\u00b7\u2022]|(?<![a-z])(?:vao|luc|ngay|mong|mung|t|"
    + WEEKDAY_RE + r")(?![a-z]))*"
)
_MAX_GAP = 32

_AGO_UNIT = _alternation(AGO_SECONDS.keys() | AGO_MONTHS.keys())
# "30 phút trước", "7' trước", "2 giờ 30 phút trước", "2 tuần 3 ngày trước", "10 phut truoc",
# "một ngày trước". At most three parts: unbounded repetition makes the search quadratic.
_AGO = _c(
    r"(?<![0-9.,:])(?P<parts>(?:(?:[0-9]{1,4}|mot) ?(?:" + _AGO_UNIT + r")(?![a-z]) ?){1,3})truoc(?![a-z])"
)
_AGO_PART = _c(r"(?P<n>[0-9]{1,4}|mot) ?(?P<unit>" + _AGO_UNIT + r")(?![a-z])")
_JUST_NOW = _c(r"(?<![a-z])(?:vua xong|vai giay truoc|just now)(?![a-z])")
_DAY_WORD = _c(r"(?<![a-z])hom (?P<w>qua|nay|kia)(?![a-z])")
_DAY_WORD_OFFSET = {"nay": 0, "qua": 1, "kia": 2}
# "thứ 5 tuần trước" names one day exactly (Vietnamese weeks run Monday..Sunday).
_WEEK_DAY = _c(r"(?<![a-z])(?P<wd>" + WEEKDAY_RE + r") tuan (?P<w>truoc|roi|nay)(?![a-z])")
# "sau 22 giờ nữa", "3 tuần sau", "tuần tới", "ngày mai": pages are not published in the future.
_FUTURE = _c(
    r"(?<![a-z])(?:ngay mai|ngay kia|(?:tuan|thang|nam) (?:sau|toi)|sau [0-9]+ ?(?:"
    + _AGO_UNIT + r")|[0-9]+ ?(?:" + _AGO_UNIT + r") (?:sau|toi|nua))(?![a-z])"
)
# "tuần trước", "tháng này", "vài phút trước": a period, not a moment.
_VAGUE = _c(
    r"(?<![a-z])(?:(?:tuan|thang|nam) (?:truoc|nay|roi)|vai (?:" + _AGO_UNIT + r") truoc"
    r"|gan day|moi day)(?![a-z])"
)


# --------------------------------------------------------------------------------------------


class _Day(NamedTuple):
    start: int
    end: int
    year: int | None  # None: the text gives no year
    month: int
    day: int
    sep: str  # "/" "-" "." for numeric forms, "" for "tháng 10", "word" for "tháng Mười"
    context: bool  # a day word ("ngày", "sáng", a weekday) stands right before it
    lunar: bool


class _Time(NamedTuple):
    start: int
    end: int
    hour: int
    minute: int
    second: int
    micro: int
    offset: int | None  # minutes east of UTC when the text names a zone, else None


_BAD_ZONE = 10**6  # offset of a zone that is written but cannot exist ("GMT+25")


def _parse(text: object, reference: object) -> tuple[datetime | date | None, str | None]:
    if not isinstance(text, str):
        return None, "empty"
    s = _fold(text)
    if not s:
        return None, "empty"
    ref = _as_reference(reference)
    try:
        value, reason = _machine(s) or _absolute(s, ref) or _relative(s, ref)
    except (ValueError, OverflowError):
        # Arithmetic on absurd numbers ("9999 năm trước" from a reference near year 1).
        return None, "impossible_date"
    if value is not None and not _MIN_YEAR <= value.year <= _MAX_YEAR:
        return None, "impossible_date"
    return value, reason


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).translate(FOLD).split())


def _as_reference(reference: object) -> datetime | None:
    if not isinstance(reference, datetime):
        return None
    if reference.tzinfo is None or reference.utcoffset() is None:
        return reference.replace(tzinfo=_ICT)  # naive means Vietnam local, as everywhere here
    try:
        return reference.astimezone(_ICT)
    except OverflowError:  # datetime.max in UTC has no +07:00 form: no usable "now"
        return None


def _machine(s: str):
    """Whole-string ISO 8601 or epoch value: the common case for meta tags and JSON-LD."""
    if _EPOCH.fullmatch(s):
        n = int(s)
        seconds = n / 1000 if len(s) == 13 else n
        return _vietnam(datetime.fromtimestamp(seconds, _ICT)), None
    m = _ISO.fullmatch(s)
    if not m:
        return None
    day = _calendar_day(int(m["y"]), int(m["m"]), int(m["d"]))
    if day is None:
        return None, "impossible_date"
    if m["h"] is None:
        return day, None
    hour, minute, second = int(m["h"]), int(m["mi"]), int(m["s"] or 0)
    if hour > 23 or minute > 59 or second > 59:
        return None, "impossible_time"
    micro = int((m["f"] or "0").ljust(6, "0"))
    offset = None
    if m["z"]:
        offset = 0
    elif m["sign"]:
        offset = _offset_minutes(m["sign"], m["oh"], m["om"])
        if offset == _BAD_ZONE:
            return None, "bad_zone"
    return _moment(day, _Time(0, 0, hour, minute, second, micro, offset)), None


def _absolute(s: str, ref: datetime | None):
    """A calendar day written in the text, with its time of day if one is written beside it."""
    days = _find_days(s)
    if not days:
        return None
    times = _find_times(s, days)
    attached = {d: _attached_time(s, d, times) for d in days}
    solar = [d for d in days if not d.lunar]
    if not solar:
        return None, "lunar_date"
    dated = [d for d in solar if d.year is not None]
    if dated:
        pool = dated
    else:
        pool = [d for d in solar if _usable_yearless(s, d, attached[d])]
        if not pool:
            return None  # fractions, scores: fall through to relative forms / "no_date"
        if ref is None:
            # 2000 is a leap year, so this only refuses days no year has ("30/2", "32/1").
            possible = any(_calendar_day(2000, d.month, d.day) for d in pool)
            return None, "needs_reference" if possible else "impossible_date"
    resolved = [(d, _resolve(d, ref)) for d in pool]
    resolved = [(d, day) for d, day in resolved if day is not None]
    if not resolved:
        return None, "impossible_date"
    if len({day for _, day in resolved}) > 1:
        # Several different days: a header "today" bar beside the article's own date and time.
        # The one with a time of day is the publication; otherwise we cannot tell.
        resolved = [(d, day) for d, day in resolved if attached[d]]
        if len({day for _, day in resolved}) != 1:
            return None, "ambiguous"
    found, day = max(resolved, key=lambda pair: attached[pair[0]] is not None)
    time = attached[found]
    if time is None:
        return day, None
    if time.offset is None and time.end <= found.start:
        # The time came first, so its zone may follow the date: "09:02 23/12/2025 (GMT+7)".
        zone = _ZONE_AFTER_DAY.match(s, found.end)
        if zone:
            time = time._replace(offset=_zone_offset(zone))
    if time.offset == _BAD_ZONE:
        return None, "bad_zone"
    return _moment(day, time), None


def _relative(s: str, ref: datetime | None):
    """Forms that count back from `reference`; reached only when no calendar day is written."""
    # Before "N units ago": in "thứ 5 tuần trước" the "5 tuần trước" is not five weeks ago.
    anchor = _WEEK_DAY.search(s) or _DAY_WORD.search(s)
    ago = None if anchor else _AGO.search(s)
    if ago:
        if ref is None:
            return None, "needs_reference"
        value = ref
        for part in _AGO_PART.finditer(ago["parts"]):
            n, unit = (1 if part["n"] == "mot" else int(part["n"])), part["unit"]
            if unit in AGO_MONTHS:
                value = _months_before(value, n * AGO_MONTHS[unit])
            else:
                value -= timedelta(seconds=n * AGO_SECONDS[unit])
        return _vietnam(value), None
    if _JUST_NOW.search(s):
        return (_vietnam(ref), None) if ref else (None, "needs_reference")
    if anchor:
        if ref is None:
            return None, "needs_reference"
        if "wd" in anchor.re.groupindex:
            week_shift = 0 if anchor["w"] == "nay" else 7
            day = ref.date() - timedelta(days=ref.weekday() + week_shift - weekday_number(anchor["wd"]))
        else:
            day = ref.date() - timedelta(days=_DAY_WORD_OFFSET[anchor["w"]])
        spot = _Day(anchor.start(), anchor.end(), day.year, day.month, day.day, "", True, False)
        time = _attached_time(s, spot, _find_times(s, [spot]))
        if time is None:
            return day, None
        if time.offset == _BAD_ZONE:
            return None, "bad_zone"
        return _moment(day, time), None
    if _FUTURE.search(s):
        return None, "future"
    if _VAGUE.search(s):
        return None, "vague"
    if _find_times(s, []):
        return None, "time_only"
    return None, "no_date"


# --------------------------------------------------------------------------------------------


def _find_days(s: str) -> list[_Day]:
    found: list[_Day] = []
    for hint, patterns in _DAY_PATTERNS:
        if hint.search(s):
            for pattern in patterns:
                found.extend(_days_of(pattern, s))
    return _without_overlaps(found)


def _days_of(pattern: re.Pattern[str], s: str):
    for m in pattern.finditer(s):
        groups = m.groupdict()
        year = groups.get("y")
        if year is not None:
            short, year = len(year) == 2, int(year)
            if short:
                # Two-digit years: 00-69 are 20xx, 70-99 are 19xx (the web era starts ~1995).
                year += 2000 if year < 70 else 1900
        month_text, sep = m["m"], groups.get("sep") or ""
        if month_text.isdigit():
            month = int(month_text)
        elif pattern in (_EN_DMY, _EN_MDY):
            month, sep = EN_MONTHS[month_text[:3]], "word"
        else:
            month, sep = VI_MONTHS[month_text], "word"
        start, end = m.span()
        context = _DAY_CONTEXT.search(s, max(0, start - 24), start) is not None
        lunar = _LUNAR.match(s, end) is not None
        yield _Day(start, end, year, month, int(m["d"]), sep, context, lunar)


def _find_times(s: str, days: list[_Day]) -> list[_Time]:
    found: list[_Time] = []
    for pattern, hint in _TIME_PATTERNS:
        if not hint.search(s):
            continue
        for m in pattern.finditer(s):
            hour, minute = int(m["h"]), int(m["mi"] or 0)
            groups = m.groupdict()
            if groups.get("ruoi"):
                minute = 30
            elif groups.get("kem"):  # "11 giờ kém 15" = 15 minutes to 11
                hour, minute = hour - 1, 60 - int(m["kem"])
            hour = adjust_hour(hour, m["ampm"], m["half"])
            second = int(groups.get("s") or 0)
            if not (0 <= hour <= 23 and 0 <= minute <= 59 and second <= 59):
                continue  # "24h" as in "tin 24h", "25:61": not a time of day
            micro = int((groups.get("f") or "0").ljust(6, "0"))
            offset = None
            if m["z"]:
                offset = 0
            elif m["gmt"] or m["osign"]:
                offset = _zone_offset(m)
            found.append(_Time(m.start(), m.end(), hour, minute, second, micro, offset))
    found = [t for t in found if not any(t.start < d.end and d.start < t.end for d in days)]
    return _without_overlaps(found)


def _without_overlaps(items: list) -> list:
    # Earliest start wins, then the longest match ("25/10/2021" over anything inside it).
    items.sort(key=lambda it: (it.start, -it.end))
    kept: list = []
    for it in items:
        if not kept or it.start >= kept[-1].end:
            kept.append(it)
    return kept


def _attached_time(s: str, day: _Day, times: list[_Time]) -> _Time | None:
    """The time written right after the day (preferred) or right before it, if any."""
    before = None
    for t in times:
        if t.start >= day.end:
            if _joined(s, day.end, t.start):
                return t
            break
        if t.end <= day.start and _joined(s, t.end, day.start):
            before = t
    return before


def _joined(s: str, a: int, b: int) -> bool:
    return b - a <= _MAX_GAP and _GAP.fullmatch(s, a, b) is not None


def _usable_yearless(s: str, d: _Day, time: _Time | None) -> bool:
    if d.context or time is not None:
        return True
    # Alone in the element ("22/12", "25 tháng 10"): a listing date. A hyphen or a dot alone
    # ("2-1", "2.5") is a score or a decimal far more often than a day, and a month word alone
    # can be an ordinary word once diacritics are gone ("3 tháng sau" = three months later).
    alone = _joined(s, 0, d.start) and _joined(s, d.end, len(s))
    return alone and d.sep in ("/", "")


def _resolve(d: _Day, ref: datetime | None) -> date | None:
    if d.year is not None:
        return _calendar_day(d.year, d.month, d.day)
    # The text omits the year: take the latest such day not after the reference's tomorrow
    # (a day ahead tolerates pages dated in a zone east of the reference clock).
    if ref is None:
        return None
    limit = (ref + timedelta(days=1)).date()
    for year in range(limit.year, limit.year - 9, -1):
        day = _calendar_day(year, d.month, d.day)
        if day is not None and day <= limit:
            return day
    return None


def _calendar_day(year: int, month: int, day: int) -> date | None:
    if not (_MIN_YEAR <= year <= _MAX_YEAR and 1 <= month <= 12):
        return None
    if not 1 <= day <= monthrange(year, month)[1]:
        return None
    return date(year, month, day)


def _zone_offset(m: re.Match[str]) -> int:
    if m["gmt"]:
        if not m["gsign"]:
            return 0
        # "GMT+7" is seven hours *east* of Greenwich, not the POSIX TZ "GMT+7" (= UTC-7).
        return _offset_minutes(m["gsign"], m["gh"], m["gm"])
    return _offset_minutes(m["osign"], m["oh"], m["om"])


def _offset_minutes(sign: str, hours: str, minutes: str | None) -> int:
    h, mi = int(hours), int(minutes or 0)
    if h > 14 or mi > 59:
        return _BAD_ZONE
    total = h * 60 + mi
    return -total if sign == "-" else total


def _moment(day: date, t: _Time) -> datetime:
    # A time without a zone on a Vietnamese page (or a naive machine value) is Vietnam time.
    zone = _ICT if t.offset is None else timezone(timedelta(minutes=t.offset))
    return _vietnam(datetime(day.year, day.month, day.day, t.hour, t.minute, t.second, t.micro, zone))


def _vietnam(moment: datetime) -> datetime:
    moment = moment.astimezone(_ICT)
    return moment.astimezone(VIETNAM) if moment >= _SINCE_1975 else moment


def _months_before(moment: datetime, months: int) -> datetime:
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return moment.replace(year=year, month=month, day=min(moment.day, monthrange(year, month)[1]))
