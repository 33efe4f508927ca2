"""Crawl throughput: our full pipeline against a bare Scrapy spider, same site, same run.

    .venv/bin/python benchmarks/crawl.py                       # 5,000 generated articles
    .venv/bin/python benchmarks/crawl.py --articles 500        # quick check
    .venv/bin/python benchmarks/crawl.py --profile             # also profile our crawl (py-spy or cProfile)

The site (benchmarks/sitegen.py) is generated into a temporary directory and served on 127.0.0.1
from a separate process, so the server has its own GIL (and, on two cores, its own core). Then:

  bare  a plain Scrapy spider that follows exactly the links ours follows (the registry entry's
        listing and article patterns, from the listing pages) and yields each article's raw HTML;
        project settings with our pipelines, extension and middlewares taken out (Scrapy's stock
        robots.txt and retry middlewares instead). The floor.
  ours  the registry's spider for the site through crawler.runner.run_crawls (what `baotinh crawl
        SITE --base-url URL --db DB` runs) into a fresh SQLite database: extraction, normalization,
        validation, storage, raw pages, crawl-run record.

Both run in their own child process with the same concurrency (CONCURRENT_REQUESTS and
CONCURRENT_REQUESTS_PER_DOMAIN; no delays, no autothrottle: loopback). Pages per second is
responses / (last response or item - spider opened), taken by a small extension in the child;
CPU seconds per page come from the child's rusage, the server's share from /proc.

`run(n, ...)` returns the figures as a dict for benchmarks/run_all.py.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
# The project first (its `storage` package, not benchmarks/storage.py), then this directory.
if sys.path[0] != str(ROOT):
    sys.path.insert(0, str(ROOT))
if str(BENCH) not in sys.path:
    sys.path.append(str(BENCH))

import sitegen  # noqa: E402

DEFAULT_CONCURRENCY = 32


# -- inside a child crawl process -----------------------------------------------------------------


def _status(field: str) -> int:
    """A /proc/self/status figure in kB (VmRSS, VmHWM)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _runqueue_wait() -> float:
    """Seconds this process's threads have spent runnable but waiting for a CPU (schedstat)."""
    total = 0
    try:
        for task in Path("/proc/self/task").iterdir():
            total += int((task / "schedstat").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        return 0.0
    return total / 1e9


class Clock:
    """Scrapy extension: when the spider opened, the first and last response and item, CPU used;
    written as JSON to BENCH_CLOCK_OUT when the spider closes."""

    def __init__(self, crawler):
        from scrapy import signals

        self.crawler = crawler
        self.out = crawler.settings.get("BENCH_CLOCK_OUT")
        self.t = {"opened": None, "first_response": None, "last_response": None, "last_item": None}
        self.responses = self.items = 0
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.response, signal=signals.response_received)
        crawler.signals.connect(self.item, signal=signals.item_scraped)
        crawler.signals.connect(self.item, signal=signals.item_dropped)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    @staticmethod
    def _cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    def opened(self, spider):
        self.t["opened"] = time.perf_counter()
        self.cpu_opened = self._cpu()
        self.wait_opened = _runqueue_wait()

    def response(self, response, request, spider):
        now = time.perf_counter()
        if self.t["first_response"] is None:
            self.t["first_response"] = now
        self.t["last_response"] = now
        self.responses += 1

    def item(self, item, spider, **kwargs):
        self.t["last_item"] = time.perf_counter()
        self.items += 1

    def closed(self, spider, reason):
        end = max(t for t in (self.t["last_response"], self.t["last_item"], self.t["opened"]) if t is not None)
        cpu_end = self._cpu()
        stats = self.crawler.stats.get_stats()
        data = {
            "reason": reason, "responses": self.responses, "items": self.items,
            "seconds": end - self.t["opened"], "cpu_seconds": cpu_end - self.cpu_opened,
            "cpu_wait_seconds": _runqueue_wait() - self.wait_opened,
            "vm_hwm_kb": _status("VmHWM"), "vm_rss_kb": _status("VmRSS"),
            "stats": {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in stats.items()
                      if isinstance(v, (int, float, str)) or hasattr(v, "isoformat")},
        }
        if self.out:
            Path(self.out).write_text(json.dumps(data, indent=1, default=str), encoding="utf-8")


