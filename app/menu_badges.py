"""Count badges in the menu: addons register a provider per menu item name.

An addon may also add entries computed per user to a menu category (e.g. a user's saved
views with their counts). Both are computed lazily, only for what the menu actually
renders, once per page.

The menu is the same on every page a user opens: its counts and its HTML are kept per
user for a few seconds (app/user_cache.py).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, render_template
from markupsafe import Markup

from app.user_cache import cached_for_user

Provider = Callable[[], int | None]
#: Entries provider: [{"label", "href", "count" (int or None)}, ...] for the current user.
EntriesProvider = Callable[[], list[dict[str, object]]]


def register_badge(app: Flask, menu_name: str, provider: Provider) -> None:
    app.extensions.setdefault("menu_badges", {})[menu_name] = provider


def register_menu_entries(app: Flask, category_name: str, provider: EntriesProvider) -> None:
    app.extensions.setdefault("menu_entries", {})[category_name] = provider


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
        return cached_for_user((self._kind, name), self._providers[name])

    def __bool__(self) -> bool:
        return bool(self._providers)


def _render_menu() -> Markup:
    appbuilder = current_app.appbuilder
    return Markup(render_template("appbuilder/navbar_menu_items.html", menu=appbuilder.menu))


def menu_html() -> Markup:
    """The menu's items with their counts, for this user (cached like the counts)."""
    return cached_for_user(("menu_html",), _render_menu)


def _context() -> dict[str, object]:
    return {
        "menu_badges": _LazyBadges(current_app.extensions.get("menu_badges", {}), "badge"),
        "menu_entries": _LazyBadges(current_app.extensions.get("menu_entries", {}), "entries"),
        "menu_html": menu_html,
    }


def init_app(app: Flask) -> None:
    app.context_processor(_context)
