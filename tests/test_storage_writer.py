"""ArticleWriter: upsert by canonical URL, versions, authors, images, durability."""
from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from crawler.normalize.text import fold
from storage import (ArticleWriter, StorageError, get_article, is_known, known_urls, open_database,
                     start_run, sync_sites)
from storage.writer import content_hash, word_count

ROOT = Path(__file__).resolve().parent.parent


def item(n: int = 1, **changes) -> dict:
    base = {
        "url": f"https://baolangson.vn/bai-{n}.html",
        "canonical_url": f"https://baolangson.vn/bai-{n}.html",
        "site": "baolangson",
        "title": f"Đồng chí Bí thư làm việc tại Lạng Sơn {n}",
        "lead": "Sáng nay, đoàn công tác đã đến thăm.",
        "body": "Đoạn một có năm từ.\n\nĐoạn hai cũng vậy nhé.",
        "published_at": "2024-03-05T08:15:00+07:00",
        "published_raw": "05/03/2024 08:15",
        "modified_at": None,
        "modified_raw": None,
        "authors": ["Trí Dũng"],
        "byline_raw": "TRÍ DŨNG",
        "source": None,
        "category": "Thời sự",
        "tags": ["Lạng Sơn", "công tác"],
        "images": [{"url": "https://baolangson.vn/a.jpg", "caption": "Ảnh một", "credit": "TTXVN"}],
        "language": "vi",
        "fetched_at": "2024-03-06T10:00:00+07:00",
    }
    base.update(changes)
    return base


@pytest.fixture
def db(tmp_path):
    database = open_database(tmp_path / "baotinh.db")
    yield database
    database.close()


def rows(db, sql, params=()):
    return [tuple(r) for r in db.execute(sql, params).fetchall()]


def test_new_then_unchanged_only_moves_last_seen(db):
    writer = ArticleWriter(db)
    assert writer.write(item()) == "new"
    before = dict(db.query("SELECT * FROM articles").__next__())
    assert writer.write(item(fetched_at="2024-04-01T09:00:00+07:00", tags=["other"])) == "unchanged"
    after = dict(db.query("SELECT * FROM articles").__next__())
    assert after["last_seen_at"] == "2024-04-01T09:00:00+07:00"
    assert {k: v for k, v in after.items() if k != "last_seen_at"} == \
           {k: v for k, v in before.items() if k != "last_seen_at"}
    assert before["first_seen_at"] == before["last_seen_at"] == "2024-03-06T10:00:00+07:00"
    assert db["article_versions"].count == 0


def test_an_older_fetch_never_moves_last_seen_back(db):
    writer = ArticleWriter(db)
    writer.write(item(fetched_at="2024-05-01T00:00:00+07:00"))
    writer.write(item(fetched_at="2024-04-01T00:00:00+07:00"))
    assert rows(db, "SELECT last_seen_at FROM articles") == [("2024-05-01T00:00:00+07:00",)]


def test_stored_columns(db):
    run = start_run(db, spider="baolangson", site="baolangson")
    ArticleWriter(db).write(item(), crawl_run_id=run)
    row = next(db.query("SELECT * FROM articles"))
    assert row["url"] == row["canonical_url"] == "https://baolangson.vn/bai-1.html"
    assert row["title"].startswith("Đồng chí")
    assert json.loads(row["tags"]) == ["Lạng Sơn", "công tác"]
    assert row["word_count"] == 10
    assert len(row["content_sha256"]) == 64
    assert row["crawl_run_id"] == run
    assert row["byline_raw"] == "TRÍ DŨNG"
    assert row["language"] == "vi"


def test_unknown_keys_are_ignored_and_missing_ones_are_null(db):
    writer = ArticleWriter(db)
    assert writer.write({"url": "https://x.vn/1", "site": "x", "page_type": "article", "problems": ["a"],
                         "author_meta": ["Báo X"]}) == "new"
    row = next(db.query("SELECT * FROM articles"))
    assert row["title"] is None and row["body"] is None and row["word_count"] == 0
    assert row["tags"] == "[]" and row["canonical_url"] == "https://x.vn/1"


