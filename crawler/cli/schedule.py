"""`baotinh schedule list|run-due|serve|locks`: recurring crawls from a schedule file.

One cron line is the whole installation:  * * * * *  cd /srv/baotinh && .venv/bin/baotinh schedule run-due
(or `baotinh schedule serve` under systemd). See docs/archivists.md.
"""
from __future__ import annotations

import argparse
import os
import signal
import socket
import sys
from datetime import timedelta
from pathlib import Path

from crawler.cli.common import CLIError, add_db_argument, db_path
from crawler.clock import now_vn
from crawler.registry import RegistryError, load_registry
from crawler.scheduling.config import ScheduleError, load_schedule, next_runs
from crawler.scheduling.launch import (
    DEFAULT_SCRAPYD_PROJECT, LaunchError, LocalLauncher, ScrapydClient, ScrapydLauncher, default_log_dir,
)
from crawler.scheduling.rundue import DEFAULT_LOCK_TTL, run_due
from storage import StorageError, open_database
from storage import locks as lockdb

DEFAULT_SCHEDULE = Path("schedule.toml")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "schedule", help="recurring crawls: list the schedule, start what is due, or serve",
        description="Recurring crawls from a schedule file (TOML; see schedule.toml and docs/archivists.md).")
    commands = parser.add_subparsers(dest="schedule_command", metavar="SUBCOMMAND")
    parser.set_defaults(func=lambda args: _usage(parser))

    listing = commands.add_parser("list", help="each entry with its next run times")
    _add_file_argument(listing)
    listing.add_argument("--count", type=int, default=3, help="next run times to show per entry (default 3)")
    listing.set_defaults(func=run_list)

    due = commands.add_parser(
        "run-due", help="start whatever fell due since the last check (run it from cron every minute)",
        description="Start every entry that fell due since run-due last checked it (once, however many "
                    "firing times were missed), skipping sites whose previous crawl still runs.")
    _add_run_arguments(due)
    due.add_argument("--wait", action="store_true",
                     help="wait for the crawls to end (default: start them detached and return)")
    due.add_argument("--dry-run", action="store_true", help="say what is due; start nothing, record nothing")
    due.set_defaults(func=run_due_command)

    serve = commands.add_parser(
        "serve", help="run-due in a long-running process (systemd, containers); stops on SIGTERM",
        description="Start due entries in a loop, sleeping until the next firing time. The schedule "
                    "file is re-read every turn. SIGTERM or Ctrl-C stops it; crawls it started go on.")
    _add_run_arguments(serve)
    serve.add_argument("--max-sleep", type=float, default=60.0, help=argparse.SUPPRESS)
    serve.add_argument("--max-turns", type=int, default=None, help=argparse.SUPPRESS)
    serve.set_defaults(func=run_serve)

    locks = commands.add_parser("locks", help="the per-site crawl locks in the database")
    add_db_argument(locks)
    locks.add_argument("--clear-stale", action="store_true", help="clear the locks whose holder is gone")
    locks.add_argument("--lock-ttl", type=_minutes, default=DEFAULT_LOCK_TTL, metavar="MINUTES",
                       help=f"heartbeat age after which another host's lock is stale "
                            f"(default {int(DEFAULT_LOCK_TTL.total_seconds() // 60)})")
    locks.set_defaults(func=run_locks)


def _usage(parser) -> int:
    parser.print_help()
    return 2


def _minutes(text: str) -> timedelta:
    try:
        value = float(text)
    except ValueError:
        value = -1
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of minutes")
    return timedelta(minutes=value)


def _add_file_argument(parser) -> None:
    parser.add_argument("--file", type=Path, default=None,
                        help="schedule file (default: $BAOTINH_SCHEDULE or ./schedule.toml)")


def _add_run_arguments(parser) -> None:
    _add_file_argument(parser)
    add_db_argument(parser)
    parser.add_argument("--scrapyd", metavar="URL",
                        help="queue the crawls on this Scrapyd server (schedule.json) instead of running them here")
    parser.add_argument("--scrapyd-project", default=DEFAULT_SCRAPYD_PROJECT,
                        help=f"the project name deployed to Scrapyd (default {DEFAULT_SCRAPYD_PROJECT})")
    parser.add_argument("--scrapyd-db", metavar="PATH",
                        help="the database path as the Scrapyd machine sees it (default: --db, made absolute)")
    parser.add_argument("--log-dir", type=Path, default=None,
                        help="where local crawls write their logs (default: logs/ beside the database)")
    parser.add_argument("--lock-ttl", type=_minutes, default=DEFAULT_LOCK_TTL, metavar="MINUTES",
                        help="heartbeat age after which a lock held from another host or by a Scrapyd job "
                             f"is stale (default {int(DEFAULT_LOCK_TTL.total_seconds() // 60)})")


def schedule_path(args) -> Path:
    if getattr(args, "file", None):
        return Path(args.file)
    return Path(os.environ.get("BAOTINH_SCHEDULE") or DEFAULT_SCHEDULE)


def read_schedule(args):
    try:
        sites, _errors = load_registry()
    except RegistryError as exc:
        raise CLIError(str(exc)) from None
    try:
        return load_schedule(schedule_path(args), known_sites=sites)
    except ScheduleError as exc:
        raise CLIError(str(exc)) from None


