"""`baotinh report`: one crawl's pages, articles, drops, coverage and health, from crawl_runs."""
from __future__ import annotations

import json
import re

import pytest
import sqlite_utils

from conftest import run_baotinh
from crawler.cli.report import build_report, render_text
from storage import finish_run, open_database, start_run
from storage.report import get_run, run_article_count, site_article_count


@pytest.fixture(scope="module")
def crawled(sample_site, tmp_path_factory):
    db = tmp_path_factory.mktemp("report") / "report.db"
    for site in ("baolaocai", "baocantho"):
        result = run_baotinh("crawl", site, "--base-url", sample_site[site].base_url, "--db", db)
        assert result.returncode == 0, result.stderr[-3000:]
    return db


def test_text_report_of_the_latest_run(crawled):
    result = run_baotinh("report", "--db", crawled)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text.startswith("crawl run 2: baocantho (incremental mode)")
    assert "(finished)" in text and "health    ok" in text
    assert "by status: 200 " in text
    assert "refused by robots.txt: 0" in text
    assert "dropped 0: none" in text
    assert "field coverage on " in text and "(threshold 90%)" in text
    assert "pages/min" in text and "articles/min" in text


def test_report_of_one_run_or_one_site(crawled):
    by_id = json.loads(run_baotinh("report", "1", "--db", crawled, "--format", "json").stdout)
    by_site = json.loads(run_baotinh("report", "--site", "baolaocai", "--db", crawled, "--format", "json").stdout)
    assert by_id == by_site
    assert by_id["run"]["site"] == "baolaocai"
    assert by_id["articles"]["new"] == 10 and by_id["articles"]["stored"] == 10
    assert by_id["pages"]["by_status"]["200"] >= 10
    assert by_id["coverage"]["article_pages"] == 10
    assert by_id["coverage"]["fields"]["title"] == {"filled": 10, "percent": 100.0, "threshold": 95.0}
    assert by_id["health"] == "ok" and by_id["findings"] == []
    assert by_id["duration_seconds"] is not None and by_id["pages"]["raw_pages_stored"] > 0


@pytest.mark.parametrize("args, message", [
    (["999"], "no crawl run 999 in"),
    (["--site", "baolangson"], "no crawl runs of baolangson in"),
])
def test_unknown_runs_are_one_line(crawled, args, message):
    result = run_baotinh("report", *args, "--db", crawled)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_no_database(tmp_path):
    result = run_baotinh("report", "--db", tmp_path / "none.db")
    assert result.returncode == 2 and "cannot read the database" in result.stderr


def test_report_of_a_troubled_crawl():
    stats = {
        "downloader/request_count": 60, "downloader/response_count": 50, "retry/count": 4,
        "downloader/response_status_count/200": 44, "downloader/response_status_count/404": 6,
        "downloader/exception_type_count/scrapy.exceptions.DownloadTimeoutError": 10,
        "baotinh/articles/new": 30, "baotinh/articles/updated": 2, "baotinh/articles/unchanged": 1,
        "baotinh/dropped/no_body": 3, "baotinh/dropped/not_article": 2,
        "baotinh/robots/refused": 7, "baotinh/robots/refused_urls": ["https://baolaocai.vn/admin"],
        "baotinh/fields/pages": 36, "baotinh/fields/title": 36, "baotinh/fields/published_at": 4,
        "baotinh/fields/body": 33, "baotinh/fields/authors": 30, "baotinh/fields/not_article": 2,
        "baotinh/coverage/thresholds": {"title": 95.0, "published_at": 90.0, "body": 95.0, "authors": 50.0},
        "baotinh/coverage/judged": True,
        "baotinh/problems/date_unparsed": 32,
        "baotinh/examples": {"problems/date_unparsed": ["https://baolaocai.vn/x.html", "hôm qua"],
                             "dropped/no_body": ["https://baolaocai.vn/y.html"]},
        "baotinh/health": "layout_change",
        "baotinh/health/findings": ["layout change suspected on baolaocai: published_at on 11.1% of 36 articles"],
        "log_count/ERROR": 1, "log_count/WARNING": 5,
    }
    run = {"id": 7, "site": "baolaocai", "spider": "baolaocai", "mode": "incremental", "scheduled_by": "schedule:x",
           "started_at": "2026-11-20T06:15:00+07:00", "finished_at": "2026-11-20T06:17:00+07:00",
           "finish_reason": "finished", "stats": stats}
    report = build_report(run)
    assert report["duration_seconds"] == 120.0  # from the timestamps when elapsed_time_seconds is missing
    assert report["pages_per_minute"] == 25.0 and report["articles_per_minute"] == 16.5
    assert report["articles"]["dropped"] == {"no_body": 3, "not_article": 2}
    assert report["pages"]["failed_downloads"] == {"DownloadTimeoutError": 10}
    assert report["problems"]["date_unparsed"] == {"count": 32, "example": "https://baolaocai.vn/x.html",
                                                    "detail": "hôm qua"}
    text = render_text(report)
    assert "scheduled by schedule:x" in text
    assert "health    layout_change\n            layout change suspected on baolaocai" in text
    assert "refused by robots.txt: 7 (e.g. https://baolaocai.vn/admin)" in text
    assert re.search(r"\n  published_at +11\.1% +4  \(threshold 90%, BELOW\)\n", text)
    assert re.search(r"\n  title +100% +36  \(threshold 95%\)\n", text)
    assert "no_body: e.g. https://baolaocai.vn/y.html" in text
    assert "date_unparsed on 32 page(s), e.g. https://baolaocai.vn/x.html ('hôm qua')" in text
    assert "2 pages at article URLs were not articles" in text


def test_report_queries(tmp_path):
    db = open_database(tmp_path / "q.db")
    try:
        assert get_run(db) is None
        first = start_run(db, spider="baolaocai", site="baolaocai")
        second = start_run(db, spider="baocantho", site="baocantho")
        finish_run(db, first, finish_reason="finished", stats={"baotinh/articles/new": 1})
        assert get_run(db)["id"] == second and get_run(db)["stats"] == {}
        assert get_run(db, first)["stats"] == {"baotinh/articles/new": 1}
        assert get_run(db, site="baolaocai")["id"] == first
        assert site_article_count(db, "baolaocai") == 0 and run_article_count(db, first) == 0
    finally:
        db.close()
