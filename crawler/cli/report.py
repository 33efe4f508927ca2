"""`baotinh report [RUN_ID] [--site SITE] [--db PATH] [--format text|json]`: one crawl's report.

Like the end-of-crawl reports of Heritrix and Browsertrix: pages by HTTP status, failed
downloads, articles new / updated / unchanged / dropped (with reasons), field coverage against
the thresholds, problems with an example each, robots.txt refusals, raw pages kept, duration and
rate, and the health verdict. Everything comes from the crawl_runs row the crawl left (its
final Scrapy stats); the default is the latest run (of --site, if given).
"""
from __future__ import annotations

import json
import sys
from datetime import datetime

from crawler.cli.common import CLIError, add_db_argument, check_site, db_path
from storage import StorageError, open_database

ARTICLE_STATUSES = ("new", "updated", "unchanged")
JUDGED_FIELDS = ("title", "published_at", "body", "authors")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "report", help="what one crawl did: pages, articles, drops, field coverage, health",
        description="Report on one crawl run (default: the latest) from the stats it saved in crawl_runs.")
    parser.add_argument("run_id", nargs="?", type=int, metavar="RUN_ID", help="crawl run id (see `baotinh runs`)")
    parser.add_argument("--site", help="the latest run of this site (when no RUN_ID is given)")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or json")
    add_db_argument(parser)
    parser.set_defaults(func=run)


def _int(value) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _under(stats: dict, prefix: str) -> dict:
    """{rest of key: value} for every stats key that starts with prefix."""
    return {key[len(prefix):]: value for key, value in sorted(stats.items())
            if key.startswith(prefix) and key[len(prefix):]}


def _seconds(run: dict, stats: dict) -> float | None:
    elapsed = stats.get("elapsed_time_seconds")
    if isinstance(elapsed, (int, float)):
        return float(elapsed)
    try:
        start = datetime.fromisoformat(run["started_at"])
        end = datetime.fromisoformat(run["finished_at"])
    except (TypeError, ValueError, KeyError):
        return None
    if (start.tzinfo is None) != (end.tzinfo is None):
        start, end = start.replace(tzinfo=None), end.replace(tzinfo=None)
    return max(0.0, (end - start).total_seconds())


