"""iter_articles, `baotinh export` (CSV/JSONL) and `baotinh authors`."""
from __future__ import annotations

import csv
import io
import json
import types

import pytest

from crawler.cli import main
from storage import ArticleWriter, iter_articles, open_database, top_authors
from storage.queries import EXPORT_COLUMNS

ARTICLES = [
    dict(n=1, site="baolangson", published_at="2024-03-05T08:00:00+07:00", authors=["Trí Dũng", "Hoàng Anh"],
         tags=["Lạng Sơn", "biên giới"], title="Đồng chí Bí thư thăm đồn biên phòng"),
    dict(n=2, site="baolangson", published_at="2024-03-31T23:59:00+07:00", authors=["TRÍ DŨNG"], tags=[],
         title="Lễ hội mùa xuân, \"đặc sắc\"", body="Dòng một.\n\nDòng hai; có dấu phẩy, và \"ngoặc\"."),
    dict(n=3, site="baolaocai", published_at="2024-04-01", authors=["Hoàng Anh"], tags=["Sa Pa"],
         title="Sa Pa đón khách"),
    dict(n=4, site="baolaocai", published_at=None, authors=[], tags=[], title="Bài không ngày"),
]


def make(n, site, published_at, authors, tags, title, body="Nội dung bài viết."):
    return {"url": f"https://{site}.vn/{n}.html", "site": site, "title": title, "lead": "Sapo.", "body": body,
            "published_at": published_at, "authors": authors, "tags": tags,
            "images": [{"url": f"https://{site}.vn/{n}.jpg", "caption": "Ảnh"}], "fetched_at": "2024-05-01T00:00:00+07:00"}


@pytest.fixture
def path(tmp_path):
    path = tmp_path / "baotinh.db"
    db = open_database(path)
    ArticleWriter(db).write_many([make(**a) for a in ARTICLES])
    db.close()
    return path


@pytest.fixture
def db(path):
    database = open_database(path)
    yield database
    database.close()


def test_iter_articles_streams_dicts_with_lists(db):
    articles = iter_articles(db)
    assert isinstance(articles, types.GeneratorType)
    rows = list(articles)
    assert [r["title"] for r in rows] == ["Bài không ngày", ARTICLES[0]["title"], ARTICLES[1]["title"], "Sa Pa đón khách"]
    first = rows[1]
    assert tuple(first) == EXPORT_COLUMNS
    assert first["authors"] == ["Trí Dũng", "Hoàng Anh"]
    assert first["tags"] == ["Lạng Sơn", "biên giới"]
    assert first["images"] == [{"url": "https://baolangson.vn/1.jpg", "caption": "Ảnh", "credit": None}]


@pytest.mark.parametrize("filters, titles", [
    ({"site": "baolaocai"}, ["Bài không ngày", "Sa Pa đón khách"]),
    ({"since": "2024-03-31"}, [ARTICLES[1]["title"], "Sa Pa đón khách"]),
    ({"until": "2024-03"}, [ARTICLES[0]["title"], ARTICLES[1]["title"]]),
    ({"until": "2024-03-31"}, [ARTICLES[0]["title"], ARTICLES[1]["title"]]),
    ({"since": "2024-03-06", "until": "2024-04-01"}, [ARTICLES[1]["title"], "Sa Pa đón khách"]),
    ({"until": "2024-03-31T12:00:00+07:00"}, [ARTICLES[0]["title"]]),
    ({"site": "baolangson", "since": "2024"}, [ARTICLES[0]["title"], ARTICLES[1]["title"]]),
    ({"author": "tri dung"}, [ARTICLES[0]["title"], ARTICLES[1]["title"]]),
])
def test_iter_articles_filters(db, filters, titles):
    assert [r["title"] for r in iter_articles(db, **filters)] == titles


def test_invalid_dates_are_value_errors_at_call_time(db):
    with pytest.raises(ValueError, match="invalid since 'last tuesday': not a date"):
        iter_articles(db, since="last tuesday")


def test_top_authors(db):
    assert top_authors(db) == [("Hoàng Anh", 2), ("Trí Dũng", 2)]
    assert top_authors(db, site="baolangson") == [("Trí Dũng", 2), ("Hoàng Anh", 1)]
    assert top_authors(db, top=1) == [("Hoàng Anh", 2)]


