"""What every page computes the same way for a user, kept a few seconds per web process.

The menu (its counts: one COUNT per queue and per saved view, 100 ms for a broad view at a
million tickets) and a list's search form are the same on every page a user opens. They
are kept per user and locale for `MENU_COUNT_CACHE_SECONDS` (default 15; 0 turns it off),
and a user's own change (any request other than GET/HEAD/OPTIONS) drops their entries in the
process that served it, so what they just did shows on their next page. Other users'
changes show within that time, as a live badge would.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import Flask, current_app, g, request
from flask_babel import get_locale

T = TypeVar("T")
_READS = frozenset({"GET", "HEAD", "OPTIONS"})


class UserCache:
    """Per-process values keyed (user id, key), each with an expiry."""

    MAX_USERS = 5000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_user: dict[int, dict[Hashable, tuple[float, object]]] = {}

    def get(
        self,
        user_id: int,
        key: Hashable,
        ttl: float,
        compute: Callable[[], T],
        keep: Callable[[T], bool] | None = None,
    ) -> T:
        now = time.monotonic()
        with self._lock:
            hit = self._by_user.get(user_id, {}).get(key)
        if hit is not None and hit[0] > now:
            return hit[1]  # type: ignore[return-value]
        value = compute()
        if keep is not None and not keep(value):
            return value
        with self._lock:
            if user_id not in self._by_user and len(self._by_user) >= self.MAX_USERS:
                self._by_user.clear()
            self._by_user.setdefault(user_id, {})[key] = (now + ttl, value)
        return value

    def forget(self, user_id: int) -> None:
        with self._lock:
            self._by_user.pop(user_id, None)


def current_user_id() -> int | None:
    user = getattr(g, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, "id", None)


def _cache(app: Flask) -> UserCache:
    return app.extensions.setdefault("user_cache", UserCache())


def cached_for_user(
    key: tuple, compute: Callable[[], T], keep: Callable[[T], bool] | None = None
) -> T:
    """compute() for the current user and locale, kept MENU_COUNT_CACHE_SECONDS (only when
    keep(value), if given)."""
    ttl = float(current_app.config.get("MENU_COUNT_CACHE_SECONDS", 15))
    user_id = current_user_id()
    if ttl <= 0 or user_id is None:
        return compute()
    return _cache(current_app).get(user_id, (str(get_locale()), *key), ttl, compute, keep)


def _forget_after_write(response):
    if request.method not in _READS:
        user_id = current_user_id()
        if user_id is not None:
            _cache(current_app).forget(user_id)
    return response


def init_app(app: Flask) -> None:
    app.after_request(_forget_after_write)
