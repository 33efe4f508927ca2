"""The shared crawl of one site in Redis: queue, duplicate filter, leases, job (no Scrapy here).

A worker *leases* a request: one Lua script moves it from the queue into the worker's inflight
hash, so there is no moment at which a request is in neither. The lease is dropped (ack) only
when the response has been parsed and everything it produced has been pushed; a retry or a
redirect replaces its lease in the same script that queues the new request. A worker proves it is
alive by refreshing a heartbeat key; when that key expires, any other worker puts the dead
worker's leased requests back into the queue (reclaim). A job is finished when, in one atomic
look, the queue is empty and no worker holds a lease: that look also clears the job, so the next
crawl of the site starts afresh (its start pages pass the duplicate filter again).

The request queue is scrapy-redis's PriorityQueue layout (sorted set, score = -priority, member
= the serialized request), so scrapy-redis tools and `redis-cli ZCARD` read it as usual.
"""
from __future__ import annotations

import json
import os
import socket
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

START_LEASE = "__start__"   # held while a worker's spider is still yielding its start requests

_JOIN = """
-- KEYS: job, workers, heartbeat, inflight, known, known_before
-- ARGV: worker, ttl_ms, job_id, spec
local created = 0
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'id', ARGV[3], 'spec', ARGV[4], 'seeded', '0', 'created', ARGV[5])
  redis.call('DEL', KEYS[6])
  if redis.call('EXISTS', KEYS[5]) == 1 then
    redis.call('SUNIONSTORE', KEYS[6], KEYS[5])
  end
  created = 1
end
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('SET', KEYS[3], ARGV[1], 'PX', ARGV[2])
redis.call('HSET', KEYS[4], '__start__', '')
return {created, redis.call('HGET', KEYS[1], 'id'), redis.call('HGET', KEYS[1], 'spec'),
        redis.call('HGET', KEYS[1], 'seeded')}
"""

_PUSH = """
-- KEYS: dupefilter, queue, inflight      ARGV: fingerprint ('' = do not filter), score, data, old lease
local added = 1
if ARGV[1] ~= '' then
  added = redis.call('SADD', KEYS[1], ARGV[1])
end
if added == 1 then
  redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
end
if ARGV[4] ~= '' then
  redis.call('HDEL', KEYS[3], ARGV[4])
end
return added
"""

_LEASE = """
-- KEYS: queue, inflight, counter         returns {lease, data} or false
local top = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #top == 0 then return false end
redis.call('ZREM', KEYS[1], top[1])
local lease = top[2] .. '|' .. redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[2], lease, top[1])
return {lease, top[1]}
"""

# Leases are "<score>|<n>": the score a request had in the queue, so that it goes back with it.
_REQUEUE_FUNCTION = """
local function requeue(queue, inflight)
  local entries = redis.call('HGETALL', inflight)
  local moved = 0
  for i = 1, #entries, 2 do
    if entries[i] ~= '__start__' then
      local score = string.match(entries[i], '^(.-)|')
      redis.call('ZADD', queue, score or 0, entries[i + 1])
      moved = moved + 1
    end
  end
  redis.call('DEL', inflight)
  return moved
end
"""

_STATUS = _REQUEUE_FUNCTION + """
-- KEYS: queue, workers, job, dupefilter, known_before
-- ARGV: key base, this worker, job id to finish ('' = do not), requeue own leases ('1'/'0')
local reclaimed, busy, own = 0, 0, 0
for _, worker in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  local inflight = ARGV[1] .. ':inflight:' .. worker
  if worker == ARGV[2] then
    if ARGV[4] == '1' then
      own = requeue(KEYS[1], inflight)
    else
      busy = busy + redis.call('HLEN', inflight)
    end
  elseif redis.call('EXISTS', ARGV[1] .. ':worker:' .. worker) == 0 then
    reclaimed = reclaimed + requeue(KEYS[1], inflight)
    redis.call('SREM', KEYS[2], worker)
  else
    busy = busy + redis.call('HLEN', inflight)
  end
end
local queued = redis.call('ZCARD', KEYS[1])
local finished = 0
if ARGV[3] ~= '' and queued == 0 and busy == 0 and redis.call('HGET', KEYS[3], 'id') == ARGV[3] then
  redis.call('DEL', KEYS[3], KEYS[4], KEYS[5])
  finished = 1
end
return {queued, busy, reclaimed, finished, own}
"""

