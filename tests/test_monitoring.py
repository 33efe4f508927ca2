"""Monitoring: the health verdict, its exit codes, drops and problems logged once, JSON log lines."""
from __future__ import annotations

import json
import logging
import sys
from types import SimpleNamespace

import pytest
import sqlite_utils

from conftest import run_baotinh
from crawler import outcome
from crawler.cli.common import CLIError
from crawler.logformat import BaotinhLogFormatter, JsonFormatter, record_url
from crawler.monitoring import (DEFAULT_THRESHOLDS, LAYOUT_CHANGE, NO_ARTICLES, OK, TOO_MANY_ERRORS, UNREACHABLE,
                                as_fraction, assess, percent, thresholds_for)
from crawler.pipelines import Dropped
from crawler.problems import EXAMPLES_KEY, ProblemLog
from crawler.runner import CrawlOutcome


class Stats:
    """The part of Scrapy's stats collector the pipelines and logs use."""

    def __init__(self):
        self.values = {}

    def inc_value(self, key, count=1):
        self.values[key] = self.values.get(key, 0) + count

    def get_value(self, key, default=None):
        return self.values.get(key, default)

    def set_value(self, key, value):
        self.values[key] = value


def crawl_stats(pages=200, **fields):
    """Stats of a finished crawl of `pages` article pages, every field filled unless given."""
    stats = {"downloader/response_count": pages + 5, "baotinh/fields/pages": pages,
             "baotinh/articles/new": pages}
    for name in ("title", "published_at", "body", "authors", "lead"):
        stats[f"baotinh/fields/{name}"] = fields.get(name, pages)
    return stats


def judge(stats, *, before=10, reason="finished", thresholds=None, **kwargs):
    return assess(stats, site_name="baolaocai", thresholds=thresholds or dict(DEFAULT_THRESHOLDS),
                  finish_reason=reason, articles_before=before, **kwargs)


# -- the verdict -------------------------------------------------------------------------------


def test_a_good_crawl_is_ok():
    result = judge(crawl_stats())
    assert result.health == OK and result.findings == [] and result.judged


def test_published_at_on_few_pages_is_a_layout_change():
    result = judge(crawl_stats(published_at=24))
    assert result.health == LAYOUT_CHANGE
    assert result.findings == [(LAYOUT_CHANGE, "layout change suspected on baolaocai: published_at on 12% of "
                                               "200 articles (expected at least 90%)")]
    assert result.failing == {"published_at": 0.12}


def test_every_failing_field_is_named_in_one_sentence():
    result = judge(crawl_stats(body=100, authors=20))
    (verdict, sentence), = result.findings
    assert "body on 50% of 200 articles" in sentence and "authors on 10% of 200 articles" in sentence


def test_thresholds_are_inclusive():
    assert judge(crawl_stats(pages=100, published_at=90)).health == OK
    assert judge(crawl_stats(pages=100, published_at=89)).health == LAYOUT_CHANGE


def test_small_crawls_are_not_judged():
    result = judge(crawl_stats(pages=4, published_at=0, body=0), min_pages=5)
    assert result.health == OK and not result.judged
    assert result.coverage["published_at"] == 0.0
    assert judge(crawl_stats(pages=5, published_at=0), min_pages=5).health == LAYOUT_CHANGE


def test_most_article_urls_not_looking_like_articles_is_a_layout_change():
    stats = {**crawl_stats(pages=3), "baotinh/fields/not_article": 40}
    result = judge(stats)
    assert result.health == LAYOUT_CHANGE
    assert "40 of 43 pages at article URLs do not look like articles" in result.findings[0][1]
    assert judge({**crawl_stats(pages=30), "baotinh/fields/not_article": 10}).health == OK


def test_nothing_stored_from_a_site_with_articles_is_no_articles():
    stats = {"downloader/response_count": 6, "baotinh/pages/listing": 5}
    result = judge(stats, before=120)
    assert result.health == NO_ARTICLES
    assert result.findings[0][1].startswith("no articles from baolaocai, which has 120 in the archive")


@pytest.mark.parametrize("stats, before, reason", [
    ({"downloader/response_count": 6, "baotinh/skipped/known": 30}, 120, "finished"),   # nothing new
    ({"downloader/response_count": 6, "baotinh/skipped/outside_window": 3}, 120, "finished"),
    ({"downloader/response_count": 6}, 0, "finished"),                                  # first crawl
    ({"downloader/response_count": 6}, 120, "shutdown"),                                # stopped early
])
def test_an_empty_crawl_is_not_always_a_problem(stats, before, reason):
    assert judge(stats, before=before, reason=reason).health == OK


