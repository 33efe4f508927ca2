"""The schedule file and cron arithmetic, with fixed clocks (crawler/scheduling/config.py)."""
from datetime import datetime, timedelta

import pytest

from crawler.clock import VIETNAM
from crawler.registry import load_sites
from crawler.scheduling.config import (
    ScheduleError, cron_problem, due_entries, due_slot, load_schedule, next_runs, next_wakeup,
    parse_schedule,
)
from conftest import ROOT

SITES = load_sites()


def vn(*args) -> datetime:
    return datetime(*args, tzinfo=VIETNAM)


def parse(text: str, path="s.toml"):
    return parse_schedule(text, path, known_sites=SITES)


def error(text: str) -> str:
    with pytest.raises(ScheduleError) as exc:
        parse(text)
    message = str(exc.value)
    assert "\n" not in message
    return message


def test_the_example_schedule_loads():
    schedule = load_schedule(ROOT / "schedule.toml", known_sites=SITES)
    names = [e.name for e in schedule.entries]
    assert "bien-gioi-phia-bac" in names
    north = schedule.entry("bien-gioi-phia-bac")
    assert north.sites == ("baolangson", "baolaocai")
    assert north.scheduled_by == "schedule:bien-gioi-phia-bac"
    weekly = next(e for e in schedule.entries if e.all_sites)
    assert set(weekly.sites) == {n for n, s in SITES.items() if s.status == "current"}
    backfill = next(e for e in schedule.entries if e.mode == "backfill")
    assert backfill.since and backfill.max_pages


def test_entry_keys_and_defaults():
    (entry,) = parse("""
[entries.one]
site = "baocantho"
cron = "0  6 * * *"
""").entries
    assert entry.sites == ("baocantho",)
    assert entry.cron == "0 6 * * *"
    assert (entry.mode, entry.since, entry.priority, entry.enabled) == ("incremental", None, 0, True)
    (entry,) = parse("""
[entries.back]
sites = ["baolaocai"]
cron = "@weekly"
mode = "backfill"
since = 2021-03-01
max_articles = 10
max_pages = 20
priority = -3
base_url = "http://127.0.0.1:9/"
enabled = false
""").entries
    assert (entry.since, entry.max_articles, entry.max_pages, entry.priority) == ("2021-03-01", 10, 20, -3)
    assert entry.base_url == "http://127.0.0.1:9/" and not entry.enabled


@pytest.mark.parametrize("body, expected", [
    ('site = "baocantho"\ncron = "61 * * * *"', "s.toml:2: entry e: bad cron expression '61 * * * *'"),
    ('site = "baocantho"\ncron = "* * *"', "has 3 fields"),
    ('site = "baocantho"\ncron = "0 0 31 2 *"', "never fires"),
    ('site = "baocantho"\ncron = "@sometimes"', "unknown cron alias"),
    ('site = "baocantho"', "missing cron"),
    ('site = "baoxyz"\ncron = "0 6 * * *"', "s.toml:2: entry e: unknown site 'baoxyz'"),
    ('site = "baolangsn"\ncron = "0 6 * * *"', "did you mean 'baolangson'?"),
    ('sites = []\ncron = "0 6 * * *"', "non-empty list"),
    ('cron = "0 6 * * *"', "exactly one of site"),
    ('site = "baocantho"\nsites = ["baolaocai"]\ncron = "0 6 * * *"', "exactly one of site"),
    ('site = "baocantho"\ncron = "0 6 * * *"\nmode = "fast"', "unknown mode 'fast'"),
    ('site = "baocantho"\ncron = "0 6 * * *"\nmode = "backfill"', "needs since"),
    ('site = "baocantho"\ncron = "0 6 * * *"\nsince = "2020-01-01"', "only applies to mode = \"backfill\""),
    ('site = "baocantho"\ncron = "0 6 * * *"\nmode = "backfill"\nsince = "2020-13-01"',
     "invalid since '2020-13-01': not a date (use YYYY-MM-DD, YYYY-MM or YYYY)"),
    ('site = "baocantho"\ncron = "0 6 * * *"\nmode = "backfill"\nsince = 2024-01-01T06:00:00',
     "invalid since '2024-01-01 06:00:00': a date and time, not a date"),
    ('site = "baocantho"\ncron = "0 6 * * *"\nmode = "backfill"\nsince = "2024-07"\nuntil = "2024-06"',
     "since 2024-07-01 is after until 2024-06-30"),
    ('site = "baocantho"\ncron = "0 6 * * *"\nmax_pages = 0', "max_pages must be a positive"),
    ('site = "baocantho"\ncron = "0 6 * * *"\nuntil = 2024-01-01', "until only applies to mode = \"backfill\""),
    ('site = "baocantho"\ncron = "0 6 * * *"\nmode = "backfill"\nsince = 2024-02-01\nuntil = 2024-01-01',
     "since 2024-02-01 is after until 2024-01-01"),
    ('site = "baocantho"\ncron = "0 6 * * *"\nmode = "full"\nknown_pages = 2', "known_pages only applies"),
    ('site = "baocantho"\ncron = "0 6 * * *"\npriority = "high"', "priority must be a whole number"),
    ('sites = ["baocantho", "baolaocai"]\ncron = "0 6 * * *"\nbase_url = "http://127.0.0.1:1/"', "exactly one site"),
    ('site = "baocantho"\ncron = "0 6 * * *"\nbase_url = "ftp://x"', "not an http(s) URL"),
    ('site = "baocantho"\ncron = "0 6 * * *"\ncorn = "x"', "unknown key 'corn'"),
])
def test_bad_entries_are_one_line_with_file_line_and_entry(body, expected):
    assert expected in error(f"# comment\n[entries.e]\n{body}\n")


