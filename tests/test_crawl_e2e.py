"""Real crawls: each configured spider against its mirror on 127.0.0.1, through Scrapy, into SQLite."""
import re

import pytest
import sqlite_utils

from conftest import mirror_articles, run_baotinh
from crawler.sample_site import serve_sample_site

SITES = ["baolangson", "baolaocai", "baocantho"]
ISO_VN = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}\+07:00)?$")


def crawl(site, base_url, db):
    result = run_baotinh("crawl", site, "--base-url", base_url, "--db", db)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    return result


def stored_articles(db, site):
    database = sqlite_utils.Database(db)
    rows = {}
    for row in database.query("SELECT * FROM articles WHERE site = ?", [site]):
        path = re.sub(r"^https?://[^/]+", "", row["url"])
        assert path not in rows, f"{path} stored twice"
        row["authors"] = [r["name"] for r in database.query(
            "SELECT au.name FROM article_authors aa JOIN authors au ON au.id = aa.author_id "
            "WHERE aa.article_id = ? ORDER BY aa.position", [row["id"]])]
        rows[path] = row
    database.close()
    return rows


@pytest.fixture(scope="module")
def crawled(sample_site, tmp_path_factory):
    db = tmp_path_factory.mktemp("e2e") / "baotinh.db"
    for site in SITES:
        crawl(site, sample_site[site].base_url, db)
    return db


@pytest.mark.parametrize("site", SITES)
def test_every_article_stored_exactly_once(crawled, site):
    assert set(stored_articles(crawled, site)) == set(mirror_articles(site))


@pytest.mark.parametrize("site", SITES)
def test_stored_fields_match_the_fixtures(crawled, site):
    stored = stored_articles(crawled, site)
    for path, expected in mirror_articles(site).items():
        row = stored[path]
        assert row["title"] == expected["title"], path
        assert row["published_at"] == expected["published_at"], path
        assert ISO_VN.match(row["published_at"]), path
        assert row["authors"] == expected["authors"], path
        assert row["body"] == expected["body"], path


@pytest.mark.parametrize("site", SITES)
def test_no_byline_left_at_the_end_of_a_body(crawled, site):
    for path, row in stored_articles(crawled, site).items():
        if row["byline_raw"]:
            assert not row["body"].rstrip().endswith(row["byline_raw"]), path
        for name in row["authors"]:
            assert name.casefold() not in row["body"][-80:].casefold(), path


def test_chrome_dates_never_become_published_at(crawled):
    # The header "today" bar and sidebar items show dates of their own; none may leak in.
    for site in SITES:
        stored = stored_articles(crawled, site)
        expected = mirror_articles(site)
        leaked = {p: r["published_at"] for p, r in stored.items() if r["published_at"] != expected[p]["published_at"]}
        assert leaked == {}


def test_a_second_crawl_updates_rows_and_never_duplicates(sample_site, crawled):
    database = sqlite_utils.Database(crawled)
    before = database["articles"].count
    seen_before = {r["url"]: r["last_seen_at"] for r in database.query("SELECT url, last_seen_at FROM articles")}
    database.close()
    crawl("baolangson", sample_site["baolangson"].base_url, crawled)
    database = sqlite_utils.Database(crawled)
    assert database["articles"].count == before
    runs = list(database.query("SELECT site, finish_reason, stats FROM crawl_runs"))
    database.close()
    assert len(runs) == len(SITES) + 1
    assert {r["finish_reason"] for r in runs} == {"finished"}
    assert seen_before


def test_crawl_through_gzip_responses(tmp_path):
    (server,) = serve_sample_site(0, sites=["baocantho"], gzip_responses=True)
    try:
        db = tmp_path / "gz.db"
        crawl("baocantho", server.base_url, db)
        assert set(stored_articles(db, "baocantho")) == set(mirror_articles("baocantho"))
    finally:
        server.stop()
