"""Opening the archive: pragmas, schema migration, and clear errors instead of sqlite3 tracebacks."""
from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import sqlite_utils

from storage.errors import StorageError, describe

DEFAULT_BUSY_TIMEOUT = 10.0  # seconds a writer waits for another process's write lock
CACHE_KIB = 65536  # page cache per connection, at most (URL indexes and FTS merges of a large archive)
# Pragmas open_database sets besides WAL and the busy timeout (benchmarks/storage.py gives its floor the same).
# temp_store = MEMORY keeps statement journals in memory: every insert into `articles` may abort
# (unique URLs) after its triggers have written, so SQLite journals the pages it changes, and
# with the default the journal spills to a temporary file (~6% of the writer's CPU time).
PRAGMAS = (("synchronous", "NORMAL"), ("foreign_keys", "ON"), ("cache_size", f"-{CACHE_KIB}"),
           ("temp_store", "MEMORY"))


def open_database(path: str | Path, *, create: bool = True,
                  busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> sqlite_utils.Database:
    """Open (creating it and its parent directories if needed) and migrate the archive at `path`.

    Sets WAL journaling, synchronous=NORMAL (a committed article survives a killed process),
    foreign keys, a busy timeout, a 64 MiB page cache and in-memory temporary storage (PRAGMAS),
    then upgrades the schema in place (storage.migrations).
    `create=False` refuses to create a missing file (read-only commands such as search).
    Raises StorageError with a one-line message for anything that makes the file unusable.
    """
    from storage.migrations import migrate  # migrations import db helpers

    path = Path(path)
    if path.is_dir():
        raise StorageError(f"{path} is a directory, not a database file")
    if not path.exists():
        if not create:
            raise StorageError(f"no database at {path}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot create the directory {path.parent}: {exc.strerror or exc}") from None
    conn = None
    try:
        conn = sqlite3.connect(str(path), timeout=busy_timeout)
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        db = sqlite_utils.Database(conn)
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()  # reads the header: not a database?
        if db.journal_mode != "wal":
            db.enable_wal()
        for name, value in PRAGMAS:
            db.execute(f"PRAGMA {name} = {value}")
        migrate(db)
    except sqlite3.Error as exc:
        if conn is not None:
            conn.close()
        raise StorageError(describe(exc, path)) from None
    except StorageError:
        if conn is not None:
            conn.close()
        raise
    return db


@contextlib.contextmanager
def write_transaction(db: sqlite_utils.Database):
    """BEGIN IMMEDIATE ... COMMIT: takes the write lock up front (waiting up to the busy timeout)
    so that concurrent crawler processes queue instead of failing half-way; rolls back on error."""
    conn = db.conn
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if conn.in_transaction:
            conn.rollback()
        raise
    try:
        conn.commit()
    except BaseException:
        if conn.in_transaction:
            conn.rollback()
        raise


def user_version(db: sqlite_utils.Database) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


@contextlib.contextmanager
def storage_errors(what: str):
    """Turn sqlite3 errors raised inside the block into StorageError("<what>: <reason>")."""
    try:
        yield
    except sqlite3.Error as exc:
        raise StorageError(f"{what}: {describe(exc)}") from exc
