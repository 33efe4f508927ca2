"""A real Scrapyd on 127.0.0.1: deploy the project with `scrapyd-deploy`, crawl sample-site mirrors
through schedule.json (directly, and through `baotinh schedule run-due --scrapyd`), find the
articles in the database named by the BAOTINH_DB setting.

Scrapyd runs from a temporary directory with its own scrapyd.conf (free port, eggs/logs/dbs in
tmp); `scrapyd-deploy` runs from the repository root with a temporary deploy target
(XDG_CONFIG_HOME/scrapy.cfg), so nothing outside the temporary directories is touched
beyond the build/ directory setuptools uses.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlite_utils

from conftest import ROOT, mirror_articles, run_baotinh
from crawler.clock import VIETNAM
from storage import open_database
from storage import locks

PROJECT = "baotinh"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def scrapyd_deploy_command() -> list[str]:
    script = Path(sys.executable).with_name("scrapyd-deploy")
    if script.exists():
        return [str(script)]
    found = shutil.which("scrapyd-deploy")
    if found:
        return [found]
    return [sys.executable, "-c", "from scrapyd_client.deploy import main; main()"]


def get_json(url: str, data: list | None = None, timeout: float = 10) -> dict:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with urllib.request.urlopen(urllib.request.Request(url, data=body), timeout=timeout) as response:
        return json.loads(response.read())


class Scrapyd:
    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        workdir.mkdir(parents=True, exist_ok=True)
        (workdir / "scrapyd.conf").write_text(
            "[scrapyd]\n"
            "bind_address = 127.0.0.1\n"
            f"http_port = {self.port}\n"
            f"eggs_dir = {workdir / 'eggs'}\n"
            f"logs_dir = {workdir / 'logs'}\n"
            f"dbs_dir = {workdir / 'dbs'}\n"
            "items_dir =\n"
            "jobs_dir =\n"
            "poll_interval = 0.2\n"
            "max_proc = 4\n", encoding="utf-8")
        # The jobs must import the deployed egg, not this checkout: no PYTHONPATH, no registry
        # from outside the egg, cwd elsewhere.
        env = {k: v for k, v in os.environ.items()
               if k not in ("PYTHONPATH", "BAOTINH_DB", "BAOTINH_SITES", "SCRAPY_SETTINGS_MODULE")}
        self.log = open(workdir / "scrapyd.out", "wb")  # noqa: SIM115
        self.process = subprocess.Popen([sys.executable, "-m", "scrapyd"], cwd=workdir, env=env,
                                        stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while True:
            try:
                if get_json(self.url + "daemonstatus.json", timeout=2).get("status") == "ok":
                    break
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail("Scrapyd did not start:\n" + (workdir / "scrapyd.out").read_text(errors="replace")[-3000:])
            time.sleep(0.2)

    def deploy(self, tmp: Path) -> dict:
        xdg = tmp / "xdg"
        xdg.mkdir(exist_ok=True)
        (xdg / "scrapy.cfg").write_text(f"[deploy:under-test]\nurl = {self.url}\nproject = {PROJECT}\n",
                                        encoding="utf-8")
        env = {**os.environ, "XDG_CONFIG_HOME": str(xdg)}
        env.pop("PYTHONPATH", None)
        result = subprocess.run([*scrapyd_deploy_command(), "under-test", "--version", "test"], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
        answer = [line for line in result.stdout.splitlines() if line.startswith("{")]
        assert answer, result.stdout + result.stderr
        return json.loads(answer[-1])

    def job_log(self, spider: str, job: str) -> str:
        path = self.workdir / "logs" / PROJECT / spider / f"{job}.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else "(no log)"

    def wait_finished(self, job: str, timeout: float = 45) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            jobs = get_json(self.url + f"listjobs.json?project={PROJECT}")
            if any(j["id"] == job for j in jobs["finished"]):
                return
            time.sleep(0.3)
        pytest.fail(f"Scrapyd job {job} did not finish in {timeout} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    """Scrapyd with the project deployed from this checkout as an egg, nothing else: the egg must
    carry its own registry (crawler/sites.toml as package data) and settings (the `scrapy` entry
    point), and the test extra's setuptools (>=77,<82) must build and run it. Any of these
    missing fails the deploy, and so the tests."""
    tmp = tmp_path_factory.mktemp("scrapyd")
    server = Scrapyd(tmp / "server")
    try:
        answer = server.deploy(tmp)
        assert answer.get("status") == "ok", answer
        assert answer["project"] == PROJECT and answer["spiders"] >= 3, answer
        yield server
    finally:
        server.stop()


def articles(db: Path, site: str) -> set[str]:
    database = sqlite_utils.Database(db)
    try:
        return {"/" + row["url"].split("/", 3)[3] for row in database.query("SELECT url FROM articles WHERE site = ?", [site])}
    finally:
        database.close()


def test_the_egg_is_self_contained(deployed):
    """Scrapyd lists the spiders by running `scrapy list` on the egg alone (no PYTHONPATH, no
    BAOTINH_SITES, cwd elsewhere): the registry and the settings come from inside it."""
    spiders = get_json(deployed.url + f"listspiders.json?project={PROJECT}")["spiders"]
    assert {"baolangson", "baolaocai", "baocantho"} <= set(spiders)


def test_schedule_json_crawls_a_mirror_into_the_database(deployed, sample_site, tmp_path):
    server = deployed
    db = tmp_path / "scrapyd.db"
    mirror = sample_site["baolangson"]
    answer = get_json(server.url + "schedule.json", [
        ("project", PROJECT), ("spider", "baolangson"), ("base_url", mirror.base_url),
        ("setting", f"BAOTINH_DB={db}"), ("setting", "BAOTINH_SCHEDULED_BY=test:schedule.json")])
    assert answer["status"] == "ok", answer
    server.wait_finished(answer["jobid"])
    log = server.job_log("baolangson", answer["jobid"])
    assert "'finish_reason': 'finished'" in log, log
    assert articles(db, "baolangson") == set(mirror_articles("baolangson")), log
    (run,) = list(sqlite_utils.Database(db).query("SELECT * FROM crawl_runs"))
    assert run["scheduled_by"] == "test:schedule.json" and run["finish_reason"] == "finished"


def test_run_due_queues_on_scrapyd_and_releases_the_lock(deployed, sample_site, tmp_path):
    server = deployed
    mirror = sample_site["baolaocai"]
    schedule = tmp_path / "schedule.toml"
    schedule.write_text(f'[entries.qua-scrapyd]\nsite = "baolaocai"\ncron = "*/5 * * * *"\n'
                        f'base_url = "{mirror.base_url}"\nmax_pages = 50\npriority = 2\n', encoding="utf-8")
    db = tmp_path / "a.db"
    database = open_database(db)
    locks.set_check(database, "qua-scrapyd", datetime.now(VIETNAM) - timedelta(hours=1))
    database.close()
    started = time.monotonic()
    result = run_baotinh("schedule", "run-due", "--file", schedule, "--db", db, "--scrapyd", server.url, "--wait")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"qua-scrapyd baolaocai: started (Scrapyd job " in result.stdout
    assert "finished" in result.stdout.splitlines()[-1]
    assert time.monotonic() - started < 45
    assert articles(db, "baolaocai") == set(mirror_articles("baolaocai"))
    database = sqlite_utils.Database(db)
    (run,) = list(database.query("SELECT * FROM crawl_runs"))
    assert run["scheduled_by"] == "schedule:qua-scrapyd" and run["finish_reason"] == "finished"
    assert list(database.query("SELECT * FROM crawl_locks")) == []
    database.close()
