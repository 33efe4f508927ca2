"""Crawl modes against the sample site: incremental (the default), --full, backfill, trial limits.

Each crawl is a `baotinh crawl` subprocess; the mirror server counts the requests it answers,
which is what these tests assert on. Helpers here are shared by the other archiving tests.
"""
from __future__ import annotations

import re
import shutil
import sqlite3
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import mirror_articles, run_baotinh
from crawler.registry import get_site
from crawler.sample_site import FIXTURES, serve_sample_site

SITES = ["baolangson", "baolaocai", "baocantho"]


# -- helpers shared by test_kill9, test_robots, test_warc, test_reparse, test_politeness -----

def copy_mirror(site: str, tmp_path: Path, *, name: str | None = None) -> Path:
    """A private copy of one mirror (tmp_path/mirrors/<name>) to modify; returns the mirrors root."""
    root = tmp_path / "mirrors"
    shutil.copytree(FIXTURES / site, root / (name or site))
    return root


@contextmanager
def served(site: str, root: Path = FIXTURES):
    (server,) = serve_sample_site(0, root=root, sites=[site])
    try:
        yield server
    finally:
        server.stop()


def crawl(site, server, db, *args, env=None, expect_ok=True):
    result = run_baotinh("crawl", site, "--base-url", server.base_url, "--db", db, *args, env=env)
    if expect_ok:
        assert result.returncode == 0, result.stderr[-4000:]
        assert "Traceback" not in result.stderr, result.stderr[-4000:]
    return result


def article_requests(server, site: str) -> dict[str, int]:
    pattern = re.compile(get_site(site).article_pattern)
    return {path: n for path, n in server.requests.items() if pattern.search(path)}


def stored(db, site: str | None = None) -> list[str]:
    """Stored article URL paths (with duplicates, if there ever were any)."""
    con = sqlite3.connect(db)
    try:
        sql, params = "SELECT url FROM articles", ()
        if site:
            sql, params = sql + " WHERE site = ?", (site,)
        return sorted(re.sub(r"^https?://[^/]+", "", url) for (url,) in con.execute(sql, params))
    finally:
        con.close()


def query(db, sql, params=()):
    con = sqlite3.connect(db)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


# -- incremental -------------------------------------------------------------------------

@pytest.mark.parametrize("site", SITES)
def test_second_incremental_crawl_fetches_no_known_article(tmp_path, site):
    db = tmp_path / "a.db"
    with served(site) as server:
        crawl(site, server, db)
        first = article_requests(server, site)
        assert set(first) == set(mirror_articles(site))
        assert set(first.values()) == {1}
        server.requests.clear()
        crawl(site, server, db)
        assert article_requests(server, site) == {}
        second = dict(server.requests)
    assert stored(db, site) == sorted(mirror_articles(site))
    # Only the start pages (and robots.txt): page 1 of each listing was all known, so no page 2.
    start_pages = {"/robots.txt", *get_site(site).sitemaps, *get_site(site).listings}
    assert set(second) <= {p.rstrip("/") or "/" for p in start_pages} | start_pages, second
    print(f"second incremental crawl of {site}: {sorted(second)}")


NEW_SLUG = "tin-moi-ve-cua-khau-huu-nghi-5099999"


def add_article(root: Path, site: str = "baolangson", slug: str = NEW_SLUG) -> str:
    """Add one article page to a mirror copy and link it at the top of /thoi-su; returns its path."""
    mirror = root / site
    model = "khan-truong-khac-phuc-hau-qua-mua-lu-sau-bao-so-3-5048836"
    html = (mirror / f"{model}.html").read_text(encoding="utf-8")
    html = html.replace(model, slug).replace("Khẩn trương khắc phục hậu quả mưa lũ sau bão số 3",
                                              "Tin mới về cửa khẩu Hữu Nghị")
    (mirror / f"{slug}.html").write_text(html, encoding="utf-8")
    listing = (mirror / "thoi-su.html").read_text(encoding="utf-8")
    item = (f'<div class="item-news"><div class="info"><h3 class="title-news"><a href="/{slug}.html">'
            f'Tin mới về cửa khẩu Hữu Nghị</a></h3><span class="time-news">20/09/2024 08:00</span></div></div>')
    listing = listing.replace('<div class="list-news">', '<div class="list-news">\n        ' + item, 1)
    (mirror / "thoi-su.html").write_text(listing, encoding="utf-8")
    return f"/{slug}.html"