def _bare_spider_class():
    import scrapy

    class BareSpider(scrapy.Spider):
        """Follows the listing and article links the registry entry names; yields raw HTML."""

        name = "bare"

        def __init__(self, base_url: str, listings: str, article_pattern: str, listing_pattern: str, **kwargs):
            super().__init__(**kwargs)
            self.base_url = base_url.rstrip("/") + "/"
            self.host = urlsplit(self.base_url).netloc
            self.listings = listings.split(",")
            self.article_re = re.compile(article_pattern)
            self.listing_re = re.compile(listing_pattern)

        async def start(self):
            for path in self.listings:
                yield scrapy.Request(self.base_url + path.lstrip("/"), callback=self.parse)

        def parse(self, response):
            for href in response.xpath("//a/@href").getall():
                url = response.urljoin(href.strip())
                parts = urlsplit(url)
                if parts.netloc != self.host:
                    continue
                target = parts.path + (f"?{parts.query}" if parts.query else "")
                if self.article_re.search(target):
                    yield scrapy.Request(url, callback=self.parse_article)
                elif self.listing_re.search(target):
                    yield scrapy.Request(url, callback=self.parse)

        def parse_article(self, response):
            yield {"url": response.url, "html": response.text}

    return BareSpider


def _child_bare(args) -> None:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    from crawler.registry import get_site

    site = get_site(args.site)
    settings = get_project_settings()
    for key, value in {
        "ITEM_PIPELINES": {}, "EXTENSIONS": {"__main__.Clock": 900}, "DOWNLOADER_MIDDLEWARES": {},
        "SPIDER_MODULES": [], "BAOTINH_RAW_PAGES": False, "DOWNLOAD_DELAY": 0, "DOWNLOAD_DELAY_JITTER": 0,
        "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS": args.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": args.concurrency, "BENCH_CLOCK_OUT": args.out,
    }.items():
        settings.set(key, value, priority="cmdline")
    process = CrawlerProcess(settings, install_root_handler=True)
    process.crawl(_bare_spider_class(), base_url=args.base_url, listings=",".join(site.listings),
                  article_pattern=site.article_pattern, listing_pattern=site.listing_pattern)
    process.start()


def _child_ours(args) -> None:
    from crawler.runner import CrawlRequest, run_crawls

    overrides = {
        "CONCURRENT_REQUESTS": args.concurrency, "CONCURRENT_REQUESTS_PER_DOMAIN": args.concurrency,
        "EXTENSIONS": {"crawler.extensions.CrawlRunRecorder": 500, "__main__.Clock": 900},
        "BENCH_CLOCK_OUT": args.out,
    }
    spider_args = {"max_articles": args.max_articles} if args.max_articles else {}
    run_crawls([CrawlRequest(args.site, args.base_url, spider_args)], Path(args.db), overrides=overrides)


def _child_main(argv) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=("child-bare", "child-ours"))
    parser.add_argument("--site", required=True)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY)
    parser.add_argument("--db")
    parser.add_argument("--max-articles", help="ours: the spider's max_articles (a shorter profiled run)")
    parser.add_argument("--cprofile", help="write cProfile stats of the whole crawl here")
    args = parser.parse_args(argv)
    call = _child_bare if args.kind == "child-bare" else _child_ours
    if args.cprofile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
        try:
            call(args)
        finally:
            profiler.disable()
            profiler.dump_stats(args.cprofile)
    else:
        call(args)
    return 0


# -- the parent: set up, run both, compare ----------------------------------------------------------


