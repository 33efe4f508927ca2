"""run-due: exactly the due entries, once, never over a held lock (injected launcher, fixed clocks);
and one real local crawl of a sample-site mirror through `baotinh schedule run-due --wait`."""
from datetime import datetime, timedelta

import pytest
import sqlite_utils

from conftest import mirror_articles, run_baotinh
from crawler.clock import VIETNAM
from crawler.registry import load_sites
from crawler.scheduling.config import parse_schedule
from crawler.scheduling.launch import (
    CrawlJob, Launched, LaunchError, LocalLauncher, crawl_command, schedule_request, spider_arguments,
)
from crawler.scheduling.rundue import run_due
from storage import open_database
from storage import locks

SITES = load_sites()
HOST = "test-host"
PID = 4000
T0 = datetime(2026, 3, 1, 5, 0, tzinfo=VIETNAM)


def vn(*args):
    return datetime(*args, tzinfo=VIETNAM)


class FakeLauncher:
    """Records what would have started; hands the lock to a made-up pid like the real one."""

    def __init__(self, fail_sites=()):
        self.started = []
        self.fail_sites = set(fail_sites)

    def launch(self, job, token):
        if job.site in self.fail_sites:
            raise LaunchError("Scrapyd at http://127.0.0.1:1/ cannot be reached")
        self.started.append((job.entry.name, job.site))
        return Launched(f"fake {len(self.started)}", lock_changes={"pid": PID + len(self.started)})

    def reap(self):
        pass


SCHEDULE = """
[entries.north]
sites = ["baolangson", "baolaocai"]
cron = "15 6 * * *"
priority = 10
[entries.cantho]
site = "baocantho"
cron = "30 5 * * *"
[entries.cantho-backfill]
site = "baocantho"
cron = "30 5 * * *"
mode = "backfill"
since = "2020-01-01"
priority = -1
[entries.off]
site = "baolangson"
cron = "* * * * *"
enabled = false
"""


@pytest.fixture
def db(tmp_path):
    database = open_database(tmp_path / "a.db")
    yield database
    database.close()


@pytest.fixture
def schedule():
    return parse_schedule(SCHEDULE, "s.toml", known_sites=SITES)


def everyone_alive(pid):
    return True


def once(db, schedule, now, launcher, **kwargs):
    kwargs.setdefault("alive", everyone_alive)
    return run_due(db, schedule, now=now, launcher=launcher, host=HOST, pid=PID, **kwargs)


def test_first_check_only_starts_the_clock(db, schedule):
    launcher = FakeLauncher()
    report = once(db, schedule, T0, launcher)
    assert launcher.started == []
    assert sorted(e.entry for e in report.of("first-check")) == ["cantho", "cantho-backfill", "north"]
    assert set(locks.get_checks(db)) == {"north", "cantho", "cantho-backfill"}  # disabled: never checked


def test_starts_exactly_the_due_entries_once(db, schedule):
    launcher = FakeLauncher()
    once(db, schedule, T0, launcher)
    once(db, schedule, vn(2026, 3, 1, 5, 29), launcher)
    assert launcher.started == []
    report = once(db, schedule, vn(2026, 3, 1, 5, 31), launcher)
    assert launcher.started == [("cantho", "baocantho")]
    # The backfill entry fell due at the same time for the same site: the lock keeps it out.
    (skipped,) = report.of("skipped")
    assert (skipped.entry, skipped.site) == ("cantho-backfill", "baocantho")
    assert "still running" in skipped.message and "schedule:cantho" in skipped.message
    assert report.ok
    # Same minute again: nothing new.
    once(db, schedule, vn(2026, 3, 1, 5, 31, 30), launcher)
    assert launcher.started == [("cantho", "baocantho")]
    # The lock was handed to the crawl's pid.
    assert locks.get_lock(db, "baocantho")["pid"] == PID + 1
    once(db, schedule, vn(2026, 3, 1, 6, 20), launcher)
    assert launcher.started[1:] == [("north", "baolangson"), ("north", "baolaocai")]


def test_catch_up_after_the_machine_was_off_runs_once(db, schedule):
    launcher = FakeLauncher()
    once(db, schedule, T0, launcher)
    report = once(db, schedule, vn(2026, 3, 8, 12, 0), launcher)  # a week later
    assert launcher.started.count(("north", "baolangson")) == 1
    assert launcher.started.count(("cantho", "baocantho")) == 1
    missed = {e.entry: e.message for e in report.of("missed")}
    assert "8 firing times" in missed["north"] and "running once" in missed["north"]
    once(db, schedule, vn(2026, 3, 8, 12, 5), launcher)
    assert len(launcher.started) == 3


