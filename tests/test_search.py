"""search(): folding, FTS syntax, filters, ranking, snippets, index consistency; `baotinh search`."""
from __future__ import annotations

import json
import sqlite3
import unicodedata

import pytest

from crawler.cli import main
from storage import ArticleWriter, SearchError, StorageError, open_database, search
from storage.maintenance import check_search_index, rebuild_search_index


def art(n, title, body="", *, site="baolangson", published_at="2024-03-05T08:00:00+07:00", authors=(),
        lead=""):
    return {"url": f"https://{site}.vn/{n}.html", "site": site, "title": title, "lead": lead, "body": body,
            "published_at": published_at, "authors": list(authors), "fetched_at": "2024-05-01T00:00:00+07:00"}


CORPUS = [
    art(1, "Đồng chí Bí thư Tỉnh ủy làm việc tại Lạng Sơn", "Đoàn công tác của tỉnh đã đến cửa khẩu Hữu Nghị.",
        authors=["Trí Dũng"], published_at="2024-01-10T09:00:00+07:00"),
    art(2, "Lạng Sơn phát triển du lịch", "Du khách đến Lạng Sơn ngày càng đông. Đồng bào dân tộc đón khách.",
        authors=["Hoàng Anh"], published_at="2024-02-20T09:00:00+07:00"),
    art(3, "Mùa hoa đào Mẫu Sơn", "Lang thang trên đỉnh núi, ngắm hoa đào nở.",
        authors=["Trí Dũng", "Hoàng Anh"], published_at="2024-03-15", site="baolangson"),
    art(4, "Lào Cai đón khách du lịch", "Sa Pa đông khách dịp lễ. Đoàn Văn Bình cho biết.",
        site="baolaocai", authors=["Trí Dũng"], published_at="2024-03-20T09:00:00+07:00"),
    art(5, "Tin vắn", "Một bài không có ngày đăng nói về Lạng Sơn.", published_at=None),
    art(6, "Kinh tế cửa khẩu", "Hàng hóa qua cửa khẩu tăng mạnh; đồng chí Chủ tịch chỉ đạo.",
        lead="Lạng Sơn đẩy mạnh xuất khẩu.", authors=["Lê Minh"], published_at="2024-04-01T10:00:00+07:00"),
]


@pytest.fixture
def path(tmp_path):
    path = tmp_path / "baotinh.db"
    db = open_database(path)
    ArticleWriter(db).write_many(CORPUS)
    db.close()
    return path


@pytest.fixture
def db(path):
    database = open_database(path)
    yield database
    database.close()


def ids(results) -> list[int]:
    return sorted(int(r["url"].rsplit("/", 1)[1].split(".")[0]) for r in results)


@pytest.mark.parametrize("query, expected", [
    ("dong chi", [1, 6]),                     # đ folds to d: "dong chi" finds "Đồng chí"
    ("Đồng chí", [1, 6]),
    ("ĐỒNG CHÍ", [1, 6]),
    ("Doan", [1, 4]),                         # finds "Đoàn"
    ("đoàn", [1, 4]),
    ("LẠNG SƠN", [1, 2, 3, 5, 6]),            # both words, anywhere (3: "Lang thang", "Mẫu Sơn")
    ("lang son", [1, 2, 3, 5, 6]),
    (unicodedata.normalize("NFD", "Lạng Sơn"), [1, 2, 3, 5, 6]),
    ('"Lạng Sơn"', [1, 2, 5, 6]),             # the phrase
    ('"LẠNG SƠN"', [1, 2, 5, 6]),
    ('"lang son"', [1, 2, 5, 6]),
    (unicodedata.normalize("NFD", '"Lạng Sơn"'), [1, 2, 5, 6]),
    ('"son lang"', []),                        # a phrase is ordered
    ("lang*", [1, 2, 3, 5, 6]),               # prefix also matches "Lang thang"
    ("Lạng OR Sa", [1, 2, 3, 4, 5, 6]),
    ("Lạng NOT Đồng", [3, 5]),               # 1, 2 and 6 have "đồng"/"đông"
    ("du lịch AND (Lào OR Lạng)", [2, 4]),
    ("title:Lạng", [1, 2]),
    ("lead:xuất", [6]),
    ("NEAR(cửa khẩu, 2)", [1, 6]),
    ("không có gì như thế này", []),
])
def test_folding_and_fts_syntax(db, query, expected):
    assert ids(search(db, query)) == expected