def test_an_added_article_is_the_only_one_fetched_next_time(tmp_path):
    root = copy_mirror("baolangson", tmp_path)
    db = tmp_path / "a.db"
    with served("baolangson", root) as server:
        crawl("baolangson", server, db)
        new_path = add_article(root)
        server.requests.clear()
        crawl("baolangson", server, db)
        assert article_requests(server, "baolangson") == {new_path: 1}
        # page 1 of /thoi-su had a new article, so page 2 was looked at (and was all known)
        assert server.requests["/thoi-su?page=2"] == 1
    assert stored(db, "baolangson") == sorted([*mirror_articles("baolangson"), new_path])


def test_known_pages_sets_how_many_known_pages_end_paging(tmp_path):
    db = tmp_path / "a.db"
    with served("baolangson") as server:
        crawl("baolangson", server, db)
        server.requests.clear()
        crawl("baolangson", server, db, "--known-pages", "2")
        assert server.requests["/thoi-su?page=2"] == 1
        assert article_requests(server, "baolangson") == {}


def test_full_fetches_everything_again_and_keeps_changed_versions(tmp_path):
    root = copy_mirror("baolangson", tmp_path)
    db = tmp_path / "a.db"
    changed = "/na-chi-lang-duoc-mua-duoc-gia-5037902.html"
    with served("baolangson", root) as server:
        crawl("baolangson", server, db)
        page = root / "baolangson" / changed.lstrip("/")
        page.write_text(page.read_text(encoding="utf-8").replace("hiện có khoảng 3.000 ha na", "hiện có khoảng 3.200 ha na"),
                        encoding="utf-8")
        server.requests.clear()
        result = crawl("baolangson", server, db, "--full")
        assert set(article_requests(server, "baolangson")) == set(mirror_articles("baolangson"))
    assert stored(db, "baolangson") == sorted(mirror_articles("baolangson"))
    versions = query(db, "SELECT a.url FROM article_versions v JOIN articles a ON a.id = v.article_id")
    assert [re.sub(r"^https?://[^/]+", "", url) for (url,) in versions] == [changed]
    assert "'baotinh/articles/updated': 1" in result.stderr


# -- backfill ------------------------------------------------------------------------------

# baolangson's ten articles, newest first, with their publication dates.
CHAIN = [
    ("khan-truong-khac-phuc-hau-qua-mua-lu-sau-bao-so-3-5048836", "12/09/2024 18:50"),
    ("lanh-dao-tinh-tham-chuc-tet-cac-don-vi-luc-luong-vu-trang-bien-gioi-5041207", "01/02/2024 08:05"),
    ("na-chi-lang-duoc-mua-duoc-gia-5037902", "22/08/2023 10:40"),
    ("lang-son-dien-tap-khu-vuc-phong-thu-tinh-nam-2023-5034418", "19/04/2023 16:30"),
    ("ron-rang-le-hoi-long-tong-dau-xuan-o-bac-son-5031120", "28/01/2023 09:00"),
    ("day-manh-thong-quan-nong-san-qua-cac-cua-khau-dip-cuoi-nam-5026154", "24/11/2022 09:15"),
    ("hon-14-000-thi-sinh-buoc-vao-ky-thi-tuyen-sinh-lop-10-5021689", "02/06/2022 07:30"),
    ("ky-hop-thu-tu-hdnd-tinh-khoa-xvii-thong-qua-18-nghi-quyet-5019872", "10/12/2021 11:20"),
    ("tiem-vac-xin-phong-covid-19-cho-hoc-sinh-tu-12-den-17-tuoi-5017530", "08/11/2021 15:10"),
    ("ban-thuong-vu-tinh-uy-cho-y-kien-ve-de-an-phat-trien-kinh-te-cua-khau-5012345", "13/07/2021 17:45"),
]
NAV = ('<nav><a href="/">Trang chủ</a> <a href="/thoi-su">Thời sự</a> <a href="/kinh-te">Kinh tế</a> '
       '<a href="/van-hoa-xa-hoi">Văn hóa - Xã hội</a></nav>')


