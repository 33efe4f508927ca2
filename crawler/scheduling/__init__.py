"""Recurring crawls: the schedule file, run-due, locks handed to crawls, local and Scrapyd launchers.

    config.py   schedule.toml -> Schedule; cron arithmetic (croniter); which entries are due (pure)
    rundue.py   one scheduler pass: clear stale locks, claim due entries, start their sites
    launch.py   LocalLauncher (`baotinh crawl` subprocess), ScrapydLauncher (schedule.json)
    hold.py     the crawl process's side of a lock: adopt, heartbeat, release at exit
    serve.py    run-due in a loop (`baotinh schedule serve`)

The SQL (crawl_locks, schedule_checks) is in storage/locks.py. Documentation: docs/archivists.md.
"""
from crawler.scheduling.config import (
    Due, Schedule, ScheduleEntry, ScheduleError, cron_problem, due_entries, due_slot, load_schedule,
    next_run, next_runs, next_wakeup, parse_schedule,
)
from crawler.scheduling.launch import (
    CrawlJob, Launched, LaunchError, LocalLauncher, ScrapydClient, ScrapydLauncher, crawl_command,
    schedule_request, spider_arguments,
)
from crawler.scheduling.rundue import DEFAULT_LOCK_TTL, Report, run_due

__all__ = [
    "Due", "Schedule", "ScheduleEntry", "ScheduleError", "cron_problem", "due_entries", "due_slot",
    "load_schedule", "next_run", "next_runs", "next_wakeup", "parse_schedule",
    "CrawlJob", "Launched", "LaunchError", "LocalLauncher", "ScrapydClient", "ScrapydLauncher",
    "crawl_command", "schedule_request", "spider_arguments", "DEFAULT_LOCK_TTL", "Report", "run_due",
]
