"""The ticket page's QA panel (via plugins/tickets/panels.py) and the menu badge of open
appeals (via app/menu_badges.py): reads only, scoped by services.access."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import func, select

from plugins.quality.models import QaReview
from plugins.quality.services import access
from plugins.quality.services.appeals import open_appeals_query
from plugins.tickets.context import actor, session
from plugins.tickets.models import Ticket


def panel(ticket: Ticket) -> str | None:
    """The ticket's review if the user may see it; for QA staff, a button to review it."""
    db, user = session(), actor()
    row = db.scalar(
        select(QaReview).where(QaReview.ticket_id == ticket.id, access.review_clause(db, user))
    )
    reviewer = access.is_reviewer(user)
    if row is None and not reviewer:
        return None
    return render_template("quality/ticket_panel.html", row=row, ticket=ticket, reviewer=reviewer)


def open_appeals_badge() -> int | None:
    user = actor()
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    stmt = open_appeals_query(session(), user)
    if stmt is None:
        return None
    return session().scalar(select(func.count()).select_from(stmt.subquery())) or None