@pytest.mark.parametrize("bad, message", [
    ({"site": "x"}, "no url"),
    ({"url": "https://x.vn/1"}, "no site"),
    ({"url": "  ", "site": "x"}, "no url"),
])
def test_items_without_identity_are_refused(db, bad, message):
    with pytest.raises(StorageError, match=message):
        ArticleWriter(db).write(bad)


def test_changed_content_archives_the_previous_version(db):
    writer = ArticleWriter(db)
    writer.write(item())
    changed = item(title="Tiêu đề đã sửa", body="Nội dung mới hoàn toàn.", authors=["Hoàng Anh"],
                   images=[], fetched_at="2024-03-10T10:00:00+07:00")
    assert writer.write(changed) == "updated"
    article = get_article(db, changed["url"])
    assert article["title"] == "Tiêu đề đã sửa"
    assert article["authors"] == ["Hoàng Anh"]
    assert article["images"] == []
    assert article["first_seen_at"] == "2024-03-06T10:00:00+07:00"
    assert article["last_seen_at"] == "2024-03-10T10:00:00+07:00"
    versions = list(db.query("SELECT * FROM article_versions"))
    assert len(versions) == 1
    old = versions[0]
    assert old["title"].startswith("Đồng chí Bí thư")
    assert json.loads(old["authors"]) == ["Trí Dũng"]
    assert old["first_seen_at"] == "2024-03-06T10:00:00+07:00"
    assert old["replaced_at"] == "2024-03-10T10:00:00+07:00"
    assert writer.write(changed) == "unchanged"
    third = dict(changed, body="Lần sửa thứ ba.", fetched_at="2024-03-12T10:00:00+07:00")
    assert writer.write(third) == "updated"
    versions = list(db.query("SELECT * FROM article_versions ORDER BY id"))
    assert [v["title"] for v in versions] == [old["title"], "Tiêu đề đã sửa"]
    assert versions[1]["first_seen_at"] == "2024-03-10T10:00:00+07:00"  # when that content appeared


@pytest.mark.parametrize("field, value", [
    ("title", "Khác"), ("lead", "Khác"), ("body", "Khác"), ("published_at", "2024-03-06T08:00:00+07:00"),
    ("authors", ["Người Khác"]),
])
def test_each_content_field_counts(db, field, value):
    writer = ArticleWriter(db)
    writer.write(item())
    assert writer.write(item(**{field: value})) == "updated"


def test_author_capitalization_is_not_a_content_change(db):
    writer = ArticleWriter(db)
    writer.write(item(authors=["TRÍ DŨNG"]))
    assert writer.write(item(authors=["Trí Dũng"])) == "unchanged"


def test_upsert_key_is_the_canonical_url(db):
    writer = ArticleWriter(db)
    writer.write(item())
    mobile = item(url="https://m.baolangson.vn/bai-1.html")
    assert writer.write(mobile) == "unchanged"
    assert db["articles"].count == 1
    # url stays the first one stored, so known_urls keeps covering it
    assert rows(db, "SELECT url FROM articles") == [("https://baolangson.vn/bai-1.html",)]


def test_a_page_whose_canonical_changed_is_still_the_same_article(db):
    writer = ArticleWriter(db)
    writer.write(item(canonical_url=None))  # first crawl: no canonical link
    moved = item(canonical_url="https://baolangson.vn/new-path-1.html")
    assert writer.write(moved) == "unchanged"
    assert rows(db, "SELECT url, canonical_url FROM articles") == [
        ("https://baolangson.vn/bai-1.html", "https://baolangson.vn/new-path-1.html")]
    # fetched later through the new canonical URL: still one article
    assert writer.write(item(url="https://baolangson.vn/new-path-1.html",
                             canonical_url="https://baolangson.vn/new-path-1.html")) == "unchanged"
    assert db["articles"].count == 1


