"""Extra panels on the ticket page: addons register a provider, the page renders what they
return (HTML), so plugins/tickets shows e.g. SLA lights without importing the addon.

Like app/menu_badges.py for menus: providers live in app.extensions; one failing provider
is logged and left out rather than breaking the page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, current_app
from markupsafe import Markup

from plugins.tickets.models import Ticket

log = logging.getLogger(__name__)
PanelProvider = Callable[[Ticket], Markup | str | None]


def register_panel(app: Flask, name: str, provider: PanelProvider) -> None:
    app.extensions.setdefault("ticket_panels", {})[name] = provider


def render_panels(ticket: Ticket) -> list[Markup]:
    """Each registered provider's HTML for this ticket (None means nothing to show)."""
    out = []
    for name, provider in current_app.extensions.get("ticket_panels", {}).items():
        try:
            html = provider(ticket)
        except Exception:  # noqa: BLE001 - an addon's panel must not break the ticket page
            log.exception("ticket panel %s failed", name)
            continue
        if html:
            out.append(Markup(html))
    return out
