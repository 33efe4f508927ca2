"""Starting one scheduled crawl: locally (a `baotinh crawl` subprocess) or on a Scrapyd server.

A launcher's launch(job, token) starts the crawl and returns a Launched: what to tell the
operator, how the site's lock changes hands (the crawl process's pid, or the Scrapyd job id)
and, when asked to wait, a function that waits for the end. Anything that prevents the start
is a LaunchError with a one-line message.
"""
from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

from crawler.scheduling.config import ScheduleEntry

DEFAULT_SCRAPYD_PROJECT = "baotinh"


class LaunchError(Exception):
    """A crawl that could not be started; str() is one line."""


@dataclass(frozen=True)
class CrawlJob:
    """One site of one due schedule entry."""

    entry: ScheduleEntry
    site: str

    @property
    def scheduled_by(self) -> str:
        return self.entry.scheduled_by

    @property
    def label(self) -> str:
        return f"{self.entry.name} {self.site}"


@dataclass
class Launched:
    description: str
    lock_changes: dict = field(default_factory=dict)   # applied to the site's lock (storage.locks.update)
    wait: Callable[[], tuple[bool, str]] | None = None  # -> (succeeded, what happened)


# -- what a crawl is asked to do ----------------------------------------------------------
# `baotinh crawl` options and Scrapyd spider arguments carry the same names (crawler/crawl_options/).

def crawl_options(entry: ScheduleEntry) -> list[str]:
    """The entry's mode and limits as `baotinh crawl` options."""
    options = []
    if entry.mode == "backfill":
        options += ["--since", entry.since] + (["--until", entry.until] if entry.until else [])
    elif entry.mode == "full":
        options += ["--full"]
    if entry.known_pages is not None:
        options += ["--known-pages", str(entry.known_pages)]
    if entry.max_articles is not None:
        options += ["--max-articles", str(entry.max_articles)]
    if entry.max_pages is not None:
        options += ["--max-pages", str(entry.max_pages)]
    return options


def spider_arguments(job: CrawlJob) -> dict[str, str]:
    """The entry's mode and limits as spider arguments (Scrapyd's schedule.json, `scrapy crawl -a`)."""
    entry, args = job.entry, {}
    if entry.base_url:
        args["base_url"] = entry.base_url
    if entry.mode == "backfill":
        args["since"] = entry.since
        if entry.until:
            args["until"] = entry.until
    elif entry.mode == "full":
        args["full"] = "1"
    if entry.known_pages is not None:
        args["known_pages"] = str(entry.known_pages)
    if entry.max_articles is not None:
        args["max_articles"] = str(entry.max_articles)
    if entry.max_pages is not None:
        args["max_pages"] = str(entry.max_pages)
    return args


def crawl_command(job: CrawlJob, db: Path, token: str, *, python: str = sys.executable) -> list[str]:
    """The `baotinh crawl` command line that runs a job locally and holds its lock."""
    argv = [python, "-m", "crawler.cli", "crawl", job.site, "--db", str(db)]
    if job.entry.base_url:
        argv += ["--base-url", job.entry.base_url]
    argv += crawl_options(job.entry)
    argv += ["--scheduled-by", job.scheduled_by, "--lock-token", token]
    return argv


def crawl_option_strings() -> set[str]:
    """Every option `baotinh crawl` accepts (the crawl options are plug-ins: check, don't assume)."""
    import argparse

    from crawler.cli import crawl

    subparsers = argparse.ArgumentParser(add_help=False).add_subparsers()
    crawl.register(subparsers)
    return {option for action in subparsers.choices["crawl"]._actions for option in action.option_strings}


def missing_crawl_options(command: list[str], known: set[str]) -> list[str]:
    return [arg for arg in command if arg.startswith("--") and arg not in known]


# -- local ---------------------------------------------------------------------------------

