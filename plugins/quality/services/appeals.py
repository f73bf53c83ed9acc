"""Appeals (申诉): submitted → appealed → upheld | changed.

One appeal per review (a unique constraint backs the check), only by the reviewed person,
with a reason; only an Admin or a Supervisor of the review's department decides, with a
note. The appeal row keeps the old and new score, so the record shows every step.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from plugins.quality.models import QaAppeal, QaReview
from plugins.quality.services import access
from plugins.tickets.models.base import utcnow
from plugins.tickets.scoping import role_names
from plugins.tickets.services.errors import Conflict, Forbidden, ValidationFailed

DECISIONS = ("upheld", "changed")
MAX_TEXT = 2000


def _text(raw: Any, field: str, message: str) -> str:
    text = str(raw or "").strip()
    if not text or len(text) > MAX_TEXT:
        raise ValidationFailed(_("Please correct the errors below."), {field: message})
    return text


def appeal(session: Session, actor: object, review: QaReview, reason: Any,
           *, now: dt.datetime | None = None) -> QaAppeal:  # fmt: skip
    """The reviewed person appeals once, with a reason. Commits."""
    if actor is None or review.reviewed_user_id != getattr(actor, "id", None):
        raise Forbidden(_("Only the reviewed person may appeal."))
    if review.appeal is not None or review.status != "submitted":
        raise Conflict(_("This review has already been appealed once."))
    text = _text(reason, "reason",
                 _("Give a reason of at most %(n)d characters.", n=MAX_TEXT))  # fmt: skip
    row = QaAppeal(review=review, appellant_id=actor.id, reason=text, old_score=review.score,
                   created_at=now or utcnow())  # fmt: skip
    review.status = "appealed"
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict(_("This review has already been appealed once.")) from None
    return row


def decide(session: Session, actor: object, review: QaReview, decision: Any, note: Any,
           score: Any = None, *, now: dt.datetime | None = None) -> QaReview:  # fmt: skip
    """Uphold the score or change it (0…max). Only through here does a score change. Commits."""
    if not access.can_decide(session, actor, review):
        raise Forbidden(_("Only a supervisor of this department may decide the appeal."))
    if review.status != "appealed" or review.appeal is None:
        raise Conflict(_("There is no open appeal on this review."))
    errors: dict[str, str] = {}
    if decision not in DECISIONS:
        errors["decision"] = _("Choose to uphold or change the score.")
    new_score = None
    if decision == "changed":
        try:
            new_score = round(float(score), 2) if not isinstance(score, bool) else None
        except (TypeError, ValueError):
            new_score = None
        if new_score is None or not 0 <= new_score <= review.max_score:
            errors["score"] = _("The score must be between 0 and %(max)s.",
                                max=f"{review.max_score:g}")  # fmt: skip
    if errors:
        raise ValidationFailed(_("Please correct the errors below."), errors)
    text = _text(note, "note", _("Give a note of at most %(n)d characters.", n=MAX_TEXT))
    row = review.appeal
    row.decision, row.decision_note = decision, text
    row.decided_by_id, row.decided_at = actor.id, now or utcnow()
    review.status = decision
    if decision == "changed":
        row.new_score = review.score = new_score
        review.critical_failed = review.critical_failed and new_score == 0
        review.passed = not review.critical_failed and new_score >= review.version.pass_score
    session.commit()
    return review


def open_appeals_query(session: Session, actor: object):
    """SELECT of the appealed reviews this actor may decide, or None if they decide none."""
    stmt = select(QaReview).where(QaReview.status == "appealed")
    if "Admin" in role_names(actor):
        return stmt
    depts = access.supervised_departments(session, actor)
    if not depts:
        return None
    return stmt.where(
        QaReview.department_id.in_(sorted(depts)), QaReview.reviewed_user_id != actor.id
    )


def open_appeals(session: Session, actor: object, limit: int = 200) -> list[QaReview]:
    """Appealed reviews this actor may decide, oldest first."""
    stmt = open_appeals_query(session, actor)
    if stmt is None:
        return []
    return list(session.scalars(stmt.order_by(QaReview.submitted_at).limit(limit)))
