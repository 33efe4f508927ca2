"""The single writer: drain `baotinh:items` into the database through storage's writers.

Reliable-queue pattern, at-least-once with idempotent writes:

    1. move a batch from baotinh:items to baotinh:items:processing (LMOVE, one Lua step)
    2. store it: articles with ArticleWriter.write_many (one transaction per run), raw pages with
       RawPageWriter, run records with start_run/finish_run; every transaction commits
    3. add the stored URLs to baotinh:SITE:known (what workers need not fetch again)
    4. only then remove the batch from the processing list

On start, whatever a killed ingester left in the processing list is stored first (articles are
upserts by URL, so a batch stored twice changes nothing; raw pages of a re-stored batch are checked
against the captures already there). A message that cannot be used at all (not JSON, no URL) goes
to baotinh:items:failed with the reason, instead of blocking the queue. A database failure stops the
ingester with the batch still in the processing list.

One ingester at a time: it holds `baotinh:ingester` (SET NX PX, refreshed); a lock left by a killed
ingester on the same host is taken over at once, one from another host once it expires.
"""
from __future__ import annotations

import json
import logging
import os
import socket
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

from crawler.distributed import DEFAULT_PREFIX, messages
from crawler.distributed.frontier import SiteKeys, queue_keys

logger = logging.getLogger(__name__)

_TAKE = """
-- KEYS: items, processing     ARGV: how many      oldest first
local taken = {}
for i = 1, tonumber(ARGV[1]) do
  local value = redis.call('LMOVE', KEYS[1], KEYS[2], 'RIGHT', 'LEFT')
  if not value then break end
  taken[#taken + 1] = value
end
return taken
"""
_DONE = """
-- KEYS: processing    ARGV: batch size       1 if the processing list held exactly the batch
if redis.call('LLEN', KEYS[1]) == tonumber(ARGV[1]) then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
"""
_LOCK_TAKEOVER = """
-- KEYS: lock   ARGV: expected holder, new holder, ttl_ms
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0
"""
_LOCK_REFRESH = """
-- KEYS: lock   ARGV: holder, ttl_ms
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
"""
_LOCK_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class IngesterBusy(Exception):
    """Another ingester holds the lock."""


class LockLost(Exception):
    """This ingester's lock expired and was taken (it stalled longer than the lock's TTL)."""


def url_key(url: str) -> str:
    """An article's identity within its site, as spiders/base.py computes it (path?query)."""
    from spiders.base import NewsSpider

    return NewsSpider.url_key(url)


@dataclass
class Tally:
    articles: Counter = field(default_factory=Counter)   # new / updated / unchanged
    pages: int = 0
    pages_skipped: int = 0                                # already stored (re-read after a crash)
    runs_started: int = 0
    runs_finished: int = 0
    failed: int = 0
    messages: int = 0
    recovered: int = 0

    def summary(self) -> str:
        stored = sum(self.articles.values())
        parts = [f"{stored} article(s) ({self.articles['new']} new, {self.articles['updated']} updated, "
                 f"{self.articles['unchanged']} unchanged)", f"{self.pages} raw page(s)",
                 f"{self.runs_started} run(s) started, {self.runs_finished} finished"]
        if self.recovered:
            parts.append(f"{self.recovered} message(s) recovered from a stopped ingester")
        if self.failed:
            parts.append(f"{self.failed} unusable message(s) set aside")
        return ", ".join(parts)