def crawl_once(kind: str, server: sitegen.SiteServer, workdir: Path, *, registry: Path, concurrency: int,
               tag: str, profile: str | None = None, max_articles: int | None = None) -> dict:
    """One child crawl ("bare" or "ours"); its Clock figures plus the server's CPU meanwhile."""
    out = workdir / f"{tag}.json"
    log = workdir / f"{tag}.log"
    command = [sys.executable, str(Path(__file__).resolve()), f"child-{kind}", "--site", sitegen.SITE,
               "--base-url", server.base_url, "--out", str(out), "--concurrency", str(concurrency)]
    if kind == "ours":
        db = workdir / f"{tag}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        command += ["--db", str(db)]
        if max_articles:
            command += ["--max-articles", str(max_articles)]
    if profile == "cprofile":
        command += ["--cprofile", str(workdir / f"{tag}.prof")]
    env = {**os.environ, "BAOTINH_SITES": str(registry), "BAOTINH_LOG_LEVEL": "INFO", "PYTHONHASHSEED": "0"}
    server_cpu = server.cpu_seconds()
    started = time.perf_counter()
    with open(log, "w") as handle:
        if profile == "py-spy":
            # Every thread, idle samples too: the summary keeps the reactor (main) thread, so
            # shares are of its wall time and "idle" shows how much waiting there was.
            command = [pyspy_path(), "record", "--format", "raw", "--rate", "200", "--idle", "--threads",
                       "--output", str(workdir / f"{tag}.pyspy.txt"), "--", *command]
        done = subprocess.run(command, stdout=handle, stderr=subprocess.STDOUT, cwd=ROOT, env=env)
    wall = time.perf_counter() - started
    if done.returncode != 0 or not out.is_file():
        tail = log.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"{kind} crawl failed (exit {done.returncode}); log tail:\n{tail}")
    data = json.loads(out.read_text(encoding="utf-8"))
    data["server_cpu_seconds"] = server.cpu_seconds() - server_cpu
    data["wall_seconds"] = wall
    data["rate"] = data["responses"] / data["seconds"] if data["seconds"] else 0.0
    data["cpu_ms_per_page"] = 1000 * data["cpu_seconds"] / max(data["responses"], 1)
    data["server_busy"] = data["server_cpu_seconds"] / data["seconds"] if data["seconds"] else 0.0
    data["crawler_busy"] = data["cpu_seconds"] / data["seconds"] if data["seconds"] else 0.0
    data["crawler_cpu_wait"] = data["cpu_wait_seconds"] / data["seconds"] if data["seconds"] else 0.0
    if kind == "ours":
        stats = data["stats"]
        data["stored"] = sum(int(stats.get(f"baotinh/articles/{s}", 0)) for s in ("new", "updated", "unchanged"))
        data.update(database_figures(workdir / f"{tag}.db", data["stored"]))
    return data


def database_figures(db: Path, articles: int) -> dict:
    """Size of the archive the crawl left: bytes per article, and the raw pages' share."""
    import sqlite3

    conn = sqlite3.connect(str(db))
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        raw_stored, raw_length = conn.execute("SELECT sum(length(body)), sum(length) FROM payloads").fetchone()
    except sqlite3.Error:
        raw_stored = raw_length = None
    finally:
        conn.close()
    size = db.stat().st_size
    return {"db_bytes": size, "db_bytes_per_article": size / max(articles, 1),
            "raw_bytes_per_article": (raw_stored or 0) / max(articles, 1),
            "raw_compression": (raw_stored / raw_length) if raw_length else None}


def pyspy_path() -> str | None:
    found = Path(sys.executable).with_name("py-spy")
    return str(found) if found.exists() else shutil.which("py-spy")


