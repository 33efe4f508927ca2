"""Shared test helpers: the sample-site servers and running the `baotinh` command."""
from __future__ import annotations

import ipaddress
import json
import os
import socket
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from crawler.clock import VIETNAM
from crawler.sample_site import FIXTURES, mirror_dirs, serve_sample_site

ROOT = Path(__file__).resolve().parent.parent
BAOTINH = [sys.executable, "-m", "crawler.cli"]
# "Now" for fixture expectations: after every fixture's publication date.
REFERENCE = datetime(2026, 11, 29, 12, 0, tzinfo=VIETNAM)


def fixture_pairs(root: Path = FIXTURES) -> list[Path]:
    """Every tests/fixtures/<site>/<page>.json that has its <page>.html beside it."""
    return sorted(p for p in root.rglob("*.json")
                  if p.with_suffix(".html").is_file() or p.with_suffix(".html.gz").is_file())


def mirror_articles(site: str) -> dict[str, dict]:
    """URL path -> expected item, for every article page of one sample-site mirror."""
    articles = {}
    for path in fixture_pairs(FIXTURES / site):
        expected = json.loads(path.read_text(encoding="utf-8"))
        articles["/" + path.relative_to(FIXTURES / site).with_suffix(".html").as_posix()] = expected
    return articles


def run_baotinh(*args: str, env: dict | None = None, timeout: float = 180, cwd: Path = ROOT):
    """Run the CLI in a subprocess (a Twisted reactor cannot be restarted in-process)."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([*BAOTINH, *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env=full_env, cwd=cwd)


@pytest.fixture(scope="session")
def sample_site():
    """All mirrors served on free ports for the whole session: {site: MirrorServer}."""
    servers = serve_sample_site(0, sites=list(mirror_dirs()))
    yield {server.name: server for server in servers}
    for server in servers:
        server.stop()


def _is_loopback(address) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    if not isinstance(host, str):
        return True  # AF_UNIX paths and the like never leave the machine
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True, scope="session")
def _only_loopback():
    """Tests talk to 127.0.0.1 only: any other connection attempt in-process fails loudly."""
    original = socket.socket.connect

    def connect(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
            raise AssertionError(f"a test tried to reach {address!r}: tests must only talk to 127.0.0.1")
        return original(sock, address)

    socket.socket.connect = connect
    yield
    socket.socket.connect = original


def _fail_skips(report) -> None:
    """In CI (BAOTINH_NO_SKIP=1) a skip is a failure: every check must really run there."""
    if report.skipped and os.environ.get("BAOTINH_NO_SKIP") == "1" and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"skipped in CI, where every test must run: {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    _fail_skips(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    # Module-level skips (e.g. no redis-server) happen while collecting, not while running.
    outcome = yield
    _fail_skips(outcome.get_result())
