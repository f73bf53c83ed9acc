"""The user SLA timers act as: the one "system" user the triggers also use.

`flask init` creates it (triggers/system_user.py); a worker started on a database that
skipped that step creates it here, the same way, rather than fail to record a breach.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from plugins.automation.triggers.system_user import ensure_system_user
from plugins.tickets.services.duties import SYSTEM_USERNAME


def system_user(session: Session):
    """Find (or, once, create) the system user."""
    sm = current_app.appbuilder.sm
    user = session.scalar(select(sm.user_model).where(sm.user_model.username == SYSTEM_USERNAME))
    return user if user is not None else ensure_system_user(sm)