def run(n: int = 5000, *, concurrency: int = DEFAULT_CONCURRENCY, server_kind: str = "twisted", repeats: int = 1,
        workdir: str | Path | None = None, site_root: str | Path | None = None, profile: str | None = None,
        profile_articles: int | None = 2000, progress=None) -> dict:
    """Generate n articles (or use site_root, generated by sitegen.generate), serve them, crawl
    them bare and ours (`repeats` times each, order alternating); the best run of each."""
    say = progress or (lambda message: None)
    own_dir = workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="baotinh-crawl-")) if own_dir else Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        if site_root is None:
            say(f"  crawl: generating {n:,} articles")
            site_root = workdir / "site"
            site = sitegen.generate(site_root, n)
        else:
            site = sitegen.describe(site_root)
            if site["articles"] != n:
                raise ValueError(f"{site_root} holds {site['articles']:,} articles, not {n:,}")
        registry = sitegen.registry_file(workdir / "sites.toml")
        runs: dict[str, list[dict]] = {"bare": [], "ours": []}
        with sitegen.SiteServer(site_root, server_kind) as server:
            for r in range(repeats):
                order = ("bare", "ours") if r % 2 == 0 else ("ours", "bare")
                for kind in order:
                    say(f"  crawl: {kind} spider, run {r + 1}/{repeats}")
                    runs[kind].append(crawl_once(kind, server, workdir, registry=registry, concurrency=concurrency,
                                                 tag=f"{kind}-{r}"))
            profiled = None
            if profile:
                limit = min(n, profile_articles) if profile_articles else None
                say(f"  crawl: profiling ours with {profile}" + (f" ({limit:,} articles)" if limit else ""))
                profiled = crawl_once("ours", server, workdir, registry=registry, concurrency=concurrency,
                                      tag="ours-profiled", profile=profile, max_articles=limit)
        bare = max(runs["bare"], key=lambda d: d["rate"])
        ours = max(runs["ours"], key=lambda d: d["rate"])
        result = {
            "articles": n, "pages": site["pages"], "listing_pages": site["listing_pages"],
            "mean_article_bytes": site["mean_article_bytes"], "concurrency": concurrency,
            "server": sitegen.SERVERS[server_kind], "server_kind": server_kind, "repeats": repeats,
            "bare_rate": bare["rate"], "ours_rate": ours["rate"], "ratio": ours["rate"] / bare["rate"],
            "bare_responses": bare["responses"], "ours_responses": ours["responses"],
            "bare_seconds": bare["seconds"], "ours_seconds": ours["seconds"],
            "bare_cpu_ms_per_page": bare["cpu_ms_per_page"], "ours_cpu_ms_per_page": ours["cpu_ms_per_page"],
            "bare_crawler_busy": bare["crawler_busy"], "ours_crawler_busy": ours["crawler_busy"],
            "bare_crawler_cpu_wait": bare["crawler_cpu_wait"], "ours_crawler_cpu_wait": ours["crawler_cpu_wait"],
            "bare_server_busy": bare["server_busy"], "ours_server_busy": ours["server_busy"],
            "bare_peak_rss_mb": bare["vm_hwm_kb"] / 1024, "ours_peak_rss_mb": ours["vm_hwm_kb"] / 1024,
            "ours_stored": ours["stored"], "ours_db_bytes_per_article": ours["db_bytes_per_article"],
            "ours_raw_bytes_per_article": ours["raw_bytes_per_article"], "raw_compression": ours["raw_compression"],
            "all_rates": {k: [round(d["rate"], 1) for d in v] for k, v in runs.items()},
        }
        if profiled is not None:
            result["profile"] = summarize_profile(profile, workdir / "ours-profiled.prof",
                                                  workdir / "ours-profiled.pyspy.txt")
            result["profile"]["articles"] = profiled["stored"]
            result["profile"]["cpu_ms_per_page"] = profiled["cpu_ms_per_page"]
        return result
    finally:
        if own_dir:
            shutil.rmtree(workdir, ignore_errors=True)


# -- profiles -----------------------------------------------------------------------------------


