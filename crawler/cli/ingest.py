"""`baotinh ingest --redis URL`: the one process that writes what distributed workers found.

    baotinh ingest --redis redis://HOST:6379/0              # store what is waiting, then exit (--once)
    baotinh ingest --redis redis://HOST:6379/0 --follow     # keep storing until Ctrl-C / SIGTERM

Run it next to the database, before the workers (`baotinh crawl SITE --redis URL`): at start it
tells them, through Redis, which articles the database already has. docs/scaling.md.
"""
from __future__ import annotations

import signal
import time

from crawler.cli.common import CLIError, add_db_argument, db_path

EXIT_DATABASE = 5   # as crawler/outcome.py: the database failed, nothing was lost


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "ingest", help="store what distributed workers pushed to Redis (the single database writer)",
        description="Drain the items, raw pages and run records that `baotinh crawl SITE --redis URL` "
                    "workers push to Redis into the database. Delivery is at-least-once with upserts: "
                    "killing the ingester at any moment loses and doubles nothing.")
    parser.add_argument("--redis", required=True, metavar="URL", help="Redis URL, e.g. redis://HOST:6379/0")
    add_db_argument(parser)
    when = parser.add_mutually_exclusive_group()
    when.add_argument("--once", action="store_true", help="store what is waiting now, then exit (the default)")
    when.add_argument("--follow", action="store_true", help="keep storing as workers push, until interrupted")
    parser.add_argument("--batch", type=int, default=200, metavar="N",
                        help="messages per transaction batch (default 200)")
    parser.add_argument("--prefix", default=None, metavar="NAME", help="Redis key prefix (default baotinh)")
    parser.add_argument("--no-known", action="store_true",
                        help="do not publish the database's known article URLs to Redis at start")
    parser.set_defaults(func=run)


class _Stop:
    def __init__(self):
        self.requested = False
        self.previous = {}

    def __enter__(self):
        for sig in (signal.SIGINT, signal.SIGTERM):
            self.previous[sig] = signal.signal(sig, self._handle)
        return self

    def _handle(self, signum, frame):
        if self.requested:   # a second Ctrl-C: leave now; the batch in hand stays in the processing list
            raise KeyboardInterrupt
        self.requested = True

    def __exit__(self, *exc):
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)


def run(args) -> int:
    from crawler.distributed import DEFAULT_PREFIX
    from crawler.distributed.connection import RedisUnavailable, connect, redacted
    from crawler.distributed.ingest import Ingester, IngesterBusy, LockLost
    from crawler.progress import progress
    from storage import StorageError, open_database

    if args.batch < 1:
        raise CLIError("--batch must be at least 1")
    try:
        client = connect(args.redis, timeout=3.0)
    except RedisUnavailable as exc:
        raise CLIError(str(exc)) from None
    path = db_path(args)
    try:
        db = open_database(path)
    except StorageError as exc:
        raise CLIError(f"cannot use the database {path}: {exc}") from None
    ingester = Ingester(client, db, prefix=args.prefix or DEFAULT_PREFIX, batch=args.batch)
    import redis

    try:
        ingester.acquire()
        with _Stop() as stop, progress(desc="ingest", unit="messages", summary=False) as bar:
            bar.update(ingester.recover())
            if not args.no_known:
                published = ingester.publish_known()
                bar.write(f"ingest: {published} known article URL(s) published to Redis for the workers")
            waiting_since = None
            while not stop.requested:
                try:
                    if waiting_since is not None:   # a batch may have been taken when Redis went away
                        bar.update(ingester.recover())
                    done = ingester.drain_batch(block=1.0 if args.follow else 0.0)
                except redis.ConnectionError as exc:
                    if not args.follow:
                        raise
                    if waiting_since is None:
                        waiting_since = time.monotonic()
                        bar.write(f"ingest: Redis unreachable ({exc}); retrying")
                    time.sleep(1.0)
                    continue
                if waiting_since is not None:
                    bar.write(f"ingest: Redis back after {time.monotonic() - waiting_since:.0f} s")
                    waiting_since = None
                bar.update(done)
                if not done and not args.follow:
                    break
    except IngesterBusy as exc:
        raise CLIError(str(exc)) from None
    except LockLost as exc:
        raise CLIError(str(exc)) from None
    except StorageError as exc:
        raise CLIError(f"cannot store into {path}: {exc}; what was being stored stays in Redis "
                       f"({ingester.keys['processing']}) and is stored when the ingester starts again",
                       EXIT_DATABASE) from None
    except redis.RedisError as exc:
        raise CLIError(f"Redis at {redacted(args.redis)} failed: {exc}; nothing is lost, run the ingester "
                       "again") from None
    finally:
        try:
            ingester.release()
        except redis.RedisError:
            pass
        db.close()
    try:
        left = ingester.pending()
    except redis.RedisError:
        left = 0
    print(f"ingest: {ingester.tally.summary()}" + (f"; {left} message(s) still waiting" if left else ""))
    return 0