def build_report(run: dict) -> dict:
    """The report as data (what --format json prints)."""
    stats = run.get("stats") or {}
    statuses = {k: _int(v) for k, v in _under(stats, "downloader/response_status_count/").items()}
    failures = {k.rsplit(".", 1)[-1]: _int(v) for k, v in _under(stats, "downloader/exception_type_count/").items()}
    articles = {status: _int(stats.get(f"baotinh/articles/{status}")) for status in ARTICLE_STATUSES}
    dropped = {k: _int(v) for k, v in _under(stats, "baotinh/dropped/").items()}
    examples = stats.get("baotinh/examples") or {}
    problems = {}
    for kind, count in _under(stats, "baotinh/problems/").items():
        example = examples.get(f"problems/{kind}") or []
        problems[kind] = {"count": _int(count), "example": example[0] if example else None,
                          "detail": example[1] if len(example) > 1 else None}
    pages = _int(stats.get("baotinh/fields/pages"))
    thresholds = stats.get("baotinh/coverage/thresholds") or {}
    coverage = {}
    for name, value in _under(stats, "baotinh/fields/").items():
        if name in ("pages", "not_article"):
            continue
        coverage[name] = {"filled": _int(value), "percent": round(100 * _int(value) / pages, 1) if pages else None,
                          "threshold": thresholds.get(name)}
    for name in JUDGED_FIELDS:
        if pages and name not in coverage:
            coverage[name] = {"filled": 0, "percent": 0.0, "threshold": thresholds.get(name)}
    seconds = _seconds(run, stats)
    responses = _int(stats.get("downloader/response_count"))
    stored = sum(articles.values())
    minutes = seconds / 60 if seconds else None
    return {
        "run": {key: run.get(key) for key in ("id", "site", "spider", "mode", "scheduled_by", "started_at",
                                               "finished_at", "finish_reason")},
        "health": stats.get("baotinh/health"),
        "findings": list(stats.get("baotinh/health/findings") or []),
        "pages": {
            "requests": _int(stats.get("downloader/request_count")),
            "responses": responses,
            "by_status": statuses,
            "failed_downloads": failures,
            "retries": _int(stats.get("retry/count")),
            "article_pages": _int(stats.get("baotinh/pages/article")),
            "listing_pages": _int(stats.get("baotinh/pages/listing")),
            "robots_refused": _int(stats.get("baotinh/robots/refused")),
            "robots_refused_urls": list(stats.get("baotinh/robots/refused_urls") or []),
            "raw_pages_stored": _int(stats.get("baotinh/raw_pages/new")) + _int(stats.get("baotinh/raw_pages/revisits")),
            "redirects_not_followed": {k: _int(v) for k, v in _under(stats, "baotinh/redirects/").items()},
        },
        "articles": {**articles, "stored": stored, "dropped": dropped, "dropped_total": sum(dropped.values()),
                     "skipped_known": _int(stats.get("baotinh/skipped/known"))},
        "coverage": {"article_pages": pages, "judged": stats.get("baotinh/coverage/judged"),
                     "not_articles": _int(stats.get("baotinh/fields/not_article")), "fields": coverage},
        "problems": problems,
        "examples": examples,
        "errors_logged": _int(stats.get("log_count/ERROR")),
        "warnings_logged": _int(stats.get("log_count/WARNING")),
        "duration_seconds": round(seconds, 1) if seconds is not None else None,
        "pages_per_minute": round(responses / minutes, 1) if minutes else None,
        "articles_per_minute": round(stored / minutes, 1) if minutes else None,
    }


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    whole = int(round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _pairs(mapping: dict) -> str:
    return ", ".join(f"{key} {value}" for key, value in mapping.items()) or "none"


def render_text(report: dict) -> str:
    run, pages, articles, coverage = report["run"], report["pages"], report["articles"], report["coverage"]
    lines = [f"crawl run {run['id']}: {run.get('site') or run.get('spider')} "
             f"({run.get('mode') or '-'} mode{', scheduled by ' + run['scheduled_by'] if run.get('scheduled_by') else ''})",
             f"  started   {run.get('started_at') or '-'}",
             f"  finished  {run.get('finished_at') or 'not finished'} ({run.get('finish_reason') or '-'})",
             f"  duration  {_duration(report['duration_seconds'])}"
             + (f", {report['pages_per_minute']} pages/min, {report['articles_per_minute']} articles/min"
                if report["pages_per_minute"] is not None else ""),
             f"  health    {report['health'] or '-'}"]
    lines += [f"            {finding}" for finding in report["findings"]]
    lines += ["", "pages",
              f"  requests {pages['requests']}, responses {pages['responses']}, retries {pages['retries']}",
              f"  by status: {_pairs(pages['by_status'])}",
              f"  failed downloads: {_pairs(pages['failed_downloads'])}",
              f"  article pages {pages['article_pages']}, listing pages {pages['listing_pages']}, "
              f"raw pages stored {pages['raw_pages_stored']}",
              f"  refused by robots.txt: {pages['robots_refused']}"
              + (f" (e.g. {pages['robots_refused_urls'][0]})" if pages["robots_refused_urls"] else ""),
              f"  redirects not followed: {_pairs(pages['redirects_not_followed'])}",
              "", "articles",
              f"  new {articles['new']}, updated {articles['updated']}, unchanged {articles['unchanged']}, "
              f"skipped as known {articles['skipped_known']}",
              f"  dropped {articles['dropped_total']}: {_pairs(articles['dropped'])}"]
    for reason in articles["dropped"]:
        example = (report["examples"].get(f"dropped/{reason}") or [None])[0]
        if example:
            lines.append(f"    {reason}: e.g. {example}")
    judged = coverage["judged"]
    lines += ["", f"field coverage on {coverage['article_pages']} article pages"
              + ("" if judged or judged is None else " (too few to judge)")
              + (f"; {coverage['not_articles']} pages at article URLs were not articles" if coverage["not_articles"] else "")]
    for name, figures in sorted(coverage["fields"].items(),
                                key=lambda item: (item[1]["threshold"] is None, item[0])):
        percent = "-" if figures["percent"] is None else f"{figures['percent']:g}%"
        threshold = figures["threshold"]
        mark = ""
        if threshold is not None:
            mark = f"  (threshold {threshold:g}%{', BELOW' if figures['percent'] is not None and judged and figures['percent'] < threshold else ''})"
        lines.append(f"  {name:<13} {percent:>6}  {figures['filled']}{mark}")
    if report["problems"]:
        lines += ["", "problems"]
        for kind, info in sorted(report["problems"].items(), key=lambda item: -item[1]["count"]):
            example = f", e.g. {info['example']}" if info["example"] else ""
            detail = f" ({info['detail']!r})" if info["detail"] else ""
            lines.append(f"  {kind} on {info['count']} page(s){example}{detail}")
    lines += ["", f"log: {report['errors_logged']} errors, {report['warnings_logged']} warnings"]
    return "\n".join(lines)


def run(args) -> int:
    from storage.report import get_run

    path = db_path(args)
    try:
        db = open_database(path, create=False)
        try:
            found = get_run(db, args.run_id, site=args.site)
        finally:
            db.close()
    except StorageError as exc:
        raise CLIError(f"cannot read the database {path}: {exc}") from None
    if found is None:
        if args.run_id is not None:
            raise CLIError(f"no crawl run {args.run_id} in {path}")
        check_site(args.site)
        raise CLIError(f"no crawl runs{' of ' + args.site if args.site else ''} in {path}")
    report = build_report(found)
    if args.format == "json":
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print(render_text(report))
    return 0
