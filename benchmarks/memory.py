"""Memory: peak RSS of a resumable (`--jobdir`) crawl as the archive grows.

    .venv/bin/python benchmarks/memory.py                      # 20,000 generated articles
    .venv/bin/python benchmarks/memory.py --articles 2000      # quick check

The generated site (benchmarks/sitegen.py) is served from its own process on 127.0.0.1 and crawled
by the real command, `baotinh crawl SITE --base-url URL --db DB --jobdir DIR` (a one-site registry
through BAOTINH_SITES; the loopback mirror has no delays, concurrency as the command sets it).
While it runs, the crawl process's /proc/<pid>/status is read every SAMPLE_S seconds (VmRSS, and
VmHWM, the kernel's own peak), and the articles table is counted (read-only SQLite, WAL) every
COUNT_S seconds: when the stored count passes each mark, the peak so far and the current RSS
are recorded. Flat means the peak at the last mark is close to the peak at the first.

If `baotinh crawl` has no --jobdir (older tree), the crawl runs without it and says so.

`run(n, marks)` returns the figures as a dict for benchmarks/run_all.py.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
# The project first (its `storage` package, not benchmarks/storage.py), then this directory.
if sys.path[0] != str(ROOT):
    sys.path.insert(0, str(ROOT))
if str(BENCH) not in sys.path:
    sys.path.append(str(BENCH))

import sitegen  # noqa: E402

SAMPLE_S = 0.1
COUNT_S = 0.5
TARGET_MB = 300


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process in kB ({} once it is gone)."""
    found = {}
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    name, value = line.split(":", 1)
                    found[name] = int(value.split()[0])
    except OSError:
        return {}
    return found


def baotinh_command() -> list[str]:
    script = Path(sys.executable).with_name("baotinh")
    return [str(script)] if script.exists() else [sys.executable, "-m", "crawler.cli"]


def has_jobdir() -> bool:
    done = subprocess.run([*baotinh_command(), "crawl", "--help"], capture_output=True, text=True, cwd=ROOT)
    return "--jobdir" in done.stdout


def stored_count(db: Path) -> int | None:
    if not db.exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.2)
        try:
            return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return None  # not migrated yet, or busy: try again at the next tick


