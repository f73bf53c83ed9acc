"""The business calendar for plugins/tickets, without importing the addon that keeps its
overrides: an addon registers a provider (the SLA addon's calendar with the admin's 调休
overrides); without one, the `holidays` package's calendar is used.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, has_app_context
from sqlalchemy.orm import Session

from workflows.business_calendar import BusinessCalendar

CalendarProvider = Callable[[Session], BusinessCalendar]


def register_calendar(app: Flask, provider: CalendarProvider) -> None:
    app.extensions["business_calendar"] = provider


def business_calendar(session: Session) -> BusinessCalendar:
    provider = current_app.extensions.get("business_calendar") if has_app_context() else None
    return provider(session) if provider is not None else BusinessCalendar()
