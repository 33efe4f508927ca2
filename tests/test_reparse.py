"""`baotinh reparse`: after a selector fix, the stored raw pages give the right articles again,
with no request to any server."""
from __future__ import annotations

import re

from conftest import mirror_articles, run_baotinh
from test_modes import crawl, query, served
from test_robots import registry_with


def titles(db):
    return {re.sub(r"^https?://[^/]+", "", url): title for url, title in query(db, "SELECT url, title FROM articles")}


def test_reparse_after_a_selector_fix_updates_articles_without_fetching(tmp_path):
    db = tmp_path / "a.db"
    # A broken selector: the lead paragraph (h2) is taken for the title.
    broken = registry_with(tmp_path, "baolangson", 'selectors = { title = "h2" }')
    expected = {path: item["title"] for path, item in mirror_articles("baolangson").items()}
    with served("baolangson") as server:
        crawl("baolangson", server, db, env=broken)
        served_before = sum(server.requests.values())
    assert titles(db) != expected and set(titles(db)) == set(expected)

    # The server is gone: reparse cannot fetch anything even if it tried.
    result = run_baotinh("reparse", "--site", "baolangson", "--db", db)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "reparse: 10 pages: 0 new, 10 updated, 0 unchanged" in result.stdout
    assert titles(db) == expected
    assert sum(server.requests.values()) == served_before
    (versions,) = query(db, "SELECT count(*) FROM article_versions")
    assert versions == (10,)    # the wrong titles are kept as the previous versions

    again = run_baotinh("reparse", "--db", db)
    assert "10 unchanged" in again.stdout


def test_reparse_stores_pages_that_now_extract(tmp_path):
    db = tmp_path / "a.db"
    # Every paragraph removed: no body, so the crawl drops every article (but keeps its raw page).
    broken = registry_with(tmp_path, "baolangson", 'selectors = { remove = "p" }')
    with served("baolangson") as server:
        result = crawl("baolangson", server, db, env=broken, expect_ok=False)
    # The crawl's health check rightly suspects a layout change (exit status 6).
    assert result.returncode in (0, 6) and "Traceback" not in result.stderr, result.stderr[-3000:]
    assert query(db, "SELECT count(*) FROM articles") == [(0,)]
    result = run_baotinh("reparse", "--db", db)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "10 new" in result.stdout
    assert set(titles(db)) == set(mirror_articles("baolangson"))


def test_reparse_errors_are_one_line(tmp_path):
    result = run_baotinh("reparse", "--db", tmp_path / "none.db")
    assert result.returncode == 2 and "no database" in result.stderr
    result = run_baotinh("reparse", "--site", "khong-co", "--db", tmp_path / "none.db")
    assert result.returncode == 2 and "unknown site" in result.stderr


def _raw_pages_db(tmp_path, pages):
    """A database holding only raw article pages: (site, body) -> https://SITE.vn/N.html."""
    from storage import open_database
    from storage.raw_pages import RawPageWriter

    path = tmp_path / "raw.db"
    db = open_database(path)
    writer = RawPageWriter(db)
    for number, (site, body) in enumerate(pages):
        writer.write({"site": site, "kind": "article", "url": f"https://{site}.vn/{number}.html", "status": 200,
                      "headers": {"Content-Type": "text/html; charset=utf-8"}, "body": body})
    db.close()
    return path


def test_reparse_of_pages_whose_site_is_not_in_the_registry_exits_2(tmp_path, monkeypatch, capsys):
    """A broken sites file must not pass for a clean run: the skipped pages make the status 2,
    in one line that names the sites and the file's first error."""
    from conftest import fixture_pairs
    from crawler.cli import main
    from crawler.sample_site import FIXTURES

    page = fixture_pairs(FIXTURES / "baolangson")[0].with_suffix(".html").read_bytes()
    db = _raw_pages_db(tmp_path, [("baolangson", page), ("baolangson", page), ("baocu", page)])
    sites = tmp_path / "sites.toml"
    sites.write_text("[sites.baolangson\nnewspaper = \"Báo Lạng Sơn\"\n", encoding="utf-8")
    monkeypatch.setenv("BAOTINH_SITES", str(sites))
    assert main(["reparse", "--db", str(db)]) == 2
    captured = capsys.readouterr()
    assert "3 unknown_site" in captured.out
    (line,) = [line for line in captured.err.splitlines() if "error" in line]
    assert line == (f"baotinh reparse: error: 3 stored pages were not re-extracted: their site is not in the "
                    f"registry: baolangson (2), baocu (1); the sites file has an error: {sites}:1: bad TOML: "
                    f"Expected ']' at the end of a table declaration")

    # With a clean registry, only the page of the site it does not have is reported.
    monkeypatch.delenv("BAOTINH_SITES")
    assert main(["reparse", "--db", str(db)]) == 2
    captured = capsys.readouterr()
    assert "1 unknown_site" in captured.out
    assert ("error: 1 stored page was not re-extracted: its site is not in the registry: baocu (1); add them "
            "to the sites file, or reparse the others with --site NAME") in captured.err
    assert main(["reparse", "--site", "baolangson", "--db", str(db)]) == 0
