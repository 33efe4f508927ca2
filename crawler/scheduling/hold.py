"""A crawl process holding its site's lock: adopt it, keep it fresh, release it at exit.

`baotinh schedule run-due` takes the lock, starts `baotinh crawl SITE --lock-token T` and
hands the lock to the new pid; the crawl calls hold_lock(), which re-states its own pid and
host, refreshes the heartbeat every `interval` seconds from a daemon thread (other machines
judge the lock by it) and releases the lock when the process exits. If the process is
killed outright, its lock names a pid that is gone: the next run-due on this host clears it,
and other hosts do once the heartbeat is older than the TTL.
"""
from __future__ import annotations

import atexit
import logging
import os
import socket
import threading
from pathlib import Path

from storage import StorageError, open_database
from storage import locks as lockdb

logger = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 60.0


class HeldLock:
    def __init__(self, db: Path, site: str, token: str, *, interval: float = HEARTBEAT_SECONDS):
        self.db_path = Path(db)
        self.site = site
        self.token = token
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def adopt(self) -> bool:
        db = open_database(self.db_path)
        try:
            return lockdb.update(db, self.site, self.token, pid=os.getpid(), host=socket.gethostname(), job=None)
        finally:
            db.close()

    def _beat(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                db = open_database(self.db_path)
                try:
                    if not lockdb.refresh(db, self.site, self.token):
                        logger.warning("the lock on %s is no longer ours (cleared as stale?)", self.site)
                        return
                finally:
                    db.close()
            except StorageError as exc:
                logger.warning("cannot refresh the lock on %s: %s", self.site, exc)

    def start(self) -> "HeldLock":
        self._thread = threading.Thread(target=self._beat, name=f"lock-{self.site}", daemon=True)
        self._thread.start()
        atexit.register(self.release)
        return self

    def release(self) -> None:
        self._stop.set()
        try:
            db = open_database(self.db_path)
            try:
                lockdb.release(db, self.site, self.token)
            finally:
                db.close()
        except StorageError as exc:  # the next run-due clears it as stale
            logger.warning("cannot release the lock on %s: %s", self.site, exc)


def hold_lock(db: Path, site: str, token: str, *, interval: float = HEARTBEAT_SECONDS) -> HeldLock | None:
    """Adopt the lock run-due took for this crawl; None if it is not (or no longer) ours."""
    held = HeldLock(db, site, token, interval=interval)
    if not held.adopt():
        return None
    return held.start()
