"""Count badges in the menu: addons register a provider per menu item name.

An addon may also add entries computed per user to a menu category (e.g. a user's saved
views with their counts). Both are computed lazily, only for what the menu actually
renders, once per page.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app

Provider = Callable[[], int | None]
#: Entries provider: [{"label", "href", "count" (int or None)}, ...] for the current user.
EntriesProvider = Callable[[], list[dict[str, object]]]


def register_badge(app: Flask, menu_name: str, provider: Provider) -> None:
    app.extensions.setdefault("menu_badges", {})[menu_name] = provider


def register_menu_entries(app: Flask, category_name: str, provider: EntriesProvider) -> None:
    app.extensions.setdefault("menu_entries", {})[category_name] = provider


class _LazyBadges:
    def __init__(self, providers: dict[str, Provider]) -> None:
        self._providers = providers
        self._values: dict[str, int | None] = {}

    def __contains__(self, name: object) -> bool:
        return name in self._providers and self[name] is not None

    def __getitem__(self, name: str) -> int | None:
        if name not in self._values:
            self._values[name] = self._providers[name]()
        return self._values[name]

    def __bool__(self) -> bool:
        return bool(self._providers)


def _context() -> dict[str, object]:
    return {
        "menu_badges": _LazyBadges(current_app.extensions.get("menu_badges", {})),
        "menu_entries": _LazyBadges(current_app.extensions.get("menu_entries", {})),
    }


def init_app(app: Flask) -> None:
    app.context_processor(_context)