class LocalLauncher:
    """Run `baotinh crawl` in a subprocess: detached (its own session, output to a log file,
    nothing waits for it) or, with wait=True, waited on. The crawl adopts the site's lock
    with --lock-token, keeps it fresh and releases it when it exits."""

    def __init__(self, db: Path, log_dir: Path, *, wait: bool = False, python: str = sys.executable,
                 env: dict | None = None, clock: Callable[[], datetime] | None = None):
        self.db = Path(db)
        self.log_dir = Path(log_dir)
        self.waits = wait
        self.python = python
        self.env = env
        self.clock = clock
        self.children: list[subprocess.Popen] = []
        self._known_options: set[str] | None = None

    def launch(self, job: CrawlJob, token: str) -> Launched:
        command = crawl_command(job, self.db, token, python=self.python)
        if self._known_options is None:
            self._known_options = crawl_option_strings()
        missing = missing_crawl_options(command, self._known_options)
        if missing:
            raise LaunchError(f"this baotinh crawl has no {', '.join(missing)} option "
                              f"(needed by entry {job.entry.name}: {job.entry.describe()})")
        stamp = (self.clock() if self.clock else datetime.now()).strftime("%Y%m%dT%H%M%S")
        log = self.log_dir / f"{stamp}-{job.entry.name}-{job.site}.log"
        try:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            out = open(log, "ab")  # noqa: SIM115 (handed to the child)
        except OSError as exc:
            raise LaunchError(f"cannot write the crawl log {log}: {exc.strerror or exc}") from None
        try:
            child = subprocess.Popen(command,
                                     stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                     env=self.env, start_new_session=True, close_fds=True)
        except OSError as exc:
            raise LaunchError(f"cannot start {self.python}: {exc.strerror or exc}") from None
        finally:
            out.close()
        self.children.append(child)
        launched = Launched(f"pid {child.pid}, log {log}", lock_changes={"pid": child.pid})
        if self.waits:
            launched.wait = lambda: self._wait(child, log)
        return launched

    @staticmethod
    def _wait(child: subprocess.Popen, log: Path) -> tuple[bool, str]:
        code = child.wait()
        if code == 0:
            return True, "finished"
        try:
            lines = [line for line in log.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
        except OSError:
            lines = []
        last = lines[-1] if lines else ""
        return False, f"exit status {code}" + (f": {last}" if last else "") + f" (log {log})"

    def reap(self) -> None:
        """Collect finished children (a long-running `schedule serve` must, or they linger as zombies)."""
        self.children = [child for child in self.children if child.poll() is None]


# -- Scrapyd -------------------------------------------------------------------------------

class ScrapydError(LaunchError):
    pass


class ScrapydClient:
    """The few Scrapyd JSON endpoints we use (schedule.json, status.json, listjobs.json).
    Credentials may be given in the URL (http://user:pass@host:6800/)."""

    def __init__(self, url: str, *, timeout: float = 30):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ScrapydError(f"--scrapyd {url!r} is not an http(s) URL")
        self.auth = None
        if parts.username:
            user = urllib.parse.unquote(parts.username)
            password = urllib.parse.unquote(parts.password or "")
            self.auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
        self.url = urllib.parse.urlunsplit((parts.scheme, netloc, parts.path.rstrip("/") + "/", "", ""))
        self.timeout = timeout

    def call(self, endpoint: str, data: list[tuple[str, str]] | None = None,
             query: dict | None = None) -> dict:
        url = urllib.parse.urljoin(self.url, endpoint)
        if query:
            url += "?" + urllib.parse.urlencode(query)
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, method="POST" if body is not None else "GET")
        if self.auth:
            request.add_header("Authorization", self.auth)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                payload = response.read()
        except urllib.error.HTTPError as exc:
            raise ScrapydError(f"Scrapyd at {self.url} answered {exc.code} {exc.reason} to {endpoint}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", None) or exc
            raise ScrapydError(f"cannot reach Scrapyd at {self.url}: {reason}") from None
        try:
            answer = json.loads(payload)
        except ValueError:
            raise ScrapydError(f"Scrapyd at {self.url} sent something other than JSON to {endpoint}") from None
        if not isinstance(answer, dict) or answer.get("status") != "ok":
            message = answer.get("message") if isinstance(answer, dict) else answer
            raise ScrapydError(f"Scrapyd at {self.url} refused {endpoint}: {' '.join(str(message).split())}")
        return answer

    def schedule(self, data: list[tuple[str, str]]) -> str:
        return str(self.call("schedule.json", data)["jobid"])

    def job_state(self, job: str, project: str | None = None) -> str | None:
        """'pending', 'running', 'finished', or None (unknown to this Scrapyd, e.g. restarted)."""
        query = {"job": job, **({"project": project} if project else {})}
        return self.call("status.json", query=query).get("currstate")


def schedule_request(job: CrawlJob, *, project: str, db: str) -> list[tuple[str, str]]:
    """The form fields of schedule.json for a job: spider arguments and the two settings the
    crawl needs inside Scrapyd (where its archive is, and who scheduled it)."""
    data = [("project", project), ("spider", job.site), ("priority", str(job.entry.priority)),
            ("setting", f"BAOTINH_DB={db}"), ("setting", f"BAOTINH_SCHEDULED_BY={job.scheduled_by}")]
    data += sorted(spider_arguments(job).items())
    return data


class ScrapydLauncher:
    """Queue the crawl on a Scrapyd server (schedule.json). The site's lock then names the
    Scrapyd job; run-due releases it once status.json says the job finished."""

    def __init__(self, url: str, *, db: str, project: str = DEFAULT_SCRAPYD_PROJECT, wait: bool = False,
                 poll: float = 1.0, wait_timeout: float | None = None, sleep=time.sleep):
        self.client = ScrapydClient(url)
        self.db = db
        self.project = project
        self.waits = wait
        self.poll = poll
        self.wait_timeout = wait_timeout
        self.sleep = sleep

    def launch(self, job: CrawlJob, token: str) -> Launched:
        jobid = self.client.schedule(schedule_request(job, project=self.project, db=self.db))
        launched = Launched(f"Scrapyd job {jobid} at {self.client.url}",
                            lock_changes={"pid": None, "host": self.client.url, "job": jobid})
        if self.waits:
            launched.wait = lambda: self._wait(jobid)
        return launched

    def _wait(self, jobid: str) -> tuple[bool, str]:
        started = time.monotonic()
        while True:
            state = self.client.job_state(jobid, self.project)
            if state in ("finished", None):
                return True, f"Scrapyd job {jobid} {state or 'no longer known'}"
            if self.wait_timeout is not None and time.monotonic() - started > self.wait_timeout:
                return False, f"Scrapyd job {jobid} still {state} after {self.wait_timeout:.0f} s"
            self.sleep(self.poll)

    def reap(self) -> None:
        pass


def scrapyd_job_state(lock: dict) -> str | None:
    """Ask the Scrapyd named in a lock about the lock's job (ScrapydError if unreachable)."""
    return ScrapydClient(lock["host"], timeout=10).job_state(lock["job"])


def default_log_dir(db: Path) -> Path:
    return Path(os.environ.get("BAOTINH_LOG_DIR") or (Path(db).parent / "logs"))