def test_errors_above_the_limit():
    assert judge({**crawl_stats(), "log_count/ERROR": 51}, max_errors=50).health == TOO_MANY_ERRORS
    assert judge({**crawl_stats(), "log_count/ERROR": 50}, max_errors=50).health == OK
    assert judge({**crawl_stats(), "downloader/exception_count": 101}, max_download_errors=100).health == \
        TOO_MANY_ERRORS
    assert judge({**crawl_stats(), "log_count/ERROR": 999}, max_errors=-1).health == OK


def test_no_response_at_all_is_unreachable():
    result = judge({"downloader/exception_count": 24}, before=50)
    assert result.health == UNREACHABLE and len(result.findings) == 1


def test_the_most_severe_verdict_wins():
    stats = {**crawl_stats(pages=10, published_at=0), "baotinh/articles/new": 0, "log_count/ERROR": 99}
    result = judge(stats, before=40, max_errors=5)
    assert [v for v, _ in result.findings] == [LAYOUT_CHANGE, NO_ARTICLES, TOO_MANY_ERRORS]
    assert result.health == NO_ARTICLES


def test_site_thresholds_override_the_defaults():
    site = SimpleNamespace(name="baolaocai", coverage={"authors": 0.2, "body": 80, "published_at": 0,
                                                        "since": 2012, "title": "most"})
    thresholds, complaints = thresholds_for(site, {"lead": 0.5})
    assert thresholds == {"title": 0.95, "body": 0.8, "authors": 0.2, "lead": 0.5}  # 0 switches a check off
    assert complaints == ["[sites.baolaocai.coverage]: title = 'most' is not a fraction (0..1) or a percentage"]
    assert thresholds_for(None)[0] == DEFAULT_THRESHOLDS


@pytest.mark.parametrize("value, fraction", [(0.9, 0.9), (90, 0.9), (1, 1.0), (0, 0.0), ("0.5", 0.5),
                                              (101, None), (-1, None), (True, None), ("x", None)])
def test_threshold_values(value, fraction):
    assert as_fraction(value) == fraction


def test_percentages_never_round_a_failure_up_to_the_threshold():
    assert percent(0.12) == "12%" and percent(0.8333) == "83.3%" and percent(0.8996) == "90%"
    assert percent(0.8949) == "89.5%"


# -- exit codes ------------------------------------------------------------------------------


def finished(**stats):
    return CrawlOutcome("baolaocai", {"finish_reason": "finished", "downloader/response_count": 10, **stats})


@pytest.mark.parametrize("health, code", [("layout_change", outcome.EXIT_LAYOUT_CHANGE),
                                          ("no_articles", outcome.EXIT_NO_ARTICLES),
                                          ("too_many_errors", outcome.EXIT_TOO_MANY_ERRORS)])
def test_each_verdict_has_its_exit_code(health, code):
    with pytest.raises(CLIError) as raised:
        outcome.exit_status(finished(**{"baotinh/health": health, "baotinh/health/findings": ["what was found"]}),
                            None)
    assert raised.value.exit_code == code
    assert str(raised.value) == "baolaocai: what was found"


def test_exit_codes_are_distinct():
    codes = [getattr(outcome, name) for name in dir(outcome) if name.startswith("EXIT_")]
    assert len(codes) == len(set(codes))
    assert outcome.exit_status(finished(**{"baotinh/health": "ok"}), None) == outcome.EXIT_OK


def test_a_database_error_and_an_early_end_come_before_the_verdict():
    with pytest.raises(CLIError) as raised:
        outcome.exit_status(CrawlOutcome("x", {"finish_reason": "database_error", "downloader/response_count": 3,
                                               "baotinh/dropped/storage_error": 4, "baotinh/health": "layout_change",
                                               "baotinh/database_error": "disk full"}), None)
    assert raised.value.exit_code == outcome.EXIT_DATABASE
    assert "disk full" in str(raised.value) and "4 article(s) fetched but not stored" in str(raised.value)
    with pytest.raises(CLIError) as raised:
        outcome.exit_status(CrawlOutcome("x", {"finish_reason": "shutdown", "downloader/response_count": 3}), None)
    assert raised.value.exit_code == outcome.EXIT_ABNORMAL


