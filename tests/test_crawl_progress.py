"""crawler/crawl_progress.py: a live line under the log on a terminal, nothing in a piped log.

The crawls run `baotinh crawl` against a sample-site mirror, once with stderr on a pseudo-terminal
(read from its master end, as a terminal would) and once through a pipe."""
from __future__ import annotations

import io
import logging
import os
import re
import subprocess
import sys

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from conftest import BAOTINH, ROOT, mirror_articles
from crawler.crawl_progress import CrawlProgress, _BarSafeStream, _LogRedirect, duration, final_line, status_text
from crawler.progress import progress
from test_progress import child_env, read_all

# a little slower than a mirror allows, so that the live line is drawn a few times (~2 s)
SLOW = ["--set", "DOWNLOAD_DELAY=0.12", "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=1"]
LIVE = re.compile(r"baolangson: (\d+) articles \[\d\d:\d\d, +(\?|[\d.]+) articles/s, listings \d+, new \d+, "
                  r"updated \d+, dropped \d+")
FINAL = re.compile(r"^baolangson: 10 articles in [\d.]+ s \([\d.]+/s\), listings 5, new 10, updated 0, dropped 0$")
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[[\w.]+\] [A-Z]+: ")


def crawl_command(mirror, db) -> list[str]:
    return [*BAOTINH, "crawl", "baolangson", "--base-url", mirror.base_url, "--db", str(db), *SLOW]


def screen_lines(output: str) -> list[str]:
    """What a terminal shows once `output` is written (\\r returns to the line's start and
    overwrites; the crawl's single bar needs no cursor movement)."""
    assert "\x1b" not in output  # one bar: tqdm moves the cursor only for several
    lines = []
    for raw in output.replace("\r\n", "\n").split("\n"):
        line = ""
        for part in raw.split("\r"):
            line = part + line[len(part):]
        lines.append(line.rstrip())
    return lines


def test_a_live_line_on_a_terminal_below_intact_log_lines(sample_site, tmp_path):
    import fcntl
    import struct
    import termios

    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 200, 0, 0))
    proc = subprocess.Popen(crawl_command(sample_site["baolangson"], tmp_path / "a.db"), stdout=subprocess.PIPE,
                            stderr=slave, stdin=subprocess.DEVNULL, env=child_env(), cwd=ROOT)
    os.close(slave)
    try:
        output = read_all(master, proc, timeout=90).decode("utf-8", "replace")
        proc.communicate(timeout=30)
    finally:
        os.close(master)
    assert proc.returncode == 0, output[-3000:]
    live = LIVE.findall(output)
    assert len(live) >= 3, output[-3000:]                       # redrawn while the crawl ran
    counts = [int(n) for n, _ in live]
    assert counts == sorted(counts) and 0 < counts[-1] <= 10    # counts only go up
    assert any(rate not in ("?", "0.00") for _, rate in live)   # with a rate

    lines = screen_lines(output)
    # the live line gave way to one plain line with the final figures, before the stats dump
    finals = [i for i, line in enumerate(lines) if FINAL.match(line)]
    assert len(finals) == 1, "\n".join(line for line in lines if "baolangson:" in line)
    dump = next(i for i, line in enumerate(lines) if "Dumping Scrapy stats" in line)
    assert finals[0] < dump
    # no log line was garbled by the bar, and no bar is left on screen between log lines
    assert not any(LIVE.search(line) for line in lines)
    for line in lines:
        if "articles/s" in line or "listings " in line:
            assert FINAL.match(line), line
    log_lines = [line for line in lines if LOG_LINE.match(line)]
    assert any("Spider opened" in line for line in log_lines)
    assert lines[-1].endswith("INFO: Spider closed (finished)") or lines[-2].endswith("Spider closed (finished)")
    assert "'crawler.crawl_progress.CrawlProgress'" in output    # listed among Scrapy's enabled extensions


