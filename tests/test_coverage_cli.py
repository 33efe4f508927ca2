"""`baotinh coverage` on a database written through storage.ArticleWriter, with known gaps."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest

from conftest import run_baotinh
from storage import ArticleWriter, finish_run, open_database, start_run, sync_sites

# Site A: ~20 articles a month over 2024, none in May, only 2 in September.
# Site B: ~15 a month from March to August 2024, then nothing; 4 articles without a usable date.
A_MONTHS = {m: (0 if m == 5 else 2 if m == 9 else 18 + m % 5) for m in range(1, 13)}
B_MONTHS = {m: 13 + m % 4 for m in range(3, 9)}
AUTHORS = [["Trần Văn Hùng"], ["Nguyễn Thị Mai", "Lê Minh"], [], ["NGUYỄN THỊ MAI"]]
EXPECTED_GAPS = [
    ("baoa", "2024-05", "empty"), ("baoa", "2024-09", "low"),
    ("baob", "2024-09", "after_last"), ("baob", "2024-10", "after_last"),
    ("baob", "2024-11", "after_last"), ("baob", "2024-12", "after_last"),
]
EXTERNAL = re.compile(r"https?://|(?:src|href)\s*=\s*[\"']?\s*//|url\(\s*[\"']?(?!#)", re.I)


def article(site: str, n: int, published_at, authors) -> dict:
    return {"url": f"https://{site}.example.vn/bai-{n}.html", "canonical_url": f"https://{site}.example.vn/bai-{n}.html",
            "site": site, "title": f"Bài số {n} của {site}", "lead": "Tóm tắt.",
            "body": "Nội dung bài viết.\n\nĐoạn hai." if n % 7 else "", "published_at": published_at,
            "authors": authors, "fetched_at": "2025-01-05T09:00:00+07:00"}


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    path = tmp_path_factory.mktemp("coverage") / "archive.db"
    db = open_database(path)
    sync_sites(db, [{"name": "baoa", "newspaper": "Báo Thử A", "province": "Tỉnh A"},
                    {"name": "baob", "newspaper": "Báo Thử <B>", "province": "Tỉnh B"}])
    writer = ArticleWriter(db)
    n = 0
    # Run 1 (site A, first half of the year): stats without field counts -> counted from articles.
    # Run 2 (site A, second half): stats with field counts. Run 3: site B.
    for site, months, split in (("baoa", A_MONTHS, 6), ("baob", B_MONTHS, 99)):
        halves = [{m: c for m, c in months.items() if m <= split}, {m: c for m, c in months.items() if m > split}]
        for half, counts in enumerate(halves):
            if not counts:
                continue
            run = start_run(db, spider=site, site=site, started_at=f"2025-01-0{half + 1}T08:00:00+07:00")
            stored = 0
            for month, count in counts.items():
                for i in range(count):
                    n += 1
                    day = f"2024-{month:02d}-{i % 28 + 1:02d}"
                    published = day if i % 3 == 0 else f"{day}T{6 + i % 12:02d}:30:00+07:00"
                    writer.write(article(site, n, published, AUTHORS[n % 4]), crawl_run_id=run)
                    stored += 1
            stats = {"baotinh/articles/new": stored, "finish_reason": "finished"}
            if half == 1:
                stats.update({"baotinh/fields/published_at": stored, "baotinh/fields/authors": stored // 2,
                              "baotinh/fields/body": stored})
            finish_run(db, run, finish_reason="finished", stats=stats)
    for i, bad in enumerate([None, None, "hôm qua", ""]):
        writer.write(article("baob", 10_000 + i, bad, ["Lê Minh"]))
    db.close()
    return path


def coverage(capsys, archive, *args):
    """Run `baotinh coverage` in a subprocess (the way a user does): (exit code, stdout, stderr)."""
    result = run_baotinh("coverage", "--db", archive, *args)
    return result.returncode, result.stdout, result.stderr


def test_table_shows_the_known_gaps(capsys, archive):
    code, out, err = coverage(capsys, archive)
    assert code == 0, err
    lines = out.splitlines()
    row_a = next(line for line in lines if line.startswith("baoa "))
    row_b = next(line for line in lines if line.startswith("baob "))
    assert row_a[6:18] == "████×███!███"
    assert row_b[6:18].startswith("  ") and row_b[6:18].endswith("····") and "×" not in row_b
    gap_lines = [line.split(None, 2) for line in lines if line.startswith("  bao")]
    assert [(g[0], g[1]) for g in gap_lines] == [("baoa", "2024-05"), ("baoa", "2024-09"), ("baob", "2024-09")]
    assert "2024-09 … 2024-12 (4 months)" in out
    assert "baob 4" in out  # undated
    assert "Legend:" in out


def test_json_reports_exactly_the_known_gaps(capsys, archive):
    code, out, _ = coverage(capsys, archive, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["by"] == "month"
    assert [(g["site"], g["period"], g["gap"]) for g in data["gaps"]] == EXPECTED_GAPS
    a = {c["period"]: c for c in data["sites"]["baoa"]}
    assert a["2024-05"] == {"period": "2024-05", "articles": 0, "gap": "empty"}
    assert a["2024-09"] == {"period": "2024-09", "articles": 2, "gap": "low"}
    assert sum(c["articles"] for c in data["sites"]["baoa"]) == sum(A_MONTHS.values())
    b = {c["period"]: c for c in data["sites"]["baob"]}
    assert b["2024-01"]["gap"] is None and b["2024-03"]["articles"] == B_MONTHS[3]
    assert data["undated"] == {"baoa": 0, "baob": 4}


def test_csv(capsys, archive):
    code, out, _ = coverage(capsys, archive, "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    gaps = [(r["site"], r["period"], r["gap"]) for r in rows if r["gap"]]
    assert gaps == EXPECTED_GAPS
    assert {"site": "baob", "period": "undated", "articles": "4", "gap": ""} in rows


def test_html_report(capsys, archive, tmp_path):
    target = tmp_path / "coverage.html"
    code, out, err = coverage(capsys, archive, "--html", str(target))
    assert code == 0 and out == "" and "written to" in err
    page = target.read_text(encoding="utf-8")
    assert page.count("<svg") == 2
    assert re.findall(r'<section class="site" id="site-\d+" data-site="([^"]+)"', page) == ["baoa", "baob"]
    assert not EXTERNAL.search(page), EXTERNAL.search(page)
    assert "<script" not in page
    assert "Báo Thử &lt;B&gt;" in page and "Báo Thử <B>" not in page
    # the gaps, marked in the charts (SVG tooltips) and listed under them
    for period, kind in (("2024-05", "gap: none stored"), ("2024-09", "low"), ("2024-10", "after the last")):
        assert re.search(rf"<title>{period}: [^<]*{kind}", page), (period, kind)
    assert '<li class="empty">2024-05: no articles</li>' in page
    assert '<li class="after_last">2024-09 … 2024-12: after the last article (2024-08)</li>' in page
    # field coverage per crawl run: three runs, from stats (run 2) or counted (runs 1 and 3)
    runs_table = page.split("Field coverage per crawl run")[1].split("</table>")[0]
    assert runs_table.count("<tr>") == 4  # header + 3 runs
    assert "run stats" in runs_table and "stored articles" in runs_table
    assert "Trần Văn Hùng" in page and "Nguyễn Thị Mai" in page


def test_html_and_table_together(capsys, archive, tmp_path):
    code, out, _ = coverage(capsys, archive, "--html", str(tmp_path / "r.html"), "--format", "table")
    assert code == 0 and "████×███!███" in out and (tmp_path / "r.html").exists()


@pytest.mark.parametrize("args, expect", [
    (["--site", "baoa", "--format", "json"], lambda d: list(d["sites"]) == ["baoa"]),
    (["--site", "baob", "--format", "json"],  # runs to the archive's last month, not B's
     lambda d: [(g["period"], g["gap"]) for g in d["gaps"]] == [(p, "after_last") for p in
                                                                ("2024-09", "2024-10", "2024-11", "2024-12")]),
    (["--until", "2025-02", "--format", "json"],
     lambda d: [(c["period"], c["gap"]) for c in d["sites"]["baoa"][-2:]] == [("2025-01", "after_last"),
                                                                              ("2025-02", "after_last")]),
    (["--since", "2024-06", "--until", "2024-10", "--format", "json"],
     lambda d: d["periods"] == ["2024-06", "2024-07", "2024-08", "2024-09", "2024-10"]
     and [g["period"] for g in d["gaps"] if g["site"] == "baoa"] == ["2024-09"]),
    (["--by", "week", "--format", "json"],
     lambda d: d["periods"][0] == "2024-W01" and all(re.fullmatch(r"\d{4}-W\d{2}", p) for p in d["periods"])),
    (["--by", "day", "--since", "2024-05-30", "--until", "2024-06-02", "--format", "json"],
     lambda d: d["periods"] == ["2024-05-30", "2024-05-31", "2024-06-01", "2024-06-02"]),
])
def test_options(capsys, archive, args, expect):
    code, out, err = coverage(capsys, archive, *args)
    assert code == 0, err
    assert expect(json.loads(out))


def test_empty_database(capsys, tmp_path):
    path = tmp_path / "empty.db"
    open_database(path).close()
    code, out, _ = coverage(capsys, path)
    assert code == 0 and "No articles stored yet." in out


@pytest.mark.parametrize("args, message", [
    (["--by", "year"], "--by must be one of month, week, day"),
    (["--since", "2024-13"], "invalid since '2024-13': not a date (use YYYY-MM-DD, YYYY-MM or YYYY)"),
    (["--until", "hôm nay"], "invalid until 'hôm nay': not a date (use YYYY-MM-DD, YYYY-MM or YYYY)"),
    (["--since", "2024-06", "--until", "2024-01"], "is after --until"),
    (["--format", "xml"], "--format must be one of"),
    (["--site", "khongco"], "no articles stored for site 'khongco'"),
    (["--html", "."], "is a directory"),
    (["--html", "/nonexistent/dir/report.html"], "cannot write /nonexistent/dir/report.html"),
    (["--db", "/nonexistent/dir/none.db"], "no database at /nonexistent/dir/none.db"),
])
def test_errors_are_one_line(archive, args, message):
    full = ["coverage", *args] if "--db" in args else ["coverage", "--db", archive, *args]
    result = run_baotinh(*full)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    assert result.stdout == ""


def test_not_a_database(tmp_path):
    bad = tmp_path / "notes.db"
    bad.write_text("không phải cơ sở dữ liệu " * 200, encoding="utf-8")
    result = run_baotinh("coverage", "--db", bad)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and "cannot use the database" in result.stderr
