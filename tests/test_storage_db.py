"""open_database: pragmas, schema version, and one-line StorageError for unusable files."""
from __future__ import annotations

import sqlite3

import pytest

import storage
from storage import StorageError, open_database, schema_version


def test_creates_parent_directories_and_sets_pragmas(tmp_path):
    path = tmp_path / "deep" / "er" / "baotinh.db"
    db = open_database(path)
    assert path.is_file()
    assert db.journal_mode == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] > 0
    assert db.execute("PRAGMA user_version").fetchone()[0] == schema_version() >= 3
    assert {"articles", "article_versions", "authors", "article_authors", "images", "sites",
            "crawl_runs", "articles_fts"} <= set(db.table_names())
    db.close()


def test_reopening_is_idempotent(tmp_path):
    path = tmp_path / "baotinh.db"
    open_database(path).close()
    schema = sqlite3.connect(path).execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall()
    db = open_database(path)
    assert db.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall() == schema
    db.close()


def test_create_false_refuses_a_missing_file(tmp_path):
    with pytest.raises(StorageError, match="no database at"):
        open_database(tmp_path / "missing.db", create=False)
    assert not (tmp_path / "missing.db").exists()


def test_a_directory_is_refused(tmp_path):
    with pytest.raises(StorageError, match="is a directory"):
        open_database(tmp_path)


def test_parent_directory_that_cannot_be_created(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(StorageError, match="cannot create the directory"):
        open_database(tmp_path / "file" / "sub" / "baotinh.db")


def _one_line(exc: StorageError) -> str:
    message = str(exc)
    assert "\n" not in message and message
    return message


def test_a_file_that_is_not_a_database(tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not a database\n" * 200)
    with pytest.raises(StorageError) as info:
        open_database(path)
    assert "not a SQLite database or is corrupt" in _one_line(info.value)
    assert path.read_bytes().startswith(b"these are my notes")  # left untouched


def test_a_corrupt_database(tmp_path):
    path = tmp_path / "baotinh.db"
    open_database(path).close()
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # page 1 after the header: the schema table
    path.write_bytes(bytes(data))
    with pytest.raises(StorageError) as info:
        open_database(path)
    assert "corrupt" in _one_line(info.value)


def test_a_read_only_database(tmp_path, monkeypatch):
    """Opening read-only (as a file without write permission would be; root ignores chmod,
    so the connection is opened read-only instead) is one clear line."""
    path = tmp_path / "baotinh.db"
    sqlite3.connect(path).close()  # an empty, not yet migrated database
    real_connect = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect",
                        lambda name, **kw: real_connect(f"file:{name}?mode=ro", uri=True, **kw))
    with pytest.raises(StorageError) as info:
        open_database(path)
    assert "read-only" in _one_line(info.value)


def test_a_locked_database(tmp_path):
    path = tmp_path / "baotinh.db"
    other = sqlite3.connect(path)  # rollback-journal database, another process holds the lock
    other.execute("CREATE TABLE x (y)")
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StorageError) as info:
            open_database(path, busy_timeout=0.2)
        assert "locked" in _one_line(info.value)
    finally:
        other.rollback()
        other.close()


def test_a_writer_waiting_for_a_lock_gives_storage_error(tmp_path):
    """In WAL mode readers are never blocked, so opening works; a write that cannot get the
    lock within the busy timeout is a StorageError (the pipeline drops and counts the item)."""
    path = tmp_path / "baotinh.db"
    open_database(path).close()
    other = sqlite3.connect(path)
    other.execute("BEGIN IMMEDIATE")
    try:
        db = open_database(path, busy_timeout=0.2)
        with pytest.raises(StorageError, match="locked"):
            storage.ArticleWriter(db).write({"url": "https://x.vn/1.html", "site": "x", "title": "t"})
        db.close()
    finally:
        other.rollback()
        other.close()


def test_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "baotinh.db"
    open_database(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {schema_version() + 1}")
    conn.close()
    with pytest.raises(StorageError, match="newer than this baotinh"):
        open_database(path)


def test_public_api_names():
    for name in ("open_database", "ArticleWriter", "StorageError", "SearchError", "known_urls", "is_known",
                 "start_run", "finish_run", "list_runs", "sync_sites", "search", "iter_articles",
                 "top_authors"):
        assert hasattr(storage, name), name
    assert issubclass(storage.SearchError, storage.StorageError)
