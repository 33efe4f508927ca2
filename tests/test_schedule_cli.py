"""`baotinh schedule …` and `baotinh runs` from the outside: output, one-line errors, SIGTERM."""
import os
import re
import signal
import subprocess
import time
from datetime import datetime, timedelta

import pytest

from conftest import BAOTINH, ROOT, run_baotinh
from crawler.clock import VIETNAM
from storage import finish_run, open_database, start_run
from storage import locks

ISO_VN = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00")


def write(tmp_path, text, name="s.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def assert_one_line_error(result, *fragments):
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.mark.parametrize("command", ["list", "run-due"])
def test_bad_cron_is_one_line_with_file_and_entry(tmp_path, command):
    path = write(tmp_path, '[entries.sang-som]\nsite = "baocantho"\ncron = "0 25 * * *"\n')
    result = run_baotinh("schedule", command, "--file", path, *(["--db", tmp_path / "a.db"] if command == "run-due" else []))
    assert_one_line_error(result, f"{path}:1: entry sang-som: bad cron expression '0 25 * * *'")
    assert not (tmp_path / "a.db").exists()  # nothing touched before the file is valid


@pytest.mark.parametrize("command", ["list", "run-due", "serve"])
def test_unknown_site_is_one_line(tmp_path, command):
    path = write(tmp_path, '# two\n# comments\n[entries.x]\nsites = ["baocantho", "baokhongco"]\ncron = "@daily"\n')
    extra = ["--db", tmp_path / "a.db"] if command != "list" else []
    result = run_baotinh("schedule", command, "--file", path, *extra, timeout=60)
    assert_one_line_error(result, f"{path}:3: entry x: unknown site 'baokhongco'")


def test_missing_file_is_one_line(tmp_path):
    result = run_baotinh("schedule", "list", "--file", tmp_path / "nope.toml")
    assert_one_line_error(result, "nope.toml: no such schedule file")
    result = run_baotinh("schedule", "run-due", "--db", tmp_path / "a.db", cwd=tmp_path)  # default ./schedule.toml
    assert_one_line_error(result, "schedule.toml: no such schedule file")
    result = run_baotinh("schedule", "list", env={"BAOTINH_SCHEDULE": str(tmp_path / "env.toml")})
    assert_one_line_error(result, "env.toml: no such schedule file")


def test_unusable_database_is_one_line(tmp_path):
    path = write(tmp_path, '[entries.x]\nsite = "baocantho"\ncron = "@daily"\n')
    (tmp_path / "dir.db").mkdir()
    result = run_baotinh("schedule", "run-due", "--file", path, "--db", tmp_path / "dir.db")
    assert_one_line_error(result, "cannot use the database", "is a directory")


def test_bad_scrapyd_url_is_one_line(tmp_path):
    path = write(tmp_path, '[entries.x]\nsite = "baocantho"\ncron = "@daily"\n')
    result = run_baotinh("schedule", "run-due", "--file", path, "--db", tmp_path / "a.db", "--scrapyd", "localhost:6800")
    assert_one_line_error(result, "is not an http(s) URL")


def test_list_prints_next_runs_in_vietnam_time():
    result = run_baotinh("schedule", "list", "--file", ROOT / "schedule.toml", "--count", "2")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "bien-gioi-phia-bac: baolangson, baolaocai" in lines
    next_lines = [line for line in lines if line.strip().startswith("next ")]
    assert next_lines and all(ISO_VN.fullmatch(line.split()[-1]) for line in next_lines)
    north = lines.index("bien-gioi-phia-bac: baolangson, baolaocai")
    times = [line.split()[-1] for line in lines[north + 2:north + 4]]
    assert all(t[11:16] in ("06:15", "18:15") for t in times), times
    assert any("all" in line and "current sites" in line for line in lines)


def test_run_due_first_time_then_dry_run(tmp_path):
    path = write(tmp_path, '[entries.x]\nsite = "baocantho"\ncron = "* * * * *"\n')
    db = tmp_path / "a.db"
    first = run_baotinh("schedule", "run-due", "--file", path, "--db", db)
    assert first.returncode == 0, first.stderr
    assert re.search(r"x: new entry; first run at " + ISO_VN.pattern, first.stdout)
    database = open_database(db)
    locks.set_check(database, "x", datetime.now(VIETNAM) - timedelta(hours=1))
    database.close()
    dry = run_baotinh("schedule", "run-due", "--file", path, "--db", db, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "x baocantho: would start (dry run)" in dry.stdout
    assert not (tmp_path / "logs").exists()


def test_locks_command(tmp_path):
    db = tmp_path / "a.db"
    database = open_database(db)
    now = datetime.now(VIETNAM)
    locks.acquire(database, "baocantho", "schedule:x", os.getpid(), "elsewhere", now=now - timedelta(hours=5))
    locks.acquire(database, "baolaocai", "schedule:y", 12345, "elsewhere", now=now)
    database.close()
    result = run_baotinh("schedule", "locks", "--db", db)
    assert result.returncode == 0, result.stderr
    assert "baocantho: schedule:x" in result.stdout and "STALE: no heartbeat" in result.stdout
    cleared = run_baotinh("schedule", "locks", "--db", db, "--clear-stale")
    assert "cleared baocantho" in cleared.stdout
    assert "baolaocai: schedule:y" in cleared.stdout and "STALE" not in cleared.stdout.split("cleared")[-1].split("\n", 1)[1]


def test_runs_lists_every_run(tmp_path):
    db = tmp_path / "a.db"
    database = open_database(db)
    run = start_run(database, spider="baocantho", site="baocantho", scheduled_by="schedule:x",
                    started_at="2026-03-01T05:30:00+07:00")
    finish_run(database, run, finish_reason="finished", finished_at="2026-03-01T06:42:05+07:00",
               stats={"baotinh/articles/new": 12, "baotinh/articles/updated": 3})
    start_run(database, spider="baolaocai", site="baolaocai", started_at="2026-03-01T07:00:00+07:00")
    database.close()
    result = run_baotinh("runs", "--db", db)
    assert result.returncode == 0, result.stderr
    header, newest, oldest = result.stdout.splitlines()
    assert header.split() == ["id", "site", "scheduled_by", "started", "finished", "reason", "new", "updated",
                              "duration"]
    assert newest.split() == ["2", "baolaocai", "-", "2026-03-01T07:00:00+07:00", "-", "running", "0", "0", "-"]
    assert oldest.split() == ["1", "baocantho", "schedule:x", "2026-03-01T05:30:00+07:00",
                              "2026-03-01T06:42:05+07:00", "finished", "12", "3", "1:12:05"]
    only = run_baotinh("runs", "--db", db, "--site", "baocantho", "--last", "1")
    assert len(only.stdout.splitlines()) == 2
    assert_one_line_error(run_baotinh("runs", "--db", tmp_path / "none.db"), "no database at")
    assert_one_line_error(run_baotinh("runs", "--db", db, "--last", "0"), "--last must be at least 1")


def test_serve_runs_due_entries_and_stops_cleanly_on_sigterm(tmp_path):
    path = write(tmp_path, '[entries.x]\nsite = "baocantho"\ncron = "* * * * *"\n')
    db = tmp_path / "a.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([*BAOTINH, "schedule", "serve", "--file", str(path), "--db", str(db)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # wait for the first turn to record its check
            if db.exists():
                database = open_database(db)
                checked = locks.get_checks(database)
                database.close()
                if checked:
                    break
            time.sleep(0.2)
        else:
            pytest.fail("serve never checked the schedule")
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert "x: new entry; first run at" in out
    assert out.rstrip().endswith("stopped")