def test_authors_are_one_row_per_folded_name_with_the_nicer_spelling(db):
    writer = ArticleWriter(db)
    writer.write(item(1, authors=["TRÍ DŨNG"]))
    assert rows(db, "SELECT name, name_folded FROM authors") == [("TRÍ DŨNG", "tri dung")]
    writer.write(item(2, authors=["Trí Dũng", "trí dũng", "Hoàng  Anh"]))
    assert rows(db, "SELECT name, name_folded FROM authors ORDER BY id") == [
        ("Trí Dũng", "tri dung"), ("Hoàng Anh", "hoang anh")]
    writer.write(item(3, authors=["TRÍ DŨNG"]))  # an all-caps byline never wins back
    assert rows(db, "SELECT name FROM authors WHERE name_folded = 'tri dung'") == [("Trí Dũng",)]
    assert rows(db, "SELECT article_id, author_id, position FROM article_authors ORDER BY 1, 3") == [
        (1, 1, 0), (2, 1, 0), (2, 2, 1), (3, 1, 0)]


def test_a_fresh_writer_finds_existing_authors(db):
    ArticleWriter(db).write(item(1, authors=["Trí Dũng"]))
    ArticleWriter(db).write(item(2, authors=["TRI DUNG"]))
    assert db["authors"].count == 1


def test_article_authors_and_images_are_replaced_on_update(db):
    writer = ArticleWriter(db)
    writer.write(item(authors=["A Một", "B Hai"], images=[{"url": "https://x/1.jpg"}, {"url": "https://x/2.jpg"}]))
    writer.write(item(body="mới", authors=["B Hai"], images=["https://x/3.jpg", {"caption": "no url"}]))
    assert rows(db, "SELECT a.name, aa.position FROM article_authors aa JOIN authors a ON a.id = aa.author_id") \
        == [("B Hai", 0)]
    assert rows(db, "SELECT position, url, caption FROM images") == [(0, "https://x/3.jpg", None)]


def test_all_articles_by_an_author_is_one_indexed_query(db):
    writer = ArticleWriter(db)
    writer.write_many([item(n, authors=["Trí Dũng"] if n % 2 else ["Hoàng Anh"]) for n in range(1, 7)])
    sql = ("SELECT a.id FROM authors au JOIN article_authors aa ON aa.author_id = au.id "
           "JOIN articles a ON a.id = aa.article_id WHERE au.name_folded = ?")
    assert rows(db, sql, ("tri dung",)) == [(1,), (3,), (5,)]
    plan = " ".join(r[3] for r in db.execute("EXPLAIN QUERY PLAN " + sql, ("tri dung",)).fetchall())
    assert "SCAN" not in plan, plan


def test_write_many_is_one_transaction(db):
    writer = ArticleWriter(db)
    with pytest.raises(StorageError):
        writer.write_many([item(1), item(2), {"site": "x"}])
    assert db["articles"].count == 0
    assert writer.write_many([item(1), item(2), item(1, body="khác")]) == ["new", "new", "updated"]
    assert writer.write_many([item(2), item(3)]) == ["unchanged", "new"]
    assert db["articles"].count == 3


def test_a_failed_batch_leaves_no_cached_author_behind(db):
    writer = ArticleWriter(db)
    with pytest.raises(StorageError):
        writer.write_many([item(1, authors=["Ma Văn"]), item(1, url=None)])
    assert db["authors"].count == 0
    writer.write(item(2, authors=["Ma Văn"]))
    assert rows(db, "SELECT a.name FROM article_authors aa JOIN authors a ON a.id = aa.author_id") == [("Ma Văn",)]


def test_known_urls_and_is_known(db):
    writer = ArticleWriter(db)
    writer.write(item(1, canonical_url="https://baolangson.vn/c-1.html"))
    writer.write(item(2))
    writer.write(item(3, site="baolaocai", url="https://baolaocai.vn/x.html", canonical_url=None))
    assert known_urls(db, "baolangson") == {"https://baolangson.vn/bai-1.html", "https://baolangson.vn/c-1.html",
                                            "https://baolangson.vn/bai-2.html"}
    assert known_urls(db, "nowhere") == set()
    assert is_known(db, "https://baolangson.vn/c-1.html")
    assert is_known(db, "https://baolaocai.vn/x.html")
    assert not is_known(db, "https://baolaocai.vn/y.html")