def test_text_in_other_scripts_is_found_as_written(tmp_path):
    db = open_database(tmp_path / "x.db")
    ArticleWriter(db).write_many([art(1, "Hội chợ Łódź", "Straße ở Łódź"), art(2, "ភាសាខ្មែរ", "tiếng Khmer")])
    assert ids(search(db, "Łódź")) == [1]
    assert ids(search(db, "Straße")) == [1]
    assert ids(search(db, "ភាសាខ្មែរ")) == [2]
    db.close()


@pytest.mark.parametrize("filters, expected", [
    ({"site": "baolaocai"}, [4]),
    ({"site": "baolangson"}, [1, 2, 3, 5, 6]),
    ({"since": "2024-02-20"}, [2, 3, 4, 6]),
    ({"until": "2024-02-20"}, [1, 2]),               # a date covers the whole day
    ({"since": "2024-03", "until": "2024-03"}, [3, 4]),
    ({"author": "Trí Dũng"}, [1, 3, 4]),
    ({"author": "TRI DUNG"}, [1, 3, 4]),
    ({"author": "Hoàng Anh", "site": "baolangson", "since": "2024-03-01"}, [3]),
    ({"author": "Trí Dũng", "until": "2024-03-16"}, [1, 3]),
    ({"author": "nobody"}, []),
])
def test_filters_combine(db, filters, expected):
    assert ids(search(db, "du lịch OR đồng OR đào OR Đoàn OR Lạng", **filters)) == expected


def test_undated_articles_only_without_date_filters(db):
    assert 5 in ids(search(db, "bài"))
    assert ids(search(db, "bài", since="1900")) == []


def test_result_shape_ranking_and_snippet(db):
    results = search(db, "Lạng Sơn", limit=10)
    first = results[0]
    assert {"title", "site", "published_at", "authors", "url", "snippet", "rank"} <= set(first)
    assert first["title"] in (CORPUS[0]["title"], CORPUS[1]["title"])  # title matches rank first
    assert [r["rank"] for r in results] == sorted(r["rank"] for r in results)
    by_id = {int(r["url"].rsplit("/", 1)[1].split(".")[0]): r for r in results}
    assert by_id[2]["authors"] == ["Hoàng Anh"]
    assert by_id[2]["snippet"] == "Du khách đến [Lạng] [Sơn] ngày càng đông. Đồng bào dân tộc đón khách."
    assert by_id[6]["snippet"].startswith("[Lạng] [Sơn] đẩy mạnh xuất khẩu.")  # lead comes first
    assert by_id[5]["published_at"] is None


def test_snippet_highlights_the_original_spelling(db):
    [result] = search(db, "doan van binh")
    assert "[Đoàn] [Văn] [Bình]" in result["snippet"]
    [result] = search(db, "lang thang")
    assert result["snippet"].startswith("[Lang] [thang]")


def test_limit(db):
    assert len(search(db, "Lạng OR Sa OR hoa", limit=2)) == 2


@pytest.mark.parametrize("query", ["lang AND", "(lang", "NOT lang", "lang OR", '"unclosed', "", "title:", "-"])
def test_malformed_queries_raise_search_error(db, query):
    with pytest.raises(SearchError) as info:
        search(db, query)
    assert "\n" not in str(info.value)


def test_invalid_date_is_a_value_error(db):
    with pytest.raises(ValueError):
        search(db, "lang", since="yesterday")


