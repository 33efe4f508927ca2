"""Connecting to Redis: one client per process, one clear line when it is not there."""
from __future__ import annotations

from urllib.parse import urlsplit

SCHEMES = ("redis", "rediss", "unix")


class RedisUnavailable(Exception):
    """Redis cannot be used (missing library, bad URL, unreachable); str() is one line."""


def redacted(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password:
        netloc = f"{parts.username or ''}:***@{parts.hostname or ''}" + (f":{parts.port}" if parts.port else "")
        return parts._replace(netloc=netloc).geturl()
    return url


def check_url(url: str) -> str:
    parts = urlsplit(url or "")
    if parts.scheme not in SCHEMES or not (parts.netloc or parts.path):
        raise RedisUnavailable(f"{url!r} is not a Redis URL (redis://HOST:PORT/DB, rediss://… or unix://PATH)")
    return url


def connect(url: str, *, timeout: float = 5.0, check: bool = True):
    """A redis-py client for `url` (bytes replies), pinged when `check`; RedisUnavailable if not."""
    check_url(url)
    try:
        import redis
    except ImportError:
        raise RedisUnavailable("distributed mode needs redis-py and scrapy-redis: "
                               "pip install 'baotinh[distributed]'") from None
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=max(timeout, 30.0),
                                      retry_on_timeout=True, health_check_interval=30)
    except ValueError as exc:
        raise RedisUnavailable(f"{redacted(url)} is not a usable Redis URL: {exc}") from None
    if check:
        ping(client, url)
    return client


def ping(client, url: str) -> None:
    import redis

    try:
        client.ping()
    except redis.AuthenticationError as exc:
        raise RedisUnavailable(f"Redis at {redacted(url)} refused the credentials: {exc}") from None
    except redis.RedisError as exc:
        reason = str(exc).strip().rstrip(".") or type(exc).__name__
        raise RedisUnavailable(f"cannot reach Redis at {redacted(url)}: {reason}") from None


def client_from_settings(settings):
    """The client a crawl's components share: BAOTINH_REDIS_URL (or scrapy-redis's REDIS_URL)."""
    url = settings.get("BAOTINH_REDIS_URL") or settings.get("REDIS_URL")
    if not url:
        raise RedisUnavailable("no Redis URL: set BAOTINH_REDIS_URL")
    return connect(url, timeout=settings.getfloat("BAOTINH_REDIS_CONNECT_TIMEOUT", 5.0), check=False)
