"""Extraction: our extractor against trafilatura and a bare parse, page by page, same run.

    .venv/bin/python benchmarks/extraction.py                  # 200 generated pages + the real pages
    .venv/bin/python benchmarks/extraction.py --sample 30 --repeats 3

Three ways through the same bytes, interleaved page by page (the order rotates, so none always
runs first on a warm cache):

  ours         crawler.extract.extract_page + crawler.article.build_article: what the crawl does to
               an article page before storing it (raw fields, then dates, bylines, NFC text)
  trafilatura  trafilatura.bare_extraction(body, url=URL, with_metadata=True): its defaults otherwise
               (balanced mode with fallbacks, output_format "python", no dedup cache)
  parse only   parsel.Selector(body=body): the lxml tree and nothing else, the floor

Pages: a sample of the generated site (benchmarks/sitegen.py, article-cms layout) and every HTML
page of ../shared/realpages (real saved pages of provincial and national papers, articles and
listings; read in place, never copied; the .gz copies are the same pages and are skipped). A page's
time is the median of `repeats` runs, in CPU time of the thread (the machine may be shared; see
_time_page); a corpus's figure is the median over its pages. For real
article pages, truth.jsonl there says what the right title, day and opening words are, so the
speed figures come with how many of them each extractor got right.

`run(...)` returns the figures as a dict for benchmarks/run_all.py.
"""
from __future__ import annotations

import argparse
import csv
import json
import random
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
# The project first (its `storage` package, not benchmarks/storage.py), then this directory.
if sys.path[0] != str(ROOT):
    sys.path.insert(0, str(ROOT))
if str(BENCH) not in sys.path:
    sys.path.append(str(BENCH))

import sitegen  # noqa: E402

REALPAGES = ROOT.parent / "shared" / "realpages"
TARGET_BYTES = 230 * 1024


def _ours():
    from crawler.article import build_article
    from crawler.clock import now_vn
    from crawler.extract import extract_page

    fetched_at = now_vn()

    def extract(body: bytes, url: str, site):
        raw = extract_page(body, url, site=site)
        item, _problems = build_article(raw, url=url, site=site, fetched_at=fetched_at)
        return item

    return extract


def _trafilatura():
    try:
        import trafilatura
        from trafilatura import bare_extraction
    except ImportError:
        return None, None

    def extract(body: bytes, url: str, site):
        return bare_extraction(body, url=url, with_metadata=True)

    return extract, trafilatura.__version__


def _parse_only(body: bytes, url: str, site):
    from parsel import Selector

    return Selector(body=body, encoding="utf-8")


def _time_page(functions: dict, body: bytes, url: str, site, repeats: int, rotation: int) -> dict[str, float]:
    """Median CPU ms (this thread's) of each function on one page; the order rotates per repeat.

    CPU time of the calling thread, not wall time: the work is single-threaded and does no I/O,
    so on an idle machine the two are the same, and on a shared one CPU time leaves out the
    time spent waiting for a core, which would otherwise land on whichever side ran then."""
    names = list(functions)
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(repeats):
        k = (rotation + r) % len(names)
        for name in names[k:] + names[:k]:
            start = time.thread_time_ns()
            functions[name](body, url, site)
            times[name].append((time.thread_time_ns() - start) / 1e6)
    return {name: statistics.median(values) for name, values in times.items()}


