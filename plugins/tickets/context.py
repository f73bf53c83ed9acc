"""Who is acting and on which session, for views and APIs."""

from __future__ import annotations

from flask import current_app
from sqlalchemy.orm import Session


def actor() -> object | None:
    """The authenticated user of this request (browser session or JWT), or None."""
    return current_app.appbuilder.sm.current_user


def session() -> Session:
    return current_app.appbuilder.session
