"""Vietnamese date strings -> one value or None (crawler.normalize.dates).

The tables are the corpus: every string of /work/shared/notes/vi-formats.md sections A1-A6 (real
page strings, with the note's entry number in the comment), then our own rows, one per rule.
benchmarks/dates.py imports PARSED and REJECTED from here, so keep them plain data.

Expected values are written out: an ISO string compared to to_iso(result) ("...T10:30:00+07:00"
for a moment, "2021-10-25" for a day); rejected rows name the reason date_rejection gives.
"""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone

import pytest

from crawler.normalize.dates import VIETNAM, date_rejection, parse_date, to_iso

# "Now" for relative and year-less rows: Tuesday 2025-12-23 10:30 in Vietnam (the capture week
# of the znews/vtcnews pages). Year-less days resolve to the latest one not after 2025-12-24.
REF = datetime(2025, 12, 23, 10, 30, tzinfo=VIETNAM)
# The baocantho page was fetched on the day it was published.
REF_CANTHO = datetime(2026, 1, 8, 18, 21, tzinfo=VIETNAM)

# (text, reference, expected to_iso value)
PARSED: list[tuple[str, datetime | None, str]] = [
    # ---- A1: visible publication dates on article pages
    ("17/06/2025 13:43", None, "2025-06-17T13:43:00+07:00"),  # 1 baolaocai
    ("08/01/2026 - 18:21", None, "2026-01-08T18:21:00+07:00"),  # 2 baocantho
    ("Thứ Tư, 24/12/2025 09:30:00 +07:00", None, "2025-12-24T09:30:00+07:00"),  # 3 vtcnews
    ("Thứ ba, 23/12/2025 09:02 (GMT+7)", None, "2025-12-23T09:02:00+07:00"),  # 4 znews
    ("Thứ bảy, 07/03/2026 - 08:07", None, "2026-03-07T08:07:00+07:00"),  # 9 dantri
    ("Thứ bảy, 7/3/2026, 00:05 (GMT+7)", None, "2026-03-07T00:05:00+07:00"),  # 14 vnexpress
    ("11/10/2025 10:02", None, "2025-10-11T10:02:00+07:00"),  # 15 plo
    ("Thứ Bảy, 13/05/2023 17:27", None, "2023-05-13T17:27:00+07:00"),  # 16 baotintuc
    ("Thứ Sáu, 29/06/2018, 08:20", None, "2018-06-29T08:20:00+07:00"),  # 17 baobaclieu
    ("Thứ sáu, 6/8/2021, 01:08 (GMT+7)", None, "2021-08-06T01:08:00+07:00"),  # 19 dateutil #1161
    # ---- A2: page chrome, listings, relative times
    ("Thứ bảy, 7/3/2026", None, "2026-03-07"),  # 21 header "today" bar: a day, no time
    ("7' trước", REF, "2025-12-23T10:23:00+07:00"),  # 22
    ("1 giờ trước", REF, "2025-12-23T09:30:00+07:00"),  # 23
    ("17 phút trước", REF, "2025-12-23T10:13:00+07:00"),  # 24
    ("17 phút trước 10:13 23/12/2025", REF, "2025-12-23T10:13:00+07:00"),  # 25 absolute wins
    ("17 phút trước 10:13 23/12/2025", None, "2025-12-23T10:13:00+07:00"),  # 25 no ref needed
    ("10:15 17/12/2025", None, "2025-12-17T10:15:00+07:00"),  # 26 time first
    ("06:00 5/12/2025", None, "2025-12-05T06:00:00+07:00"),  # 27
    ("13:32 17/8/2025", None, "2025-08-17T13:32:00+07:00"),  # 28
    ("10:15 24/12/2025", None, "2025-12-24T10:15:00+07:00"),  # 29
    ("03/02/2026 11:24", None, "2026-02-03T11:24:00+07:00"),  # 31 laodong
    ("Báo Lào Cai Thường kỳ số 118 ra ngày 5/1/2026", None, "2026-01-05"),  # 33 print issue
    # ---- A3: machine-readable values
    ("2025-06-17T13:43:02+0700", None, "2025-06-17T13:43:02+07:00"),  # 34
    ("2025-10-11T10:02:08+0700", None, "2025-10-11T10:02:08+07:00"),  # 35
    ("1750142582", None, "2025-06-17T13:43:02+07:00"),  # 36 epoch seconds
    ("2026-01-08", None, "2026-01-08"),  # 37 date only
    ("2025-12-24T09:30:00", None, "2025-12-24T09:30:00+07:00"),  # 38 naive = Vietnam time
    ("2025-12-24T09:26:39+07:00", None, "2025-12-24T09:26:39+07:00"),  # 39
    ("2025-12-23T09:02:07.000+07:00", None, "2025-12-23T09:02:07+07:00"),  # 40 milliseconds
    ("2026-03-07T08:52:11.000 +07:00", None, "2026-03-07T08:52:11+07:00"),  # 41 (A7) not 03-07 -> 07-03
    ("2026-03-07 08:07", None, "2026-03-07T08:07:00+07:00"),  # 42
    ("2026-03-07T08:07:18+07:00", None, "2026-03-07T08:07:18+07:00"),  # 43
    ("2026-03-07 08:32:56", None, "2026-03-07T08:32:56+07:00"),  # 45
    # ---- A4: datelines inside article text (year-less ones need the reference)
    ("(CTO) - Ngày 8-1, Phó Thủ tướng …", REF, "2025-01-08"),  # 47
    ("(CTO) - Ngày 8-1, Phó Thủ tướng …", REF_CANTHO, "2026-01-08"),  # 47 with the page's own fetch time
    ("Sáng 11-10, các đoàn đại biểu …", REF, "2025-10-11"),  # 48
    ("Ngày 9-10, VKSND khu vực 7 …", REF, "2025-10-09"),  # 49
    ("ngày 5-11-2020", None, "2020-11-05"),  # 50
    ("ngày 25-11-2020", None, "2020-11-25"),  # 50
    ("Chốt phiên giao dịch 22/12, …", REF, "2025-12-22"),  # 51
    ("Chiều 13/5, tuyển U22 …", REF, "2025-05-13"),  # 52 "chiều" without a time: a day
    ("ngày 14.8.1929", None, "1929-08-14"),  # 53
    ("ngày 08.07.2022", None, "2022-07-08"),  # 53
    ("cấp ngày 02-12-2021", None, "2021-12-02"),  # 54
    # ---- A5: date-parser test suites and bug reports
    ("Thứ Năm, ngày 8 tháng 1 năm 2015", None, "2015-01-08"),  # 56
    ("Thứ Tư, 07/01/2015 | 22:34", None, "2015-01-07T22:34:00+07:00"),  # 57
    ("9 Tháng 1 2015 lúc 15:08", None, "2015-01-09T15:08:00+07:00"),  # 58
    ("Tháng Mười Hai 29, 2013, 14:14", None, "2013-12-29T14:14:00+07:00"),  # 59
    ("05 Tháng một 2015 - 03:54 AM", None, "2015-01-05T03:54:00+07:00"),  # 60
    ("Hôm qua 08:16", REF, "2025-12-22T08:16:00+07:00"),  # 61
    ("Hôm nay 15:39", REF, "2025-12-23T15:39:00+07:00"),  # 61
    ("21 giờ trước", REF, "2025-12-22T13:30:00+07:00"),  # 61
    ("15 tháng trước", REF, "2024-09-23T10:30:00+07:00"),  # 62 calendar months back
    ("21 tháng 09 năm 2025", None, "2025-09-21"),  # 63 leading-zero month
    # 64: "thứ 5 tuần trước" names one day exactly: Thursday of the week before REF's week.
    ("thứ 5 tuần trước", REF, "2025-12-18"),
    ("ngày mồng 3 tháng 3 năm 2017", None, "2017-03-03"),  # 65
    ("3/3/17", None, "2017-03-03"),  # 65 day-first, two-digit year
    ("7:30 chiều ngày 20/4/2017", None, "2017-04-20T19:30:00+07:00"),  # 65 chiều -> afternoon
    # 65: 6 Feb 2025 is a Thursday, not "thứ 2": the numbers win.
    ("thứ 2 mồng 6 tháng 2", REF, "2025-02-06"),
    ("chủ nhật ngày 9 tháng 4", REF, "2025-04-09"),  # 66 (a Wednesday in 2025: numbers win)
    # ---- A6: another crawler's test inputs (secondary)
    ("Thứ năm, 25/9/2026 | 14:30", None, "2026-09-25T14:30:00+07:00"),
    ("Hồ Thảo 13:13, 25/09/2026 chia sẻ", None, "2026-09-25T13:13:00+07:00"),
    ("01:02 PM 01/09/2026", None, "2026-09-01T13:02:00+07:00"),
    ("Thứ Bảy, ngày 01 tháng 3 năm 2025", None, "2025-03-01"),
    ("Thứ năm, 24/9/2026, 10:31 (GMT+7)", None, "2026-09-24T10:31:00+07:00"),
    ("Thứ sáu, 25/9/2026", None, "2026-09-25"),  # the header clock beside it
    # Header clock and article date in one node: the day that carries a time is the article's.
    ("Thứ sáu, 25/9/2026 Thứ năm, 24/9/2026, 10:31 (GMT+7)", None, "2026-09-24T10:31:00+07:00"),
    ("55 phút trước", REF, "2025-12-23T09:35:00+07:00"),
    ("3 tiếng trước", REF, "2025-12-23T07:30:00+07:00"),
    ("1 ngày trước", REF, "2025-12-22T10:30:00+07:00"),
    ("2 tuần trước", REF, "2025-12-09T10:30:00+07:00"),
    ("Cập nhật 30 giây trước", REF, "2025-12-23T10:29:30+07:00"),
    ("5 Phút Trước", REF, "2025-12-23T10:25:00+07:00"),
    ("10 phut truoc", REF, "2025-12-23T10:20:00+07:00"),
    # ---- weekday prefixes, every spelling; a contradicting weekday never moves the date
    ("Thứ hai, 25/10/2021", None, "2021-10-25"),
    ("Thứ Hai, 25/10/2021 08:30", None, "2021-10-25T08:30:00+07:00"),
    ("THỨ HAI, 25/10/2021", None, "2021-10-25"),
    ("Thứ 2, 25/10/2021", None, "2021-10-25"),
    ("T2, 25/10/2021", None, "2021-10-25"),
    ("T2,25/10/2021", None, "2021-10-25"),
    ("Chủ nhật, 24/10/2021", None, "2021-10-24"),
    ("CN, 24/10/2021 - 07:00", None, "2021-10-24T07:00:00+07:00"),
    ("T7 30/10/2021 10:00", None, "2021-10-30T10:00:00+07:00"),
    ("Thứ Sáu, 25/10/2021", None, "2021-10-25"),  # 25/10/2021 was a Monday
    ("Thu hai, 25/10/2021", None, "2021-10-25"),  # typed without diacritics
    # ---- numeric dates: day first, / - or ., padded or not, 2- or 4-digit years; year first
    ("25/10/2021", None, "2021-10-25"),
    ("25-10-2021", None, "2021-10-25"),
    ("25.10.2021", None, "2021-10-25"),
    ("5/1/2026", None, "2026-01-05"),
    ("05/01/2026", None, "2026-01-05"),
    ("25/10/21", None, "2021-10-25"),
    ("25-10-21", None, "2021-10-25"),
    ("1/1/99", None, "1999-01-01"),  # 70-99 -> 19xx
    ("29/02/2024", None, "2024-02-29"),
    ("2021/10/29 06:00", None, "2021-10-29T06:00:00+07:00"),
    ("2021/10/29", None, "2021-10-29"),
    ("2021.10.29", None, "2021-10-29"),
    # ---- dates in words
    ("ngày 25 tháng 10 năm 2021", None, "2021-10-25"),
    ("25 tháng 10, 2021", None, "2021-10-25"),
    ("25 tháng 10,2021", None, "2021-10-25"),
    ("Tháng Mười Hai 29, 2013", None, "2013-12-29"),
    ("05 Tháng một 2015", None, "2015-01-05"),
    ("25 tháng Mười, 2021", None, "2021-10-25"),
    ("ngày 2 tháng Chín năm 1945", None, "1945-09-02"),
    ("Tháng Mười Một 5, 2020", None, "2020-11-05"),
    ("ngày mồng 3 tháng 3", REF, "2025-03-03"),
    ("ngày mùng 3 tháng 3", REF, "2025-03-03"),
    ("25 tháng 10", REF, "2025-10-25"),  # alone in the element: a listing date
    ("25 Oct 2021", None, "2021-10-25"),
    ("October 25, 2021", None, "2021-10-25"),
    # ---- year-less numeric dates: the latest one not after reference + 1 day
    ("22/12", REF, "2025-12-22"),
    ("Ngày 24/12", REF, "2025-12-24"),  # tomorrow of the reference is still allowed
    ("Ngày 25/12", REF, "2024-12-25"),
    ("ngày 29/2", REF, "2024-02-29"),  # the last leap year
    ("10:15 22/12", REF, "2025-12-22T10:15:00+07:00"),
    ("10h30' ngày 25/10", REF, "2025-10-25T10:30:00+07:00"),
    ("08:30 ngày 25 tháng 10", REF, "2025-10-25T08:30:00+07:00"),
    ("Ngày 14.8", REF, "2025-08-14"),
    # ---- times of day, before or after the date, and how they are joined
    ("08:30 25/10/2021", None, "2021-10-25T08:30:00+07:00"),
    ("8:30:15 25/10/2021", None, "2021-10-25T08:30:15+07:00"),
    ("10h30 ngày 25/10/2021", None, "2021-10-25T10:30:00+07:00"),
    ("10H30 25/10/2021", None, "2021-10-25T10:30:00+07:00"),
    ("10h 25/10/2021", None, "2021-10-25T10:00:00+07:00"),
    ("10g45 ngày 25/10/2021", None, "2021-10-25T10:45:00+07:00"),
    ("10h45, 25/10/2021", None, "2021-10-25T10:45:00+07:00"),
    ("15 giờ 30 phút, ngày 12/3/2022", None, "2022-03-12T15:30:00+07:00"),
    ("7 giờ 30 ngày 25/10/2021", None, "2021-10-25T07:30:00+07:00"),
    ("11 giờ kém 15 ngày 25/10/2021", None, "2021-10-25T10:45:00+07:00"),
    ("3 giờ rưỡi chiều ngày 25/10/2021", None, "2021-10-25T15:30:00+07:00"),
    ("vào lúc 2 giờ sáng ngày 25/10/2021", None, "2021-10-25T02:00:00+07:00"),
    ("25/10/2021 08:30 PM", None, "2021-10-25T20:30:00+07:00"),
    ("25/10/2021 08:30 p.m.", None, "2021-10-25T20:30:00+07:00"),
    ("25/10/2021 12:15 AM", None, "2021-10-25T00:15:00+07:00"),
    ("25/10/2021 12:15 PM", None, "2021-10-25T12:15:00+07:00"),
    ("25/10/2021 08:30 CH", None, "2021-10-25T20:30:00+07:00"),  # CH = chiều (Vietnamese PM)
    ("25/10/2021 08:30 SA", None, "2021-10-25T08:30:00+07:00"),  # SA = sáng (Vietnamese AM)
    ("8 giờ tối ngày 25/10/2021", None, "2021-10-25T20:00:00+07:00"),
    ("11 giờ trưa 25/10/2021", None, "2021-10-25T11:00:00+07:00"),
    ("1 giờ trưa 25/10/2021", None, "2021-10-25T13:00:00+07:00"),
    ("9 giờ đêm 25/10/2021", None, "2021-10-25T21:00:00+07:00"),
    ("2 giờ đêm 25/10/2021", None, "2021-10-25T02:00:00+07:00"),
    ("20:00 chiều 25/10/2021", None, "2021-10-25T20:00:00+07:00"),  # 24-hour clock wins
    ("25/10/2021 lúc 10:30", None, "2021-10-25T10:30:00+07:00"),
    ("25/10/2021 vào lúc 10:30", None, "2021-10-25T10:30:00+07:00"),
    ("25/10/2021, 10:30", None, "2021-10-25T10:30:00+07:00"),
    ("25/10/2021 | 10:30", None, "2021-10-25T10:30:00+07:00"),
    ("25/10/2021 - 10:30", None, "2021-10-25T10:30:00+07:00"),
    ("Cập nhật lúc: 10:30, Thứ Hai, 25/10/2021", None, "2021-10-25T10:30:00+07:00"),
    ("25 Tháng 10, 2021 | 10:30", None, "2021-10-25T10:30:00+07:00"),
    ("25/10/2021 10:30:00 AM", None, "2021-10-25T10:30:00+07:00"),
    ("Thứ 5, 21.10.2021 - 15:45", None, "2021-10-21T15:45:00+07:00"),
    ("10h30p 25/10/2021", None, "2021-10-25T10:30:00+07:00"),
    ("Tin 24h 25/10/2021", None, "2021-10-25"),  # "24h" is a name here, not a time
    ("10:30 - 25/10/2021", None, "2021-10-25T10:30:00+07:00"),
    ("10:30 | Thứ Hai, 25/10/2021", None, "2021-10-25T10:30:00+07:00"),
    # A time that is not written next to the date is not the date's time.
    ("Ngày 25/10/2021, 3 người bị thương lúc 10:30", None, "2021-10-25"),
    ("25:30 25/10/2021", None, "2021-10-25"),  # not a time of day, only the day stands
    # ---- zones, all converted to +07:00
    ("25/10/2021 08:30 GMT+7", None, "2021-10-25T08:30:00+07:00"),
    ("25/10/2021 08:30 (GMT+7)", None, "2021-10-25T08:30:00+07:00"),
    ("25/10/2021 08:30 [GMT+7]", None, "2021-10-25T08:30:00+07:00"),
    ("25/10/2021 08:30 GMT+07:00", None, "2021-10-25T08:30:00+07:00"),
    ("25/10/2021 08:30 +07:00", None, "2021-10-25T08:30:00+07:00"),
    ("25/10/2021 08:30 +0700", None, "2021-10-25T08:30:00+07:00"),
    ("25/10/2021 01:30 UTC", None, "2021-10-25T08:30:00+07:00"),
    ("25/10/2021 08:30 GMT+9", None, "2021-10-25T06:30:00+07:00"),  # east of GMT, not POSIX west
    ("25/10/2021 22:00 GMT", None, "2021-10-26T05:00:00+07:00"),  # the day moves too
    ("09:02 23/12/2025 (GMT+7)", None, "2025-12-23T09:02:00+07:00"),  # zone after the date
    ("Chủ Nhật, 24/10/2021 | 21:03 GMT+7", None, "2021-10-24T21:03:00+07:00"),
    ("Cập nhật: 25/10/2021 - 10:30 (GMT+07:00)", None, "2021-10-25T10:30:00+07:00"),
    ("25/10/2021 (GMT+7)", None, "2021-10-25"),  # a zone without a time changes nothing
    ("2021-10-25T08:30:00+07", None, "2021-10-25T08:30:00+07:00"),
    # Before 1975-06-13 the tz database gives Vietnam +08:00; the contract stays +07:00.
    ("Sài Gòn, 30/4/1975 11:30", None, "1975-04-30T11:30:00+07:00"),
    ("1/5/1955 10:00", None, "1955-05-01T10:00:00+07:00"),
    ("2021-10-25T01:30:00Z", None, "2021-10-25T08:30:00+07:00"),
    ("2021-10-25T01:30:00+00:00", None, "2021-10-25T08:30:00+07:00"),
    ("Mon, 25 Oct 2021 01:30:00 GMT", None, "2021-10-25T08:30:00+07:00"),  # RSS pubDate
    ("Mon, 25 Oct 2021 08:30:00 +0700", None, "2021-10-25T08:30:00+07:00"),
    ("Sun, 24 Oct 2021 20:00:00 -0500", None, "2021-10-25T08:00:00+07:00"),
    # ---- machine formats
    ("2021-10-25T08:30:00+07:00", None, "2021-10-25T08:30:00+07:00"),
    ("2021-10-25 08:30:00", None, "2021-10-25T08:30:00+07:00"),
    ("2021-10-25T08:30:00.123456+07:00", None, "2021-10-25T08:30:00+07:00"),
    ("2021-10-25T08:30", None, "2021-10-25T08:30:00+07:00"),
    ("1750142582000", None, "2025-06-17T13:43:02+07:00"),  # epoch milliseconds
    (" 2026-01-08 ", None, "2026-01-08"),
    ("Ngày đăng: 2021-10-25T08:30:00", None, "2021-10-25T08:30:00+07:00"),
    ("2021-10-25 08:30:00 UTC", None, "2021-10-25T15:30:00+07:00"),
    # ---- labels and noise
    ("Cập nhật: 08:30 25/10/2021", None, "2021-10-25T08:30:00+07:00"),
    ("Cập nhật: 25/10/2021 08:30", None, "2021-10-25T08:30:00+07:00"),
    ("Cập nhật lúc 08:30 25/10/2021", None, "2021-10-25T08:30:00+07:00"),
    ("Ngày đăng: 25/10/2021", None, "2021-10-25"),
    ("Đăng lúc: 08:30 - 25/10/2021", None, "2021-10-25T08:30:00+07:00"),
    ("Thời gian: 25/10/2021 08:30", None, "2021-10-25T08:30:00+07:00"),
    ("Ngày: 25/10/2021", None, "2021-10-25"),
    ("Đăng ngày 25/10/2021", None, "2021-10-25"),
    ("Xuất bản 25/10/2021 08:30", None, "2021-10-25T08:30:00+07:00"),
    ("Thứ Bảy, 13/05/2023 17:27\u00a0|\u00a0Thể thao", None, "2023-05-13T17:27:00+07:00"),
    ("25/10/2021\u00a008:30", None, "2021-10-25T08:30:00+07:00"),
    ("25/10/2021\u200b 08:30", None, "2021-10-25T08:30:00+07:00"),  # zero-width space
    ("\n   25/10/2021\n\t  08:30  \n", None, "2021-10-25T08:30:00+07:00"),
    # decomposed (NFD) "Thứ Hai, ngày 25 tháng 10 năm 2021 lúc 10h30"
    ("Thu\u031b\u0301 Hai, nga\u0300y 25 tha\u0301ng 10 na\u0306m 2021 lu\u0301c 10h30", None,
     "2021-10-25T10:30:00+07:00"),
    ("25\u201310\u20132021", None, "2021-10-25"),  # en dashes
    # ---- relative forms (need the reference)
    ("30 phút trước", REF, "2025-12-23T10:00:00+07:00"),
    ("7’ trước", REF, "2025-12-23T10:23:00+07:00"),  # typographic apostrophe
    ("2 giờ trước", REF, "2025-12-23T08:30:00+07:00"),
    ("3 ngày trước", REF, "2025-12-20T10:30:00+07:00"),
    ("1 tuần trước", REF, "2025-12-16T10:30:00+07:00"),
    ("2 năm trước", REF, "2023-12-23T10:30:00+07:00"),
    ("2 giờ 30 phút trước", REF, "2025-12-23T08:00:00+07:00"),
    ("2 tuần 3 ngày trước", REF, "2025-12-06T10:30:00+07:00"),
    ("1h trước", REF, "2025-12-23T09:30:00+07:00"),
    ("vừa xong", REF, "2025-12-23T10:30:00+07:00"),
    ("hôm qua", REF, "2025-12-22"),
    ("hôm nay", REF, "2025-12-23"),
    ("Hôm kia", REF, "2025-12-21"),
    ("hom qua luc 8:16", REF, "2025-12-22T08:16:00+07:00"),
    ("Cập nhật: Hôm qua, 22:05", REF, "2025-12-22T22:05:00+07:00"),
    ("CN tuần trước", REF, "2025-12-21"),
    ("thứ hai tuần này", REF, "2025-12-22"),
    ("Cập nhật 2 giờ trước", REF, "2025-12-23T08:30:00+07:00"),
    ("một ngày trước", REF, "2025-12-22T10:30:00+07:00"),
    ("Hôm qua lúc 23:59", REF, "2025-12-22T23:59:00+07:00"),
    ("thứ Năm tuần trước lúc 10:00", REF, "2025-12-18T10:00:00+07:00"),
    ("1 giờ trước • Thể thao", REF, "2025-12-23T09:30:00+07:00"),
    # A reference given as UTC is converted first: 03:30Z is 10:30 in Vietnam.
    ("hôm qua", datetime(2025, 12, 23, 3, 30, tzinfo=timezone.utc), "2025-12-22"),
    # ---- dates inside other words
    ("Quyết định số 123/QĐ-UBND ngày 25/10/2021 của UBND tỉnh", None, "2021-10-25"),
    ("Theo số liệu đến 25/10/2021, tăng 6,72%", None, "2021-10-25"),
]