def real_pages(directory: Path = REALPAGES) -> list[dict]:
    """The real pages: file, bytes, URL (from truth.jsonl or the site column), kind, truth."""
    if not directory.is_dir():
        return []
    truth = {}
    if (directory / "truth.jsonl").is_file():
        for line in (directory / "truth.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                truth[row["file"]] = row
    sources = {}
    if (directory / "SOURCES.tsv").is_file():
        with open(directory / "SOURCES.tsv", encoding="utf-8") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                sources[row["file"]] = row
    pages = []
    for path in sorted(directory.glob("*.html")):
        source = sources.get(path.name, {})
        site = source.get("site") or path.name.split("__")[0]
        known = truth.get(path.name)
        pages.append({"file": path.name, "path": path, "bytes": path.stat().st_size,
                      "url": known["url"] if known else f"https://{site}/",
                      "kind": (source.get("kind") or ("article" if known else "page")).split(" ")[0],
                      "truth": known})
    return pages


def _norm(text) -> str:
    return " ".join(str(text or "").split())


def _check(name: str, result, truth: dict) -> dict[str, bool]:
    """Title, publication day and the body's opening words, against truth.jsonl."""
    if result is None:
        return {"title": False, "day": False, "body": False}
    if name == "ours":
        title, when, body = result.get("title"), result.get("published_at"), result.get("body")
    else:
        data = result.as_dict() if hasattr(result, "as_dict") else result
        title, when, body = data.get("title"), data.get("date"), data.get("text") or data.get("raw_text")
    start = _norm(truth["body_start"])
    return {"title": _norm(title) == _norm(truth["title"]),
            "day": bool(when) and str(when)[:10] == truth["published"][:10],
            "body": _norm(body).startswith(start) or start in _norm(body)[:400]}


def run(*, site_root: str | Path | None = None, sample: int = 200, repeats: int = 5, real_repeats: int = 9,
        realpages: str | Path = REALPAGES, seed: int = 7, progress=None) -> dict:
    """Time the three extractors on generated and real pages; medians in ms and the ratios."""
    from crawler.registry import load_sites, site_for_url

    say = progress or (lambda message: None)
    warnings.filterwarnings("ignore")
    temporary = None
    if site_root is None:
        temporary = tempfile.TemporaryDirectory(prefix="baotinh-extract-")
        site_root = Path(temporary.name)
        say(f"  extraction: generating {max(sample, 50)} articles")
        sitegen.generate(site_root, max(sample, 50))
    site_root = Path(site_root)
    # Generated pages are extracted as the crawl of their registry entry does (the spider passes its
    # site); real pages as `baotinh extract FILE --url URL` does (the registry entry of the URL's domain).
    bench_site = load_sites(sitegen.registry_file(site_root / "extraction-sites.toml"))[sitegen.SITE]

    theirs, version = _trafilatura()
    functions = {"ours": _ours(), "parse": _parse_only}
    if theirs is not None:
        functions["trafilatura"] = theirs

    paths = sitegen.article_paths(site_root)
    rng = random.Random(seed)
    chosen = sorted(rng.sample(paths, min(sample, len(paths))))
    bodies = [(p.read_bytes(), f"https://{sitegen.DOMAIN}/{p.name}", bench_site) for p in chosen]
    for name, fn in functions.items():  # imports, caches, the registry: not in the timing
        fn(*bodies[0])
    say(f"  extraction: {len(bodies)} generated pages x {repeats}")
    generated = {name: [] for name in functions}
    for k, (body, url, site) in enumerate(bodies):
        for name, ms in _time_page(functions, body, url, site, repeats, k).items():
            generated[name].append(ms)

    real = []
    pages = real_pages(Path(realpages))
    say(f"  extraction: {len(pages)} real pages x {real_repeats}")
    checks = {name: {"title": 0, "day": 0, "body": 0} for name in functions if name != "parse"}
    articles_checked = 0
    for k, page in enumerate(pages):
        body = page["path"].read_bytes()
        site = site_for_url(page["url"])
        figures = _time_page(functions, body, page["url"], site, real_repeats, k)
        row = {key: page[key] for key in ("file", "bytes", "url", "kind")}
        row.update({f"{name}_ms": ms for name, ms in figures.items()})
        if page["truth"]:
            articles_checked += 1
            for name in checks:
                found = _check(name, functions[name](body, page["url"], site), page["truth"])
                row[f"{name}_right"] = found
                for key, ok in found.items():
                    checks[name][key] += ok
        real.append(row)

    def med(values):
        return statistics.median(values) if values else None

    result = {
        "trafilatura_version": version, "generated_pages": len(bodies), "repeats": repeats,
        "real_repeats": real_repeats, "generated_mean_bytes": round(statistics.mean(len(b) for b, _, _ in bodies)),
        "generated": {name: med(values) for name, values in generated.items()},
        "real": real, "real_checks": checks, "real_articles_checked": articles_checked,
    }
    if real:
        result["real_median"] = {name: med([row[f"{name}_ms"] for row in real]) for name in functions}
        closest = min(real, key=lambda row: abs(row["bytes"] - TARGET_BYTES))
        largest = max(real, key=lambda row: row["bytes"])
        result["closest_230k"] = closest
        result["largest"] = largest
    for scope in ("generated", "real_median"):
        figures = result.get(scope)
        if figures and figures.get("trafilatura"):
            result[f"{scope}_speedup_vs_trafilatura"] = figures["trafilatura"] / figures["ours"]
        if figures:
            result[f"{scope}_over_parse"] = figures["ours"] / figures["parse"]
    if temporary is not None:
        temporary.cleanup()
    return result


def report(r: dict) -> str:
    g = r["generated"]
    lines = [f"trafilatura {r['trafilatura_version'] or 'not installed'}",
             f"generated pages ({r['generated_pages']}, mean {r['generated_mean_bytes'] / 1024:.1f} KB), median ms/page: "
             + ", ".join(f"{k} {v:.2f}" for k, v in g.items())]
    if "generated_speedup_vs_trafilatura" in r:
        lines.append(f"  ours is {r['generated_speedup_vs_trafilatura']:.1f}x faster than trafilatura, "
                     f"{r['generated_over_parse']:.1f}x the bare parse")
    if r.get("real"):
        m = r["real_median"]
        lines.append(f"real pages ({len(r['real'])}), median ms/page: " + ", ".join(f"{k} {v:.2f}" for k, v in m.items()))
        if "real_median_speedup_vs_trafilatura" in r:
            lines.append(f"  ours is {r['real_median_speedup_vs_trafilatura']:.1f}x faster than trafilatura")
        for row in r["real"]:
            lines.append(f"  {row['bytes'] / 1024:7.1f} KB  ours {row['ours_ms']:6.2f}  "
                         + (f"trafilatura {row['trafilatura_ms']:6.2f}  " if "trafilatura_ms" in row else "")
                         + f"parse {row['parse_ms']:5.2f}  {row['file']}")
        for name, found in r["real_checks"].items():
            lines.append(f"  {name}: right on {r['real_articles_checked']} real articles: "
                         + ", ".join(f"{k} {v}" for k, v in found.items()))
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", help="a generated site's root (sitegen.py generate DIR); default: a temp one")
    parser.add_argument("--sample", type=int, default=200, help="generated pages to time (default 200)")
    parser.add_argument("--repeats", type=int, default=5, help="runs per generated page (default 5)")
    parser.add_argument("--real-repeats", type=int, default=9, help="runs per real page (default 9)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = run(site_root=args.site, sample=args.sample, repeats=args.repeats, real_repeats=args.real_repeats,
                 progress=lambda m: print(m, file=sys.stderr, flush=True))
    print(json.dumps(result, indent=1, default=str) if args.json else report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