# -- problems and drops in the log -------------------------------------------------------------


def test_a_problem_is_logged_once_then_summarized(caplog):
    stats = Stats()
    problems = ProblemLog(stats, logging.getLogger("test.problems"))
    with caplog.at_level(logging.DEBUG, logger="test.problems"):
        for n in range(37):
            problems.record("date_unparsed", f"https://baolaocai.vn/a-{n}.html", "32/13/2024")
        problems.record("byline_missing", "https://baolaocai.vn/b.html")
        problems.summarize()
    messages = [r.getMessage() for r in caplog.records]
    assert messages == [
        "publication date not understood on https://baolaocai.vn/a-0.html: '32/13/2024'",
        "no author or source found on https://baolaocai.vn/b.html",
        "publication date not understood on 37 pages (baotinh/problems/date_unparsed), "
        "e.g. https://baolaocai.vn/a-0.html ('32/13/2024')",
    ]
    assert stats.values["baotinh/problems/date_unparsed"] == 37
    assert stats.values[EXAMPLES_KEY]["problems/date_unparsed"] == ["https://baolaocai.vn/a-0.html", "32/13/2024"]


def test_drops_are_warned_once_per_reason():
    formatter = BaotinhLogFormatter()
    spider = SimpleNamespace(crawler=SimpleNamespace(settings={"DEFAULT_DROPITEM_LOG_LEVEL": "WARNING"}))
    first = formatter.dropped({"url": "u1"}, Dropped("no_body", "u1"), None, spider)
    again = formatter.dropped({"url": "u2"}, Dropped("no_body", "u2"), None, spider)
    other = formatter.dropped({"url": "u3"}, Dropped("no_title", "u3"), None, spider)
    explicit = formatter.dropped({"url": "u4"}, Dropped("storage_error", "u4", log_level="DEBUG"), None, spider)
    foreign = formatter.dropped({"url": "u5"}, __import__("scrapy").exceptions.DropItem("duplicate: u5"), None, spider)
    assert [r["level"] for r in (first, again, other, explicit, foreign)] == \
        [logging.WARNING, logging.DEBUG, logging.WARNING, logging.DEBUG, logging.WARNING]
    assert first["msg"] % first["args"] == ("article dropped (no_body): u1 (every drop is counted in "
                                            "baotinh/dropped/no_body; repeats are summarized at the close)")
    assert again["msg"] % again["args"] == "article dropped (no_body): u2"
    assert foreign["args"]["reason"] == "duplicate"
    item = {"url": "u6", "body": "NỘI DUNG BÀI"}
    later = formatter.dropped(item, Dropped("no_title", "u6"), None, spider)
    assert "NỘI DUNG" not in later["msg"] % later["args"]  # never the whole item


# -- JSON log lines --------------------------------------------------------------------------


def make_record(msg, args=(), level=logging.WARNING, name="crawler.pipelines", exc_info=None, **extra):
    record = logging.LogRecord(name, level, __file__, 1, msg, args, exc_info)
    record.__dict__.update(extra)
    return record


def test_json_lines_carry_time_level_logger_message_url_and_spider():
    spider = SimpleNamespace(name="baolaocai")
    line = JsonFormatter().format(make_record("ngày không hiểu trên %s: %r", ("https://baolaocai.vn/a.html", "32/13"),
                                              spider=spider))
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "WARNING" and entry["logger"] == "crawler.pipelines"
    assert entry["message"] == "ngày không hiểu trên https://baolaocai.vn/a.html: '32/13'"
    assert entry["url"] == "https://baolaocai.vn/a.html" and entry["spider"] == "baolaocai"
    assert entry["time"][:4].isdigit() and ("+" in entry["time"][10:] or entry["time"].endswith("Z"))
    assert "ngày" in line  # not escaped to \\u sequences


def test_json_lines_take_the_url_of_a_request_or_response():
    request = SimpleNamespace(url="https://baolaocai.vn/b.html")
    assert record_url(make_record("Crawled %(request)s", ({"request": request},))) == "https://baolaocai.vn/b.html"
    assert record_url(make_record("nothing here")) is None
    assert record_url(make_record("x", url="https://baolaocai.vn/c.html")) == "https://baolaocai.vn/c.html"


def test_json_lines_keep_an_exception_on_one_line():
    try:
        raise ValueError("hỏng\nhai dòng")
    except ValueError:
        record = make_record("failed", level=logging.ERROR, exc_info=sys.exc_info())
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["exc_type"] == "ValueError" and "hỏng\nhai dòng" == entry["exc_message"]
    assert entry["traceback"].startswith("Traceback")