# (text, reference, reason date_rejection gives). parse_date returns None for all of these.
REJECTED: list[tuple[str, datetime | None, str]] = [
    # ---- A5 strings that are not a publication date
    ("2 tuần 3 ngày", REF, "no_date"),  # 61 a duration, no "trước": not a point in time
    ("sau 22 giờ nữa", REF, "future"),  # 62 "in 22 hours": pages are not published in the future
    ("tuần sau", REF, "future"),  # 62 "next week"
    ("3 tuần sau", REF, "future"),  # 64
    ("tuần tới", REF, "future"),  # 64
    ("ngày mai", REF, "future"),
    # 65/66: a time of day with no day is not a date, even with a reference ("today" is a guess).
    ("10h45", REF, "time_only"),
    ("10g45", REF, "time_only"),
    ("11 giờ kém 15", REF, "time_only"),
    ("vào lúc 2 giờ sáng", REF, "time_only"),
    ("3 giờ rưỡi chiều", REF, "time_only"),
    # ---- A6 "must be ignored"
    ("00:00", None, "time_only"),  # audio player
    ("00:00", REF, "time_only"),
    ("Lượt xem: 2040", None, "no_date"),
    ("Chia sẻ 1037", None, "no_date"),
    ("14:55", None, "time_only"),
    ("14:55", REF, "time_only"),
    ("31/02/2026", None, "impossible_date"),
    # ---- year-less and relative forms without a reference
    ("7' trước", None, "needs_reference"),
    ("30 phút trước", None, "needs_reference"),
    ("hôm qua", None, "needs_reference"),
    ("Hôm qua 08:16", None, "needs_reference"),
    ("vừa xong", None, "needs_reference"),
    ("thứ 5 tuần trước", None, "needs_reference"),
    ("ngày mồng 3 tháng 3", None, "needs_reference"),
    ("(CTO) - Ngày 8-1, Phó Thủ tướng …", None, "needs_reference"),
    ("Chốt phiên giao dịch 22/12, …", None, "needs_reference"),
    # ---- impossible dates (never swapped to month-first, never clamped)
    ("31/02/2021", None, "impossible_date"),
    ("32/13/2021", None, "impossible_date"),
    ("29/02/2021", None, "impossible_date"),
    ("13/25/2021", None, "impossible_date"),
    ("31/04/2021 10:00", None, "impossible_date"),
    ("2021-02-30", None, "impossible_date"),
    ("2021-13-01T08:00:00+07:00", None, "impossible_date"),
    ("2021-10-25T25:00:00", None, "impossible_time"),
    ("25/10/0021", None, "impossible_date"),
    ("ngày 30/2", REF, "impossible_date"),
    ("ngày 30/2", None, "impossible_date"),  # no year has it, so no reference could help
    ("9999 năm trước", REF, "impossible_date"),
    # ---- no date at all: weekdays, counters, percentages, prose numbers
    ("Thứ hai", None, "no_date"),
    ("Chủ nhật", None, "no_date"),
    ("CN", REF, "no_date"),
    ("T2", REF, "no_date"),
    ("5.738,9%", None, "no_date"),
    ("99,99%", None, "no_date"),
    ("8 nội dung", None, "no_date"),
    ("tăng 6,72%", None, "no_date"),
    ("2021 – 2026", None, "no_date"),  # a year range
    ("giai đoạn 2021-2026", None, "no_date"),
    ("190 năm", REF, "no_date"),
    ("kỷ niệm 190 năm thành lập", REF, "no_date"),
    ("năm 2021", None, "no_date"),  # a year is not a day
    ("tháng 10/2021", None, "no_date"),  # nor is a month
    ("Tháng 10 năm 2021", None, "no_date"),
    ("phiên bản 2.0.12", None, "no_date"),  # dotted version, not 2/0/2012
    ("thắng 2-1", REF, "no_date"),  # a score
    ("phục vụ 24/7", REF, "no_date"),
    ("giá 2.5 triệu", REF, "no_date"),
    ("1.500.000 đồng", None, "no_date"),
    ("0912345678", None, "no_date"),  # a phone number is not an epoch
    ("3 tháng sau", REF, "future"),  # "three months later", not 3 June ("tháng Sáu")
    ("3 tháng tuổi", REF, "no_date"),
    ("Tin 24h", REF, "no_date"),
    ("Quốc khánh 2/9", REF, "no_date"),  # a holiday's name, with no day word before it
    ("lúc 10:30 sáng nay", REF, "time_only"),
    ("20211025", None, "no_date"),  # compact ISO is too close to any 8-digit number
    # ---- other reasons
    ("", None, "empty"),
    ("   \n\t\u00a0", None, "empty"),
    ("25/10/2021 25/11/2021", None, "ambiguous"),  # two days, neither with a time
    # Published and updated, both with times: which one is wanted is the caller's to say.
    ("Thứ Hai, 25/10/2021, 10:30 (GMT+7) Cập nhật: 26/10/2021 08:00", None, "ambiguous"),
    ("từ ngày 1/10/2021 đến ngày 5/10/2021", None, "ambiguous"),
    ("ngày 15 tháng 8 âm lịch", REF, "lunar_date"),  # another calendar
    ("ngày 15/8 (AL)", REF, "lunar_date"),
    ("25/10/2021 08:30 GMT+25", None, "bad_zone"),
    ("tuần trước", REF, "vague"),  # a week, not a moment
    ("vài phút trước", REF, "vague"),
    # ---- garbled
    ("??/??/????", None, "no_date"),
    ("//--..::", None, "no_date"),
    ("\u0662\u0665/\u0661\u0660/\u0662\u0660\u0662\u0661", None, "no_date"),  # Arabic-Indic digits
    ("\uff12\uff15/\uff11\uff10/\uff12\uff10\uff12\uff11", None, "no_date"),  # full-width digits
    ("GMT+7", None, "no_date"),
    ("Ð¸Ð¼Ñ Ð¿Ð¾Ð»Ñ", None, "no_date"),  # mojibake
]


