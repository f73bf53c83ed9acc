"""Count badges in the menu: addons register a provider per menu item name.

An addon may also add entries computed per user to a menu category (e.g. a user's saved
views with their counts). Both are computed lazily, only for what the menu actually
renders, once per page.

Every page renders the menu, so its counts (one COUNT per queue and per saved view, 100 ms
for a broad view at a million tickets) would be paid on every page view. They are kept per
user and locale for `MENU_COUNT_CACHE_SECONDS` (default 15; 0 turns it off) in each web
process, and a user's own change (any request other than GET/HEAD/OPTIONS) drops their
entries in the process that served it, so what they just did shows on their next page.
Other users' changes show within that time, as a live badge would.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from flask import Flask, current_app, g, render_template, request
from flask_babel import get_locale
from markupsafe import Markup

Provider = Callable[[], int | None]
#: Entries provider: [{"label", "href", "count" (int or None)}, ...] for the current user.
EntriesProvider = Callable[[], list[dict[str, object]]]
_READS = frozenset({"GET", "HEAD", "OPTIONS"})


def register_badge(app: Flask, menu_name: str, provider: Provider) -> None:
    app.extensions.setdefault("menu_badges", {})[menu_name] = provider


def register_menu_entries(app: Flask, category_name: str, provider: EntriesProvider) -> None:
    app.extensions.setdefault("menu_entries", {})[category_name] = provider


class CountCache:
    """Per-process values keyed (user id, locale, kind, name), each with an expiry."""

    MAX_USERS = 5000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_user: dict[int, dict[tuple, tuple[float, object]]] = {}

    def get(self, user_id: int, key: tuple, ttl: float, compute: Callable[[], object]):
        now = time.monotonic()
        with self._lock:
            hit = self._by_user.get(user_id, {}).get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        value = compute()
        with self._lock:
            if user_id not in self._by_user and len(self._by_user) >= self.MAX_USERS:
                self._by_user.clear()
            self._by_user.setdefault(user_id, {})[key] = (now + ttl, value)
        return value

    def forget(self, user_id: int) -> None:
        with self._lock:
            self._by_user.pop(user_id, None)


class _LazyBadges:
    def __init__(self, providers: dict, kind: str) -> None:
        self._providers = providers
        self._kind = kind
        self._values: dict[str, object] = {}

    def __contains__(self, name: object) -> bool:
        return name in self._providers and self[name] is not None

    def __getitem__(self, name: str):
        if name not in self._values:
            self._values[name] = self._compute(name)
        return self._values[name]

    def _compute(self, name: str):
        provider = self._providers[name]
        ttl = float(current_app.config.get("MENU_COUNT_CACHE_SECONDS", 15))
        user_id = _user_id()
        if ttl <= 0 or user_id is None:
            return provider()
        key = (str(get_locale()), self._kind, name)
        return _cache(current_app).get(user_id, key, ttl, provider)

    def __bool__(self) -> bool:
        return bool(self._providers)


def _user_id() -> int | None:
    user = getattr(g, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, "id", None)


def _cache(app: Flask) -> CountCache:
    return app.extensions.setdefault("menu_count_cache", CountCache())


def _render_menu() -> Markup:
    appbuilder = current_app.appbuilder
    return Markup(render_template("appbuilder/navbar_menu_items.html", menu=appbuilder.menu))


def menu_html() -> Markup:
    """The menu's items with their counts, for this user (cached like the counts)."""
    ttl = float(current_app.config.get("MENU_COUNT_CACHE_SECONDS", 15))
    user_id = _user_id()
    if ttl <= 0 or user_id is None:
        return _render_menu()
    key = (str(get_locale()), "menu_html", "")
    return _cache(current_app).get(user_id, key, ttl, _render_menu)


def _context() -> dict[str, object]:
    return {
        "menu_badges": _LazyBadges(current_app.extensions.get("menu_badges", {}), "badge"),
        "menu_entries": _LazyBadges(current_app.extensions.get("menu_entries", {}), "entries"),
        "menu_html": menu_html,
    }


def _forget_after_write(response):
    if request.method not in _READS:
        user_id = _user_id()
        if user_id is not None:
            _cache(current_app).forget(user_id)
    return response


def init_app(app: Flask) -> None:
    app.context_processor(_context)
    app.after_request(_forget_after_write)
