"""Throughput of distributed crawls on one machine, politeness off (a loopback mirror has no delay).

    .venv/bin/python -m crawler.distributed.bench --articles 1500 --workers 1 3

For each configuration: a fresh redis-server and database, the generated site served on 127.0.0.1
(crawler/distributed/benchsite.py, in this process), `baotinh ingest --follow` and N
`baotinh crawl benchsite --redis URL --base-url MIRROR` processes. Reported:

    pages/s      responses served by the mirror / time from its first to its last request
    wall         from starting the workers to the last article committed by the ingester
    CPU          user+sys seconds of workers, ingester, redis-server, the mirror (this process)
    ingest/s     a second run with no ingester: workers fill Redis, then `baotinh ingest --once`
                 drains the backlog alone (the writer's own ceiling)

The single-machine crawl (`baotinh crawl` straight into SQLite) is measured too, as the baseline.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from crawler.distributed.benchsite import SITE, generate_site
from crawler.distributed.redisserver import RedisServer
from crawler.sample_site import MirrorServer

ROOT = Path(__file__).resolve().parents[2]
BAOTINH = [sys.executable, "-m", "crawler.cli"]


class TimedMirror(MirrorServer):
    """The mirror, remembering when it answered its first and last request."""

    def start(self):
        self.first = self.last = None
        self.lock = threading.Lock()

        def hook(target):
            now = time.monotonic()
            with self.lock:
                self.first = self.first or now
                self.last = now
            return None

        self.hook = hook
        return super().start()

    def reset(self):
        self.requests.clear()
        self.first = self.last = None

    @property
    def served(self) -> int:
        return sum(self.requests.values())


def _cpu_of_pid(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def _self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Child:
    def __init__(self, args, env, log: Path):
        self.handle = open(log, "w")
        self.popen = subprocess.Popen([*BAOTINH, *map(str, args)], stdout=self.handle, stderr=subprocess.STDOUT,
                                      env=env, cwd=ROOT)
        self.cpu = 0.0

    def wait(self, timeout=None) -> int:
        _, status, usage = os.wait4(self.popen.pid, 0)
        self.popen.returncode = os.waitstatus_to_exitcode(status)
        self.cpu = usage.ru_utime + usage.ru_stime
        self.handle.close()
        return self.popen.returncode

    def terminate(self) -> int:
        self.popen.terminate()
        return self.wait()


def _count_articles(db: Path) -> int:
    from storage import count_articles, open_database

    database = open_database(db, create=False)
    try:
        return count_articles(database)
    finally:
        database.close()


def run_single(mirror: TimedMirror, env: dict, work: Path) -> dict:
    mirror.reset()
    db = work / "single.db"
    started = time.monotonic()
    child = Child(["crawl", SITE, "--base-url", mirror.base_url, "--db", db], env, work / "single.log")
    code = child.wait()
    wall = time.monotonic() - started
    span = (mirror.last - mirror.first) if mirror.first else 0.0
    return {"mode": "single machine", "workers": 1, "exit": code, "served": mirror.served, "span": span,
            "pages_per_s": mirror.served / span if span else 0.0, "wall": wall, "articles": _count_articles(db),
            "cpu": {"crawl": round(child.cpu, 1)}}


def run_distributed(mirror: TimedMirror, env: dict, work: Path, workers: int, *, ingest_live: bool = True) -> dict:
    mirror.reset()
    label = f"{workers}w-{'live' if ingest_live else 'backlog'}"
    db = work / f"{label}.db"
    mirror_cpu = _self_cpu()
    with RedisServer(work / f"redis-{label}") as redis_server:
        redis_pid = redis_server.process.pid
        ingester = None
        if ingest_live:
            ingester = Child(["ingest", "--redis", redis_server.url, "--db", db, "--follow"], env,
                             work / f"{label}-ingest.log")
            time.sleep(1.0)   # it publishes the (empty) known set, as it would before a real job
        started = time.monotonic()
        crawlers = [Child(["crawl", SITE, "--redis", redis_server.url, "--base-url", mirror.base_url], env,
                          work / f"{label}-worker-{n}.log") for n in range(workers)]
        codes = [crawler.wait() for crawler in crawlers]
        crawled = time.monotonic()
        span = (mirror.last - mirror.first) if mirror.first else 0.0
        import redis

        client = redis.Redis.from_url(redis_server.url)
        backlog = client.llen("baotinh:items")
        backlog_bytes = int(client.memory_usage("baotinh:items", samples=0) or 0) if backlog else 0
        drain = None
        if ingest_live:
            while client.llen("baotinh:items") or client.llen("baotinh:items:processing"):
                time.sleep(0.05)
            ingester.terminate()
        else:
            drain_started = time.monotonic()
            ingester = Child(["ingest", "--redis", redis_server.url, "--db", db, "--once"], env,
                             work / f"{label}-ingest.log")
            ingester.wait()
            drain = time.monotonic() - drain_started
        done = time.monotonic()
        redis_cpu = _cpu_of_pid(redis_pid)
        client.close()
    result = {"mode": "distributed", "workers": workers, "ingest": "live" if ingest_live else "after",
              "exit": codes, "served": mirror.served, "span": span,
              "pages_per_s": mirror.served / span if span else 0.0,
              "wall": done - started, "crawl_wall": crawled - started, "articles": _count_articles(db),
              "backlog": backlog, "backlog_mb": round(backlog_bytes / 1e6, 1),
              "cpu": {"workers": round(sum(c.cpu for c in crawlers), 1), "ingester": round(ingester.cpu, 1),
                      "redis": round(redis_cpu, 1), "mirror": round(_self_cpu() - mirror_cpu, 1)}}
    if drain is not None:
        result["drain"] = drain
        result["ingest_per_s"] = backlog / drain if drain else 0.0
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1500)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 3])
    parser.add_argument("--sections", type=int, default=6)
    parser.add_argument("--per-page", type=int, default=50)
    parser.add_argument("--no-single", action="store_true", help="skip the single-machine baseline")
    parser.add_argument("--no-backlog", action="store_true", help="skip the ingest-after runs")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="baotinh-bench-"))
    mirror_dir, registry, _ = generate_site(work / "site", articles=args.articles, sections=args.sections,
                                            per_page=args.per_page)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BAOTINH_SITES": str(registry), "BAOTINH_PROGRESS": "lines"}
    mirror = TimedMirror(SITE, mirror_dir).start()
    results = []
    try:
        if not args.no_single:
            results.append(run_single(mirror, env, work))
        for workers in args.workers:
            results.append(run_distributed(mirror, env, work, workers))
        if not args.no_backlog:
            for workers in args.workers:
                results.append(run_distributed(mirror, env, work, workers, ingest_live=False))
    finally:
        mirror.stop()
    if args.json:
        print(json.dumps(results, indent=1))
    else:
        print(f"{args.articles} articles, {os.cpu_count()} CPU(s); logs in {work}")
        for r in results:
            line = (f"{r['mode']:<15} workers={r['workers']} ingest={r.get('ingest', '-'):<5} "
                    f"{r['served']} pages in {r['span']:.1f} s = {r['pages_per_s']:.0f} pages/s; "
                    f"wall {r['wall']:.1f} s; stored {r['articles']}; CPU s {r['cpu']}")
            if "ingest_per_s" in r:
                line += f"; backlog {r['backlog']} messages ({r['backlog_mb']} MB in Redis) drained in {r['drain']:.1f} s = {r['ingest_per_s']:.0f}/s"
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