def _check(value):
    """Every datetime the parser returns must be aware and at +07:00."""
    if isinstance(value, datetime):
        assert value.utcoffset() == timedelta(hours=7)
        assert value.isoformat().endswith("+07:00")
    return to_iso(value)


@pytest.mark.parametrize(("text", "reference", "expected"), PARSED)
def test_parsed(text, reference, expected):
    value = parse_date(text, reference=reference)
    assert _check(value) == expected
    assert date_rejection(text, reference=reference) is None


@pytest.mark.parametrize(("text", "reference", "reason"), REJECTED)
def test_rejected(text, reference, reason):
    assert parse_date(text, reference=reference) is None
    assert date_rejection(text, reference=reference) == reason


def test_day_only_is_a_date_not_a_datetime():
    value = parse_date("Thứ hai, 25/10/2021")
    assert type(value) is date and value == date(2021, 10, 25)
    assert type(parse_date("hôm qua", reference=REF)) is date


def test_moment_tzinfo_is_vietnam():
    value = parse_date("Mon, 25 Oct 2021 01:30:00 GMT")
    assert value.tzinfo is VIETNAM
    assert value == datetime(2021, 10, 25, 8, 30, tzinfo=VIETNAM)


@pytest.mark.parametrize("value", [None, 12345, 3.5, b"25/10/2021", ["25/10/2021"], object()])
def test_non_text_is_empty(value):
    assert parse_date(value) is None
    assert date_rejection(value) == "empty"