def test_export_csv_with_bom_opens_in_spreadsheets(path, tmp_path, capsys):
    out = tmp_path / "articles.csv"
    assert main(["export", "--format", "csv", "--bom", "-o", str(out), "--db", str(path)]) == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfid,site,province,published_at,title,authors,")
    assert b"\r\n" in raw
    with open(out, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 4
    by_title = {r["title"]: r for r in rows}
    assert by_title[ARTICLES[0]["title"]]["authors"] == "Trí Dũng; Hoàng Anh"
    assert by_title[ARTICLES[0]["title"]]["tags"] == "Lạng Sơn; biên giới"
    assert by_title[ARTICLES[1]["title"]]["body"] == "Dòng một.\n\nDòng hai; có dấu phẩy, và \"ngoặc\"."
    assert by_title["Bài không ngày"]["published_at"] == ""
    assert "exported 4 articles to" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.part"))


def test_export_csv_without_bom_and_format_from_suffix(path, tmp_path):
    out = tmp_path / "a.CSV"
    assert main(["export", "-o", str(out), "--site", "baolaocai", "--db", str(path)]) == 0
    raw = out.read_bytes()
    assert raw.startswith(b"id,site,")
    assert len(list(csv.reader(io.StringIO(raw.decode("utf-8"))))) == 3


def test_export_jsonl_to_stdout(path, capsys):
    assert main(["export", "--since", "2024-03-06", "--db", str(path)]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert len(lines) == 2
    first = json.loads(lines[0])
    assert first["title"] == ARTICLES[1]["title"] and first["authors"] == ["Trí Dũng"] and first["tags"] == []
    assert "Lễ hội" in captured.out  # not \u-escaped
    assert "exported 2 articles" in captured.err


def test_export_csv_to_stdout(path, capsys):
    assert main(["export", "--format", "csv", "--author", "Hoàng Anh", "--db", str(path)]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["title"] for r in rows] == [ARTICLES[0]["title"], "Sa Pa đón khách"]


@pytest.mark.parametrize("args, message", [
    (["--format", "jsonl", "--bom"], "--bom applies to --format csv only"),
    (["--since", "2024-13-01"], "invalid since '2024-13-01': not a date (use YYYY-MM-DD, YYYY-MM or YYYY)"),
    (["--since", "2024-04", "--until", "2024-03"], "--since 2024-04 is after --until 2024-03"),
    (["--site", "nosuch"], "unknown site 'nosuch'"),
])
def test_export_user_errors(path, capsys, args, message):
    assert main(["export", *args, "--db", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_export_missing_database_is_not_created(tmp_path, capsys):
    assert main(["export", "--db", str(tmp_path / "none.db")]) == 2
    assert "no database at" in capsys.readouterr().err
    assert not (tmp_path / "none.db").exists()


def test_export_unwritable_output(path, tmp_path, capsys):
    assert main(["export", "-o", str(tmp_path / "missing-dir" / "x.jsonl"), "--db", str(path)]) == 2
    assert "cannot write" in capsys.readouterr().err


def test_authors_command(path, capsys):
    assert main(["authors", "--db", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["articles", "author"]
    assert [line.split(None, 1) for line in out[1:]] == [["2", "Hoàng Anh"], ["2", "Trí Dũng"]]
    assert main(["authors", "--site", "baolangson", "--top", "1", "--db", str(path)]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == ["       2  Trí Dũng"]


def test_authors_command_errors(path, capsys):
    assert main(["authors", "--top", "0", "--db", str(path)]) == 2
    assert "--top must be at least 1" in capsys.readouterr().err
    assert main(["authors", "--site", "nowhere", "--db", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("baotinh authors: error: unknown site 'nowhere': not in the registry and nothing stored")
    assert len(err.strip().splitlines()) == 1
    assert main(["authors", "--site", "baolangsn", "--db", str(path)]) == 2
    assert "did you mean 'baolangson'?" in capsys.readouterr().err
    # A registry site with nothing stored yet is not an error, just empty.
    assert main(["authors", "--site", "baocantho", "--db", str(path)]) == 0
    assert "no authors for site baocantho" in capsys.readouterr().out


def test_site_only_in_the_database_is_known(path, capsys):
    """A site the registry no longer has (renamed, removed) is still there in the archive."""
    db = open_database(path)
    ArticleWriter(db).write(make(9, "baocu", "2020-01-01", ["Lan Anh"], [], "Bài của báo cũ"))
    db.close()
    assert main(["authors", "--site", "baocu", "--db", str(path)]) == 0
    assert "Lan Anh" in capsys.readouterr().out
    assert main(["export", "--site", "baocu", "--db", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "Bài của báo cũ"


@pytest.mark.parametrize("command", [
    ["authors"], ["export"], ["search", "lễ hội"], ["runs"], ["report"], ["export-warc", "-o", "{tmp}/x.warc.gz"],
])
def test_unknown_site_is_one_line_and_exit_2_in_every_command(command, path, tmp_path, capsys):
    """A typo in --site must not look like an empty archive (or an empty file)."""
    args = [arg.replace("{tmp}", str(tmp_path)) for arg in command]
    assert main([*args, "--site", "baolangsn", "--db", str(path)]) == 2
    err = capsys.readouterr().err
    assert err == (f"baotinh {command[0]}: error: unknown site 'baolangsn': not in the registry and nothing stored "
                   f"for it (did you mean 'baolangson'?)\n")
    assert not (tmp_path / "x.warc.gz").exists()
