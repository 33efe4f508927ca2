"""`schedule serve`: run-due in a loop, for systemd or a container.

Each turn reloads the schedule file (a broken edit is reported and the last good schedule
kept), runs one run-due pass, collects finished crawl processes, then sleeps until the next
firing time (at most `max_sleep` seconds, so that locks of finished Scrapyd jobs and schedule
edits are noticed). stop() (the CLI calls it on SIGTERM/SIGINT) ends the sleep at once; crawls
already started keep running and release their own locks.
"""
from __future__ import annotations

import threading
from datetime import datetime
from typing import Callable

from crawler.scheduling.config import Schedule, ScheduleError, next_wakeup
from crawler.scheduling.rundue import Report


class Server:
    def __init__(self, *, load: Callable[[], Schedule], run: Callable[[Schedule, datetime], Report],
                 clock: Callable[[], datetime], launcher, log: Callable[[str], None],
                 max_sleep: float = 60.0, min_sleep: float = 1.0):
        self.load = load
        self.run = run
        self.clock = clock
        self.launcher = launcher
        self.log = log
        self.max_sleep = max_sleep
        self.min_sleep = min_sleep
        self.stopping = threading.Event()
        self.schedule: Schedule | None = None
        self.turns = 0

    def stop(self, *_signal_args) -> None:
        self.stopping.set()

    def reload(self) -> None:
        try:
            schedule = self.load()
        except ScheduleError as exc:
            if self.schedule is None:
                raise
            self.log(f"schedule not reloaded, keeping the previous one: {exc}")
            return
        if self.schedule is not None and schedule != self.schedule:
            self.log(f"schedule reloaded from {schedule.path}: {len(schedule.entries)} entries")
        self.schedule = schedule

    def turn(self) -> float:
        """One pass; returns how long to sleep before the next."""
        self.reload()
        now = self.clock()
        report = self.run(self.schedule, now)
        for event in report.events:
            self.log(event.line())
        self.launcher.reap()
        self.turns += 1
        wake = next_wakeup(self.schedule.entries, now)
        if wake is None:
            return self.max_sleep
        delay = (wake - self.clock()).total_seconds() + 0.5  # land just after the firing time
        return max(self.min_sleep, min(self.max_sleep, delay))

    def serve_forever(self, *, max_turns: int | None = None) -> None:
        while not self.stopping.is_set():
            delay = self.turn()
            if max_turns is not None and self.turns >= max_turns:
                break
            self.stopping.wait(delay)