def run(n: int = 20_000, marks: tuple[int, ...] | None = None, *, workdir: str | Path | None = None,
        server_kind: str = "twisted", site_root: str | Path | None = None, progress=None) -> dict:
    say = progress or (lambda message: None)
    marks = tuple(sorted(marks or (n // 4, n // 2, n)))
    own_dir = workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="baotinh-memory-")) if own_dir else Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        if site_root is None:
            say(f"  memory: generating {n:,} articles")
            site_root = workdir / "site"
            sitegen.generate(site_root, n)
        registry = sitegen.registry_file(workdir / "memory-sites.toml")
        db = workdir / "memory.db"
        jobdir = workdir / "job"
        jobdir_supported = has_jobdir()
        with sitegen.SiteServer(site_root, server_kind) as server:
            command = [*baotinh_command(), "crawl", sitegen.SITE, "--base-url", server.base_url, "--db", str(db)]
            if jobdir_supported:
                command += ["--jobdir", str(jobdir)]
            env = {**os.environ, "BAOTINH_SITES": str(registry), "BAOTINH_LOG_LEVEL": "INFO"}
            say(f"  memory: {' '.join(command[1:3])} … ({'with' if jobdir_supported else 'WITHOUT'} --jobdir)")
            log = workdir / "memory-crawl.log"
            started = time.perf_counter()
            samples: list[tuple[float, int, int, int | None]] = []   # (t, rss kB, hwm kB, stored)
            reached: dict[int, dict] = {}
            with open(log, "w") as handle:
                process = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT, cwd=ROOT, env=env)
                count, next_count, last = None, 0.0, {}
                while process.poll() is None:
                    now = time.perf_counter() - started
                    status = proc_status(process.pid)
                    if status:
                        last = status
                    if now >= next_count:
                        next_count = now + COUNT_S
                        count = stored_count(db)
                        if count is not None:
                            for mark in marks:
                                if count >= mark and mark not in reached and last:
                                    reached[mark] = {"stored": count, "seconds": now, "peak_mb": last["VmHWM"] / 1024,
                                                     "rss_mb": last["VmRSS"] / 1024}
                                    say(f"  memory: {count:,} stored, peak {last['VmHWM'] / 1024:.0f} MB")
                    if status:
                        samples.append((now, status["VmRSS"], status["VmHWM"], count))
                    time.sleep(SAMPLE_S)
                elapsed = time.perf_counter() - started
            final_count = stored_count(db) or 0
            final_peak = max((s[2] for s in samples), default=0) / 1024
            for mark in marks:
                # a mark passed between the last count and the exit: the process's final peak
                if mark not in reached and final_count >= mark:
                    reached[mark] = {"stored": final_count, "seconds": elapsed, "peak_mb": final_peak,
                                     "rss_mb": samples[-1][1] / 1024 if samples else 0, "at_exit": True}
        marker = jobdir / "baotinh-job.json"
        job = json.loads(marker.read_text(encoding="utf-8")) if marker.is_file() else None
        if process.returncode != 0:
            tail = log.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"the memory crawl failed (exit {process.returncode}); log tail:\n{tail}")
        peaks = [reached[m]["peak_mb"] for m in marks if m in reached]
        # What each further article costs, from the last two marks (past the start-up growth).
        slope = None
        if len(marks) > 1 and all(m in reached for m in marks[-2:]):
            a, b = reached[marks[-2]], reached[marks[-1]]
            if b["stored"] > a["stored"]:
                slope = (b["peak_mb"] - a["peak_mb"]) * 1024 * 1024 / (b["stored"] - a["stored"])
        return {
            "bytes_per_article": slope,
            "articles": n, "marks": list(marks), "at": {str(m): reached.get(m) for m in marks},
            "stored": final_count, "seconds": elapsed, "peak_mb": final_peak,
            "growth_mb": (peaks[-1] - peaks[0]) if len(peaks) > 1 else 0.0,
            "jobdir": jobdir_supported, "job_finished": bool(job and job.get("finished_at")),
            "server": server.description, "command": "baotinh crawl SITE --base-url URL --db DB"
            + (" --jobdir DIR" if jobdir_supported else ""), "samples": len(samples),
        }
    finally:
        if own_dir:
            shutil.rmtree(workdir, ignore_errors=True)


def report(r: dict) -> str:
    lines = [f"{r['command']}: {r['stored']:,} of {r['articles']:,} articles stored in {r['seconds']:.0f} s"
             + ("" if r["jobdir"] else " (NO --jobdir in this tree: measured without it)")]
    for mark in r["marks"]:
        at = r["at"].get(str(mark))
        if at:
            lines.append(f"  at {mark:>7,} stored: peak RSS {at['peak_mb']:6.1f} MB, current {at['rss_mb']:6.1f} MB "
                         f"({at['seconds']:.0f} s)")
        else:
            lines.append(f"  at {mark:>7,} stored: not reached")
    lines.append(f"peak {r['peak_mb']:.1f} MB (target <= {TARGET_MB} MB: {'ok' if r['peak_mb'] <= TARGET_MB else 'MISSED'}), "
                 f"growth first->last mark {r['growth_mb']:+.1f} MB"
                 + (f", {r['bytes_per_article']:.0f} bytes per further article" if r.get("bytes_per_article") is not None
                    else ""))
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--marks", help="comma-separated stored counts (default: n/4, n/2, n)")
    parser.add_argument("--server", choices=sorted(sitegen.SERVERS), default="twisted")
    parser.add_argument("--workdir")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    marks = tuple(int(m) for m in args.marks.split(",")) if args.marks else None
    result = run(args.articles, marks, workdir=args.workdir, server_kind=args.server,
                 progress=lambda m: print(m, file=sys.stderr, flush=True))
    print(json.dumps(result, indent=1) if args.json else report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