_LEAVE = _REQUEUE_FUNCTION + """
-- KEYS: queue, workers, heartbeat, inflight     ARGV: worker
local moved = requeue(KEYS[1], KEYS[4])
redis.call('SREM', KEYS[2], ARGV[1])
redis.call('DEL', KEYS[3])
return moved
"""


@dataclass(frozen=True)
class SiteKeys:
    """The Redis keys of one site's shared crawl."""

    prefix: str
    site: str

    @property
    def base(self) -> str:
        return f"{self.prefix}:{self.site}"

    requests = property(lambda self: f"{self.base}:requests")
    dupefilter = property(lambda self: f"{self.base}:dupefilter")
    job = property(lambda self: f"{self.base}:job")
    workers = property(lambda self: f"{self.base}:workers")
    leases = property(lambda self: f"{self.base}:leases")
    known = property(lambda self: f"{self.base}:known")
    known_before = property(lambda self: f"{self.base}:known-before")

    def heartbeat(self, worker: str) -> str:
        return f"{self.base}:worker:{worker}"

    def inflight(self, worker: str) -> str:
        return f"{self.base}:inflight:{worker}"


def queue_keys(prefix: str) -> dict[str, str]:
    """The keys shared by every site: items for the ingester and its bookkeeping."""
    return {"items": f"{prefix}:items", "processing": f"{prefix}:items:processing",
            "failed": f"{prefix}:items:failed", "lock": f"{prefix}:ingester", "runs": f"{prefix}:runs"}


def throttle_key(prefix: str, slot: str) -> str:
    return f"{prefix}:throttle:{slot}"


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass
class Job:
    id: str
    spec: dict
    created: bool
    seeded: bool


@dataclass
class Status:
    queued: int         # requests waiting in the queue
    busy: int           # requests leased by live workers (start leases included)
    reclaimed: int      # requests of dead workers put back into the queue by this look
    finished: bool      # this look found the job done and cleared it
    own_requeued: int   # this worker's own leases put back (when asked: it is idle)

    @property
    def pending(self) -> bool:
        return bool(self.queued or self.busy)


def _text(value) -> str | None:
    if value is None:
        return None
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


