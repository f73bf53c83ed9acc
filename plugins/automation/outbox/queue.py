"""The RQ queue of the automation addon (JSON serializer: no pickles from Redis)."""

from __future__ import annotations

from functools import lru_cache

from redis import Redis
from rq import Queue
from rq.serializers import JSONSerializer

QUEUE_NAME = "default"


@lru_cache(maxsize=8)
def _connection(url: str) -> Redis:
    return Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)


def queue_for(url: str | None) -> Queue | None:
    """The queue at `url`, or None when the app runs without Redis (tests, scripts)."""
    if not url:
        return None
    return Queue(QUEUE_NAME, connection=_connection(url), serializer=JSONSerializer)
