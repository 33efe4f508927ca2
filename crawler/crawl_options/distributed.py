"""`baotinh crawl SITE --redis URL`: be one worker of a distributed crawl (docs/scaling.md).

Every worker started with the same SITE and Redis URL shares one crawl: one request queue, one
duplicate filter, one politeness delay per site. Workers write nothing to the database: they push
what they find to Redis, and `baotinh ingest --redis URL` stores it. The same settings work for
`scrapy crawl` and Scrapyd (crawler/distributed/addon.py):

    BAOTINH_REDIS_URL       the Redis URL                      (--redis)
    BAOTINH_REDIS_LEASE_TTL seconds before a silent worker's requests go to others (--lease-ttl)
    ADDONS                  {"crawler.distributed.RedisMode": 0}
"""
from __future__ import annotations

from pathlib import Path

from crawler.cli.common import CLIError

ADDON = "crawler.distributed.RedisMode"


def add_arguments(parser) -> None:
    group = parser.add_argument_group("distributed crawl (docs/scaling.md)")
    group.add_argument("--redis", metavar="URL",
                       help="be one worker of a distributed crawl of SITE shared through Redis "
                            "(redis://HOST:PORT/DB); workers never open the database (--db is not used): "
                            "`baotinh ingest --redis URL` stores what they find")
    group.add_argument("--lease-ttl", type=float, metavar="SECONDS",
                       help="with --redis: seconds a worker may stay silent before its requests go to the "
                            "others (default 30)")
    group.add_argument("--new-job", action="store_true",
                       help="with --redis: discard the unfinished distributed crawl of SITE first (only when "
                            "no worker of it is running)")


def _project_addons() -> dict:
    from crawler import settings as project

    return dict(getattr(project, "ADDONS", None) or {})


def apply(args, plan) -> None:
    if not args.redis:
        if args.lease_ttl is not None or args.new_job:
            raise CLIError("--lease-ttl and --new-job go with --redis")
        return
    if getattr(args, "jobdir", None):
        raise CLIError("--jobdir does not go with --redis: a distributed crawl keeps its state in Redis "
                       "(start a worker again to resume it)")
    if getattr(args, "lock_token", None):
        raise CLIError("--lock-token does not go with --redis: workers are coordinated through Redis")
    if args.lease_ttl is not None and args.lease_ttl < 1:
        raise CLIError("--lease-ttl must be at least 1 second")

    from crawler.distributed import DEFAULT_PREFIX
    from crawler.distributed.connection import RedisUnavailable, connect

    try:
        client = connect(args.redis, timeout=3.0)
        import scrapy_redis  # noqa: F401 - checked here for a one-line error
    except RedisUnavailable as exc:
        raise CLIError(str(exc)) from None
    except ImportError:
        raise CLIError("distributed mode needs scrapy-redis: pip install 'baotinh[distributed]'") from None

    from crawler.distributed.frontier import Frontier, SiteKeys
    from crawler.distributed.scheduler import job_spec, spec_difference
    from crawler.registry import RegistryError, get_site

    try:
        site = get_site(plan.site)
    except RegistryError as exc:
        raise CLIError(str(exc)) from None
    import redis

    try:
        frontier = Frontier(client, SiteKeys(DEFAULT_PREFIX, plan.site), worker="launcher")
        if args.new_job:
            frontier.reset()
        else:
            running = frontier.job_info()
            mine = job_spec(base_url=plan.base_url or site.base_url, full=getattr(args, "full", False),
                            since=getattr(args, "since", None), until=getattr(args, "until", None))
            difference = running and spec_difference(running["spec"], mine)
            if difference:
                raise CLIError(f"a distributed crawl of {plan.site} with other options is in progress in Redis "
                               f"(job {running.get('id')}: {difference}); use the same options, or --new-job to "
                               "discard it")
    except redis.RedisError as exc:
        raise CLIError(f"Redis failed: {exc}") from None
    finally:
        client.close()

    from crawler.distributed.addon import scratch_database

    directory, path = scratch_database()
    plan.db = Path(path)   # workers never open the archive: the spider gets a throwaway one
    plan.settings.update({
        "BAOTINH_REDIS_URL": args.redis,
        "BAOTINH_REDIS_SCRATCH_DIR": directory,
        "ADDONS": {**_project_addons(), **plan.settings.get("ADDONS", {}), ADDON: 0},
    })
    if args.lease_ttl is not None:
        plan.settings["BAOTINH_REDIS_LEASE_TTL"] = args.lease_ttl
