"""The shared crawl in Redis without Scrapy: leases, reclaim, job end, shared politeness.

Against a real redis-server on a free port of 127.0.0.1 (started here, stopped at the end)."""
from __future__ import annotations

import shutil
import time

import pytest

pytest.importorskip("redis")
if shutil.which("redis-server") is None:
    pytest.skip("redis-server is not installed (.ci/run installs it)", allow_module_level=True)

from crawler.distributed.connection import connect  # noqa: E402
from crawler.distributed.frontier import START_LEASE, Frontier, SiteKeys  # noqa: E402
from crawler.distributed.redisserver import RedisServer  # noqa: E402
from crawler.distributed.throttle import SharedRateLimiter  # noqa: E402

SPEC = {"base_url": "http://127.0.0.1:1/", "mode": "incremental", "full": False, "since": None, "until": None}


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


def worker(client, name, ttl=1.0):
    return Frontier(client, SiteKeys("baotinh", "site"), name, ttl=ttl)


def test_a_lease_moves_a_request_out_of_the_queue_and_ack_ends_it(client):
    a = worker(client, "a")
    job = a.join(SPEC)
    assert job.created and not job.seeded
    assert a.push(b"r1", score=0, fingerprint="f1") is True
    assert a.push(b"r1-again", score=0, fingerprint="f1") is False       # the shared duplicate filter
    lease, data = a.lease()
    assert data == b"r1" and a.queued() == 0 and a.leased() == 2          # r1 and the start lease
    a.release_start()
    assert a.status(finish_job=job.id).pending                            # leased: not done
    a.ack(lease)
    status = a.status(finish_job=job.id)
    assert not status.pending and status.finished
    assert not client.exists(SiteKeys("baotinh", "site").job)             # the next crawl starts afresh
    assert not client.exists(SiteKeys("baotinh", "site").dupefilter)


def test_a_retry_replaces_its_lease_in_one_step(client):
    a = worker(client, "a")
    a.join(SPEC)
    a.release_start()
    a.push(b"page", score=0, fingerprint="f")
    lease, _ = a.lease()
    assert a.push(b"page (retry 1)", score=0, fingerprint=None, replaces=lease)
    assert a.leased() == 0 and a.queued() == 1


def test_a_dead_workers_leases_go_back_to_the_queue_with_their_priority(client):
    a, b = worker(client, "a", ttl=1.0), worker(client, "b", ttl=30.0)
    job = a.join(SPEC)
    b.join(SPEC)
    a.release_start()
    b.release_start()
    a.push(b"low", score=0, fingerprint="1")
    a.push(b"high", score=-5, fingerprint="2")
    assert a.lease()[1] == b"high" and a.lease()[1] == b"low"
    status = b.status(finish_job=job.id)
    assert status.pending and status.busy == 2 and status.reclaimed == 0  # a is alive
    time.sleep(1.2)                                                        # a's heartbeat expires
    status = b.status(finish_job=job.id)
    assert status.reclaimed == 2 and status.queued == 2 and not status.finished
    assert b.lease()[1] == b"high"
    assert client.smembers(SiteKeys("baotinh", "site").workers) == {b"b"}


def test_a_worker_still_yielding_start_requests_keeps_the_job_open(client):
    a, b = worker(client, "a"), worker(client, "b")
    job = a.join(SPEC)
    b.join(SPEC)
    b.release_start()
    assert client.hexists(SiteKeys("baotinh", "site").inflight("a"), START_LEASE)
    status = b.status(finish_job=job.id)
    assert status.busy == 1 and not status.finished
    a.release_start()
    assert b.status(finish_job=job.id).finished


def test_joining_a_running_job_keeps_its_spec_and_known_snapshot(client):
    keys = SiteKeys("baotinh", "site")
    client.sadd(keys.known, "/a.html", "/b.html")
    a = worker(client, "a")
    job = a.join(SPEC)
    client.sadd(keys.known, "/c.html")                      # stored during the job
    other = worker(client, "b").join({**SPEC, "mode": "full", "full": True})
    assert not other.created and other.id == job.id and other.spec == SPEC
    assert a.known(before=True) == {"/a.html", "/b.html"}
    assert a.known() == {"/a.html", "/b.html", "/c.html"}


def test_an_idle_worker_hands_back_leases_it_never_finished(client):
    a = worker(client, "a")
    job = a.join(SPEC)
    a.push(b"lost", score=0, fingerprint="x")
    a.lease()
    status = a.status(finish_job=job.id, requeue_own=True)
    assert status.own_requeued == 1 and status.queued == 1 and not status.finished


def test_leaving_hands_back_unfinished_requests(client):
    a = worker(client, "a")
    a.join(SPEC)
    a.push(b"r", score=0, fingerprint="x")
    a.lease()
    assert a.leave() == 1
    assert a.queued() == 1 and not client.exists(SiteKeys("baotinh", "site").inflight("a"))


def test_reset_forgets_the_job(client):
    a = worker(client, "a")
    a.join(SPEC)
    a.push(b"r", score=0, fingerprint="x")
    a.reset()
    assert a.job_info() is None and a.queued() == 0


def test_the_politeness_token_spaces_requests_across_workers(client):
    first, second = SharedRateLimiter(client, holder="w1"), SharedRateLimiter(client, holder="w2")
    assert first.try_acquire("example.vn", 0.3) == 0
    wait = second.try_acquire("example.vn", 0.3)
    assert 0.2 < wait <= 0.3                                # the other worker must wait its turn
    assert first.try_acquire("other.vn", 0.3) == 0          # per host
    granted = []
    for limiter in (first, second, first, second):
        limiter.acquire_blocking("example.vn", 0.3)
        granted.append(time.monotonic())
    gaps = [b - a for a, b in zip(granted, granted[1:])]
    assert min(gaps) >= 0.3 - 0.02, gaps                    # one request per delay between them
    assert second.try_acquire("mirror", 0) == 0             # no delay: no token at all


def test_a_429_pauses_the_host_for_every_worker(client):
    first, second = SharedRateLimiter(client, holder="w1"), SharedRateLimiter(client, holder="w2")
    first.try_acquire("example.vn", 0.2)
    first.pause("example.vn", 2.0)
    assert second.try_acquire("example.vn", 0.2) > 1.5


def test_seeded_fingerprints_are_those_of_the_spiders_own_article_requests():
    """The duplicate filter is seeded from URL keys (path?query) of stored articles: the
    fingerprint must be the one Scrapy's fingerprinter gives the request the spider makes."""
    from scrapy.crawler import Crawler
    from scrapy.settings import Settings
    from scrapy.statscollectors import MemoryStatsCollector
    from scrapy.utils.request import RequestFingerprinter

    from crawler.distributed.scheduler import article_fingerprints
    from spiders.sites import BaolaocaiSpider

    crawler = Crawler(BaolaocaiSpider, Settings())
    spider = crawler._create_spider(base_url="http://127.0.0.1:8123/")
    crawler.spider, crawler.stats = spider, MemoryStatsCollector(crawler)
    stored = "https://baolaocai.vn/sa-pa-don-hon-3-trieu-luot-khach-trong-10-thang-post426055.html"
    request = spider.article_request(spider.on_site(stored + "?utm_source=fb#top"))
    fingerprint = RequestFingerprinter(crawler).fingerprint
    seeded = list(article_fingerprints([spider.url_key(stored)], spider.base_url, fingerprint))
    assert seeded == [fingerprint(request)]
