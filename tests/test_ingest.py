"""The ingester: the reliable queue (a crash at any step loses and doubles nothing), the lock,
the known set, run records. Against a real redis-server on a free port of 127.0.0.1."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys

import pytest

pytest.importorskip("redis")
if shutil.which("redis-server") is None:
    pytest.skip("redis-server is not installed (.ci/run installs it)", allow_module_level=True)

from conftest import run_baotinh  # noqa: E402
from crawler.distributed import messages  # noqa: E402
from crawler.distributed.connection import connect  # noqa: E402
from crawler.distributed.frontier import SiteKeys, queue_keys  # noqa: E402
from crawler.distributed.ingest import Ingester, IngesterBusy  # noqa: E402
from crawler.distributed.redisserver import RedisServer  # noqa: E402
from storage import open_database  # noqa: E402
from storage.raw_pages import count_captures  # noqa: E402

KEYS = queue_keys("baotinh")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with RedisServer(tmp_path_factory.mktemp("redis")) as running:
        yield running


@pytest.fixture
def client(server):
    redis_client = connect(server.url)
    redis_client.flushdb()
    yield redis_client
    redis_client.close()


@pytest.fixture
def db(tmp_path):
    database = open_database(tmp_path / "archive.db")
    yield database
    database.close()


def article(n: int, **changes) -> dict:
    item = {"url": f"http://127.0.0.1:8000/bai-{n}-post{n}.html", "site": "baolaocai",
            "canonical_url": f"https://baolaocai.vn/bai-{n}-post{n}.html", "title": f"Bài số {n}",
            "lead": "Mở đầu.", "body": "Đoạn một.\n\nĐoạn hai.", "published_at": "2025-11-04T07:55:00+07:00",
            "authors": ["Minh Huyền"], "byline_raw": "Minh Huyền", "tags": ["Sa Pa"], "images": [],
            "language": "vi", "fetched_at": "2026-11-29T08:00:00+07:00", "page_type": "article", "problems": []}
    item.update(changes)
    return item


def page(n: int) -> dict:
    return {"site": "baolaocai", "kind": "article", "url": f"http://127.0.0.1:8000/bai-{n}-post{n}.html",
            "final_url": f"http://127.0.0.1:8000/bai-{n}-post{n}.html", "method": "GET", "status": 200,
            "protocol": "HTTP/1.1", "headers": [("Content-Type", "text/html")], "request_headers": [],
            "fetched_at": "2026-11-29T08:00:00+07:00", "body": f"<html>{n}</html>".encode()}


def rows(db) -> list[tuple]:
    return db.execute("SELECT url, title FROM articles ORDER BY url").fetchall()


def test_messages_are_stored_and_leave_redis_only_after_the_commit(client, db):
    client.lpush(KEYS["items"], messages.article(article(1), run=None), messages.article(article(2), run=None))
    ingester = Ingester(client, db)
    assert ingester.drain_batch() == 2
    assert [r[1] for r in rows(db)] == ["Bài số 1", "Bài số 2"]
    assert client.llen(KEYS["items"]) == 0 and client.llen(KEYS["processing"]) == 0
    assert client.smembers(SiteKeys("baotinh", "baolaocai").known) == {b"/bai-1-post1.html", b"/bai-2-post2.html"}


def test_an_item_left_in_processing_after_a_crash_is_ingested_once(client, db):
    # The ingester committed the article, then died before removing it from the processing list.
    raw = messages.article(article(1), run=None)
    client.lpush(KEYS["processing"], raw)
    first = Ingester(client, db)
    first._store([raw])                                    # committed ... and killed here
    assert len(rows(db)) == 1
    client.lpush(KEYS["items"], messages.article(article(2), run=None))
    again = Ingester(client, db)
    assert again.recover() == 1                            # what was left is stored first
    assert again.tally.articles == {"unchanged": 1}
    assert again.drain_batch() == 1
    assert [r[1] for r in rows(db)] == ["Bài số 1", "Bài số 2"]   # no duplicate row
    assert client.llen(KEYS["processing"]) == 0


def test_an_item_taken_but_not_committed_is_not_lost(client, db):
    client.lpush(KEYS["items"], messages.article(article(1), run=None))
    crashed = Ingester(client, db)
    assert len(crashed.take()) == 1                        # moved to processing, then killed
    assert client.llen(KEYS["items"]) == 0 and rows(db) == []
    assert Ingester(client, db).recover() == 1
    assert len(rows(db)) == 1


def test_a_raw_page_re_read_after_a_crash_is_not_stored_twice(client, db):
    raw = messages.page(page(1), run=None)
    client.lpush(KEYS["processing"], raw)
    Ingester(client, db)._store([raw])                     # committed, not acknowledged
    Ingester(client, db).recover()
    assert count_captures(db) == 1


def test_unusable_messages_are_set_aside_not_blocking(client, db):
    client.lpush(KEYS["items"], b"{not json", messages.encode({"type": "article", "item": {"title": "x"}}),
                 messages.article(article(3), run=None))
    ingester = Ingester(client, db)
    assert ingester.drain_batch() == 3
    assert len(rows(db)) == 1 and ingester.tally.failed == 2
    assert client.llen(KEYS["failed"]) == 2 and client.llen(KEYS["processing"]) == 0


def test_run_records_and_crawl_run_ids(client, db):
    run = "host:1:abc"
    client.lpush(KEYS["items"], messages.encode({"type": "run-start", "run": run, "spider": "baolaocai",
                                                 "site": "baolaocai", "mode": "incremental", "args": {"job": "j"},
                                                 "started_at": "2026-11-29T08:00:00+07:00"}))
    client.lpush(KEYS["items"], messages.article(article(1), run=run))
    client.lpush(KEYS["items"], messages.encode({"type": "run-finish", "run": run, "reason": "finished",
                                                 "stats": {"baotinh/articles/queued": 1},
                                                 "finished_at": "2026-11-29T08:01:00+07:00"}))
    Ingester(client, db).drain_batch()
    (run_id, reason, stats), = db.execute("SELECT id, finish_reason, stats FROM crawl_runs").fetchall()
    assert reason == "finished" and json.loads(stats)["baotinh/articles/queued"] == 1
    assert db.execute("SELECT crawl_run_id FROM articles").fetchone()[0] == run_id
    # the start message delivered again (a crash before the acknowledgement) adds no second run,
    # even if the crash came before the run's id was noted in Redis
    client.delete(KEYS["runs"])
    client.lpush(KEYS["items"], messages.encode({"type": "run-start", "run": run, "site": "baolaocai"}))
    Ingester(client, db).drain_batch()
    assert db.execute("SELECT count(*) FROM crawl_runs").fetchone()[0] == 1
    assert client.hget(KEYS["runs"], run) == str(run_id).encode()


def test_one_ingester_at_a_time(client, db):
    first = Ingester(client, db)
    first.acquire()
    with pytest.raises(IngesterBusy):
        Ingester(client, db).acquire()
    first.release()
    Ingester(client, db).acquire()


def test_the_lock_of_a_killed_ingester_on_this_host_is_taken_over(client, db):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    client.set(KEYS["lock"], f"{socket.gethostname()}:{dead.pid}:old", px=60000)
    Ingester(client, db).acquire()
    client.set(KEYS["lock"], f"{socket.gethostname()}:{os.getpid()}:alive", px=60000)
    with pytest.raises(IngesterBusy):
        Ingester(client, db).acquire()


def test_known_articles_are_published_for_the_workers(client, db):
    from storage import ArticleWriter

    ArticleWriter(db).write({k: v for k, v in article(7).items() if k not in ("page_type", "problems")})
    assert Ingester(client, db).publish_known(["baolaocai", "baolangson"]) == 1
    assert client.smembers(SiteKeys("baotinh", "baolaocai").known) == {b"/bai-7-post7.html"}


def test_the_command_drains_once_and_says_what_it_stored(server, client, tmp_path):
    client.lpush(KEYS["items"], messages.article(article(1), run=None), messages.page(page(1), run=None))
    result = run_baotinh("ingest", "--redis", server.url, "--db", tmp_path / "a.db", "--once", timeout=60)
    assert result.returncode == 0, result.stderr
    assert "1 article(s) (1 new, 0 updated, 0 unchanged), 1 raw page(s)" in result.stdout + result.stderr
    assert client.llen(KEYS["items"]) == 0


def test_the_command_without_redis_is_one_clear_line(tmp_path):
    result = run_baotinh("ingest", "--redis", "redis://127.0.0.1:1/0", "--db", tmp_path / "a.db", timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.stderr
    assert "cannot reach Redis at redis://127.0.0.1:1/0" in result.stderr
