"""crawler/coverage.py and crawler/coverage_html.py: periods, gap rules, rendering (no database)."""
from __future__ import annotations

import re
from datetime import date

import pytest

from crawler.coverage import (
    Coverage, build_coverage, classify, csv_rows, field_coverage, gap_runs, next_period, parse_bound,
    period_end, period_of, period_range, period_start, render_table, shade,
)
from crawler.coverage_html import render_report

# Site A: 20 articles a month in 2024 except none in May and 2 in September.
# Site B: 15 a month from March to August 2024, then nothing; 3 articles without a date.
A_MONTHS = {m: (0 if m == 5 else 2 if m == 9 else 20) for m in range(1, 13)}
B_MONTHS = {m: 15 for m in range(3, 9)}


def day_counts(months: dict[int, int]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for month, n in months.items():
        for i in range(n):
            key = f"2024-{month:02d}-{i % 28 + 1:02d}"
            counts[key] = counts.get(key, 0) + 1
    return counts


COUNTS = {"baoa": day_counts(A_MONTHS), "baob": day_counts(B_MONTHS)}
EXPECTED_GAPS = [
    ("baoa", "2024-05", "empty"), ("baoa", "2024-09", "low"),
    ("baob", "2024-09", "after_last"), ("baob", "2024-10", "after_last"),
    ("baob", "2024-11", "after_last"), ("baob", "2024-12", "after_last"),
]


@pytest.fixture
def monthly() -> Coverage:
    return build_coverage(COUNTS, "month", undated={"baob": 3},
                          labels={"baoa": {"newspaper": "Báo A", "province": "Tỉnh A"}})


# --- periods --------------------------------------------------------------------------------

@pytest.mark.parametrize("day, by, key", [
    (date(2024, 3, 5), "month", "2024-03"),
    (date(2024, 3, 5), "day", "2024-03-05"),
    (date(2024, 3, 5), "week", "2024-W10"),
    (date(2024, 12, 30), "week", "2025-W01"),   # ISO year, not the calendar year
    (date(2021, 1, 3), "week", "2020-W53"),     # a 53-week ISO year
    (date(2024, 1, 1), "week", "2024-W01"),
])
def test_period_of(day, by, key):
    assert period_of(day, by) == key
    assert period_start(key, by) <= day <= period_end(key, by)


@pytest.mark.parametrize("first, last, by, length, after_first", [
    ("2023-11", "2024-02", "month", 4, "2023-12"),
    ("2020-W52", "2021-W02", "week", 4, "2020-W53"),
    ("2024-02-27", "2024-03-01", "day", 4, "2024-02-28"),
    ("2024-05", "2024-04", "month", 0, "2024-06"),
])
def test_period_range(first, last, by, length, after_first):
    assert len(period_range(first, last, by)) == length
    assert next_period(first, by) == after_first


@pytest.mark.parametrize("text, end, expected", [
    ("2024", False, date(2024, 1, 1)),
    ("2024", True, date(2024, 12, 31)),
    ("2024-02", False, date(2024, 2, 1)),
    ("2024-02", True, date(2024, 2, 29)),
    ("2024-02-10", True, date(2024, 2, 10)),
    (" 2024-02-10 ", False, date(2024, 2, 10)),
])
def test_parse_bound(text, end, expected):
    assert parse_bound(text, end=end) == expected


@pytest.mark.parametrize("text", ["", "24-01", "2024-13", "2024-02-30", "hôm qua", "2024/01/01", "2024-1-1"])
def test_parse_bound_rejects(text):
    with pytest.raises(ValueError, match="not a date"):
        parse_bound(text)


# --- gap rules ------------------------------------------------------------------------------

@pytest.mark.parametrize("period, articles, median, gap", [
    ("2023-12", 0, 20, None),          # before the first article: not a gap
    ("2024-01", 20, 20, None),
    ("2024-05", 0, 20, "empty"),
    ("2024-06", 4, 20, "low"),          # 4 < 20 / 4
    ("2024-07", 5, 20, None),           # exactly a quarter is not low
    ("2024-08", 1, 2, None),            # 1 >= 2 / 4
    ("2025-01", 0, 20, "after_last"),
])
def test_classify(period, articles, median, gap):
    assert classify(period, articles, "2024-01", "2024-12", median) == gap


def test_known_gaps_monthly(monthly):
    assert [(g["site"], g["period"], g["gap"]) for g in monthly.gap_list()] == EXPECTED_GAPS
    a, b = monthly.sites
    assert (a.median, a.total, a.undated, a.first, a.last) == (20, 202, 0, "2024-01", "2024-12")
    assert (b.median, b.total, b.undated, b.first, b.last) == (15, 90, 3, "2024-03", "2024-08")
    assert [c.gap for c in b.cells[:2]] == [None, None]  # before B's first article
    assert monthly.periods == period_range("2024-01", "2024-12", "month")


def test_json_shape(monthly):
    data = monthly.as_json()
    assert data["by"] == "month"
    assert set(data["sites"]) == {"baoa", "baob"}
    may = data["sites"]["baoa"][4]
    assert may == {"period": "2024-05", "articles": 0, "gap": "empty"}
    assert data["sites"]["baoa"][8] == {"period": "2024-09", "articles": 2, "gap": "low"}
    assert data["undated"] == {"baoa": 0, "baob": 3}
    assert [(g["site"], g["period"], g["gap"]) for g in data["gaps"]] == EXPECTED_GAPS


def test_until_extends_after_last_and_since_keeps_medians():
    cov = build_coverage(COUNTS, "month", since=date(2024, 9, 1), until=date(2025, 2, 28))
    assert cov.periods[0] == "2024-09" and cov.periods[-1] == "2025-02"
    a, b = cov.sites
    assert a.median == 20  # from the whole archive, not the window
    assert [(c.period, c.gap) for c in a.gaps] == [("2024-09", "low"), ("2025-01", "after_last"),
                                                   ("2025-02", "after_last")]
    assert all(c.gap == "after_last" for c in b.cells)


def test_weekly_and_daily_use_the_same_rules():
    weekly = build_coverage({"x": {"2024-01-01": 7, "2024-01-08": 7, "2024-01-29": 7}}, "week")
    assert [(c.period, c.articles, c.gap) for c in weekly.sites[0].cells] == [
        ("2024-W01", 7, None), ("2024-W02", 7, None), ("2024-W03", 0, "empty"), ("2024-W04", 0, "empty"),
        ("2024-W05", 7, None)]
    daily = build_coverage({"x": {"2024-01-01": 8, "2024-01-02": 1, "2024-01-03": 8}}, "day")
    assert [c.gap for c in daily.sites[0].cells] == [None, "low", None]


def test_malformed_dates_count_as_undated():
    cov = build_coverage({"x": {"2024-02-31": 2, "2024-01-05": 1}}, "week", undated={"x": 4})
    assert cov.sites[0].undated == 6
    assert cov.sites[0].total == 1


def test_site_with_only_undated_articles():
    cov = build_coverage({"x": {"2024-01-05": 3}}, "month", undated={"y": 5})
    y = cov.sites[1]
    assert (y.site, y.undated, y.total, y.first) == ("y", 5, 0, None)
    assert [c.gap for c in y.cells] == [None]


def test_empty_archive():
    cov = build_coverage({}, "month")
    assert cov.periods == [] and cov.sites == []
    assert render_table(cov) == "No articles stored yet.\n"


# --- terminal -------------------------------------------------------------------------------

@pytest.mark.parametrize("articles, peak, char", [(0, 10, " "), (1, 10, "░"), (3, 10, "▒"), (5, 10, "▒"),
                                                  (6, 10, "▓"), (10, 10, "█"), (1, 1, "█")])
def test_shade(articles, peak, char):
    assert shade(articles, peak) == char


def test_heatmap_rows_legend_and_gap_lines(monthly):
    text = render_table(monthly, width=100)
    lines = text.splitlines()
    row_a = next(line for line in lines if line.startswith("baoa "))
    row_b = next(line for line in lines if line.startswith("baob "))
    assert "████×███!███" in row_a
    assert "  ▓▓▓▓▓▓····" in row_b or "  ██████····" in row_b
    assert re.search(r"\b202\b", row_a) and re.search(r"\b3$", row_b)  # total ... undated
    assert "JFMAMJJASOND" in text and "2024" in text
    assert "× none" in text and "! low" in text and "· after" in text
    gap_lines = [line.split() for line in lines if line.startswith("  bao")]
    assert [(g[0], g[1]) for g in gap_lines] == [("baoa", "2024-05"), ("baoa", "2024-09"), ("baob", "2024-09")]
    assert "2024-09 … 2024-12 (4 months)" in text
    assert "Undated (no usable published_at, not in any period): baob 3" in text
    assert "\x1b[" not in text


def test_heatmap_colors_only_on_request(monthly):
    assert "\x1b[31m×\x1b[0m" in render_table(monthly, color=True)


def test_heatmap_wraps_long_axes():
    counts = {"x": {f"2024-{m:02d}-{d:02d}": 1 for m in range(1, 13) for d in range(1, 29)}}
    text = render_table(build_coverage(counts, "day"), width=80)
    rows = [line for line in text.splitlines() if line.startswith("x ")]
    assert len(rows) > 1 and all(len(row) <= 80 for row in rows)


def test_gap_runs_merge_consecutive_periods(monthly):
    runs = gap_runs(monthly.sites[1])
    assert [(kind, [c.period for c in cells]) for kind, cells in runs] == [
        ("after_last", ["2024-09", "2024-10", "2024-11", "2024-12"])]


def test_csv_rows(monthly):
    rows = csv_rows(monthly)
    assert ("baoa", "2024-05", 0, "empty") in rows
    assert ("baoa", "2024-09", 2, "low") in rows
    assert ("baob", "2024-01", 0, "") in rows
    assert rows[-1] == ("baob", "undated", 3, "")
    assert len(rows) == 2 * 12 + 2


# --- field coverage per crawl run ----------------------------------------------------------

@pytest.mark.parametrize("run, articles, shares, source", [
    ({"stats": {"baotinh/articles/new": 8, "baotinh/articles/updated": 2, "baotinh/fields/published_at": 9,
                "baotinh/fields/authors": 5, "baotinh/fields/body": 10},
      "counted": {"articles": 3, "published_at": 0, "authors": 0, "body": 0}},
     10, {"published_at": 0.9, "authors": 0.5, "body": 1.0}, "stats"),
    ({"stats": {"baotinh/articles/new": 4},
      "counted": {"articles": 4, "published_at": 2, "authors": 1, "body": 4}},
     4, {"published_at": 0.5, "authors": 0.25, "body": 1.0}, "articles"),
    ({"stats": None, "counted": None}, 0, {"published_at": None, "authors": None, "body": None}, None),
])
def test_field_coverage(run, articles, shares, source):
    assert field_coverage(run) == {"articles": articles, "shares": shares, "source": source}


# --- html -----------------------------------------------------------------------------------

EXTERNAL = re.compile(r"https?://|(?:src|href)\s*=\s*[\"']?\s*//|url\(\s*[\"']?(?!#)", re.I)


def test_html_report_is_self_contained_with_one_chart_per_site(monthly):
    runs = [{"id": 1, "site": "baoa", "spider": "baoa", "started_at": "2024-12-31T10:00:00+07:00",
             "finished_at": None, "finish_reason": "finished",
             "stats": {"baotinh/articles/new": 4}, "counted": {"articles": 4, "published_at": 4,
                                                                  "authors": 2, "body": 4}}]
    authors = {"baoa": [{"name": "<script>alert(1)</script>", "articles": 7}]}
    page = render_report(monthly, runs=runs, authors=authors, source="test.db", generated_at="now")
    assert page.count("<svg") == 2
    assert len(re.findall(r'<section class="site"', page)) == 2
    assert not EXTERNAL.search(page)
    assert "<script" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Báo A" in page
    for period, kind in (("2024-05", "gap: none stored"), ("2024-09", "low"), ("2024-09", "after the last")):
        assert re.search(rf"<title>{period}: [^<]*{kind}", page), (period, kind)
    assert "50%" in page  # authors share of run 1


def test_consecutive_low_periods_are_one_gap_line():
    counts = {"x": {f"2024-{m:02d}-01": n for m, n in enumerate([20, 20, 20, 20, 1, 3, 2, 20], start=1)}}
    cov = build_coverage(counts, "month")
    runs = gap_runs(cov.sites[0])
    assert [(kind, [c.period for c in cells]) for kind, cells in runs] == [("low", ["2024-05", "2024-06", "2024-07"])]
    assert "2024-05 … 2024-07 (3 months)  low: 1–3 articles each (median 20)" in render_table(cov)


def test_one_site_still_runs_to_the_archive_last_period():
    only_b = build_coverage({"baob": COUNTS["baob"]}, "month", archive_last=date(2024, 12, 20))
    assert only_b.periods == period_range("2024-03", "2024-12", "month")
    assert [c.period for c in only_b.sites[0].gaps] == ["2024-09", "2024-10", "2024-11", "2024-12"]