def test_a_held_lock_skips_the_site_and_a_stale_one_is_cleared(db, schedule):
    launcher = FakeLauncher()
    once(db, schedule, T0, launcher)
    # A crawl of baolangson from this host is still running (pid 777 alive); baolaocai's lock
    # was left by a crawl that died (pid 778).
    locks.acquire(db, "baolangson", "manual", 777, HOST, now=T0)
    locks.acquire(db, "baolaocai", "schedule:north", 778, HOST, now=T0)
    report = once(db, schedule, vn(2026, 3, 1, 6, 16), launcher, alive={777}.__contains__)
    assert launcher.started == [("north", "baolaocai"), ("cantho", "baocantho")]  # priority order
    (cleared,) = report.of("cleared")
    assert cleared.site == "baolaocai" and "process 778" in cleared.message
    (skipped,) = [e for e in report.of("skipped") if e.site == "baolangson"]
    assert "pid 777" in skipped.message
    assert locks.get_lock(db, "baolangson")["pid"] == 777


def test_a_lock_from_another_host_is_stale_only_after_the_ttl(db, schedule):
    launcher = FakeLauncher()
    once(db, schedule, T0, launcher)
    locks.acquire(db, "baocantho", "schedule:cantho", 1, "other-host", now=vn(2026, 3, 1, 5, 0))
    once(db, schedule, vn(2026, 3, 1, 5, 31), launcher, ttl=timedelta(hours=1))
    assert ("cantho", "baocantho") not in launcher.started
    report = once(db, schedule, vn(2026, 3, 2, 5, 31), launcher, ttl=timedelta(hours=1))
    assert "no heartbeat" in report.of("cleared")[0].message
    assert ("cantho", "baocantho") in launcher.started


def test_two_schedulers_sharing_a_database_start_an_entry_once(db, schedule, tmp_path):
    other = open_database(tmp_path / "a.db")
    first, second = FakeLauncher(), FakeLauncher()
    once(db, schedule, T0, first)
    now = vn(2026, 3, 1, 6, 16)
    once(db, schedule, now, first)
    once(other, schedule, now + timedelta(seconds=20), second)
    other.close()
    assert sorted(first.started + second.started) == [
        ("cantho", "baocantho"), ("north", "baolangson"), ("north", "baolaocai")]


def test_a_failed_start_is_retried_at_the_next_run(db, schedule):
    launcher = FakeLauncher(fail_sites={"baocantho"})
    once(db, schedule, T0, launcher)
    report = once(db, schedule, vn(2026, 3, 1, 5, 31), launcher)
    assert not report.ok
    assert "cannot be reached" in report.of("failed")[0].message
    assert locks.get_lock(db, "baocantho") is None  # released again
    launcher.fail_sites.clear()
    once(db, schedule, vn(2026, 3, 1, 5, 32), launcher)
    assert ("cantho", "baocantho") in launcher.started


def test_dry_run_starts_and_records_nothing(db, schedule):
    launcher = FakeLauncher()
    once(db, schedule, T0, launcher)
    before = locks.get_checks(db)
    report = once(db, schedule, vn(2026, 3, 1, 7, 0), launcher, dry_run=True)
    assert launcher.started == [] and locks.get_checks(db) == before and locks.list_locks(db) == []
    assert {(e.entry, e.site) for e in report.of("started")} >= {("north", "baolangson"), ("cantho", "baocantho")}


def test_finished_scrapyd_jobs_release_their_locks(db, schedule):
    launcher = FakeLauncher()
    once(db, schedule, T0, launcher)
    for site, job in (("baolangson", "j-done"), ("baolaocai", "j-running")):
        locks.acquire(db, site, "schedule:north", None, "http://127.0.0.1:6800/", job=job, now=T0)
    states = {"j-done": "finished", "j-running": "running"}
    report = once(db, schedule, vn(2026, 3, 1, 5, 10), launcher, job_state=lambda lock: states[lock["job"]])
    assert [e.site for e in report.of("cleared")] == ["baolangson"]
    assert locks.get_lock(db, "baolaocai")["refreshed_at"] == "2026-03-01T05:10:00+07:00"