@pytest.mark.parametrize("how", ["pipe", "off on a terminal"])
def test_nothing_when_piped_or_switched_off(sample_site, tmp_path, how):
    command = crawl_command(sample_site["baolangson"], tmp_path / "a.db")
    if how == "pipe":
        result = subprocess.run(command, capture_output=True, text=True, env=child_env(), cwd=ROOT, timeout=120)
        assert result.returncode == 0, result.stderr[-3000:]
        stderr = result.stderr
    else:
        master, slave = os.openpty()
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL,
                                env=child_env(BAOTINH_PROGRESS="off"), cwd=ROOT)
        os.close(slave)
        try:
            stderr = read_all(master, proc, timeout=90).decode("utf-8", "replace").replace("\r\n", "\n")
            proc.communicate(timeout=30)
        finally:
            os.close(master)
        assert proc.returncode == 0, stderr[-3000:]
    assert "\r" not in stderr
    assert "articles/s" not in stderr and "listings " not in stderr
    assert not re.search(r"^baolangson: ", stderr, re.MULTILINE)
    assert "CrawlProgress" not in stderr                         # not even enabled: the log is as before
    assert "Spider closed (finished)" in stderr and "Crawled 0 pages" in stderr   # Scrapy's own LogStats
    for line in stderr.splitlines():                              # every line is Scrapy's, as ever
        assert LOG_LINE.match(line) or line.startswith((" ", "{", "[", "}", "]", ")")) or line == "", line
    assert len(mirror_articles("baolangson")) == 10


# -- the parts, in this process ---------------------------------------------------------------


class Stats:
    def __init__(self, values):
        self.values = values

    def get_value(self, key, default=None):
        return self.values.get(key, default)


def test_status_and_final_line():
    stats = Stats({"baotinh/pages/listing": 96, "baotinh/pages/article": 1250, "baotinh/articles/new": 1190,
                   "baotinh/articles/updated": 12, "item_dropped_count": 48})
    assert status_text(stats) == "listings 96, new 1190, updated 12, dropped 48"
    assert final_line("baolangson", stats, 7264) == \
        "baolangson: 1250 articles in 2:01:04 (0.17/s), listings 96, new 1190, updated 12, dropped 48"
    stats.values.update({"baotinh/articles/unchanged": 3, "baotinh/errors/page_failed": 1,
                         "baotinh/errors/article_failed": 2})
    assert status_text(stats) == "listings 96, new 1190, updated 12, unchanged 3, dropped 48, failed 3"
    assert final_line("x", Stats({}), 2.0, "shutdown") == \
        "x: 0 articles in 2.0 s (0.00/s), listings 0, new 0, updated 0, dropped 0 (closed: shutdown)"
    # a distributed worker queues its articles for `baotinh ingest`
    assert status_text(Stats({"baotinh/articles/queued": 7})) == "listings 0, queued 7, dropped 0"
    assert [duration(s) for s in (4.24, 65, 3600)] == ["4.2 s", "01:05", "1:00:00"]


def test_log_records_clear_the_bar_and_handlers_are_restored():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        with progress(desc="baolangson", unit="articles", stream=stream, mode="bar", leave=False) as bar:
            _LogRedirect.acquire(stream)
            _LogRedirect.acquire(stream)              # a second crawl of the same process
            assert isinstance(handler.stream, _BarSafeStream)
            bar.update(3)
            before = stream.getvalue()
            logging.getLogger("crawl").warning("page not fetched")
            written = stream.getvalue()[len(before):]
            _LogRedirect.release()
            assert isinstance(handler.stream, _BarSafeStream)   # still a bar open
            _LogRedirect.release()
        assert handler.stream is stream
    finally:
        root.removeHandler(handler)
    # the bar is wiped (\r, blanks, \r), the record written on its own line, the bar drawn again
    assert re.match(r"^\r +\rWARNING: page not fetched\n\rbaolangson: 3 articles", written), repr(written)


class TTY(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize("stderr, env, settings, enabled", [
    (TTY, {}, {}, True),
    (io.StringIO, {}, {}, False),                                  # a pipe, a file: nothing
    (TTY, {"BAOTINH_PROGRESS": "off"}, {}, False),
    (TTY, {"BAOTINH_PROGRESS": "lines"}, {}, False),               # Scrapy's LogStats lines are the lines
    (TTY, {"TERM": "dumb"}, {}, False),
    (io.StringIO, {"BAOTINH_PROGRESS": "bar"}, {}, True),
    (TTY, {}, {"BAOTINH_CRAWL_PROGRESS": False}, False),
    (TTY, {}, {"BAOTINH_LOG_FORMAT": "json"}, False),
])
def test_enabled_only_for_a_terminal(monkeypatch, stderr, env, settings, enabled):
    monkeypatch.delenv("BAOTINH_PROGRESS", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(sys, "stderr", stderr())
    crawler = get_crawler(settings_dict=settings)
    if enabled:
        assert isinstance(CrawlProgress.from_crawler(crawler), CrawlProgress)
    else:
        with pytest.raises(NotConfigured):
            CrawlProgress.from_crawler(crawler)
