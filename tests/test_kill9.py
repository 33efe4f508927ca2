"""kill -9 at chosen moments, then the same command again: every article exactly once, none lost.

The mirror server holds chosen requests until the test has killed the crawler (MirrorServer.hook),
so each kill point is reached deterministically, not by timing luck.
"""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from conftest import BAOTINH, ROOT, mirror_articles
from test_modes import (CHAIN, article_requests, chain_mirror, copy_mirror, crawl, listing_pages, served,
                        slugs, stored)

ARTICLE = ".html"


def count_articles(db) -> int:
    try:
        con = sqlite3.connect(db, timeout=5)
        try:
            return con.execute("SELECT count(*) FROM articles").fetchone()[0]
        finally:
            con.close()
    except sqlite3.OperationalError:  # not created yet
        return 0


def wait_for(condition, timeout=30.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


class Gate:
    """A server hook that lets `allowed(path, index)` requests through and holds the others
    until release(); index counts article requests in arrival order."""

    def __init__(self, allowed):
        self.allowed = allowed
        self.released = threading.Event()
        self.lock = threading.Lock()
        self.articles = 0
        self.held: list[str] = []

    def __call__(self, path):
        index = None
        if path.endswith(ARTICLE):
            with self.lock:
                index = self.articles
                self.articles += 1
        if not self.allowed(path, index):
            with self.lock:
                self.held.append(path)
            self.released.wait(30)
        return None


def start(site, server, db, args, tmp_path):
    log = open(tmp_path / "killed.log", "w")
    process = subprocess.Popen([*BAOTINH, "crawl", site, "--base-url", server.base_url, "--db", str(db), *args],
                               stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
                               env={**os.environ, "PYTHONPATH": str(ROOT)})
    log.close()
    return process


def kill(process):
    os.kill(process.pid, signal.SIGKILL)
    process.wait(10)
    assert process.returncode == -signal.SIGKILL


KILL_POINTS = {
    # The first article is through and stored; every other article request is held.
    "after-first-article": dict(
        mirror="chain", allowed=lambda path, i: i is None or i == 0,
        ready=lambda db, gate, server: count_articles(db) == 1 and gate.held, stored_at_kill=1),
    # Pages 1 and 2 of /thoi-su and their four articles are stored; page 3 is in flight. On resume
    # pages 1 and 2 are all known: the paging rule must not stop there.
    "mid-listing": dict(
        mirror="chain", allowed=lambda path, i: path != "/thoi-su?page=3",
        ready=lambda db, gate, server: count_articles(db) == 4 and gate.held, stored_at_kill=4),
    # The same without --jobdir: the crawl_runs row left unfinished is what tells the next run.
    "mid-listing-no-jobdir": dict(
        mirror="chain", jobdir=False, allowed=lambda path, i: path != "/thoi-su?page=3",
        ready=lambda db, gate, server: count_articles(db) == 4 and gate.held, stored_at_kill=4),
    # The sitemap queued all ten articles at once; five are stored, the rest are in flight.
    "mid-batch": dict(
        mirror="sitemap", allowed=lambda path, i: i is None or i < 5,
        ready=lambda db, gate, server: count_articles(db) == 5 and len(gate.held) >= 2, stored_at_kill=5),
}


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_kill9_then_the_same_command_finishes_the_crawl(tmp_path, point):
    spec = KILL_POINTS[point]
    if spec["mirror"] == "chain":
        root = chain_mirror(tmp_path)
        expected = sorted(f"/{slug}.html" for slug, _ in CHAIN)
    else:
        root = copy_mirror("baolangson", tmp_path)
        expected = sorted(mirror_articles("baolangson"))
    db = tmp_path / "archive.db"
    jobdir = tmp_path / "job"
    args = ["--jobdir", str(jobdir)] if spec.get("jobdir", True) else []

    with served("baolangson", root) as server:
        gate = Gate(spec["allowed"])
        server.hook = gate
        process = start("baolangson", server, db, args, tmp_path)
        try:
            wait_for(lambda: spec["ready"](db, gate, server) or process.poll() is not None, what=point)
            assert process.poll() is None, (tmp_path / "killed.log").read_text()[-3000:]
        finally:
            if process.poll() is None:
                kill(process)
            server.hook = None
            gate.released.set()
        at_kill = stored(db)
        assert len(at_kill) == spec["stored_at_kill"]

        server.requests.clear()
        result = crawl("baolangson", server, db, *args)
        fetched = article_requests(server, "baolangson")
        # Nothing stored before the kill is fetched again; everything else is fetched once.
        assert sorted(fetched) == sorted(set(expected) - set(at_kill)), result.stderr[-3000:]
        assert set(fetched.values()) <= {1}
        assert stored(db) == expected          # every article, each exactly once
        if spec["mirror"] == "chain":
            assert listing_pages(server)[-1] == "/thoi-su?page=5"
        if args:
            marker = json.loads((jobdir / "baotinh-job.json").read_text(encoding="utf-8"))
            assert marker["finished_at"] and len(marker["runs"]) == 2   # the killed run and this one

        # The job is finished now: the next crawl is an ordinary incremental one.
        server.requests.clear()
        crawl("baolangson", server, db, *args)
        assert article_requests(server, "baolangson") == {}
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        runs = con.execute("SELECT finished_at IS NOT NULL, finish_reason FROM crawl_runs ORDER BY id").fetchall()
    finally:
        con.close()
    assert runs == [(0, None), (1, "finished"), (1, "finished")]
    print(f"{point}: {len(at_kill)} stored at the kill; the resumed run fetched {len(fetched)} "
          f"({', '.join(slugs(fetched))[:120]}…)")


def test_repeated_kills_at_random_moments_still_give_every_article_once(tmp_path):
    """Kill -9 three times at whatever point the crawl has reached after a short while."""
    root = chain_mirror(tmp_path)
    expected = sorted(f"/{slug}.html" for slug, _ in CHAIN)
    db = tmp_path / "archive.db"
    args = ["--jobdir", str(tmp_path / "job")]
    with served("baolangson", root) as server:
        server.hook = lambda path: time.sleep(0.05) if path.endswith(ARTICLE) else None
        for attempt in range(3):
            process = start("baolangson", server, db, args, tmp_path)
            before = count_articles(db)
            wait_for(lambda: count_articles(db) > before or process.poll() is not None, what="progress")
            if process.poll() is None:
                kill(process)
        server.hook = None
        crawl("baolangson", server, db, *args)
    assert stored(db) == expected


def test_scrapy_jobdir_setting_means_the_same_resumable_job(tmp_path):
    """`scrapy crawl SITE -s JOBDIR=DIR`: Scrapy's own queue and seen-set stay off (they are not
    safe after kill -9); DIR holds baotinh's job marker, and a kill then resumes as with --jobdir."""
    root = chain_mirror(tmp_path)
    db = tmp_path / "archive.db"
    jobdir = tmp_path / "job"
    with served("baolangson", root) as server:
        gate = Gate(lambda path, i: path != "/thoi-su?page=3")
        server.hook = gate
        command = [sys.executable, "-m", "scrapy", "crawl", "baolangson", "-a", f"base_url={server.base_url}",
                   "-s", f"BAOTINH_DB={db}", "-s", f"JOBDIR={jobdir}"]
        log = open(tmp_path / "killed.log", "w")
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
                                   env={**os.environ, "PYTHONPATH": str(ROOT)})
        log.close()
        try:
            wait_for(lambda: (count_articles(db) == 4 and gate.held) or process.poll() is not None)
            assert process.poll() is None
        finally:
            if process.poll() is None:
                kill(process)
            server.hook = None
            gate.released.set()
        result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120,
                                env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert result.returncode == 0, result.stderr[-3000:]
        assert "Scrapy's own job state is not used" in result.stderr
    assert stored(db) == sorted(f"/{slug}.html" for slug, _ in CHAIN)
    assert sorted(p.name for p in jobdir.iterdir()) == ["baotinh-job.json"]