def chain_mirror(tmp_path: Path, *, dated: bool = True, per_page: int = 2) -> Path:
    """baolangson with one listing, /thoi-su, paginated newest first over five pages (two
    articles a page), a "latest news" sidebar repeated on every page, no sitemap, and home and
    other sections without articles. dated=False: listing items show no dates at all."""
    root = copy_mirror("baolangson", tmp_path)
    mirror = root / "baolangson"
    (mirror / "sitemap.xml").unlink()
    for name in ("index.html", "kinh-te.html", "van-hoa-xa-hoi.html"):
        (mirror / name).write_text(f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Báo Lạng Sơn</title>"
                                   f"</head><body>{NAV}</body></html>", encoding="utf-8")
    pages = [CHAIN[i:i + per_page] for i in range(0, len(CHAIN), per_page)]

    def item(slug, when, css="item-news"):
        shown = f'<span class="time-news">{when}</span>' if dated else ""
        return f'<div class="{css}"><h3><a href="/{slug}.html">{slug}</a></h3>{shown}</div>'

    sidebar = "".join(item(slug, when, "side-item") for slug, when in CHAIN[:2])
    for number, articles in enumerate(pages, start=1):
        links = " ".join(f'<a href="/thoi-su{"" if n == 1 else f"?page={n}"}">{n}</a>'
                         for n in range(1, len(pages) + 1))
        following = f'<a rel="next" href="/thoi-su?page={number + 1}">»</a>' if number < len(pages) else ""
        html = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Thời sự - trang {number}</title></head>"
                f"<body>{NAV}<div class='list-news'>{''.join(item(*a) for a in articles)}</div>"
                f"<div class='paging'>{links} {following}</div>"
                f"<aside><h3>Tin mới</h3>{sidebar}</aside></body></html>")
        name = "thoi-su.html" if number == 1 else f"thoi-su@page={number}.html"
        (mirror / name).write_text(html, encoding="utf-8")
    return root


def listing_pages(server) -> list[str]:
    return sorted(p for p in server.requests if p.startswith("/thoi-su"))


def slugs(paths) -> list[str]:
    return sorted(p.strip("/").removesuffix(".html") for p in paths)


def test_since_stops_paging_at_the_first_page_older_than_the_date(tmp_path):
    db = tmp_path / "a.db"
    with served("baolangson", chain_mirror(tmp_path)) as server:
        crawl("baolangson", server, db, "--since", "2023-01-01")
        # page 3 still shows an article of January 2023; page 4 is all 2022 and 2021: stop there.
        assert listing_pages(server) == ["/thoi-su", "/thoi-su?page=2", "/thoi-su?page=3", "/thoi-su?page=4"]
        assert slugs(article_requests(server, "baolangson")) == sorted(s for s, _ in CHAIN[:5])
    assert slugs(stored(db)) == sorted(s for s, _ in CHAIN[:5])


def test_until_skips_newer_articles_but_pages_through_them(tmp_path):
    db = tmp_path / "a.db"
    with served("baolangson", chain_mirror(tmp_path)) as server:
        crawl("baolangson", server, db, "--since", "2023-01-01", "--until", "2023-06-30")
        assert listing_pages(server) == ["/thoi-su", "/thoi-su?page=2", "/thoi-su?page=3", "/thoi-su?page=4"]
        assert slugs(article_requests(server, "baolangson")) == sorted(s for s, _ in CHAIN[3:5])


def test_undated_listings_stop_on_the_articles_own_dates(tmp_path):
    db = tmp_path / "a.db"
    with served("baolangson", chain_mirror(tmp_path, dated=False)) as server:
        crawl("baolangson", server, db, "--since", "2023-01-01")
        # page 4's own articles (2022-06, 2021-12) are both older than the date: no page 5.
        assert listing_pages(server) == ["/thoi-su", "/thoi-su?page=2", "/thoi-su?page=3", "/thoi-su?page=4"]
        assert slugs(article_requests(server, "baolangson")) == sorted(s for s, _ in CHAIN[:8])


def test_backfill_after_a_max_pages_trial_skips_known_articles(tmp_path):
    db = tmp_path / "a.db"
    with served("baolangson", chain_mirror(tmp_path)) as server:
        crawl("baolangson", server, db, "--max-pages", "3")
        # three pages in all: the sitemap (gone: 404), the home page and /thoi-su page 1
        assert sorted(p for p in server.requests if not p.endswith(".html")) == \
            ["/", "/robots.txt", "/sitemap.xml", "/thoi-su"]
        known = set(article_requests(server, "baolangson"))
        assert slugs(known) == sorted(s for s, _ in CHAIN[:2])
        server.requests.clear()
        crawl("baolangson", server, db, "--since", "2021-01-01")
        assert not known & set(article_requests(server, "baolangson"))
    assert slugs(stored(db)) == sorted(s for s, _ in CHAIN)