# Our code, top-level entry points first: a sample counts for the first of these found in its stack
# (extract_page and _record run inside parse_article, so they come before it).
COMPONENTS = [
    ("extraction: extract_page", "crawler/extract/__init__.py:extract_page"),
    ("raw page capture: NewsSpider._record -> RawPageWriter.write", "spiders/base.py:NewsSpider._record"),
    ("article callback, the rest: NewsSpider.parse_article", "spiders/base.py:NewsSpider.parse_article"),
    ("listing pages: NewsSpider.parse_listing", "spiders/base.py:NewsSpider.parse_listing"),
    ("normalize: NormalizePipeline -> build_article", "crawler/pipelines.py:NormalizePipeline.process_item"),
    ("validate: ValidatePipeline", "crawler/pipelines.py:ValidatePipeline.process_item"),
    ("store: StorePipeline -> ArticleWriter.write", "crawler/pipelines.py:StorePipeline.process_item"),
    ("our middlewares (crawler/middlewares.py)", "crawler/middlewares.py:"),
    ("crawl-run record (crawler/extensions.py)", "crawler/extensions.py:"),
    ("start: NewsSpider.start (opens the archive)", "spiders/base.py:NewsSpider.start"),
]
_IDLE_LEAVES = ("selectors.py:EpollSelector.select", "selectors.py:PollSelector.select", "threading.py:Condition.wait",
                "threading.py:Event.wait")
_OURS = ("crawler/", "spiders/", "storage/")


