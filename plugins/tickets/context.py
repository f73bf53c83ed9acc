"""Who is acting and on which session, for views and APIs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app
from sqlalchemy.orm import Session, scoped_session


def actor() -> object | None:
    """The authenticated user of this request (browser session or JWT), or None."""
    return current_app.appbuilder.sm.current_user


def session() -> Session:
    return current_app.appbuilder.session


@contextmanager
def loaded_after_commit() -> Iterator[None]:
    """Within: a commit leaves the objects loaded, so an answer built from what was just
    written does not read it all back (6 statements for a new ticket). Only for rows
    whose every value is set by the application (no server defaults or triggers)."""
    current = session()
    real = current.registry() if isinstance(current, scoped_session) else current
    before = real.expire_on_commit
    real.expire_on_commit = False
    try:
        yield
    finally:
        real.expire_on_commit = before