def test_sitemap_lastmod_outside_the_window_is_skipped(tmp_path):
    db = tmp_path / "a.db"
    root = copy_mirror("baolangson", tmp_path)
    for name in ("index.html", "thoi-su.html", "kinh-te.html", "van-hoa-xa-hoi.html"):
        (root / "baolangson" / name).write_text(f"<html><body>{NAV}</body></html>", encoding="utf-8")
    with served("baolangson", root) as server:
        crawl("baolangson", server, db, "--since", "2023-06-01", "--until", "2024-03-01")
        # lastmods 2023-08-22 and 2024-02-01 are the only ones inside the window
        assert slugs(article_requests(server, "baolangson")) == sorted([CHAIN[1][0], CHAIN[2][0]])


def test_backfill_of_the_sample_site_stores_only_articles_in_the_window(tmp_path):
    # The "most read" sidebar links old articles without a date: the sitemap, read first,
    # dates them, so they are not fetched.
    db = tmp_path / "a.db"
    with served("baolangson") as server:
        crawl("baolangson", server, db, "--since", "2023-06-01")
        assert server.requests["/thoi-su?page=2"] == 1   # page 1 still shows 2024 articles
    dates = [d for (d,) in query(db, "SELECT substr(published_at, 1, 10) FROM articles ORDER BY 1")]
    assert dates == ["2023-08-22", "2024-02-01", "2024-09-12"]


# -- trial limits -----------------------------------------------------------------------------

def test_max_articles_caps_a_trial_run_and_the_next_crawl_completes_it(tmp_path):
    db = tmp_path / "a.db"
    with served("baolangson", chain_mirror(tmp_path)) as server:
        result = crawl("baolangson", server, db, "--max-articles", "3")
        assert sum(article_requests(server, "baolangson").values()) == 3
        assert "'baotinh/job/complete': False" in result.stderr
        server.requests.clear()
        # The trial stored the three newest; a plain incremental crawl would stop on page 1 (all
        # known) if it did not know the trial was cut short. It does: it pages on.
        crawl("baolangson", server, db)
        assert len(article_requests(server, "baolangson")) == len(CHAIN) - 3
    assert slugs(stored(db)) == sorted(s for s, _ in CHAIN)


def test_scrapy_crawl_takes_the_same_arguments(tmp_path):
    import subprocess
    import sys

    from conftest import ROOT

    db = tmp_path / "a.db"
    with served("baolangson", chain_mirror(tmp_path)) as server:
        result = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "baolangson", "-a", f"base_url={server.base_url}",
             "-a", "since=2023-01-01", "-s", f"BAOTINH_DB={db}"],
            capture_output=True, text=True, timeout=120, cwd=ROOT, env={**__import__("os").environ,
                                                                        "PYTHONPATH": str(ROOT)})
        assert result.returncode == 0, result.stderr[-3000:]
        assert listing_pages(server) == ["/thoi-su", "/thoi-su?page=2", "/thoi-su?page=3", "/thoi-su?page=4"]
    assert query(db, "SELECT mode FROM crawl_runs") == [("backfill",)]


@pytest.mark.parametrize("args, message", [
    (["--since", "2024-13-01"], "invalid since '2024-13-01': not a date (use YYYY-MM-DD, YYYY-MM or YYYY)"),
    (["--until", "last week"], "invalid until 'last week': not a date (use YYYY-MM-DD, YYYY-MM or YYYY)"),
    (["--since", "2024-05-01", "--until", "2024-01-01"], "--since 2024-05-01 is after --until 2024-01-01"),
    (["--since", "2024-02", "--until", "2024-01"], "--since 2024-02 is after --until 2024-01"),
    (["--max-articles", "0"], "at least 1"),
    (["--full", "--known-pages", "2"], "incremental crawls only"),
])
def test_bad_mode_options_are_one_line_errors(tmp_path, args, message):
    result = run_baotinh("crawl", "baolangson", "--base-url", "http://127.0.0.1:9/", "--db", tmp_path / "x.db",
                         *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
