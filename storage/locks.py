"""Per-site crawl locks and schedule checkpoints, shared by every process (and every machine)
that uses the same archive database.

    token = new_token()
    if acquire(db, "baolangson", "schedule:north-daily", os.getpid(), socket.gethostname(), token=token):
        ...                                  # crawl; refresh(db, site, token) now and then
        release(db, "baolangson", token)

A lock is one crawl_locks row per site. acquire() is a single INSERT that fails on the
primary key, so two processes racing for a site can never both win. Every change after that
names the acquisition's token, so a holder never deletes or updates a lock that was cleared
as stale and taken by someone else meanwhile.

A lock is stale (is_stale) when its holder is gone: a pid on this host that is no longer
alive, or, for a lock held from another host (or by a Scrapyd job), no heartbeat for longer
than the TTL. clear_stale() removes those, so a crash never leaves a lock that blocks forever.

schedule_checks keeps, per schedule entry, the last time `baotinh schedule run-due` checked it;
claim_check() moves it forward only if nobody else did since we read it (compare-and-set), so
two schedulers sharing a database start a due entry once.
"""
from __future__ import annotations

import os
import sqlite3
import uuid
from datetime import datetime, timedelta

import sqlite_utils

from storage.dates import VIETNAM, now_iso, to_iso
from storage.db import storage_errors, write_transaction

_COLUMNS = "site, token, owner, host, pid, job, acquired_at, refreshed_at"


def new_token() -> str:
    return uuid.uuid4().hex


def pid_alive(pid: int | None) -> bool:
    """Whether a process with this id runs on this machine (a zombie counts as dead)."""
    if not pid or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, belongs to another user
        return True
    except OSError:
        return False
    try:  # Linux: a finished child not yet reaped by its parent still answers kill(0)
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def acquire(db: sqlite_utils.Database, site: str, owner: str, pid: int | None, host: str, *,
            token: str | None = None, job: str | None = None, now=None) -> bool:
    """Take the site's lock; False if someone holds it. One INSERT, atomic across processes."""
    stamp = to_iso(now) or now_iso()
    with storage_errors(f"cannot lock {site}"):
        try:
            with write_transaction(db):
                db.execute(f"INSERT INTO crawl_locks ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           (site, token or new_token(), owner, host, pid, job, stamp, stamp))
        except sqlite3.IntegrityError:
            return False
    return True


def release(db: sqlite_utils.Database, site: str, token: str | None = None) -> bool:
    """Drop the site's lock (only the acquisition `token` if given); True if a row went."""
    sql, params = "DELETE FROM crawl_locks WHERE site = ?", [site]
    if token is not None:
        sql += " AND token = ?"
        params.append(token)
    with storage_errors(f"cannot unlock {site}"), write_transaction(db):
        return db.execute(sql, params).rowcount > 0


def update(db: sqlite_utils.Database, site: str, token: str, *, now=None, **changes) -> bool:
    """Refresh the heartbeat of a lock we hold, and change its pid, host or job (a lock handed
    on to the crawl process, or to a Scrapyd job). False if the lock is no longer ours."""
    allowed = {"pid", "host", "job", "owner"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"cannot change {', '.join(sorted(unknown))} of a lock")
    assignments = ", ".join(f"{key} = ?" for key in changes)
    sql = f"UPDATE crawl_locks SET {assignments + ', ' if assignments else ''}refreshed_at = ? " \
          "WHERE site = ? AND token = ?"
    params = [*changes.values(), to_iso(now) or now_iso(), site, token]
    with storage_errors(f"cannot refresh the lock of {site}"), write_transaction(db):
        return db.execute(sql, params).rowcount > 0


def refresh(db: sqlite_utils.Database, site: str, token: str, *, now=None) -> bool:
    return update(db, site, token, now=now)


def get_lock(db: sqlite_utils.Database, site: str) -> dict | None:
    with storage_errors("cannot read crawl locks"):
        rows = list(db.query(f"SELECT {_COLUMNS} FROM crawl_locks WHERE site = ?", [site]))
    return dict(rows[0]) if rows else None


def list_locks(db: sqlite_utils.Database) -> list[dict]:
    """Every lock, by site."""
    with storage_errors("cannot read crawl locks"):
        return [dict(row) for row in db.query(f"SELECT {_COLUMNS} FROM crawl_locks ORDER BY site")]


def _age(lock: dict, now: datetime) -> timedelta:
    try:
        refreshed = datetime.fromisoformat(lock["refreshed_at"])
    except (TypeError, ValueError):
        return timedelta.max
    if refreshed.tzinfo is None:
        refreshed = refreshed.replace(tzinfo=VIETNAM)
    return now - refreshed


def stale_reason(lock: dict, *, host: str, now: datetime, ttl: timedelta,
                 alive=pid_alive) -> str | None:
    """Why the lock's holder is gone (None while it may still be working).

    Same host with a pid: the pid is the judge (a live pid keeps the lock however long the
    crawl takes). Another host, or a Scrapyd job: the heartbeat must be younger than `ttl`."""
    if lock["host"] == host and lock["pid"]:
        return None if alive(lock["pid"]) else f"process {lock['pid']} on {host} is gone"
    age = _age(lock, now)
    if age > ttl:
        holder = f"job {lock['job']} on {lock['host']}" if lock["job"] else \
            f"process {lock['pid']} on {lock['host']}"
        return f"no heartbeat from {holder} for {_human(age)} (TTL {_human(ttl)})"
    return None


def clear_stale(db: sqlite_utils.Database, *, host: str, now: datetime, ttl: timedelta,
                alive=pid_alive) -> list[tuple[dict, str]]:
    """Release every stale lock (each by its own token); return (lock, reason) for each."""
    cleared = []
    for lock in list_locks(db):
        reason = stale_reason(lock, host=host, now=now, ttl=ttl, alive=alive)
        if reason and release(db, lock["site"], lock["token"]):
            cleared.append((lock, reason))
    return cleared


def _human(delta: timedelta) -> str:
    if delta == timedelta.max:
        return "ever"
    seconds = int(delta.total_seconds())
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds / 3600:.1f} h"


