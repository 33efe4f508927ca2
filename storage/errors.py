"""The two exceptions storage raises; both carry a clear one-line message."""
from __future__ import annotations

import sqlite3


class StorageError(Exception):
    """The database cannot be used: unreadable, corrupt, read-only, locked, too new..."""


class SearchError(StorageError):
    """A full-text query that cannot be run (malformed FTS syntax, empty query)."""


def describe(exc: sqlite3.Error, path=None) -> str:
    """One line for a sqlite3 error, in words a user can act on."""
    message = " ".join(str(exc).split()) or exc.__class__.__name__
    lowered = message.lower()
    where = f"{path}" if path is not None else "the database"
    if "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered:
        return f"{where} is not a SQLite database or is corrupt ({message})"
    if "readonly" in lowered or "read-only" in lowered:
        return f"{where} is read-only ({message})"
    if "locked" in lowered or "busy" in lowered:
        return f"{where} is locked by another process; try again later ({message})"
    if "unable to open" in lowered:
        return f"cannot open {where} ({message})"
    if "disk i/o" in lowered or "full" in lowered:
        return f"cannot read or write {where} ({message})"
    return f"{where}: {message}"