def test_province_comes_from_the_sites_table(db):
    sync_sites(db, [{"name": "baolangson", "newspaper": "Báo Lạng Sơn", "province": "Lạng Sơn",
                     "domain": "baolangson.vn", "base_url": "https://baolangson.vn/", "family": "x",
                     "listings": ["/"]}])
    writer = ArticleWriter(db)
    writer.write(item(1))
    writer.write(item(2, site="baolaocai", url="https://baolaocai.vn/2.html", canonical_url=None))
    assert rows(db, "SELECT site, province FROM articles ORDER BY id") == [("baolangson", "Lạng Sơn"),
                                                                           ("baolaocai", None)]
    sync_sites(db, [{"name": "baolaocai", "province": "Lào Cai", "former_province": ["Yên Bái"]}])
    assert rows(db, "SELECT site, province FROM articles ORDER BY id") == [("baolangson", "Lạng Sơn"),
                                                                           ("baolaocai", "Lào Cai")]
    assert rows(db, "SELECT name, former_province FROM sites ORDER BY name") == [
        ("baolangson", None), ("baolaocai", "Yên Bái")]


def test_sync_sites_updates_and_keeps_unlisted_sites(db):
    sync_sites(db, [{"name": "a", "province": "P1", "newspaper": "Báo A"}, {"name": "b", "province": "P2"}])
    assert sync_sites(db, [{"name": "a", "province": "P3"}, {"province": "no name"}]) == 1
    assert rows(db, "SELECT name, province, newspaper FROM sites ORDER BY name") == [
        ("a", "P3", None), ("b", "P2", None)]


def test_text_is_stored_nfc(db):
    import unicodedata

    ArticleWriter(db).write(item(title=unicodedata.normalize("NFD", "Lạng Sơn")))
    assert rows(db, "SELECT title FROM articles") == [("Lạng Sơn",)]


def test_deleting_an_article_removes_its_rows_even_without_foreign_keys(db, tmp_path):
    ArticleWriter(db).write(item(1, authors=["A", "B"]))
    ArticleWriter(db).write(item(1, body="v2"))
    plain = sqlite3.connect(tmp_path / "baotinh.db")  # like the sqlite3 shell: foreign keys off
    plain.execute("DELETE FROM articles")
    plain.commit()
    plain.close()
    for table in ("article_authors", "images", "article_versions"):
        assert db[table].count == 0, table


def test_each_write_is_committed_before_it_returns(tmp_path):
    db = open_database(tmp_path / "baotinh.db")
    ArticleWriter(db).write(item())
    other = sqlite3.connect(tmp_path / "baotinh.db")
    assert other.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
    other.close()
    db.close()


# Every character str.split() splits on, and some that look like spaces or share their UTF-8 lead
# bytes (C2, E1 9A, E2 80, E3 80) without being spaces.
SPACES = [chr(c) for c in range(0x110000) if chr(c).isspace()]
NEIGHBOURS = list("xđĐạẫ“”‘’–—…•€\u00a9\u00b0\u00c2\u200b\u200c\u200d\u2060\ufeff\u1681\u2010\u205e\u3001") + ["\U0001f600"]


def test_word_count_is_what_str_split_counts():
    rng = random.Random(7)
    for _ in range(20000):
        text = "".join(rng.choice(SPACES + NEIGHBOURS) for _ in range(rng.randint(0, 16)))
        assert word_count(text) == len(text.split()), repr(text)
        assert word_count(text, text.encode()) == len(text.split()), repr(text)
    prose = "Đồng chí Bí thư “làm việc” – tại Lạng Sơn…\n\n  Đoạn\ttwo\u00a0ba\u3000bốn\u2009năm "
    assert word_count(prose) == len(prose.split()) == 15