# -- crawls ----------------------------------------------------------------------------------


def crawl(sample_site, site, db, *extra, mirror=None, env=None):
    return run_baotinh("crawl", site, "--base-url", sample_site[mirror or site].base_url, "--db", db, *extra, env=env)


def run_stats(db):
    database = sqlite_utils.Database(db)
    try:
        return [json.loads(row["stats"]) for row in database.query("SELECT stats FROM crawl_runs ORDER BY id")]
    finally:
        database.close()


def test_a_layout_change_fails_the_crawl_with_an_error_line(sample_site, tmp_path):
    db = tmp_path / "layout.db"
    result = crawl(sample_site, "baolaocai", db, "--set", 'BAOTINH_COVERAGE={"source": 0.9}')
    assert result.returncode == outcome.EXIT_LAYOUT_CHANGE, result.stderr[-3000:]
    errors = [line for line in result.stderr.splitlines() if "ERROR: layout change suspected" in line]
    assert len(errors) == 1
    assert errors[0].endswith("layout change suspected on baolaocai: source on 0% of 10 articles "
                              "(expected at least 90%)")
    assert result.stderr.strip().splitlines()[-1] == ("baotinh crawl: error: baolaocai: layout change suspected on "
                                                       "baolaocai: source on 0% of 10 articles (expected at least 90%)")
    (stats,) = run_stats(db)
    assert stats["baotinh/health"] == "layout_change"  # saved in crawl_runs: the monitor runs first
    assert stats["baotinh/coverage/source"] == 0.0 and stats["baotinh/coverage/title"] == 100.0
    assert stats["baotinh/fields/pages"] == 10
    assert "Traceback" not in result.stderr


def test_zero_articles_from_a_site_that_had_some_fails_the_crawl(sample_site, tmp_path):
    db = tmp_path / "empty.db"
    assert crawl(sample_site, "baolaocai", db).returncode == 0
    # The same site, but its pages now hold none of the article links it used to.
    result = crawl(sample_site, "baolaocai", db, mirror="baolangson")
    assert result.returncode == outcome.EXIT_NO_ARTICLES, result.stderr[-3000:]
    assert "ERROR: no articles from baolaocai, which has 10 in the archive" in result.stderr
    assert run_stats(db)[-1]["baotinh/health"] == "no_articles"
    # An incremental crawl that only finds known articles is fine.
    assert crawl(sample_site, "baolaocai", db).returncode == 0
    assert run_stats(db)[-1]["baotinh/skipped/known"] > 0


def test_json_log_lines_from_the_first(sample_site, tmp_path):
    result = crawl(sample_site, "baocantho", tmp_path / "json.db", "--log-format", "json",
                   env={"BAOTINH_LOG_LEVEL": "DEBUG"})
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stderr.strip().splitlines()
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    assert entries[0]["message"].startswith("Scrapy ")
    assert all({"time", "level", "logger", "message"} <= set(entry) for entry in entries)
    with_url = [e for e in entries if e.get("url") and e.get("spider") == "baocantho"]
    assert with_url, "no line names its URL and spider"
    assert any(e["logger"] == "crawler.monitoring" and e["message"].startswith("field coverage on") for e in entries)


def test_json_logs_by_environment_variable(sample_site, tmp_path):
    result = crawl(sample_site, "baocantho", tmp_path / "env.db", env={"BAOTINH_LOG_FORMAT": "json"})
    assert result.returncode == 0
    assert all(line.startswith("{") for line in result.stderr.strip().splitlines())
    result = run_baotinh("crawl", "baocantho", "--base-url", "http://127.0.0.1:1/", "--db", tmp_path / "x.db",
                         env={"BAOTINH_LOG_FORMAT": "xml"})
    assert result.returncode == 2 and "log format 'xml' is not one of text, json" in result.stderr


@pytest.mark.parametrize("value", ["DOWNLOAD_TIMEOUT", "=3", "download_timeout=3"])
def test_set_needs_an_upper_case_key_and_a_value(tmp_path, value):
    result = run_baotinh("crawl", "baocantho", "--base-url", "http://127.0.0.1:1/", "--db", tmp_path / "x.db",
                         "--set", value)
    assert result.returncode == 2 and "expected KEY=VALUE" in result.stderr
