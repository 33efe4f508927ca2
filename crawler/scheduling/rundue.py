"""`run-due`: start whatever fell due since the last check, once, never two crawls of a site at once.

    report = run_due(db, schedule, now=now, launcher=launcher, host=host, pid=os.getpid())

1. Locks whose holder is gone are cleared: a dead pid on this host, a Scrapyd job that has
   finished, or no heartbeat for longer than the TTL.
2. Each enabled entry's last check is read; an entry with a firing time in (last check, now]
   is due. Many missed firing times (the machine was off) still make one run. The check
   moves to `now` by compare-and-set, so of two schedulers sharing the database only one
   starts the entry. A new entry's first check only starts its clock.
3. Due entries' sites start in priority order, each only if its lock can be taken; a site
   whose lock is held (its previous crawl still runs) is skipped, not queued.
4. If a start fails (Scrapyd unreachable, ...), the entry's check goes back to where it was,
   so the next run-due tries again.

Time enters as `now`; nothing here reads the clock.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from crawler.clock import VIETNAM
from crawler.scheduling.config import Schedule, due_entries, next_run
from crawler.scheduling.launch import CrawlJob, LaunchError
from storage import locks as lockdb
from storage.dates import to_iso

DEFAULT_LOCK_TTL = timedelta(hours=1)


@dataclass
class Event:
    kind: str        # cleared | first-check | missed | started | skipped | failed | finished | warning
    entry: str | None
    site: str | None
    message: str
    ok: bool = True

    def line(self) -> str:
        who = " ".join(part for part in (self.entry, self.site) if part)
        return f"{who}: {self.message}" if who else self.message


@dataclass
class Report:
    events: list[Event] = field(default_factory=list)

    def add(self, kind, entry, site, message, ok=True) -> Event:
        event = Event(kind, entry, site, message, ok)
        self.events.append(event)
        return event

    @property
    def ok(self) -> bool:
        return all(event.ok for event in self.events)

    def of(self, kind: str) -> list[Event]:
        return [event for event in self.events if event.kind == kind]

    @property
    def started(self) -> list[tuple[str, str]]:
        return [(event.entry, event.site) for event in self.of("started")]


def _parse(stamp: str | None) -> datetime | None:
    if not stamp:
        return None
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=VIETNAM)


def _holder(lock: dict) -> str:
    where = f"Scrapyd job {lock['job']} at {lock['host']}" if lock.get("job") else \
        f"pid {lock['pid']} on {lock['host']}"
    return f"{lock['owner']}, {where}, since {lock['acquired_at']}"


def reconcile_scrapyd_locks(db, report: Report, *, now: datetime, job_state) -> None:
    """Release the locks of Scrapyd jobs that have finished (or that Scrapyd no longer knows,
    e.g. after a restart); refresh those still pending or running. An unreachable Scrapyd
    leaves the lock to the TTL."""
    for lock in lockdb.list_locks(db):
        if not lock.get("job"):
            continue
        try:
            state = job_state(lock)
        except LaunchError:
            continue
        if state in ("pending", "running"):
            lockdb.refresh(db, lock["site"], lock["token"], now=now)
        elif lockdb.release(db, lock["site"], lock["token"]):
            report.add("cleared", None, lock["site"],
                       f"lock released: Scrapyd job {lock['job']} {state or 'is no longer known to Scrapyd'}")


def run_due(db, schedule: Schedule, *, now: datetime, launcher, host: str, pid: int,
            ttl: timedelta = DEFAULT_LOCK_TTL, job_state=None, alive=lockdb.pid_alive,
            dry_run: bool = False) -> Report:
    """One pass of the scheduler (see the module docstring). Raises StorageError only for a
    database that cannot be used at all; launch problems are events in the report."""
    report = Report()
    now = now.astimezone(VIETNAM)
    if not dry_run:
        if job_state is not None:
            reconcile_scrapyd_locks(db, report, now=now, job_state=job_state)
        for lock, reason in lockdb.clear_stale(db, host=host, now=now, ttl=ttl, alive=alive):
            report.add("cleared", None, lock["site"], f"stale lock of {lock['owner']} cleared: {reason}")

    stamps = lockdb.get_checks(db)
    checks = {name: _parse(stamp) for name, stamp in stamps.items()}
    enabled = [entry for entry in schedule.entries if entry.enabled]
    claimed = []
    for entry in enabled:
        if entry.name not in stamps:
            if dry_run or lockdb.claim_check(db, entry.name, None, now):
                report.add("first-check", entry.name, None,
                           f"new entry; first run at {next_run(entry.cron, now).isoformat()}")
    for due in due_entries(enabled, checks, now):
        name = due.entry.name
        if not dry_run and not lockdb.claim_check(db, name, stamps[name], now):
            continue  # another scheduler checked this entry meanwhile: it starts it
        claimed.append(due)
        if due.missed > 1:
            report.add("missed", name, None,
                       f"{due.missed} firing times since {due.since.isoformat()} were missed; running once")
    # Entries that did not fall due are checked too: an edited cron line then counts from now.
    due_names = {due.entry.name for due in claimed}
    for entry in enabled:
        if entry.name in stamps and entry.name not in due_names and not dry_run:
            lockdb.claim_check(db, entry.name, stamps[entry.name], now)

    waits = []
    for due in claimed:  # already in priority order
        entry, failed = due.entry, False
        for site in entry.sites:
            job = CrawlJob(entry, site)
            if dry_run:
                report.add("started", entry.name, site, "would start (dry run)")
                continue
            token = lockdb.new_token()
            if not lockdb.acquire(db, site, entry.scheduled_by, pid, host, token=token, now=now):
                lock = lockdb.get_lock(db, site)
                report.add("skipped", entry.name, site,
                           f"skipped: a crawl of {site} is still running ({_holder(lock)})" if lock
                           else f"skipped: {site} was locked")
                continue
            try:
                launched = launcher.launch(job, token)
            except LaunchError as exc:
                lockdb.release(db, site, token)
                report.add("failed", entry.name, site, f"not started: {exc}", ok=False)
                failed = True
                continue
            if launched.lock_changes and not lockdb.update(db, site, token, now=now, **launched.lock_changes):
                report.add("warning", entry.name, site, "warning: the lock changed hands while the crawl started")
            report.add("started", entry.name, site, f"started ({launched.description})")
            if launched.wait:
                waits.append((job, token, launched))
        if failed:  # give the interval back: the next run-due tries this entry again
            lockdb.claim_check(db, entry.name, to_iso(now), stamps[entry.name])

    for job, token, launched in waits:
        succeeded, what = launched.wait()
        lockdb.release(db, job.site, token)  # the crawl normally released it already
        report.add("finished", job.entry.name, job.site, what, ok=succeeded)
    return report