# -- list ----------------------------------------------------------------------------------

def run_list(args) -> int:
    if args.count < 1:
        raise CLIError("--count must be at least 1")
    schedule = read_schedule(args)
    now = now_vn()
    for entry in schedule.entries:
        state = "" if entry.enabled else "  (disabled)"
        sites = f"all {len(entry.sites)} current sites" if entry.all_sites else ", ".join(entry.sites)
        print(f"{entry.name}: {sites}{state}")
        print(f"  cron {entry.cron!r} (Asia/Ho_Chi_Minh); {entry.describe()}")
        if entry.enabled:
            for moment in next_runs(entry.cron, now, args.count):
                print(f"  next {moment.isoformat()}")
    return 0


# -- run-due / serve -----------------------------------------------------------------------

def _open(args):
    path = db_path(args)
    try:
        return path, open_database(path)
    except StorageError as exc:
        raise CLIError(f"cannot use the database {path}: {exc}") from None


def _launcher(args, path: Path, *, wait: bool):
    if args.scrapyd:
        scrapyd_db = args.scrapyd_db or str(path.resolve())
        try:
            return ScrapydLauncher(args.scrapyd, db=scrapyd_db, project=args.scrapyd_project, wait=wait)
        except LaunchError as exc:
            raise CLIError(str(exc)) from None
    log_dir = args.log_dir or default_log_dir(path)
    return LocalLauncher(path, log_dir, wait=wait, clock=now_vn)


def _job_state(args):
    """Asks the Scrapyd named in a lock about its job (with our credentials when it is ours)."""
    ours = ScrapydClient(args.scrapyd) if args.scrapyd else None

    def job_state(lock):
        client = ours if ours is not None and ours.url == lock["host"] else ScrapydClient(lock["host"], timeout=10)
        return client.job_state(lock["job"])
    return job_state


def _one_pass(args, path, db, schedule, now, launcher, *, dry_run=False):
    try:
        return run_due(db, schedule, now=now, launcher=launcher, host=socket.gethostname(), pid=os.getpid(),
                       ttl=args.lock_ttl, job_state=_job_state(args), dry_run=dry_run)
    except StorageError as exc:
        raise CLIError(f"cannot use the database {path}: {exc}") from None


def run_due_command(args) -> int:
    schedule = read_schedule(args)
    path, db = _open(args)
    try:
        launcher = _launcher(args, path, wait=args.wait)
        report = _one_pass(args, path, db, schedule, now_vn(), launcher, dry_run=args.dry_run)
    finally:
        db.close()
    for event in report.events:
        print(event.line(), file=sys.stdout if event.ok else sys.stderr, flush=True)
    return 0 if report.ok else 1


def run_serve(args) -> int:
    from crawler.scheduling.serve import Server

    read_schedule(args)  # a broken file stops here, before anything starts
    path, db = _open(args)
    launcher = _launcher(args, path, wait=False)

    def load():
        try:
            sites, _errors = load_registry()
        except RegistryError as exc:
            raise ScheduleError(str(exc)) from None
        return load_schedule(schedule_path(args), known_sites=sites)

    def log(line: str) -> None:
        print(f"{now_vn().isoformat()} {line}", flush=True)

    server = Server(load=load, clock=now_vn, launcher=launcher, log=log, max_sleep=args.max_sleep,
                    run=lambda schedule, now: _one_pass(args, path, db, schedule, now, launcher))
    previous = {sig: signal.signal(sig, server.stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    log(f"serving {schedule_path(args)} with database {path} "
        f"({'Scrapyd ' + args.scrapyd if args.scrapyd else 'local crawls'}); SIGTERM stops")
    try:
        server.serve_forever(max_turns=args.max_turns)
    except ScheduleError as exc:
        raise CLIError(str(exc)) from None
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        db.close()
    log("stopped")
    return 0


# -- locks ---------------------------------------------------------------------------------

def run_locks(args) -> int:
    path = db_path(args)
    try:
        db = open_database(path, create=False)
    except StorageError as exc:
        raise CLIError(f"cannot use the database {path}: {exc}") from None
    host, now = socket.gethostname(), now_vn()
    try:
        if args.clear_stale:
            for lock, reason in lockdb.clear_stale(db, host=host, now=now, ttl=args.lock_ttl):
                print(f"cleared {lock['site']} ({lock['owner']}): {reason}")
        locks = lockdb.list_locks(db)
    except StorageError as exc:
        raise CLIError(f"cannot use the database {path}: {exc}") from None
    finally:
        db.close()
    if not locks:
        print("no crawl locks")
        return 0
    for lock in locks:
        holder = f"Scrapyd job {lock['job']} at {lock['host']}" if lock["job"] else f"pid {lock['pid']} on {lock['host']}"
        reason = lockdb.stale_reason(lock, host=host, now=now, ttl=args.lock_ttl)
        print(f"{lock['site']}: {lock['owner']}, {holder}, since {lock['acquired_at']}, "
              f"heartbeat {lock['refreshed_at']}" + (f"  STALE: {reason}" if reason else ""))
    return 0