def test_naive_reference_is_vietnam_local():
    assert to_iso(parse_date("2 giờ trước", reference=datetime(2025, 12, 23, 10, 30))) == (
        "2025-12-23T08:30:00+07:00"
    )


def test_to_iso():
    assert to_iso(datetime(2021, 10, 25, 8, 30, tzinfo=VIETNAM)) == "2021-10-25T08:30:00+07:00"
    assert to_iso(date(2021, 10, 25)) == "2021-10-25"
    assert to_iso(None) is None
    assert to_iso("2021-10-25") is None


_WEIRD = [
    "\ud800", "\x00\x00", "\ufeff", "🙂 25/10/2021 🙂", "25/10/2021" * 500, "9" * 5000,
    "1/" * 2000, "ngày " * 1000, "thu hai " * 500 + "25/10/2021", "10:30 " * 800,
    "99999999999 ngày trước", "9999 tháng trước", "99:99", "24:00 25/10/2021",
    "25/10/2021 GMT+", "25/10/2021 10:30 GMT-99:99", "+07:00", "Z", "T", "--", "(GMT+7)",
    "0000-00-00", "0000-00-00T00:00:00", "9999999999", "2999999999999", "1e10",
    "\u0301\u0301\u0301", "ĐĐĐ", "Tháng Mười Hai , ", "tháng tháng tháng 1 1 1",
    "ngày 0 tháng 0 năm 0", "hôm qua hôm nay hôm kia 25:61", "thứ tuần trước",
    "31/12/2199 23:59:59", "01/01/1800", "1/1/1 1:1", "\\N{}", "%s%s%s", "<time>", "&nbsp;",
]


def _random_junk(seed: int, count: int) -> list[str]:
    tokens = ["25", "10", "2021", "/", "-", ".", ":", " ", ",", "|", "ngày", "tháng", "năm",
              "giờ", "phút", "trước", "hôm", "qua", "thứ", "hai", "CN", "T2", "h", "g", "GMT",
              "+", "7", "00", "(", ")", "sáng", "chiều", "PM", "Z", "T", "'", "mồng", "9", "0",
              "31", "12", "99", "\u00a0", "kém", "rưỡi", "tuần", "sau", "âm lịch", "%"]
    rng = random.Random(seed)
    return ["".join(rng.choice(tokens) for _ in range(rng.randint(1, 14))) for _ in range(count)]


@pytest.mark.parametrize("reference", [None, REF, datetime(2025, 1, 1), "not a datetime"])
def test_never_raises(reference):
    for text in _WEIRD + _random_junk(seed=20251223, count=3000):
        value = parse_date(text, reference=reference)
        assert value is None or isinstance(value, date)
        _check(value)
        reason = date_rejection(text, reference=reference)
        assert (value is None) == (reason is not None)
