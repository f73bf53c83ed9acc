"""Widgets on the home page: addons register a provider per widget, with the roles it is
for; the home page (templates/index.html) renders those the current user's roles allow.

Like app/menu_badges.py: the host knows no addon by name. A provider takes the user and
returns HTML (or None for nothing to show); one failing provider is logged and left out
rather than breaking the home page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import Flask, current_app
from markupsafe import Markup

log = logging.getLogger(__name__)
Provider = Callable[[object], Markup | str | None]


@dataclass(frozen=True)
class HomeWidget:
    name: str
    provider: Provider
    #: Role names the widget is for; None means every signed-in user.
    roles: frozenset[str] | None
    order: int = 100


def register_home_widget(
    app: Flask, name: str, provider: Provider, roles: Iterable[str] | None = None, order: int = 100
) -> None:
    """Add (or replace, by name) a home page widget for users holding one of `roles`."""
    widgets = app.extensions.get("home_widgets")
    if widgets is None:
        widgets = app.extensions["home_widgets"] = {}
        app.context_processor(lambda: {"home_widgets": render_home_widgets})
    widgets[name] = HomeWidget(name, provider, None if roles is None else frozenset(roles), order)


def widgets_for(user: object) -> list[HomeWidget]:
    """The widgets this user's roles allow, in order."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    roles = {r.name for r in getattr(user, "roles", None) or []}
    found = current_app.extensions.get("home_widgets", {}).values()
    allowed = [w for w in found if w.roles is None or w.roles & roles]
    return sorted(allowed, key=lambda w: (w.order, w.name))


def render_home_widgets() -> list[Markup]:
    """The current user's widgets as HTML."""
    user = current_app.appbuilder.sm.current_user
    out = []
    for widget in widgets_for(user):
        try:
            html = widget.provider(user)
        except Exception:  # noqa: BLE001 - one addon's widget must not break the home page
            log.exception("home widget %s failed", widget.name)
            continue
        if html:
            out.append(Markup(html))
    return out
