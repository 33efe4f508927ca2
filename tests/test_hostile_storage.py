"""A database that is locked, read-only or full: the crawl fails clearly (exit 5, or 2 before it
starts), with one-line errors and no traceback, and never passes for a good crawl with
articles silently dropped."""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import subprocess
import uuid

import pytest
import sqlite_utils

from conftest import run_baotinh
from crawler.outcome import EXIT_DATABASE, EXIT_USAGE
from storage import open_database

SITE = "baocantho"


def crawl(sample_site, db, *extra):
    return run_baotinh("crawl", SITE, "--base-url", sample_site[SITE].base_url, "--db", db, *extra)


def fresh_database(path):
    open_database(path).close()
    return path


def article_count(path) -> int:
    database = sqlite_utils.Database(path)
    try:
        return database["articles"].count
    finally:
        database.close()


@contextlib.contextmanager
def tmpfs(tmp_path, size: str):
    """A small tmpfs mounted at tmp_path/mnt (root only; the test is skipped elsewhere)."""
    mount = tmp_path / f"mnt-{uuid.uuid4().hex[:8]}"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def test_a_locked_database_stops_the_crawl_before_anything_is_fetched(sample_site, tmp_path):
    db = fresh_database(tmp_path / "locked.db")
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock for the whole crawl
    try:
        result = crawl(sample_site, db, "--set", "BAOTINH_DB_BUSY_TIMEOUT=1")
    finally:
        holder.rollback()
        holder.close()
    assert result.returncode == EXIT_DATABASE, result.stderr[-3000:]
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"baotinh crawl: error: {SITE}: crawl stopped by a database error")
    assert "locked by another process" in last and "nothing was stored" in last
    assert "Traceback" not in result.stderr
    assert article_count(db) == 0


def test_a_read_only_database_file_is_refused_clearly(sample_site, tmp_path):
    if os.geteuid() != 0 or shutil.which("chattr") is None:
        pytest.skip("needs root and chattr (root ignores file modes)")
    db = fresh_database(tmp_path / "readonly.db")
    if subprocess.run(["chattr", "+i", str(db)], capture_output=True).returncode != 0:
        pytest.skip("this file system has no immutable flag")
    try:
        result = crawl(sample_site, db)
    finally:
        subprocess.run(["chattr", "-i", str(db)], capture_output=True)
    assert result.returncode == EXIT_DATABASE, result.stderr[-3000:]
    assert "read-only" in result.stderr.strip().splitlines()[-1]
    assert "Traceback" not in result.stderr
    assert article_count(db) == 0


def test_a_database_on_a_read_only_file_system_is_refused_before_crawling(sample_site, tmp_path):
    with tmpfs(tmp_path, "4m") as mount:
        db = fresh_database(mount / "archive.db")
        if subprocess.run(["mount", "-o", "remount,ro", str(mount)], capture_output=True).returncode != 0:
            pytest.skip("cannot remount read-only")
        result = crawl(sample_site, db)
        assert result.returncode == EXIT_USAGE, result.stderr[-3000:]
        assert f"cannot use the database {db}" in result.stderr
        assert "Traceback" not in result.stderr
        assert "Spider opened" not in result.stderr  # refused before any page is fetched


def test_a_full_disk_stops_the_crawl_and_says_how_many_articles_were_not_stored(sample_site, tmp_path):
    with tmpfs(tmp_path, "1200k") as mount:
        db = fresh_database(mount / "archive.db")
        with open(mount / "filler", "wb") as filler:  # leave a few hundred kB: a few pages fit, not all
            free = shutil.disk_usage(mount).free
            filler.write(b"\0" * max(0, free - 300 * 1024))
        result = crawl(sample_site, db)
        assert result.returncode == EXIT_DATABASE, result.stderr[-3000:]
        last = result.stderr.strip().splitlines()[-1]
        assert "database or disk is full" in last
        assert "Traceback" not in result.stderr
        os.remove(mount / "filler")
        stored = article_count(db)
    # Every article that reached the pipelines was either stored or counted as not stored.
    assert logged_stat(result.stderr, "baotinh/articles/new") == stored
    not_stored = logged_stat(result.stderr, "baotinh/dropped/storage_error")
    fetched = logged_stat(result.stderr, "baotinh/fields/pages")
    assert stored + not_stored == fetched
    if not_stored:
        assert f"{not_stored} article(s) fetched but not stored" in last


def logged_stat(log: str, key: str) -> int:
    """A number from the stats Scrapy dumps into the log at the close (0 if absent)."""
    match = re.search(rf"'{re.escape(key)}': (\d+)", log)
    return int(match.group(1)) if match else 0