def _short(filename: str) -> str:
    for marker in ("/site-packages/", "/work/main/", "/lib/python3.11/", "/lib/python3"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


def _frame(text: str) -> str:
    # py-spy raw frames look like "function (path/to/file.py:123)"
    match = re.match(r"(.*) \((.*?):\d+\)$", text.strip())
    if not match:
        return text.strip()
    return f"{_short(match.group(2))}:{match.group(1)}"


def summarize_profile(kind: str, cprofile_path: Path | None, pyspy_path: Path | None, top: int = 25) -> dict:
    """Hot spots: self time by function, inclusive time of our functions, and the reactor thread's
    time split into our components, Scrapy/Twisted/asyncio machinery and idle."""
    if kind == "cprofile":
        import pstats

        stats = pstats.Stats(str(cprofile_path))
        total = sum(v[2] for v in stats.stats.values())  # tottime
        rows = sorted(stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)[:top]
        self_time = [{"where": f"{_short(f)}:{fn}", "self_share": v[2] / total} for (f, ln, fn), v in rows]
        inclusive = sorted(({"where": f"{_short(f)}:{fn}", "cum_share": v[3] / total}
                            for (f, ln, fn), v in stats.stats.items() if any(p in f for p in _OURS)),
                           key=lambda d: d["cum_share"], reverse=True)[:top]
        components = []
        for label, pattern in COMPONENTS:
            file, _, function = pattern.partition(":")
            cum = [v[3] for (f, ln, fn), v in stats.stats.items()
                   if f.endswith(file) and (not function or fn == function.split(".")[-1])]
            if cum:
                components.append({"component": label, "share": max(cum) / total})
        return {"tool": "cProfile (deterministic; inflates Python-call-heavy code)", "total_seconds": total,
                "self": self_time, "inclusive": inclusive, "components": components}
    own: dict[str, int] = {}
    incl: dict[str, int] = {}
    parts: dict[str, int] = {}
    total = 0
    for line in pyspy_path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        frames = [f for f in stack.split(";") if f]
        if frames and frames[0].startswith("thread ("):
            if not frames[0].endswith("MainThread"):
                continue  # Twisted's thread pool (DNS), idle; the reactor runs on the main thread
            frames = frames[1:]
        count = int(count)
        total += count
        frames = [_frame(f) for f in frames]
        if not frames:
            continue
        leaf = frames[-1]
        if leaf.endswith(_IDLE_LEAVES):
            parts["idle (waiting for I/O or timers)"] = parts.get("idle (waiting for I/O or timers)", 0) + count
            continue
        own[leaf] = own.get(leaf, 0) + count
        for frame in set(frames):
            incl[frame] = incl.get(frame, 0) + count
        joined = ";".join(frames)
        if "<frozen importlib" in joined:
            parts["process start-up: imports"] = parts.get("process start-up: imports", 0) + count
            continue
        for label, pattern in COMPONENTS:
            if pattern in joined:
                break
        else:
            label = "Scrapy, Twisted, asyncio (the machinery the bare spider pays too)"
        parts[label] = parts.get(label, 0) + count
    self_rows = sorted(own.items(), key=lambda kv: kv[1], reverse=True)[:top]
    ours = sorted(((f, c) for f, c in incl.items() if f.startswith(_OURS)), key=lambda kv: kv[1], reverse=True)[:top]
    return {"tool": "py-spy (sampling, 200 Hz, reactor thread)", "samples": total,
            "self": [{"where": f, "self_share": c / total} for f, c in self_rows],
            "inclusive": [{"where": f, "cum_share": c / total} for f, c in ours],
            "components": [{"component": k, "share": v / total}
                           for k, v in sorted(parts.items(), key=lambda kv: kv[1], reverse=True)]}


def report(r: dict) -> str:
    lines = [
        f"site          {r['articles']:,} articles + {r['listing_pages']} listing pages "
        f"(mean article {r['mean_article_bytes'] / 1024:.1f} KB), served by {r['server']}",
        f"concurrency   {r['concurrency']} (CONCURRENT_REQUESTS = CONCURRENT_REQUESTS_PER_DOMAIN), no delays",
        f"bare Scrapy   {r['bare_rate']:.0f} pages/s ({r['bare_responses']:,} responses in {r['bare_seconds']:.1f} s, "
        f"{r['bare_cpu_ms_per_page']:.2f} ms CPU/page, crawler {r['bare_crawler_busy']:.0%} (+{r['bare_crawler_cpu_wait']:.0%} waiting for a CPU) / server "
        f"{r['bare_server_busy']:.0%} of a core)",
        f"ours          {r['ours_rate']:.0f} pages/s ({r['ours_responses']:,} responses in {r['ours_seconds']:.1f} s, "
        f"{r['ours_cpu_ms_per_page']:.2f} ms CPU/page, crawler {r['ours_crawler_busy']:.0%} (+{r['ours_crawler_cpu_wait']:.0%} waiting for a CPU) / server "
        f"{r['ours_server_busy']:.0%} of a core; {r['ours_stored']:,} articles stored)",
        f"ratio         {r['ratio']:.0%} (target >= 80%: {'ok' if r['ratio'] >= 0.8 else 'MISSED'})",
    ]
    if "profile" in r:
        p = r["profile"]
        lines.append(f"profile ({p['tool']}), self time:")
        lines += [f"  {row['self_share']:6.1%}  {row['where']}" for row in p["self"]]
        lines.append("reactor thread by component:")
        lines += [f"  {row['share']:6.1%}  {row['component']}" for row in p["components"]]
        lines.append("inclusive time of our code:")
        lines += [f"  {row['cum_share']:6.1%}  {row['where']}" for row in p["inclusive"]]
    return "\n".join(lines)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0].startswith("child-"):
        return _child_main(argv)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY)
    parser.add_argument("--server", choices=sorted(sitegen.SERVERS), default="twisted")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--profile", nargs="?", const="auto", choices=("auto", "py-spy", "cprofile"),
                        help="also run ours once under a profiler (auto: py-spy when installed, else cProfile)")
    parser.add_argument("--profile-articles", type=int, default=2000,
                        help="articles the profiled crawl stores (default 2000; 0: all)")
    parser.add_argument("--workdir", help="keep the site, logs and databases here")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    profile = args.profile
    if profile == "auto":
        profile = "py-spy" if pyspy_path() else "cprofile"
    result = run(args.articles, concurrency=args.concurrency, server_kind=args.server, repeats=args.repeats,
                 workdir=args.workdir, profile=profile, profile_articles=args.profile_articles or None,
                 progress=lambda m: print(m, file=sys.stderr, flush=True))
    print(json.dumps(result, indent=1) if args.json else report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
