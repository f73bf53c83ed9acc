"""SLA screens: registered later in this file; a stub keeps the addon booting."""

from __future__ import annotations


def register(appbuilder) -> None:
    """Admin screens and the ticket-page panel (see views_admin / panel)."""