def test_file_level_problems():
    assert "not valid TOML" in error("[entries.e\nsite = 1")
    assert "no entries" in error("# nothing\n")
    assert "unknown top-level key 'entry'" in error("[entry.e]\nsite = \"baocantho\"\n")
    twice = error('[entries.e]\nsite = "baocantho"\ncron = "* * * * *"\n[entries.e]\nsite = "baocantho"\n')
    assert "not valid TOML" in twice and "line 4" in twice


def test_missing_file(tmp_path):
    with pytest.raises(ScheduleError, match="no such schedule file"):
        load_schedule(tmp_path / "nope.toml", known_sites=SITES)


def test_cron_problem_accepts_the_usual_forms():
    for expression in ("* * * * *", "15 6,18 * * *", "*/10 8-17 * * mon-fri", "@daily", "0 0 1 */3 *"):
        assert cron_problem(expression) is None, expression


def test_next_runs_are_vietnam_time():
    runs = next_runs("15 6,18 * * *", vn(2026, 3, 1, 10, 0), 3)
    assert [r.isoformat() for r in runs] == [
        "2026-03-01T18:15:00+07:00", "2026-03-02T06:15:00+07:00", "2026-03-02T18:15:00+07:00"]
    # A clock in another zone: same instants, shown at +07:00.
    from datetime import timezone
    utc = datetime(2026, 3, 1, 3, 0, tzinfo=timezone.utc)  # 10:00 in Hà Nội
    assert next_runs("15 6,18 * * *", utc, 1)[0].isoformat() == "2026-03-01T18:15:00+07:00"


def test_next_runs_strictly_after():
    assert next_runs("0 6 * * *", vn(2026, 3, 1, 6, 0), 1)[0] == vn(2026, 3, 2, 6, 0)


def test_due_slot():
    assert due_slot("0 6 * * *", vn(2026, 3, 1, 5, 0), vn(2026, 3, 1, 5, 59)) is None
    assert due_slot("0 6 * * *", vn(2026, 3, 1, 5, 0), vn(2026, 3, 1, 6, 0)) == (vn(2026, 3, 1, 6, 0), 1)
    assert due_slot("0 6 * * *", vn(2026, 3, 1, 6, 0), vn(2026, 3, 1, 6, 0, 30)) is None  # already handled
    assert due_slot("0 6 * * *", vn(2026, 3, 2, 0, 0), vn(2026, 3, 1, 0, 0)) is None    # clock went back


def test_catch_up_after_a_gap_runs_once():
    """The machine was off for ten days: ten 06:00 slots were missed, one run is due, at the latest."""
    (entry,) = parse('[entries.daily]\nsite = "baocantho"\ncron = "0 6 * * *"\n').entries
    now = vn(2026, 3, 11, 9, 30)
    due = due_entries([entry], {"daily": vn(2026, 3, 1, 7, 0)}, now)
    assert len(due) == 1
    assert due[0].slot == vn(2026, 3, 11, 6, 0)
    assert due[0].missed == 10
    # Checked at now: nothing more is due until tomorrow 06:00.
    assert due_entries([entry], {"daily": now}, vn(2026, 3, 12, 5, 59)) == []
    assert len(due_entries([entry], {"daily": now}, vn(2026, 3, 12, 6, 0))) == 1


def test_due_entries_new_disabled_and_priority():
    schedule = parse("""
[entries.low]
site = "baocantho"
cron = "* * * * *"
[entries.high]
site = "baolaocai"
cron = "* * * * *"
priority = 5
[entries.off]
site = "baolangson"
cron = "* * * * *"
enabled = false
[entries.new]
site = "baolangson"
cron = "* * * * *"
""")
    last = vn(2026, 3, 1, 10, 0)
    checks = {"low": last, "high": last, "off": last}
    due = due_entries(schedule.entries, checks, vn(2026, 3, 1, 10, 1))
    assert [d.entry.name for d in due] == ["high", "low"]  # new: not checked yet; off: disabled


def test_every_minute_for_a_month_is_counted_without_walking_forever():
    (entry,) = parse('[entries.m]\nsite = "baocantho"\ncron = "* * * * *"\n').entries
    due = due_entries([entry], {"m": vn(2026, 1, 1)}, vn(2026, 2, 1))
    assert due[0].slot == vn(2026, 2, 1) and due[0].missed >= 10_000


def test_next_wakeup():
    schedule = parse('[entries.a]\nsite = "baocantho"\ncron = "0 6 * * *"\n'
                     '[entries.b]\nsite = "baolaocai"\ncron = "30 5 * * *"\n'
                     '[entries.c]\nsite = "baolangson"\ncron = "0 1 * * *"\nenabled = false\n')
    assert next_wakeup(schedule.entries, vn(2026, 3, 1, 0, 0)) == vn(2026, 3, 1, 5, 30)
    assert next_wakeup([], vn(2026, 3, 1)) is None
    assert next_wakeup(schedule.entries, vn(2026, 3, 1, 5, 30)) - vn(2026, 3, 1, 5, 30) == timedelta(minutes=30)
