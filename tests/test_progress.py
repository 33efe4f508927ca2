"""crawler/progress.py: a bar on a terminal, a few plain lines anywhere else."""
from __future__ import annotations

import fcntl
import io
import os
import select
import struct
import subprocess
import sys
import termios
import time

import pytest

from conftest import ROOT
from crawler.progress import choose_mode, progress, track

SCRIPT = """
import sys, time
from crawler.progress import progress
with progress(total=120, desc="export", unit="articles") as bar:
    for i in range(120):
        time.sleep(0.004)
        bar.update(1)
print("data on stdout")
"""


def child_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("BAOTINH_PROGRESS", "NO_COLOR")}
    return {**env, "PYTHONPATH": str(ROOT), "TERM": "xterm", "PYTHONIOENCODING": "utf-8", **extra}


def read_all(fd: int, proc: subprocess.Popen, timeout: float = 30) -> bytes:
    chunks, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                data = os.read(fd, 65536)
            except OSError:  # EIO: the child closed its end of the terminal
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            # drain what is left, then stop
            ready, _, _ = select.select([fd], [], [], 0.2)
            if not ready:
                break
    return b"".join(chunks)


def test_bar_on_a_pseudo_terminal():
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT], stdout=subprocess.PIPE, stderr=slave,
                            env=child_env(), cwd=ROOT)
    os.close(slave)
    try:
        output = read_all(master, proc).decode("utf-8", "replace")
        stdout, _ = proc.communicate(timeout=30)
    finally:
        os.close(master)
    assert proc.returncode == 0, output
    assert "\r" in output                      # redrawn in place: a bar
    assert "export" in output and "120/120" in output and "articles/s" in output
    assert "|" in output and "100%" in output
    assert stdout.decode() == "data on stdout\n"  # progress never touches stdout


def test_plain_lines_when_piped():
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                            env=child_env(), cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "\r" not in result.stderr and "|" not in result.stderr and "█" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("export: done, 120 articles in "), lines
    assert result.stdout == "data on stdout\n"


@pytest.mark.parametrize("env_value, tty, term, mode", [
    (None, True, "xterm", "bar"),
    (None, False, "xterm", "lines"),
    (None, True, "dumb", "lines"),
    ("lines", True, "xterm", "lines"),
    ("off", True, "xterm", "off"),
    ("bar", False, "xterm", "bar"),
    ("nonsense", False, "xterm", "lines"),
])
def test_choose_mode(monkeypatch, env_value, tty, term, mode):
    class Stream(io.StringIO):
        def isatty(self):
            return tty
    if env_value is None:
        monkeypatch.delenv("BAOTINH_PROGRESS", raising=False)
    else:
        monkeypatch.setenv("BAOTINH_PROGRESS", env_value)
    monkeypatch.setenv("TERM", term)
    assert choose_mode(Stream()) == mode


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


@pytest.mark.parametrize("total, every, interval, step, expected", [
    # one line every 10 s (by the clock), then the summary
    (None, None, 10.0, 0.5, ["export: 20 articles, 2.0/s", "export: 40 articles, 2.0/s",
                             "export: done, 50 articles in 25.0 s (2.0/s)"]),
    # every N items, with the total known
    (50, 20, None, 0.01, ["export: 20/50 articles (40%), 100/s", "export: 40/50 articles (80%), 100/s",
                          "export: done, 50 articles in 0.5 s (100/s)"]),
])
def test_line_mode(total, every, interval, step, expected):
    stream, clock = io.StringIO(), FakeClock()
    with progress(total=total, desc="export", unit="articles", stream=stream, every=every,
                  interval=interval, mode="lines", clock=clock) as bar:
        for _ in range(50):
            clock.now += step
            bar.update(1)
    assert stream.getvalue().splitlines() == expected


def test_failure_says_stopped_and_reraises():
    stream = io.StringIO()
    with pytest.raises(RuntimeError):
        with progress(total=10, desc="reparse", unit="pages", stream=stream, mode="lines") as bar:
            bar.update(3)
            raise RuntimeError("boom")
    assert stream.getvalue().startswith("reparse: stopped after 3/10 pages in ")


def test_off_is_silent_and_track_counts():
    stream = io.StringIO()
    assert list(track(range(5), desc="x", stream=stream, mode="off")) == list(range(5))
    assert stream.getvalue() == ""
    assert list(track(iter(range(4)), desc="ingest", unit="records", stream=stream, mode="lines")) == [0, 1, 2, 3]
    assert stream.getvalue().startswith("ingest: done, 4 records in ")


def test_track_stopped_early_reports_partial_count():
    stream = io.StringIO()
    for item in track(range(10), desc="export", unit="articles", stream=stream, mode="lines"):
        if item == 2:
            break
    assert stream.getvalue().startswith("export: stopped after 2/10 articles in ")  # item 2 never finished


def test_summary_false_leaves_the_last_word_to_the_command():
    stream = io.StringIO()
    assert list(track(range(3), desc="export", stream=stream, mode="lines", summary=False)) == [0, 1, 2]
    assert stream.getvalue() == ""
    with pytest.raises(OSError):
        for _ in track(range(3), desc="export", unit="articles", stream=stream, mode="lines", summary=False):
            raise OSError("disk full")
    assert stream.getvalue().startswith("export: stopped after 0/3 articles")


def test_bar_mode_writes_through_tqdm():
    stream = io.StringIO()
    with progress(total=3, desc="warc", unit="records", stream=stream, mode="bar") as bar:
        bar.update(3)
        bar.write("a message")
    text = stream.getvalue()
    assert "a message" in text and "3/3" in text and "warc" in text