def test_stored_word_count_and_hash_keep_their_definitions(db):
    """The writer's fast paths store what the definitions say: an archive written by an earlier
    baotinh sees no change (no new version) when the same content comes again."""
    body = unicodedata.normalize("NFD", "Lạng Sơn\u00a0“đẹp” – Đồng\n\nchí\u2003Bí thư")
    ArticleWriter(db).write(item(body=body, authors=["TRÍ DŨNG", "Hoàng  Anh"]))
    row = next(db.query("SELECT * FROM articles"))
    text = unicodedata.normalize("NFC", body)
    assert row["body"] == text
    assert row["word_count"] == len(text.split()) == 8
    assert row["content_sha256"] == content_hash(row["title"], row["lead"], text, row["published_at"],
                                                 [fold("TRÍ DŨNG"), fold("Hoàng Anh")])


def test_ids_and_children_rows_agree_between_write_and_write_many(db):
    writer = ArticleWriter(db)
    writer.write(item(1, authors=["A Một"], images=["https://x/1.jpg"]))
    assert writer.write_many([item(2, authors=["B Hai", "A Một"]), item(3, images=["https://x/3a.jpg",
                                                                                   "https://x/3b.jpg"])]) == ["new"] * 2
    writer.write(item(4, authors=["B Hai"], images=["https://x/4.jpg"]))
    assert rows(db, "SELECT id, url FROM articles ORDER BY id") == [
        (n, f"https://baolangson.vn/bai-{n}.html") for n in (1, 2, 3, 4)]
    assert rows(db, "SELECT aa.article_id, au.name, aa.position FROM article_authors aa "
                    "JOIN authors au ON au.id = aa.author_id ORDER BY 1, 3") == [
        (1, "A Một", 0), (2, "B Hai", 0), (2, "A Một", 1), (3, "Trí Dũng", 0), (4, "B Hai", 0)]
    assert rows(db, "SELECT article_id, position, url FROM images ORDER BY 1, 2") == [
        (1, 0, "https://x/1.jpg"), (2, 0, "https://baolangson.vn/a.jpg"), (3, 0, "https://x/3a.jpg"),
        (3, 1, "https://x/3b.jpg"), (4, 0, "https://x/4.jpg")]


def test_a_refused_article_is_named_and_nothing_is_kept(db):
    writer = ArticleWriter(db)
    with pytest.raises(StorageError, match=r"cannot store https://baolangson.vn/bai-1.html: .*FOREIGN KEY"):
        writer.write(item(1), crawl_run_id=999)  # no such crawl run
    with pytest.raises(StorageError, match=r"cannot store 2 article\(s\): .*FOREIGN KEY"):
        writer.write_many([item(2, authors=["Ma Văn"]), item(3)], crawl_run_id=999)
    for table in ("articles", "authors", "article_authors", "images"):
        assert db[table].count == 0, table
    assert writer.write_many([item(2, authors=["Ma Văn"]), item(3)]) == ["new", "new"]


KILLER = """
import os, signal, sys
sys.path.insert(0, {root!r})
from storage import ArticleWriter, open_database
db = open_database({path!r})
writer = ArticleWriter(db)
for n in range(25):
    writer.write({{"url": f"https://x.vn/{{n}}.html", "site": "x", "title": f"bài {{n}}", "body": "nội dung " * 50}})
    print(n, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_articles_survive_kill_9(tmp_path):
    path = tmp_path / "baotinh.db"
    result = subprocess.run([sys.executable, "-c", KILLER.format(root=str(ROOT), path=str(path))],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == -signal.SIGKILL
    written = result.stdout.split()
    assert written[-1] == "24"
    db = open_database(path)
    assert db["articles"].count == 25
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()


def test_count_articles_by_site(tmp_path):
    from storage import ArticleWriter, count_articles, open_database

    db = open_database(tmp_path / "c.db")
    writer = ArticleWriter(db)
    for site, n in (("a", 3), ("b", 2)):
        for i in range(n):
            writer.write({"url": f"https://{site}.vn/x-{i}.html", "site": site, "title": f"T {i}",
                          "body": "Nội dung bài viết.", "authors": []})
    assert (count_articles(db), count_articles(db, site="a"), count_articles(db, site="zz")) == (5, 3, 0)
    db.close()
