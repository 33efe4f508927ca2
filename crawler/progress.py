"""Progress on long work (export, reparse, export-warc, ingest, backfills).

    from crawler.progress import progress, track

    with progress(total=len(rows), desc="export", unit="articles") as bar:
        for row in rows:
            ...
            bar.update(1)

    for row in track(rows, desc="export", unit="articles"):   # the same, as a wrapper
        ...

On a terminal (the stream is a TTY) this is a tqdm bar with counts, percentage (when the total
is known), rate and time left. Anywhere else (a pipe, a log file, CI) there is never a bar:
one plain line every `interval` seconds (default 10) and, if `every` is given, every `every`
items, then one summary line:

    export: 5000/12000 articles (42%), 1200/s
    export: done, 12000 articles in 10.0 s (1200/s)

If the block ends with an exception (or the caller of track() stops iterating early) the
summary says "stopped after ..." instead. Progress
goes to stderr by default, so stdout stays clean for data. BAOTINH_PROGRESS=bar|lines|off
overrides the choice (off: nothing at all); so does the `mode` argument.

bar.set_status(text) shows a short status after the counts (tqdm's postfix on a terminal, the
end of each periodic line elsewhere); crawls use it for their listing/new/updated/dropped counts
(crawler/crawl_progress.py).
"""
from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager
from typing import Callable, Iterable, Iterator, TextIO

MODES = ("auto", "bar", "lines", "off")
DEFAULT_INTERVAL = 10.0


def _is_tty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def choose_mode(stream, mode: str | None = None) -> str:
    mode = (mode or os.environ.get("BAOTINH_PROGRESS") or "auto").strip().lower()
    if mode not in MODES:
        mode = "auto"
    if mode == "auto":
        return "bar" if _is_tty(stream) and os.environ.get("TERM") != "dumb" else "lines"
    return mode


def _rate(count: int, elapsed: float) -> str:
    if elapsed < 0.001:
        return ""
    rate = count / elapsed
    return f"{rate:.0f}/s" if rate >= 10 else f"{rate:.1f}/s"


class _Progress:
    """What every mode offers: update(n), set_total(total), write(message), count."""

    def __init__(self, total: int | None, desc: str, unit: str, stream: TextIO):
        self.total, self.desc, self.unit, self.stream = total, desc, unit, stream
        self.count = 0
        self.status_text = ""

    def update(self, n: int = 1) -> None:
        self.count += n

    def set_total(self, total: int | None) -> None:
        self.total = total

    def set_status(self, text: str, refresh: bool = True) -> None:
        """A short status shown after the counts ("listings 5, new 30"); refresh=False: with the
        next update() only."""
        self.status_text = text

    def write(self, message: str) -> None:
        """A message that does not garble the bar."""
        print(message, file=self.stream, flush=True)

    def close(self, failed: bool = False) -> None:
        pass


class _Quiet(_Progress):
    def write(self, message: str) -> None:
        pass


class _Lines(_Progress):
    def __init__(self, total, desc, unit, stream, *, every: int | None, interval: float | None,
                 clock: Callable[[], float], summary: bool = True):
        super().__init__(total, desc, unit, stream)
        self.every, self.interval, self.clock, self.summary = every, interval, clock, summary
        self.started = self.last_line = clock()
        self.next_count = every or 0

    def _prefix(self) -> str:
        return f"{self.desc}: " if self.desc else ""

    def update(self, n: int = 1) -> None:
        self.count += n
        now = self.clock()
        due_count = bool(self.every) and self.count >= self.next_count
        due_time = self.interval is not None and now - self.last_line >= self.interval
        if due_count or due_time:
            if self.every:
                self.next_count = (self.count // self.every + 1) * self.every
            self.last_line = now
            self._emit(self.status(now))

    def status(self, now: float) -> str:
        if self.total:
            done = f"{self.count}/{self.total} {self.unit} ({100 * self.count / self.total:.0f}%)"
        else:
            done = f"{self.count} {self.unit}"
        rate = _rate(self.count, now - self.started)
        return f"{self._prefix()}{done}" + (f", {rate}" if rate else "") + \
            (f", {self.status_text}" if self.status_text else "")

    def close(self, failed: bool = False) -> None:
        if not failed and not self.summary:
            return
        elapsed = self.clock() - self.started
        rate = _rate(self.count, elapsed)
        what = "stopped after" if failed else "done,"
        count = f"{self.count}/{self.total}" if self.total and self.total != self.count else f"{self.count}"
        self._emit(f"{self._prefix()}{what} {count} {self.unit} in {elapsed:.1f} s"
                   + (f" ({rate})" if rate else ""))

    def _emit(self, line: str) -> None:
        try:
            print(line, file=self.stream, flush=True)
        except (OSError, ValueError):
            pass  # a closed or broken stream must not break the work itself


class _Bar(_Progress):
    def __init__(self, total, desc, unit, stream, leave: bool = True):
        super().__init__(total, desc, unit, stream)
        from tqdm import tqdm

        self._tqdm = tqdm
        # " articles": tqdm glues the unit to the numbers ("300articles", "250.00articles/s")
        self.bar = tqdm(total=total, desc=desc or None, unit=f" {unit}", file=stream, dynamic_ncols=True,
                        mininterval=0.2, leave=leave)

    def update(self, n: int = 1) -> None:
        self.count += n
        self.bar.update(n)

    def set_total(self, total: int | None) -> None:
        self.total = total
        self.bar.total = total
        self.bar.refresh()

    def set_status(self, text: str, refresh: bool = True) -> None:
        """After tqdm's counts and rate; refresh=True redraws the bar (so its clock moves on too)."""
        self.status_text = text
        try:
            self.bar.set_postfix_str(text, refresh=refresh)
        except (OSError, ValueError):
            pass

    def write(self, message: str) -> None:
        self._tqdm.write(message, file=self.stream)

    def close(self, failed: bool = False) -> None:
        try:
            self.bar.close()
        except (OSError, ValueError):
            pass


@contextmanager
def progress(total: int | None = None, desc: str = "", unit: str = "items", stream: TextIO | None = None,
             *, every: int | None = None, interval: float | None = DEFAULT_INTERVAL, mode: str | None = None,
             summary: bool = True, leave: bool = True,
             clock: Callable[[], float] = time.monotonic) -> Iterator[_Progress]:
    """Show that long work is alive: a bar on a terminal, plain lines elsewhere (see above).

    summary=False: no final "done" line in line mode, for commands that print their own
    ("stopped after ..." is still printed when the work stops early). leave=False: the bar is
    erased when it closes (bar mode; for callers that write their own last line)."""
    stream = stream if stream is not None else sys.stderr
    chosen = choose_mode(stream, mode)
    if chosen == "off":
        bar: _Progress = _Quiet(total, desc, unit, stream)
    elif chosen == "bar":
        bar = _Bar(total, desc, unit, stream, leave=leave)
    else:
        bar = _Lines(total, desc, unit, stream, every=every, interval=interval, clock=clock, summary=summary)
    try:
        yield bar
    except BaseException:  # including GeneratorExit: track()'s caller stopped iterating early
        bar.close(failed=True)
        raise
    else:
        bar.close()


def track(iterable: Iterable, total: int | None = None, **options) -> Iterator:
    """Iterate over `iterable`, counting one item per step (options as for progress())."""
    if total is None:
        try:
            total = len(iterable)  # type: ignore[arg-type]
        except TypeError:
            total = None
    with progress(total=total, **options) as bar:
        for item in iterable:
            yield item
            bar.update(1)
