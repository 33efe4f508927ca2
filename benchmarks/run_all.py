"""Every benchmark side by side with what people would use, in one run: benchmarks/RESULTS.md.

    make bench                                   # the full run (about 10 minutes on 2 cores)
    .venv/bin/python benchmarks/run_all.py       # the same
    .venv/bin/python benchmarks/run_all.py --quick            # smoke run, < 1 min, prints the table
    .venv/bin/python benchmarks/run_all.py --only crawl,extraction --profile none

Parts (each module also runs alone and has run(...) -> dict):

  crawl       benchmarks/crawl.py       our full crawl vs a bare Scrapy spider, generated site of 5,000 articles
  extraction  benchmarks/extraction.py  extract_page + build_article vs trafilatura vs a bare parse
  dates       benchmarks/dates.py       parse_date vs dateparser (run() as it is)
  storage     benchmarks/storage.py     ArticleWriter vs SQLite alone, search latency (run(n) as it is)
  memory      benchmarks/memory.py      peak RSS of a --jobdir crawl of 20,000 articles at 1/4, 1/2, all

A claim holds only as a ratio measured in the same run on the same machine: every row of the
table compares two figures taken minutes apart under the same load. RESULTS.md is written by this
script (never by hand) with the machine, its load, the date and how long the run took.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from datetime import datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
# The project first (its `storage` package, not benchmarks/storage.py), then this directory.
if sys.path[0] != str(ROOT):
    sys.path.insert(0, str(ROOT))
if str(BENCH) not in sys.path:
    sys.path.append(str(BENCH))

import sitegen  # noqa: E402

PARTS = ("dates", "storage", "extraction", "crawl", "memory")
RESULTS = BENCH / "RESULTS.md"

# Full sizes fit 15 minutes on 2 cores even while other work shares the machine (load ~5): the
# storage benchmark's own default of 100,000 articles alone takes 3-4 minutes there, so it runs
# at 50,000 (--storage-articles 100000 for the full figure).
FULL = {"crawl_articles": 5000, "memory_articles": 20000, "storage_articles": 50000, "storage_single": 2000,
        "extract_sample": 200, "extract_repeats": 5, "real_repeats": 9, "repeats": 1, "profile_articles": 2000}
QUICK = {"crawl_articles": 300, "memory_articles": 400, "storage_articles": 2000, "storage_single": 200,
         "extract_sample": 20, "extract_repeats": 2, "real_repeats": 2, "repeats": 1, "profile_articles": 0}


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def machine() -> dict:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "?"
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kb / 1024 / 1024:.0f} GB"
    except (OSError, ValueError, IndexError):
        pass
    versions = {}
    for name in ("scrapy", "lxml", "parsel", "trafilatura", "dateparser", "sqlite_utils", "twisted"):
        try:
            from importlib.metadata import version

            versions[name] = version(name)
        except Exception:  # noqa: BLE001 - a missing package is reported as such
            versions[name] = "not installed"
    import sqlite3

    versions["sqlite"] = sqlite3.sqlite_version
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                cwd=ROOT).stdout.strip()
    except OSError:
        commit = "?"
    return {"cores": os.cpu_count(), "cpu": cpu, "memory": memory, "python": platform.python_version(),
            "platform": platform.platform(terse=True), "versions": versions, "commit": commit or "?"}


def _load(name: str):
    """A colleague's benchmark module by path, under a name that shadows nothing."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def run_parts(parts, sizes: dict, *, concurrency: int, server: str, profile: str | None, workdir: Path) -> dict:
    results: dict[str, dict] = {}
    site_root = None

    def shared_site() -> Path:
        nonlocal site_root
        if site_root is None:
            site_root = workdir / "site"
            say(f"generating the benchmark site: {sizes['crawl_articles']:,} articles")
            results.setdefault("_site", {}).update(sitegen.generate(site_root, sizes["crawl_articles"]))
        return site_root

    for part in parts:
        say(f"== {part}  (load average {loadavg()})")
        started = time.perf_counter()
        load_before = loadavg()
        try:
            if part == "dates":
                dates = _load("dates")

                figures = dates.run()
                figures["parse_date_misses"] = len(figures.get("parse_date_misses") or [])
            elif part == "storage":
                storage_bench = _load("storage")  # benchmarks/storage.py; `storage` is the project's package

                figures = storage_bench.run(sizes["storage_articles"], single=sizes["storage_single"],
                                            workdir=workdir / "storage", progress=say)
            elif part == "extraction":
                import extraction

                figures = extraction.run(site_root=shared_site(), sample=sizes["extract_sample"],
                                         repeats=sizes["extract_repeats"], real_repeats=sizes["real_repeats"],
                                         progress=say)
            elif part == "crawl":
                import crawl

                figures = crawl.run(sizes["crawl_articles"], concurrency=concurrency, server_kind=server,
                                    repeats=sizes["repeats"], workdir=workdir / "crawl", site_root=shared_site(),
                                    profile=profile if sizes["profile_articles"] else None,
                                    profile_articles=sizes["profile_articles"], progress=say)
            elif part == "memory":
                import memory

                figures = memory.run(sizes["memory_articles"], workdir=workdir / "memory", server_kind=server,
                                     progress=say)
            else:
                raise ValueError(part)
        except Exception as exc:  # noqa: BLE001 - one broken part must not hide the others' figures
            traceback.print_exc()
            figures = {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"}
        figures["_seconds"] = time.perf_counter() - started
        figures["_load"] = f"{load_before} -> {loadavg()}"
        results[part] = figures
        say(f"   {part}: {figures['_seconds']:.0f} s")
    return results


# -- the table --------------------------------------------------------------------------------


def _verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("met" if ok else "**missed**")


def _kb(size: int) -> str:
    return f"{size / 1024:.0f} KB"


def table(results: dict, info: dict, sizes: dict, *, total: float, quick: bool, started: datetime,
          concurrency: int) -> str:
    rows: list[tuple[str, str, str, str, str, str]] = []
    notes: list[str] = []
    out = []

    def failed(part: str) -> bool:
        if part in results and "error" in results[part]:
            rows.append((part, "failed", "", "", "", f"`{results[part]['error']}`"))
            return True
        return part not in results

    if not failed("crawl"):
        c = results["crawl"]
        rows.append((f"Crawl, {c['articles']:,} generated articles ({c['pages']:,} pages)",
                     f"{c['ours_rate']:.0f} pages/s", f"bare Scrapy spider {c['bare_rate']:.0f} pages/s",
                     f"{c['ratio']:.0%}", "≥ 80%", _verdict(c["ratio"] >= 0.8)))
        rows.append(("Crawl, CPU per page (crawler process)", f"{c['ours_cpu_ms_per_page']:.2f} ms",
                     f"bare {c['bare_cpu_ms_per_page']:.2f} ms",
                     f"{c['ours_cpu_ms_per_page'] / c['bare_cpu_ms_per_page']:.1f}×", "", ""))
        cpu_ratio = c["bare_cpu_ms_per_page"] / c["ours_cpu_ms_per_page"]
        rows.append(("Crawl, rate with a core to itself (1000 ÷ CPU ms per page; both crawls are CPU-bound)",
                     f"{1000 / c['ours_cpu_ms_per_page']:.0f} pages/s",
                     f"bare {1000 / c['bare_cpu_ms_per_page']:.0f} pages/s", f"{cpu_ratio:.0%}", "≥ 80%",
                     _verdict(cpu_ratio >= 0.8)))
        rows.append(("Crawl, peak RSS", f"{c['ours_peak_rss_mb']:.0f} MB", f"bare {c['bare_peak_rss_mb']:.0f} MB",
                     f"{c['ours_peak_rss_mb'] / c['bare_peak_rss_mb']:.1f}×", "", ""))
        rows.append(("Crawl, archive size per article (SQLite, raw pages included)",
                     f"{c['ours_db_bytes_per_article'] / 1024:.1f} KB",
                     f"of which raw pages {c['ours_raw_bytes_per_article'] / 1024:.1f} KB (zlib, "
                     f"{c['raw_compression']:.0%} of the HTML)" if c.get("raw_compression") else "", "", "", ""))
        if c["ours_stored"] != c["articles"]:
            notes.append(f"The crawl stored {c['ours_stored']:,} of {c['articles']:,} articles.")
    if not failed("extraction"):
        e = results["extraction"]
        g = e["generated"]
        if not g.get("trafilatura"):
            rows.append(("Extraction against trafilatura", "", "trafilatura not installed: no comparison "
                         "(pip install trafilatura)", "", "≥ 5× faster", "—"))
        if g.get("trafilatura"):
            rows.append((f"Extraction, generated pages ({e['generated_pages']}, {_kb(e['generated_mean_bytes'])} mean), "
                         "median CPU", f"{g['ours']:.2f} ms", f"trafilatura {g['trafilatura']:.2f} ms",
                         f"{g['trafilatura'] / g['ours']:.1f}× faster", "≥ 5× faster",
                         _verdict(g["trafilatura"] / g["ours"] >= 5)))
        rows.append(("Extraction, generated pages, vs parsing alone", f"{g['ours']:.2f} ms",
                     f"parsel Selector {g['parse']:.2f} ms", f"{g['ours'] / g['parse']:.1f}× the parse", "", ""))
        if e.get("real"):
            m = e["real_median"]
            if m.get("trafilatura"):
                rows.append((f"Extraction, real pages ({len(e['real'])}), median CPU", f"{m['ours']:.2f} ms",
                             f"trafilatura {m['trafilatura']:.2f} ms", f"{m['trafilatura'] / m['ours']:.1f}× faster",
                             "≥ 5× faster", _verdict(m["trafilatura"] / m["ours"] >= 5)))
            for label, row, target in (("closest to 230 KB", e["closest_230k"], 15.0), ("largest", e["largest"], None)):
                traf = row.get("trafilatura_ms")
                rows.append((f"Extraction, real page {label}: `{row['file']}` ({_kb(row['bytes'])})",
                             f"{row['ours_ms']:.2f} ms",
                             (f"trafilatura {traf:.2f} ms, parse {row['parse_ms']:.2f} ms" if traf
                              else f"parse {row['parse_ms']:.2f} ms"),
                             f"{traf / row['ours_ms']:.1f}× faster" if traf else "",
                             "≤ 15 ms" if target else "", _verdict(row["ours_ms"] <= target) if target else ""))
            checks = e["real_checks"]
            rows.append((f"Extraction, real articles right (title, day, body start; of {e['real_articles_checked']})",
                         "/".join(str(v) for v in checks["ours"].values()),
                         ("trafilatura " + "/".join(str(v) for v in checks["trafilatura"].values()))
                         if "trafilatura" in checks else "", "", "", ""))
    if not failed("dates"):
        d = results["dates"]
        theirs = (f"dateparser {d['dateparser_median_us']:.0f} µs, {d['dateparser_correct']}/{d['rows']} right"
                  if d.get("dateparser_median_us") else "dateparser not installed")
        rows.append((f"Dates, {d['rows']} strings of tests/test_dates.py, median per string",
                     f"{d['parse_date_median_us']:.0f} µs, {d['parse_date_correct']}/{d['rows']} right", theirs,
                     f"{d['speed_ratio']:.0f}× faster" if d.get("speed_ratio") else "", "", ""))
    if not failed("storage"):
        s = results["storage"]
        rows.append((f"Storage ingest, {s['articles']:,} articles (batches of {s['batch']})",
                     f"{s['writer_rate']:,} articles/s", f"SQLite alone {s['floor_rate']:,} articles/s",
                     f"{s['ratio']:.0%}", "≥ 80%", _verdict(s["ratio"] >= 0.8)))
        rows.append(("Storage, one article per commit (the crawl's StorePipeline)", f"{s['write_one_rate']:,} articles/s",
                     f"recrawl, unchanged {s['unchanged_rate']:,} articles/s", "", "", ""))
        at_100k = s["articles"] >= 100_000
        rows.append((f"Search, selective phrase, median ({s['articles']:,} articles)", f"{s['selective_ms']} ms",
                     f"broad {s['broad_ms']} ms, prefix OR {s['prefix_ms']} ms", "", "≤ 20 ms at 100k",
                     _verdict(s["selective_ms"] <= 20) if at_100k else "— (not at 100k)"))
    if not failed("memory"):
        mem = results["memory"]
        peaks = []
        for mark in mem["marks"]:
            at = mem["at"].get(str(mark))
            peaks.append(f"{mark:,}: {at['peak_mb']:.0f} MB" if at else f"{mark:,}: not reached")
        flat = mem["growth_mb"] <= max(20.0, 0.1 * mem["peak_mb"])
        rows.append((f"Memory, peak RSS of `{mem['command']}`" + ("" if mem["jobdir"] else " (no --jobdir in tree)"),
                     "; ".join(peaks), "", f"{mem['growth_mb']:+.0f} MB first → last",
                     "≤ 300 MB, flat", _verdict(mem["peak_mb"] <= 300 and flat)))

    when = started.astimezone().strftime("%Y-%m-%d %H:%M %Z")
    v = info["versions"]
    out.append("# Benchmark results\n")
    out.append("Written by `make bench` (`benchmarks/run_all.py`); do not edit by hand. "
               "Every ratio compares two figures measured in this one run on this machine.\n")
    out.append(f"- **Date:** {when}{' — QUICK smoke run, small sizes: not the figures to quote' if quick else ''}")
    out.append(f"- **Machine:** {info['cores']} cores ({info['cpu']}), {info['memory']} RAM, {info['platform']}, "
               f"Python {info['python']}")
    out.append(f"- **Versions:** Scrapy {v['scrapy']}, Twisted {v['twisted']}, lxml {v['lxml']}, parsel {v['parsel']}, "
               f"trafilatura {v['trafilatura']}, dateparser {v['dateparser']}, SQLite {v['sqlite']}; "
               f"repository at {info['commit']} (plus uncommitted work of the day)")
    spent = ", ".join(f"{p} {r['_seconds']:.0f} s" for p, r in results.items() if not p.startswith("_"))
    out.append(f"- **Total time:** {total / 60:.1f} min ({spent})")
    loads = "; ".join(f"{p} {r['_load']}" for p, r in results.items() if not p.startswith("_"))
    out.append(f"- **Load average** (1/5/15 min, before → after each part): {loads}. The machine is shared with other "
               "work; a load above the core count slows both sides of a comparison alike, not the ratio.\n")
    out.append("| Benchmark | Ours | Compared with | Ratio | Target | Verdict |")
    out.append("| --- | --- | --- | --- | --- | --- |")
    for row in rows:
        out.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    out.append("")
    if notes:
        out += [f"> {n}" for n in notes] + [""]

    # -- details --
    if "crawl" in results and "error" not in results["crawl"]:
        c = results["crawl"]
        out.append("## Crawl\n")
        out.append(f"Generated site: {c['articles']:,} articles (mean {_kb(c['mean_article_bytes'])}, article-cms layout "
                   f"of tests/fixtures/baolaocai) and {c['listing_pages']} listing pages, served on 127.0.0.1 by "
                   f"{c['server']}. Both spiders run in their own process with CONCURRENT_REQUESTS = "
                   f"CONCURRENT_REQUESTS_PER_DOMAIN = {c['concurrency']}, no delay, no autothrottle, robots.txt obeyed; "
                   "the bare spider has no pipelines, no extension and Scrapy's stock middlewares. Pages/s = responses "
                   "÷ (last response or item − spider opened).\n")
        out.append("| | pages | seconds | pages/s | CPU ms/page | crawler on a CPU | crawler waiting for a CPU "
                   "| server on a CPU | peak RSS |")
        out.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for kind, label in (("bare", "bare Scrapy spider"), ("ours", "ours (full pipeline into SQLite)")):
            out.append(f"| {label} | {c[f'{kind}_responses']:,} | {c[f'{kind}_seconds']:.1f} | {c[f'{kind}_rate']:.0f} | "
                       f"{c[f'{kind}_cpu_ms_per_page']:.2f} | {c[f'{kind}_crawler_busy']:.0%} | "
                       f"{c[f'{kind}_crawler_cpu_wait']:.0%} | "
                       f"{c[f'{kind}_server_busy']:.0%} | {c[f'{kind}_peak_rss_mb']:.0f} MB |")
        out.append("")
        out.append("Shares are of the crawl's wall time: on a CPU (rusage), runnable but waiting for one "
                   "(/proc schedstat: other work on the machine), server process on a CPU (/proc stat).")
        bound = min(c["bare_crawler_busy"] + c["bare_crawler_cpu_wait"], c["ours_crawler_busy"] + c["ours_crawler_cpu_wait"])
        if c["bare_server_busy"] < 0.5 and bound >= 0.8:
            out.append(f"The server is not the bottleneck (it was on a CPU {c['bare_server_busy']:.0%} of the bare crawl); "
                       "both crawler processes were running or ready to run most of the time, i.e. CPU-bound, so "
                       "the ratio of pages/s follows the ratio of CPU per page.\n")
        elif c["bare_server_busy"] >= 0.5:
            out.append(f"**The server may limit the bare spider** (on a CPU {c['bare_server_busy']:.0%} of the time).\n")
        else:
            out.append("**The crawler processes were idle part of the time** (neither on a CPU nor waiting for one): "
                       "something other than CPU limited the rate.\n")
        budget = c["bare_cpu_ms_per_page"] / 0.8
        out.append(f"At 80% of the bare spider's rate, a CPU-bound crawl may spend {budget:.2f} ms of CPU per page: "
                   f"{budget - c['bare_cpu_ms_per_page']:.2f} ms on top of what Scrapy itself costs. Ours spends "
                   f"{c['ours_cpu_ms_per_page'] - c['bare_cpu_ms_per_page']:.2f} ms on top"
                   + (" (the profile below says where)." if c.get("profile") else ".") + "\n")
        if c.get("all_rates") and c["repeats"] > 1:
            out.append(f"Every run (pages/s): {json.dumps(c['all_rates'])}; the table shows the best of each.\n")
        if c.get("profile"):
            p = c["profile"]
            out.append(f"### Where our crawl's time goes\n")
            out.append(f"{p['tool']}; a crawl of the same site stopped at {p['articles']:,} articles "
                       f"({p['cpu_ms_per_page']:.2f} ms CPU/page under the profiler). Shares of the reactor thread's "
                       "samples; a sample counts for the first of our entry points in its stack.\n")
            out.append("| share | component |")
            out.append("| --- | --- |")
            out += [f"| {row['share']:.1%} | {row['component']} |" for row in p.get("components", [])]
            out.append("")
            out.append("| self time | function |")
            out.append("| --- | --- |")
            out += [f"| {row['self_share']:.1%} | `{row['where']}` |" for row in p["self"][:20]]
            out.append("")
            out.append("| inclusive | our function |")
            out.append("| --- | --- |")
            out += [f"| {row['cum_share']:.1%} | `{row['where']}` |" for row in p["inclusive"][:20]]
            out.append("")
    if "extraction" in results and "error" not in results["extraction"] and results["extraction"].get("real"):
        e = results["extraction"]
        out.append("## Extraction, real pages\n")
        out.append(f"`../shared/realpages`, read in place; median of {e['real_repeats']} runs a page, in CPU time of "
                   "the thread (single-threaded, no I/O: wall time on an idle machine); ours = "
                   "`extract_page` + `build_article` (the registry entry of the URL's domain, as `baotinh extract` "
                   f"uses), trafilatura {e['trafilatura_version'] or '(not installed)'} = `bare_extraction(body, url=URL, "
                   "with_metadata=True)`, parse = `parsel.Selector(body=body)`. Generated pages: "
                   f"{e['generated_pages']} sampled from the crawl's site, median of {e['repeats']} runs a page.\n")
        out.append("| page | kind | size | ours ms | trafilatura ms | parse ms | ours faster by |")
        out.append("| --- | --- | --- | --- | --- | --- | --- |")
        for row in sorted(e["real"], key=lambda r: r["bytes"]):
            traf = row.get("trafilatura_ms")
            traf_ms = f"{traf:.2f}" if traf else "—"
            faster = f"{traf / row['ours_ms']:.1f}×" if traf else "—"
            out.append(f"| `{row['file']}` | {row['kind']} | {_kb(row['bytes'])} | {row['ours_ms']:.2f} | "
                       f"{traf_ms} | {row['parse_ms']:.2f} | {faster} |")
        out.append("")
    if "storage" in results and "error" not in results["storage"]:
        s = results["storage"]
        out.append("## Storage (benchmarks/storage.py `run(n)`)\n")
        out.append(f"n = {s['articles']:,} (`--storage-articles`; 100,000 is the storage benchmark's own default, "
                   f"{'used here' if s['articles'] >= 100_000 else 'smaller here to keep `make bench` under 15 minutes'}).\n")
        out.append("| figure | value |")
        out.append("| --- | --- |")
        for key, value in s.items():
            if not key.startswith("_"):
                out.append(f"| {key} | {value:,} |" if isinstance(value, int) else f"| {key} | {value} |")
        out.append("")
    if "memory" in results and "error" not in results["memory"]:
        mem = results["memory"]
        out.append("## Memory\n")
        out.append(f"`{mem['command']}` of {mem['articles']:,} generated articles ({mem['stored']:,} stored in "
                   f"{mem['seconds']:.0f} s; job marker finished: {mem['job_finished']}), served by {mem['server']}. "
                   "RSS read from /proc/PID/status (VmHWM = peak so far) every 0.1 s, the stored count from the "
                   "database every 0.5 s.\n")
        if mem.get("bytes_per_article") is not None:
            out.append(f"Between the last two marks the peak grew by {mem['bytes_per_article']:.0f} bytes per stored "
                       "article (the crawl's per-URL state: requested, known, seen-on-listing sets).\n")
        out.append("| stored | peak RSS (VmHWM) | RSS then | seconds |")
        out.append("| --- | --- | --- | --- |")
        for mark in mem["marks"]:
            at = mem["at"].get(str(mark))
            if at:
                out.append(f"| {mark:,} | {at['peak_mb']:.1f} MB | {at['rss_mb']:.1f} MB | {at['seconds']:.0f} |")
        out.append("")
    out.append("Sizes: " + ", ".join(f"{k} {v:,}" for k, v in sizes.items()) + f", crawl concurrency {concurrency}.")
    return "\n".join(out) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (< 1 min): a smoke run; prints the table "
                        "and writes RESULTS.md only with --out")
    parser.add_argument("--only", help=f"comma-separated parts ({', '.join(PARTS)})")
    parser.add_argument("--out", help=f"write the Markdown here (default {RESULTS.relative_to(ROOT)} for a full run)")
    parser.add_argument("--crawl-articles", type=int)
    parser.add_argument("--memory-articles", type=int)
    parser.add_argument("--storage-articles", type=int, help="n for benchmarks/storage.py run(n) (full run: 50,000)")
    parser.add_argument("--repeats", type=int, help="crawl runs of each spider, alternating (best is reported)")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--server", choices=sorted(sitegen.SERVERS), default="twisted")
    parser.add_argument("--profile", default="auto", choices=("auto", "py-spy", "cprofile", "none"),
                        help="profiler for one extra crawl of ours, stopped at 2,000 articles (auto: py-spy if "
                        "installed, else cProfile; none: skip; quick runs skip it)")
    parser.add_argument("--workdir", help="keep generated sites, logs and databases here (default: temp, removed)")
    args = parser.parse_args(argv)

    sizes = dict(QUICK if args.quick else FULL)
    for key in ("crawl_articles", "memory_articles", "storage_articles", "repeats"):
        if getattr(args, key) is not None:
            sizes[key] = getattr(args, key)
    parts = [p.strip() for p in args.only.split(",")] if args.only else list(PARTS)
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        parser.error(f"unknown part(s) {', '.join(unknown)}; parts: {', '.join(PARTS)}")
    profile = None if args.profile == "none" else args.profile
    if profile == "auto":
        profile = "py-spy" if (shutil.which("py-spy") or Path(sys.executable).with_name("py-spy").exists()) else "cprofile"
    if profile is None:
        sizes["profile_articles"] = 0

    started_at = datetime.now()
    started = time.perf_counter()
    own_dir = args.workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="baotinh-bench-")) if own_dir else Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        results = run_parts(parts, sizes, concurrency=args.concurrency, server=args.server, profile=profile,
                            workdir=workdir)
    finally:
        if own_dir:
            shutil.rmtree(workdir, ignore_errors=True)
    total = time.perf_counter() - started
    text = table(results, machine(), sizes, total=total, quick=args.quick, started=started_at,
                 concurrency=args.concurrency)
    out = Path(args.out) if args.out else (None if args.quick or args.only else RESULTS)
    if out is not None:
        out.write_text(text, encoding="utf-8")
        say(f"wrote {out}")
    print(text)
    say(f"benchmarks took {total / 60:.1f} min")
    return 1 if any("error" in r for p, r in results.items() if not p.startswith("_")) else 0


if __name__ == "__main__":
    sys.exit(main())
