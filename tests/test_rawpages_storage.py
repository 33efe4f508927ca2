"""storage.raw_pages and storage.crawl_state: captures deduplicated by digest, resume points."""
import hashlib

import pytest

from storage import ArticleWriter, finish_run, open_database, start_run
from storage.crawl_state import known_urls_before, published_dates, resume_point
from storage.raw_pages import (RawPageWriter, count_captures, iter_captures, latest_article_captures,
                               payload_count)


@pytest.fixture()
def db(tmp_path):
    database = open_database(tmp_path / "raw.db")
    yield database
    database.close()


def page(url, body, **extra):
    return {"site": "baolangson", "kind": "article", "url": url, "final_url": url, "status": 200,
            "headers": [("Content-Type", "text/html; charset=utf-8"), ("Set-Cookie", "a=1"),
                        ("Set-Cookie", "b=2")],
            "request_headers": {"User-Agent": "baotinh"}, "body": body,
            "fetched_at": "2026-11-29T10:00:00+07:00", **extra}


def test_identical_bodies_are_stored_once_and_later_fetches_are_revisits(db):
    writer = RawPageWriter(db)
    first, revisit = writer.write(page("http://x/a.html", "<p>á</p>".encode()))
    assert not revisit
    second, revisit = writer.write(page("http://x/a.html", "<p>á</p>".encode(),
                                        fetched_at="2026-11-30T10:00:00+07:00"))
    assert revisit and second > first
    writer.write(page("http://x/b.html", b"<p>b</p>"))
    assert payload_count(db) == 2
    assert count_captures(db) == 3
    captures = list(iter_captures(db))
    assert [c["digest"] for c in captures][:2] == [hashlib.sha256("<p>á</p>".encode()).hexdigest()] * 2
    assert captures[0]["body"] == "<p>á</p>".encode()
    assert captures[0]["headers"] == [("Content-Type", "text/html; charset=utf-8"), ("Set-Cookie", "a=1"),
                                      ("Set-Cookie", "b=2")]
    assert count_captures(db, since="2026-11-30") == 1


def test_latest_article_capture_per_url(db):
    writer = RawPageWriter(db)
    writer.write(page("http://x/a.html", b"old"))
    writer.write(page("http://x/a.html", b"new"))
    writer.write(page("http://x/a.html", b"error", status=503))
    writer.write(page("http://x/list", b"listing", kind="listing"))
    latest = list(latest_article_captures(db, site="baolangson"))
    assert [(c["url"], c["body"]) for c in latest] == [("http://x/a.html", b"new")]


def test_known_before_and_resume_point(db):
    writer = ArticleWriter(db)
    for url, seen in (("http://x/a.html", "2026-11-01T10:00:00+07:00"), ("http://x/b.html", "2026-11-02T10:00:00+07:00")):
        writer.write({"url": url, "site": "baolangson", "title": "T", "body": "B", "fetched_at": seen,
                      "published_at": "2026-10-01"})
    assert known_urls_before(db, "baolangson", "2026-11-02T00:00:00+07:00") == {"http://x/a.html"}
    assert known_urls_before(db, "baolangson") == {"http://x/a.html", "http://x/b.html"}
    assert published_dates(db, ["http://x/a.html", "http://x/zzz"]) == {"http://x/a.html": "2026-10-01"}

    done = start_run(db, spider="baolangson", site="baolangson", started_at="2026-11-01T09:00:00+07:00")
    finish_run(db, done, finish_reason="finished", stats={"baotinh/job/complete": True})
    killed = start_run(db, spider="baolangson", site="baolangson", started_at="2026-11-02T09:00:00+07:00")
    capped = start_run(db, spider="baolangson", site="baolangson", started_at="2026-11-03T09:00:00+07:00")
    finish_run(db, capped, finish_reason="finished", stats={"baotinh/job/complete": False})
    current = start_run(db, spider="baolangson", site="baolangson", started_at="2026-11-04T09:00:00+07:00")
    assert resume_point(db, "baolangson", current) == ("2026-11-02T09:00:00+07:00", [capped, killed])
    assert resume_point(db, "baolangson", killed) == (None, [])
    assert resume_point(db, "baolaocai", None) == (None, [])