# -- schedule checkpoints ------------------------------------------------------------------

def get_checks(db: sqlite_utils.Database) -> dict[str, str]:
    """Schedule entry name -> ISO time of its last run-due check."""
    with storage_errors("cannot read schedule checks"):
        return {row["entry"]: row["checked_at"] for row in db.query("SELECT entry, checked_at FROM schedule_checks")}


def claim_check(db: sqlite_utils.Database, entry: str, previous: str | None, checked_at) -> bool:
    """Move an entry's last check from `previous` (None: never checked) to `checked_at`, only
    if it still is `previous`: True means this process owns the interval in between."""
    stamp = to_iso(checked_at)
    with storage_errors(f"cannot record the check of schedule entry {entry}"):
        try:
            with write_transaction(db):
                if previous is None:
                    db.execute("INSERT INTO schedule_checks (entry, checked_at) VALUES (?, ?)", (entry, stamp))
                    return True
                return db.execute("UPDATE schedule_checks SET checked_at = ? WHERE entry = ? AND checked_at = ?",
                                  (stamp, entry, previous)).rowcount > 0
        except sqlite3.IntegrityError:
            return False


def set_check(db: sqlite_utils.Database, entry: str, checked_at) -> None:
    """Set an entry's last check unconditionally (None forgets it)."""
    with storage_errors(f"cannot record the check of schedule entry {entry}"), write_transaction(db):
        if checked_at is None:
            db.execute("DELETE FROM schedule_checks WHERE entry = ?", [entry])
        else:
            db.execute("INSERT INTO schedule_checks (entry, checked_at) VALUES (?, ?) "
                       "ON CONFLICT(entry) DO UPDATE SET checked_at = excluded.checked_at",
                       (entry, to_iso(checked_at)))
