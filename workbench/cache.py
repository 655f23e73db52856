"""Django's Redis cache, for a Redis that may be away: while it is, every read is a miss and every
write is skipped, and the app goes on without the cache.

Everything the workbench keeps in the cache can be made again from PostgreSQL (step pages, diagram
layouts, exports, report HTML) or is a limit that may let a few more attempts through for the
length of an outage (sign-ups per address; failed logins are also counted by django-axes in the
database). So an unreachable Redis slows pages down; it does not fail them. A warning is logged at
most once a minute while it lasts.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
WARN_EVERY_SECONDS = 60.0
_last_warning = 0.0


def _tolerant(missed: Callable[..., Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The client method, answering `missed(*args)` when Redis cannot be reached."""

    def decorate(method: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(method)
        def call(self: RedisCacheClient, *args: Any) -> Any:
            global _last_warning
            try:
                return method(self, *args)
            except RedisError as error:
                now = time.monotonic()
                if now - _last_warning >= WARN_EVERY_SECONDS:
                    _last_warning = now
                    logger.warning("Redis is unreachable, going on without the cache: %s", error)
                return missed(*args)

        return call

    return decorate


class _TolerantClient(RedisCacheClient):
    add = _tolerant(lambda *args: False)(RedisCacheClient.add)
    get = _tolerant(lambda key, default: default)(RedisCacheClient.get)
    set = _tolerant(lambda *args: None)(RedisCacheClient.set)
    touch = _tolerant(lambda *args: False)(RedisCacheClient.touch)
    delete = _tolerant(lambda *args: False)(RedisCacheClient.delete)
    get_many = _tolerant(lambda *args: {})(RedisCacheClient.get_many)
    has_key = _tolerant(lambda *args: False)(RedisCacheClient.has_key)
    # As if the count started now: a limit counts from one again for the length of the outage.
    incr = _tolerant(lambda key, delta: delta)(RedisCacheClient.incr)
    set_many = _tolerant(lambda *args: [])(RedisCacheClient.set_many)
    delete_many = _tolerant(lambda *args: None)(RedisCacheClient.delete_many)
    clear = _tolerant(lambda *args: False)(RedisCacheClient.clear)


class OutageTolerantRedisCache(RedisCache):
    """RedisCache whose client answers a miss instead of raising while Redis is unreachable."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _TolerantClient