def test_index_follows_insert_update_delete(db, path):
    writer = ArticleWriter(db)
    assert ids(search(db, "Điện Biên")) == []
    writer.write(art(7, "Tin từ Điện Biên", "Đường lên Điện Biên."))
    assert ids(search(db, "dien bien")) == [7]
    writer.write(art(7, "Tin từ Hà Giang", "Đường lên Mèo Vạc."))  # content changed: updated
    assert ids(search(db, "dien bien")) == []
    assert ids(search(db, "meo vac")) == [7]
    db.execute("DELETE FROM articles WHERE id = 7")
    assert ids(search(db, "meo vac")) == []
    check_search_index(db)
    # another client (the sqlite3 shell: no foreign keys, no baotinh code) edits the archive
    plain = sqlite3.connect(path)
    plain.execute("UPDATE articles SET title = 'Đèo Mã Pí Lèng' WHERE id = 3")
    plain.execute("DELETE FROM articles WHERE id = 4")
    plain.execute("INSERT INTO articles (url, canonical_url, site, title, content_sha256, first_seen_at, "
                  "last_seen_at) VALUES ('u', 'u', 's', 'Đỉnh Fansipan', 'x', 'now', 'now')")
    plain.commit()
    plain.close()
    assert ids(search(db, "deo ma pi leng")) == [3]
    assert ids(search(db, "Sa Pa")) == []
    assert [r["title"] for r in search(db, "dinh fansipan")] == ["Đỉnh Fansipan"]
    check_search_index(db)
    assert db.execute("SELECT count(*) FROM articles_fts").fetchone()[0] == db["articles"].count


def test_check_and_rebuild_search_index(db):
    check_search_index(db)
    db.execute("INSERT INTO articles_fts(articles_fts, rowid, title, lead, body) "
               "VALUES ('delete', 1, 'x', 'y', 'z')")  # damage the index
    with pytest.raises(StorageError, match="rebuild_search_index"):
        check_search_index(db)
    assert rebuild_search_index(db) == len(CORPUS)
    check_search_index(db)
    assert ids(search(db, "dong chi")) == [1, 6]


# --- the command -------------------------------------------------------------------------------

def test_cli_table(path, capsys):
    assert main(["search", "dong", "chi", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert " 1. " in out and " 2. " in out
    assert "Đồng chí Bí thư Tỉnh ủy làm việc tại Lạng Sơn" in out
    assert "baolangson · 2024-01-10 · Trí Dũng" in out
    assert "https://baolangson.vn/1.html" in out
    assert "[đồng] [chí] Chủ tịch" in out


def test_cli_json(path, capsys):
    assert main(["search", "Doan", "--format", "json", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    results = json.loads(out)
    assert len(out.strip().splitlines()) == len(results) + 2  # "[", one object per line, "]"
    assert {tuple(r) for r in results} == {("title", "site", "published_at", "authors", "url", "snippet", "rank")}
    assert sorted(r["url"] for r in results) == ["https://baolangson.vn/1.html", "https://baolaocai.vn/4.html"]


def test_cli_csv_with_filters(path, capsys):
    assert main(["search", "Lạng Sơn", "--site", "baolangson", "--since", "2024-02-01", "--until", "2024-12-31",
                 "--author", "hoang anh", "--format", "csv", "--limit", "5", "--db", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "title,site,published_at,authors,url,snippet,rank"
    assert len(lines) == 3 and all("Hoàng Anh" in line for line in lines[1:])
    assert "Trí Dũng; Hoàng Anh" in lines[2]


def test_cli_no_results(path, capsys):
    assert main(["search", "xyzzy", "--db", str(path)]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and "no results" in captured.err
    assert main(["search", "xyzzy", "--format", "json", "--db", str(path)]) == 0
    assert json.loads(capsys.readouterr().out) == []


@pytest.mark.parametrize("args, message", [
    (["lang AND"], "malformed search query"),
    (['"lang'], "unterminated quote"),
    (["lang", "--since", "05/03/2024"], "invalid since '05/03/2024': not a date (use YYYY-MM-DD, YYYY-MM or YYYY)"),
    (["lang", "--since", "2024-06", "--until", "2024-05"], "--since 2024-06 is after --until 2024-05"),
    (["lang", "--site", "baolangsn"], "unknown site 'baolangsn'"),
    (["AND OR"], "'AND OR' is not a valid search query: it has no search terms"),
    (["lang", "--limit", "0"], "--limit must be at least 1"),
])
def test_cli_errors_are_one_line(path, capsys, args, message):
    assert main(["search", *args, "--db", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_cli_missing_database(tmp_path, capsys):
    assert main(["search", "lang", "--db", str(tmp_path / "nothing.db")]) == 2
    assert "no database at" in capsys.readouterr().err
    assert not (tmp_path / "nothing.db").exists()