class Frontier:
    """One worker's handle on the shared crawl of one site."""

    def __init__(self, client, keys: SiteKeys, worker: str | None = None, *, ttl: float = 30.0):
        self.client = client
        self.keys = keys
        self.worker = worker or new_worker_id()
        self.ttl_ms = max(1000, int(ttl * 1000))
        self._join = client.register_script(_JOIN)
        self._push = client.register_script(_PUSH)
        self._lease = client.register_script(_LEASE)
        self._status = client.register_script(_STATUS)
        self._leave = client.register_script(_LEAVE)

    # -- the job ------------------------------------------------------------------------------
    def join(self, spec: dict) -> Job:
        """Join the site's running job, or start one with `spec` (a new job snapshots the known set)."""
        k = self.keys
        job_id = time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
        created, current_id, current_spec, seeded = self._join(
            keys=[k.job, k.workers, k.heartbeat(self.worker), k.inflight(self.worker), k.known, k.known_before],
            args=[self.worker, self.ttl_ms, job_id, json.dumps(spec, sort_keys=True),
                  time.strftime("%Y-%m-%dT%H:%M:%S%z")])
        return Job(_text(current_id), json.loads(_text(current_spec) or "{}"), bool(created), _text(seeded) == "1")

    def job_info(self) -> dict | None:
        raw = self.client.hgetall(self.keys.job)
        if not raw:
            return None
        info = {_text(k): _text(v) for k, v in raw.items()}
        info["spec"] = json.loads(info.get("spec") or "{}")
        return info

    def mark_seeded(self, job_id: str) -> None:
        # Only if the job is still the one seeded (it may have finished meanwhile).
        pipe = self.client.pipeline()
        pipe.watch(self.keys.job)
        if _text(pipe.hget(self.keys.job, "id")) == job_id:
            pipe.multi()
            pipe.hset(self.keys.job, "seeded", "1")
            pipe.execute()
        else:
            pipe.reset()

    def seed(self, fingerprints: Iterable[str], chunk: int = 5000) -> int:
        """Add request fingerprints to the duplicate filter (known articles: never fetched)."""
        added, batch = 0, []
        for fingerprint in fingerprints:
            batch.append(fingerprint)
            if len(batch) >= chunk:
                added += self.client.sadd(self.keys.dupefilter, *batch)
                batch = []
        if batch:
            added += self.client.sadd(self.keys.dupefilter, *batch)
        return added

    def known(self, before: bool = False) -> set[str]:
        key = self.keys.known_before if before else self.keys.known
        return {_text(m) for m in self.client.sscan_iter(key, count=5000)}

    def reset(self) -> int:
        """Forget the site's job: queue, filter, leases, workers (an operator's decision)."""
        k = self.keys
        doomed = [k.requests, k.dupefilter, k.job, k.workers, k.known_before, k.leases]
        for worker in self.client.smembers(k.workers):
            worker = _text(worker)
            doomed += [k.inflight(worker), k.heartbeat(worker)]
        doomed += [_text(key) for key in self.client.scan_iter(match=f"{k.base}:inflight:*", count=1000)]
        return self.client.delete(*set(doomed))

    # -- this worker ----------------------------------------------------------------------------
    def heartbeat(self) -> None:
        pipe = self.client.pipeline(transaction=False)
        pipe.set(self.keys.heartbeat(self.worker), self.worker, px=self.ttl_ms)
        pipe.sadd(self.keys.workers, self.worker)
        pipe.execute()

    def release_start(self) -> None:
        self.client.hdel(self.keys.inflight(self.worker), START_LEASE)

    def leave(self) -> int:
        """Put this worker's unfinished requests back into the queue and sign off."""
        k = self.keys
        return int(self._leave(keys=[k.requests, k.workers, k.heartbeat(self.worker), k.inflight(self.worker)],
                               args=[self.worker]))

    # -- requests ---------------------------------------------------------------------------------
    def push(self, data: bytes, *, score: float, fingerprint: str | None, replaces: str | None = None) -> bool:
        """Queue a serialized request unless its fingerprint was seen (None: never filtered); drop
        the lease it replaces (a retry, a redirect) in the same step. True if queued."""
        k = self.keys
        return bool(self._push(keys=[k.dupefilter, k.requests, k.inflight(self.worker)],
                               args=[fingerprint or "", repr(float(score)), data, replaces or ""]))

    def lease(self) -> tuple[str, bytes] | None:
        k = self.keys
        got = self._lease(keys=[k.requests, k.inflight(self.worker), k.leases])
        if not got:
            return None
        return _text(got[0]), got[1]

    def ack(self, lease: str) -> None:
        self.client.hdel(self.keys.inflight(self.worker), lease)

    def leased(self) -> int:
        return int(self.client.hlen(self.keys.inflight(self.worker)))

    def queued(self) -> int:
        return int(self.client.zcard(self.keys.requests))

    def status(self, *, finish_job: str | None = None, requeue_own: bool = False) -> Status:
        """Reclaim dead workers' leases and count what is left; with finish_job, clear the job if
        nothing is left (atomically)."""
        k = self.keys
        queued, busy, reclaimed, finished, own = self._status(
            keys=[k.requests, k.workers, k.job, k.dupefilter, k.known_before],
            args=[k.base, self.worker, finish_job or "", "1" if requeue_own else "0"])
        return Status(int(queued), int(busy), int(reclaimed), bool(finished), int(own))
