"""crawl_runs: start, finish with Scrapy-like stats, list."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from storage import StorageError, finish_run, list_runs, open_database, start_run


@pytest.fixture
def db(tmp_path):
    database = open_database(tmp_path / "baotinh.db")
    yield database
    database.close()


def test_a_run_from_start_to_finish(db):
    run = start_run(db, spider="baolangson", site="baolangson", mode="incremental", scheduled_by="cron",
                    args={"base_url": "http://127.0.0.1:8000/", "pages": 3})
    stats = {"start_time": datetime(2024, 3, 5, 1, 0, tzinfo=timezone.utc),
             "finish_time": datetime(2024, 3, 5, 1, 5, tzinfo=timezone.utc),
             "elapsed": timedelta(minutes=5), "item_scraped_count": 12, "finish_reason": "finished",
             "seen": {"b", "a"}, "weird": object}
    finish_run(db, run, finish_reason="finished", stats=stats)
    [row] = list_runs(db)
    assert row["id"] == run and row["spider"] == "baolangson" and row["mode"] == "incremental"
    assert row["scheduled_by"] == "cron"
    assert row["args"] == {"base_url": "http://127.0.0.1:8000/", "pages": 3}
    assert row["finish_reason"] == "finished"
    assert row["stats"]["start_time"] == "2024-03-05T01:00:00+00:00"
    assert row["stats"]["elapsed"] == 300.0
    assert row["stats"]["item_scraped_count"] == 12
    assert row["stats"]["seen"] == ["a", "b"]
    assert isinstance(row["stats"]["weird"], str)
    assert row["started_at"].endswith("+07:00") and row["finished_at"] >= row["started_at"]
    stored = db.execute("SELECT stats FROM crawl_runs").fetchone()[0]
    assert json.loads(stored)["finish_reason"] == "finished"


def test_unfinished_runs_are_listed_too(db):
    start_run(db, spider="s", site="s")
    [row] = list_runs(db)
    assert row["finished_at"] is None and row["stats"] == {} and row["args"] == {}


def test_list_runs_newest_first_filtered_and_limited(db):
    for n, site in enumerate(["a", "b", "a", "a"]):
        start_run(db, spider=site, site=site, started_at=f"2024-03-0{n + 1}T08:00:00+07:00")
    assert [r["started_at"][:10] for r in list_runs(db)] == ["2024-03-04", "2024-03-03", "2024-03-02", "2024-03-01"]
    assert [r["started_at"][:10] for r in list_runs(db, site="a", last=2)] == ["2024-03-04", "2024-03-03"]
    assert list_runs(db, site="none") == []


def test_finishing_an_unknown_run(db):
    with pytest.raises(StorageError, match="no crawl run with id 42"):
        finish_run(db, 42, finish_reason="finished", stats={})
