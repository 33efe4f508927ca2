"""Search index upkeep: verify it, or rebuild it from the articles."""
from __future__ import annotations

import sqlite3

import sqlite_utils

from storage.db import storage_errors, write_transaction
from storage.errors import StorageError


def check_search_index(db: sqlite_utils.Database) -> None:
    """StorageError unless the FTS5 index matches the articles exactly (FTS5 'integrity-check'
    against its content, the articles_search view)."""
    with storage_errors("cannot check the search index"):
        try:
            with write_transaction(db):  # an INSERT command, though it changes nothing
                db.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES ('integrity-check', 1)")
        except sqlite3.DatabaseError as exc:
            raise StorageError(f"search index does not match the articles ({exc}); "
                               "run rebuild_search_index") from None


def rebuild_search_index(db: sqlite_utils.Database) -> int:
    """Rebuild the FTS5 index from the articles; returns the number of articles indexed."""
    with storage_errors("cannot rebuild the search index"), write_transaction(db):
        db.execute("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')")
        return db.execute("SELECT count(*) FROM articles").fetchone()[0]
