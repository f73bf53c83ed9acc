"""The business calendar as the database says: the `holidays` package plus admin overrides.

Built once per request or job (kept on `flask.g`, which both have) because a calendar caches
its days; an override save drops it so the same request recomputes with the new day.
"""

from __future__ import annotations

from flask import g, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import Session

from plugins.automation.sla.models import CalendarOverride
from workflows.business_calendar import BusinessCalendar

_G_KEY = "_sla_calendar"


def load_calendar(session: Session) -> BusinessCalendar:
    """A fresh calendar from the override table."""
    rows = session.scalars(select(CalendarOverride)).all()
    return BusinessCalendar(
        overrides={row.day: bool(row.is_working_day) for row in rows},
        official_years={row.day.year for row in rows if row.official},
    )


def calendar_for(session: Session) -> BusinessCalendar:
    """The calendar of this request/job (built on first use)."""
    if not has_app_context():
        return load_calendar(session)
    found = g.get(_G_KEY)
    if found is None:
        found = load_calendar(session)
        setattr(g, _G_KEY, found)
    return found


def invalidate() -> None:
    """Forget the cached calendar (call after saving an override)."""
    if has_app_context():
        g.pop(_G_KEY, None)