def _holder_alive(holder: str) -> bool | None:
    """Whether the process named in a lock value (host:pid:…) is alive; None if not on this host."""
    host, _, rest = holder.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return None
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Ingester:
    def __init__(self, client, db, *, prefix: str = DEFAULT_PREFIX, batch: int = 200, lock_ttl: float = 30.0):
        from storage import ArticleWriter
        from storage.raw_pages import RawPageWriter

        self.client = client
        self.db = db
        self.prefix = prefix
        self.keys = queue_keys(prefix)
        self.batch = max(1, batch)
        self.lock_ttl_ms = max(1000, int(lock_ttl * 1000))
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.articles = ArticleWriter(db)
        self.pages = RawPageWriter(db)
        self.tally = Tally()
        self._run_ids: dict[str, int] = {}
        self._take = client.register_script(_TAKE)
        self._done = client.register_script(_DONE)
        self._takeover = client.register_script(_LOCK_TAKEOVER)
        self._refresh = client.register_script(_LOCK_REFRESH)
        self._release = client.register_script(_LOCK_RELEASE)
        self._locked = False
        self._last_refresh = 0.0

    # -- the lock ----------------------------------------------------------------------------------
    def acquire(self) -> None:
        lock = self.keys["lock"]
        if self.client.set(lock, self.holder, nx=True, px=self.lock_ttl_ms):
            self._locked = True
        else:
            current = self.client.get(lock)
            current = current.decode() if isinstance(current, bytes) else current
            if current and _holder_alive(current) is False and \
                    self._takeover(keys=[lock], args=[current, self.holder, self.lock_ttl_ms]):
                logger.info("took over the lock of a stopped ingester (%s)", current)
                self._locked = True
            elif current is None and self.client.set(lock, self.holder, nx=True, px=self.lock_ttl_ms):
                self._locked = True
            else:
                raise IngesterBusy(f"another ingester is running ({current}); only one may write the database. "
                                   f"If it was stopped on another machine, its lock expires in "
                                   f"{self.lock_ttl_ms // 1000} s")
        self._last_refresh = time.monotonic()

    def refresh(self, force: bool = False) -> None:
        if not self._locked:
            return
        if not force and time.monotonic() - self._last_refresh < self.lock_ttl_ms / 3000:
            return
        if not self._refresh(keys=[self.keys["lock"]], args=[self.holder, self.lock_ttl_ms]):
            self._locked = False
            raise LockLost("the ingester lock expired and was taken by another ingester; stopping")
        self._last_refresh = time.monotonic()

    def release(self) -> None:
        if self._locked:
            try:
                self._release(keys=[self.keys["lock"]], args=[self.holder])
            finally:
                self._locked = False

    # -- what workers need to know ---------------------------------------------------------------
    def publish_known(self, sites=None) -> int:
        """Put the URL keys of every stored article into baotinh:SITE:known (idempotent)."""
        from storage import known_urls

        if sites is None:
            from crawler.registry import load_sites

            sites = list(load_sites())
        published = 0
        for site in sites:
            keys = list({url_key(url) for url in known_urls(self.db, site)})
            known = SiteKeys(self.prefix, site).known
            # The database is the truth: the set is rebuilt aside and swapped in (an archive
            # started afresh must not leave Redis claiming articles it no longer has).
            rebuilt = f"{known}:rebuild"
            self.client.delete(rebuilt)
            for start in range(0, len(keys), 10000):
                self.client.sadd(rebuilt, *keys[start:start + 10000])
            if keys:
                self.client.rename(rebuilt, known)
            else:
                self.client.delete(known)
            published += len(keys)
            self.refresh()
        return published

    # -- draining ------------------------------------------------------------------------------------
    def recover(self) -> int:
        """Store what a stopped ingester left in the processing list (oldest first)."""
        left = self.client.lrange(self.keys["processing"], 0, -1)
        if not left:
            return 0
        left.reverse()
        logger.info("%d message(s) left by a stopped ingester: storing them first", len(left))
        self._store(left, recovered=True)
        self._ack(len(left), left)
        self.tally.recovered += len(left)
        return len(left)

    def take(self, block: float = 0.0) -> list[bytes]:
        taken = list(self._take(keys=[self.keys["items"], self.keys["processing"]], args=[self.batch]))
        if not taken and block > 0:
            first = self.client.blmove(self.keys["items"], self.keys["processing"], block, "RIGHT", "LEFT")
            if first is not None:
                taken = [first, *self._take(keys=[self.keys["items"], self.keys["processing"]],
                                            args=[self.batch - 1])] if self.batch > 1 else [first]
        return taken

    def drain_batch(self, block: float = 0.0) -> int:
        """Take, store and acknowledge one batch; the number of messages (0: nothing waiting)."""
        self.refresh()
        batch = self.take(block)
        if not batch:
            return 0
        self._store(batch)
        self._ack(len(batch), batch)
        return len(batch)

    def pending(self) -> int:
        return int(self.client.llen(self.keys["items"]))

    def _ack(self, count: int, batch: list[bytes]) -> None:
        if not self._done(keys=[self.keys["processing"]], args=[count]):
            pipe = self.client.pipeline()
            for raw in batch:
                pipe.lrem(self.keys["processing"], -1, raw)
            pipe.execute()

    # -- storing -------------------------------------------------------------------------------------
    def _store(self, batch: list[bytes], *, recovered: bool = False) -> None:
        articles: dict[str | None, list[dict]] = {}
        pages = []
        for raw in batch:
            self.tally.messages += 1
            try:
                message = messages.decode(raw)
                kind = message["type"]
                if kind == "article":
                    item = message.get("item")
                    if not isinstance(item, dict) or not item.get("url") or not item.get("site"):
                        raise messages.BadMessage("article without url or site")
                    articles.setdefault(message.get("run"), []).append(item)
                elif kind == "page":
                    pages.append((message.get("run"), messages.page_capture(message)))
                elif kind == "run-start":
                    self._flush(articles, pages, recovered)
                    self._run_start(message)
                elif kind == "run-finish":
                    self._flush(articles, pages, recovered)
                    self._run_finish(message)
            except messages.BadMessage as exc:
                self._set_aside(raw, str(exc))
        self._flush(articles, pages, recovered)

    def _flush(self, articles: dict, pages: list, recovered: bool) -> None:
        stored: dict[str, set[str]] = {}
        for run, items in articles.items():
            for status in self.articles.write_many(items, crawl_run_id=self._run_id(run)):
                self.tally.articles[status] += 1
            for item in items:
                keys = stored.setdefault(item["site"], set())
                for url in (item.get("url"), item.get("canonical_url")):
                    if url:
                        keys.add(url_key(url))
        articles.clear()
        if pages:
            already = self._stored_captures([capture for _, capture in pages]) if recovered else set()
            for run, capture in pages:
                if self._capture_key(capture) in already:
                    self.tally.pages_skipped += 1
                    continue
                capture["crawl_run_id"] = self._run_id(run)
                self.pages.write(capture)
                self.tally.pages += 1
            pages.clear()
        if stored:
            pipe = self.client.pipeline(transaction=False)
            for site, keys in stored.items():
                pipe.sadd(SiteKeys(self.prefix, site).known, *keys)
            pipe.execute()

    @staticmethod
    def _capture_key(capture: dict) -> tuple:
        from storage.raw_pages import body_digest

        return (capture.get("site"), capture.get("url"), capture.get("fetched_at"), body_digest(capture["body"]))

    def _stored_captures(self, captures: list[dict]) -> set:
        """Captures of these pages' sites and days already in the database (a re-stored batch)."""
        from storage.raw_pages import iter_captures

        found = set()
        for site, day in {(c.get("site"), (c.get("fetched_at") or "")[:10]) for c in captures}:
            if not site or len(day) != 10:
                continue
            for row in iter_captures(self.db, site=site, since=day, until=day, with_body=False):
                found.add((row["site"], row["url"], row["fetched_at"], row["digest"]))
        return found

    def _run_id(self, run: str | None) -> int | None:
        if not run:
            return None
        if run not in self._run_ids:
            value = self.client.hget(self.keys["runs"], run)
            if value is None:
                return None
            self._run_ids[run] = int(value)
        return self._run_ids[run]

    def _run_start(self, message: dict) -> None:
        from storage import start_run

        run = message.get("run")
        if not run or self._run_id(run) is not None:
            return
        run_id = self._stored_run(message.get("site"), run)   # stored, then killed before noting it
        if run_id is not None:
            self.client.hset(self.keys["runs"], run, run_id)
            self._run_ids[run] = run_id
            return
        run_id = start_run(self.db, spider=message.get("spider") or message.get("site") or "?",
                           site=message.get("site"), mode=message.get("mode"),
                           scheduled_by=message.get("scheduled_by"),
                           args={**(message.get("args") or {}), "worker": run},
                           started_at=message.get("started_at"))
        self.client.hset(self.keys["runs"], run, run_id)
        self._run_ids[run] = run_id
        self.tally.runs_started += 1

    def _stored_run(self, site: str | None, run: str) -> int | None:
        from storage import list_runs

        for row in list_runs(self.db, site=site, last=100):
            if (row.get("args") or {}).get("worker") == run:
                return row["id"]
        return None

    def _run_finish(self, message: dict) -> None:
        from storage import finish_run

        run_id = self._run_id(message.get("run"))
        if run_id is None:
            logger.warning("end of an unknown crawl run %s (its start was never ingested)", message.get("run"))
            return
        finish_run(self.db, run_id, finish_reason=message.get("reason") or "unknown",
                   stats=message.get("stats") or {}, finished_at=message.get("finished_at"))
        self.tally.runs_finished += 1

    def _set_aside(self, raw: bytes, reason: str) -> None:
        logger.error("unusable message set aside in %s: %s", self.keys["failed"], reason)
        record = json.dumps({"reason": reason, "at": time.time(), "holder": self.holder})
        self.client.lpush(self.keys["failed"], record.encode() + b"\n" + (raw if isinstance(raw, bytes) else
                                                                          str(raw).encode()))
        self.tally.failed += 1