def test_what_a_crawl_is_asked_to_do(tmp_path):
    schedule = parse_schedule(
        '[entries.b]\nsite = "baocantho"\ncron = "0 1 * * sat"\nmode = "backfill"\nsince = "2020-01-01"\n'
        'until = 2023-12-31\nmax_articles = 5\nmax_pages = 9\npriority = 3\nbase_url = "http://127.0.0.1:8001/"\n'
        '[entries.f]\nsite = "baolaocai"\ncron = "0 1 * * *"\nmode = "full"\n'
        '[entries.i]\nsite = "baolaocai"\ncron = "0 1 * * *"\nknown_pages = 2\n', known_sites=SITES)
    job = CrawlJob(schedule.entry("b"), "baocantho")
    command = crawl_command(job, tmp_path / "a.db", "tok", python="py")
    assert command == ["py", "-m", "crawler.cli", "crawl", "baocantho", "--db", str(tmp_path / "a.db"),
                       "--base-url", "http://127.0.0.1:8001/", "--since", "2020-01-01", "--until", "2023-12-31",
                       "--max-articles", "5",
                       "--max-pages", "9", "--scheduled-by", "schedule:b", "--lock-token", "tok"]
    assert spider_arguments(CrawlJob(schedule.entry("f"), "baolaocai")) == {"full": "1"}
    assert spider_arguments(CrawlJob(schedule.entry("i"), "baolaocai")) == {"known_pages": "2"}
    assert crawl_command(CrawlJob(schedule.entry("f"), "baolaocai"), "a.db", "t", python="py")[7:8] == ["--full"]
    data = schedule_request(job, project="baotinh", db="/srv/a.db")
    assert ("setting", "BAOTINH_DB=/srv/a.db") in data
    assert ("setting", "BAOTINH_SCHEDULED_BY=schedule:b") in data
    assert ("priority", "3") in data and ("spider", "baocantho") in data
    assert ("since", "2020-01-01") in data and ("until", "2023-12-31") in data and ("base_url", "http://127.0.0.1:8001/") in data


def test_every_option_a_schedule_can_ask_for_exists_in_baotinh_crawl():
    pytest.importorskip("crawler.crawl_options.modes", reason="the crawl modes (--since, --full, ...) are not here yet")
    from crawler.scheduling.launch import crawl_option_strings

    assert {"--since", "--until", "--full", "--known-pages", "--max-articles", "--max-pages", "--base-url",
            "--db", "--scheduled-by", "--lock-token"} <= crawl_option_strings()


def test_local_launcher_refuses_options_the_crawl_does_not_have(tmp_path):
    schedule = parse_schedule('[entries.x]\nsite = "baocantho"\ncron = "0 1 * * *"\n', known_sites=SITES)
    launcher = LocalLauncher(tmp_path / "a.db", tmp_path / "logs")
    launcher._known_options = {"--db", "--base-url", "--scheduled-by"}  # a crawl without --lock-token
    with pytest.raises(LaunchError, match="no --lock-token option"):
        launcher.launch(CrawlJob(schedule.entry("x"), "baocantho"), "tok")


def test_crawl_refuses_a_lock_token_it_does_not_hold(tmp_path):
    result = run_baotinh("crawl", "baocantho", "--base-url", "http://127.0.0.1:9/", "--db", tmp_path / "a.db",
                         "--lock-token", "nobody-gave-me-this")
    assert result.returncode == 2
    assert "lock on baocantho is not held for this crawl" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_due_wait_runs_a_real_local_crawl(sample_site, tmp_path):
    """One cron-style pass through the real CLI: the entry points at a mirror, fell due since its
    last check, starts a `baotinh crawl` subprocess holding the lock, and records scheduled_by."""
    mirror = sample_site["baolaocai"]
    schedule = tmp_path / "schedule.toml"
    schedule.write_text(f'[entries.mirror-test]\nsite = "baolaocai"\ncron = "* * * * *"\n'
                        f'base_url = "{mirror.base_url}"\npriority = 1\n', encoding="utf-8")
    path = tmp_path / "a.db"
    database = open_database(path)
    locks.set_check(database, "mirror-test", datetime.now(VIETNAM) - timedelta(minutes=5))
    database.close()

    result = run_baotinh("schedule", "run-due", "--file", schedule, "--db", path, "--wait")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "mirror-test baolaocai: started (pid" in result.stdout
    assert "mirror-test baolaocai: finished" in result.stdout
    assert "firing times since" in result.stdout and "running once" in result.stdout

    database = sqlite_utils.Database(path)
    stored = {row["url"].split("/", 3)[3] for row in database.query("SELECT url FROM articles WHERE site = 'baolaocai'")}
    assert {"/" + p for p in stored} == set(mirror_articles("baolaocai"))
    (run,) = list(database.query("SELECT * FROM crawl_runs"))
    assert run["scheduled_by"] == "schedule:mirror-test"
    assert run["finish_reason"] == "finished" and run["finished_at"]
    assert list(database.query("SELECT * FROM crawl_locks")) == []  # released by the crawl at exit
    assert (tmp_path / "logs").is_dir() and list((tmp_path / "logs").glob("*-mirror-test-baolaocai.log"))

    # Run again at once: nothing is due, nothing printed.
    again = run_baotinh("schedule", "run-due", "--file", schedule, "--db", path, "--wait")
    assert again.returncode == 0 and again.stdout == ""
