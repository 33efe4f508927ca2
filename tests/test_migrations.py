"""Schema migrations: a version-1 archive (tests/data/schema_v1.sql) upgrades in place, row for row."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

import storage.migrations as migrations
from storage import ArticleWriter, StorageError, open_database, schema_version, search
from storage.maintenance import check_search_index

V1 = Path(__file__).parent / "data" / "schema_v1.sql"

V1_ROWS = {
    "crawl_runs": [
        (1, "baolangson", "baolangson", "2024-03-05T07:00:00+07:00", "2024-03-05T07:10:00+07:00", "finished",
         '{"item_scraped_count": 2}'),
        (2, "baolaocai", "baolaocai", "2024-03-06T07:00:00+07:00", None, None, None),
    ],
    "articles": [
        (1, "https://baolangson.vn/1.html", "https://baolangson.vn/1.html", "baolangson",
         "Đồng chí Bí thư thăm Lạng Sơn", "Sáng nay", "Đoàn công tác đến cửa khẩu.", "2024-03-05T08:00:00+07:00",
         "05/03/2024", None, None, "TRÍ DŨNG", None, "Thời sự", '["Lạng Sơn"]', "vi", 4, "a" * 64,
         "2024-03-05T07:05:00+07:00", "2024-03-05T07:05:00+07:00", 1),
        (2, "https://baolaocai.vn/2.html", "https://baolaocai.vn/c/2.html", "baolaocai", "Sa Pa mùa lúa chín",
         None, "Ruộng bậc thang vàng óng.", None, None, None, None, None, "TTXVN", None, "[]", "vi", 4,
         "b" * 64, "2024-03-06T07:05:00+07:00", "2024-03-07T07:05:00+07:00", 2),
    ],
    "authors": [(1, "Trí Dũng", "tri dung"), (2, "Hoàng Anh", "hoang anh")],
    "article_authors": [(1, 1, 0), (1, 2, 1), (2, 2, 0)],
    "images": [(1, 0, "https://baolangson.vn/1.jpg", "Ảnh", "TTXVN")],
}


def make_v1(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.executescript(V1.read_text(encoding="utf-8"))
    for table, rows in V1_ROWS.items():
        marks = ", ".join("?" * len(rows[0]))
        conn.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
    conn.commit()
    conn.close()


def v1_columns(table: str) -> list[str]:
    conn = sqlite3.connect(":memory:")
    conn.executescript(V1.read_text(encoding="utf-8"))
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


def schema(db) -> list[tuple]:
    return [tuple(r) for r in db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master "
                                         "WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")]


def test_upgrading_a_version_1_archive_keeps_every_row(tmp_path):
    path = tmp_path / "baotinh.db"
    make_v1(path)
    db = open_database(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == schema_version()
    for table, rows in V1_ROWS.items():
        columns = ", ".join(v1_columns(table))
        stored = [tuple(r) for r in db.execute(f"SELECT {columns} FROM {table} ORDER BY 1, 2")]
        assert stored == rows, table
    # new columns and tables exist
    assert "province" in db["articles"].columns_dict
    assert {"mode", "scheduled_by", "args"} <= set(db["crawl_runs"].columns_dict)
    assert {"sites", "article_versions", "articles_fts"} <= set(db.table_names())
    # the old articles are searchable, đ folding included
    assert [r["title"] for r in search(db, "dong chi")] == ["Đồng chí Bí thư thăm Lạng Sơn"]
    assert [r["authors"] for r in search(db, "doan")] == [["Trí Dũng", "Hoàng Anh"]]
    assert [r["title"] for r in search(db, "sa pa")] == ["Sa Pa mùa lúa chín"]
    check_search_index(db)
    # and the writer carries on with them
    writer = ArticleWriter(db)
    assert writer.write({"url": "https://baolaocai.vn/c/2.html", "site": "baolaocai", "title": "Sa Pa mùa lúa chín",
                         "body": "Ruộng bậc thang vàng óng.", "authors": ["Hoàng Anh"]}) == "updated"
    assert db["article_versions"].count == 1
    assert db["articles"].count == 2
    db.close()


def test_an_upgraded_archive_has_exactly_the_schema_of_a_new_one(tmp_path):
    make_v1(tmp_path / "old.db")
    old, new = open_database(tmp_path / "old.db"), open_database(tmp_path / "new.db")
    assert schema(old) == schema(new)
    old.close()
    new.close()


@pytest.mark.parametrize("start", range(1, len(migrations.MIGRATIONS)))
def test_every_intermediate_version_upgrades(tmp_path, start):
    path = tmp_path / "baotinh.db"
    make_v1(path)
    raw = sqlite_utils.Database(sqlite3.connect(path))
    assert migrations.migrate(raw, target=start) == start
    raw.close()
    db = open_database(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == schema_version()
    assert db["articles"].count == 2
    assert len(search(db, "lang son")) == 1
    db.close()


def test_a_failing_migration_leaves_the_previous_version(tmp_path, monkeypatch):
    path = tmp_path / "baotinh.db"
    open_database(path).close()
    monkeypatch.setattr(migrations, "MIGRATIONS", list(migrations.MIGRATIONS))
    version = schema_version() + 1

    @migrations.migration(version, "raw pages (broken)")
    def _broken(db):
        db.execute("CREATE TABLE raw_pages (url TEXT PRIMARY KEY, body BLOB)")
        db.execute("INSERT INTO no_such_table VALUES (1)")

    with pytest.raises(StorageError, match=f"migration {version} \\(raw pages \\(broken\\)\\) failed"):
        open_database(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == version - 1
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'raw_pages'").fetchone()[0] == 0
    conn.close()


def test_appending_a_migration(tmp_path, monkeypatch):
    """What a colleague does to add a table: append one numbered migration; old archives get it."""
    path = tmp_path / "baotinh.db"
    make_v1(path)
    monkeypatch.setattr(migrations, "MIGRATIONS", list(migrations.MIGRATIONS))
    version = schema_version() + 1

    @migrations.migration(version, "crawl locks")
    def _locks(db):
        db.execute("CREATE TABLE locks (name TEXT PRIMARY KEY, holder TEXT, expires_at TEXT)")

    db = open_database(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == version
    assert "locks" in db.table_names() and db["articles"].count == 2
    db.close()


def test_migration_numbers_must_follow_on(monkeypatch):
    monkeypatch.setattr(migrations, "MIGRATIONS", list(migrations.MIGRATIONS))
    with pytest.raises(RuntimeError, match="where .* was expected"):
        migrations.migration(schema_version() + 2, "skipped one")(lambda db: None)
    with pytest.raises(RuntimeError):
        migrations.migration(1, "again")(lambda db: None)


def test_versions_are_consecutive_from_one():
    assert [v for v, _, _ in migrations.MIGRATIONS] == list(range(1, schema_version() + 1))


def test_split_keeps_trigger_bodies_whole():
    statements = migrations._statements("""
CREATE TABLE a (x);
CREATE TRIGGER t AFTER INSERT ON a BEGIN
    INSERT INTO a VALUES (1);
    DELETE FROM a;
END;
CREATE INDEX i ON a(x);
""")
    assert len(statements) == 3 and statements[1].endswith("END;")


def test_the_snapshot_is_what_migration_1_creates(tmp_path):
    """Guards the snapshot (and migration 1) against being edited."""
    snapshot = sqlite_utils.Database(sqlite3.connect(tmp_path / "snapshot.db"))
    snapshot.conn.executescript(V1.read_text(encoding="utf-8"))
    migrated = sqlite_utils.Database(sqlite3.connect(tmp_path / "migrated.db"))
    migrations.migrate(migrated, target=1)
    assert schema(snapshot) == schema(migrated)
