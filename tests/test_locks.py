"""Per-site crawl locks and schedule checks in the database (storage/locks.py)."""
import multiprocessing
import os
import subprocess
import sys
from datetime import datetime, timedelta

import pytest

from crawler.clock import VIETNAM
from storage import open_database
from storage import locks

NOW = datetime(2026, 3, 1, 10, 0, tzinfo=VIETNAM)
TTL = timedelta(hours=1)


@pytest.fixture
def db(tmp_path):
    database = open_database(tmp_path / "a.db")
    yield database
    database.close()


def test_acquire_is_exclusive_and_release_needs_the_token(db):
    assert locks.acquire(db, "baocantho", "schedule:a", 100, "host-a", token="t1", now=NOW)
    assert not locks.acquire(db, "baocantho", "schedule:b", 200, "host-b", token="t2", now=NOW)
    assert locks.acquire(db, "baolaocai", "schedule:b", 200, "host-b", token="t3", now=NOW)
    assert [lock["site"] for lock in locks.list_locks(db)] == ["baocantho", "baolaocai"]
    lock = locks.get_lock(db, "baocantho")
    assert (lock["owner"], lock["pid"], lock["host"], lock["token"]) == ("schedule:a", 100, "host-a", "t1")
    assert lock["acquired_at"] == lock["refreshed_at"] == "2026-03-01T10:00:00+07:00"
    assert not locks.release(db, "baocantho", "t2")  # not ours
    assert locks.release(db, "baocantho", "t1")
    assert not locks.release(db, "baocantho", "t1")  # idempotent
    assert locks.acquire(db, "baocantho", "schedule:b", 200, "host-b", now=NOW)


def test_update_hands_a_lock_on_and_refreshes_it(db):
    locks.acquire(db, "baocantho", "schedule:a", 100, "host-a", token="t1", now=NOW)
    later = NOW + timedelta(minutes=5)
    assert locks.update(db, "baocantho", "t1", now=later, pid=4242)
    lock = locks.get_lock(db, "baocantho")
    assert lock["pid"] == 4242 and lock["refreshed_at"] == later.isoformat()
    assert locks.update(db, "baocantho", "t1", now=later, pid=None, host="http://127.0.0.1:6800/", job="j1")
    assert locks.get_lock(db, "baocantho")["job"] == "j1"
    assert not locks.refresh(db, "baocantho", "other-token", now=later)
    with pytest.raises(ValueError):
        locks.update(db, "baocantho", "t1", acquired_at="x")


def _race(path, site, results):
    database = open_database(path)
    results.put(locks.acquire(database, site, "race", os.getpid(), "host"))
    database.close()


def test_only_one_of_many_processes_gets_the_lock(tmp_path):
    path = tmp_path / "race.db"
    open_database(path).close()
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    workers = [context.Process(target=_race, args=(path, "baocantho", results)) for _ in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    outcomes = [results.get(timeout=5) for _ in workers]
    assert outcomes.count(True) == 1, outcomes


def test_pid_alive():
    assert locks.pid_alive(os.getpid())
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert not locks.pid_alive(child.pid)
    assert not locks.pid_alive(None) and not locks.pid_alive(0)


def test_pid_alive_sees_an_unreaped_child_as_dead():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # exited, not reaped: a zombie
        if os.path.exists(f"/proc/{child.pid}/stat"):
            assert not locks.pid_alive(child.pid)
    finally:
        child.wait()


def test_stale_rules(db):
    alive = {100}.__contains__
    here = {"host": "host-a", "pid": 100, "job": None, "refreshed_at": (NOW - timedelta(days=3)).isoformat()}
    assert locks.stale_reason(here, host="host-a", now=NOW, ttl=TTL, alive=alive) is None  # live pid: any age
    dead = {**here, "pid": 101}
    assert "process 101 on host-a is gone" in locks.stale_reason(dead, host="host-a", now=NOW, ttl=TTL, alive=alive)
    fresh = {**here, "host": "host-b", "pid": 101, "refreshed_at": (NOW - timedelta(minutes=10)).isoformat()}
    assert locks.stale_reason(fresh, host="host-a", now=NOW, ttl=TTL, alive=alive) is None  # other host: heartbeat
    old = {**fresh, "refreshed_at": (NOW - timedelta(hours=2)).isoformat()}
    assert "no heartbeat" in locks.stale_reason(old, host="host-a", now=NOW, ttl=TTL, alive=alive)
    job = {**old, "pid": None, "job": "abc", "host": "http://127.0.0.1:6800/"}
    assert "job abc" in locks.stale_reason(job, host="host-a", now=NOW, ttl=TTL, alive=alive)


def test_clear_stale_clears_only_stale_locks(db):
    locks.acquire(db, "live", "s:a", 100, "host-a", now=NOW)
    locks.acquire(db, "dead", "s:a", 101, "host-a", now=NOW)
    locks.acquire(db, "far-fresh", "s:b", 5, "host-b", now=NOW - timedelta(minutes=30))
    locks.acquire(db, "far-old", "s:b", 6, "host-b", now=NOW - timedelta(hours=3))
    cleared = locks.clear_stale(db, host="host-a", now=NOW, ttl=TTL, alive={100}.__contains__)
    assert sorted(lock["site"] for lock, _ in cleared) == ["dead", "far-old"]
    assert [lock["site"] for lock in locks.list_locks(db)] == ["far-fresh", "live"]


def test_schedule_checks_compare_and_set(db):
    assert locks.get_checks(db) == {}
    assert locks.claim_check(db, "daily", None, NOW)
    assert not locks.claim_check(db, "daily", None, NOW)          # someone else inserted first
    stamp = locks.get_checks(db)["daily"]
    assert stamp == "2026-03-01T10:00:00+07:00"
    later = NOW + timedelta(minutes=1)
    assert locks.claim_check(db, "daily", stamp, later)
    assert not locks.claim_check(db, "daily", stamp, later)        # moved on meanwhile
    locks.set_check(db, "daily", NOW)
    assert locks.get_checks(db)["daily"] == stamp
    locks.set_check(db, "daily", None)
    assert locks.get_checks(db) == {}
