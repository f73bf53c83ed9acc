"""Reviews (质检): pick a ticket, find whom it reviews, score it against a scorecard.

The reviewed person is the ticket's handler: the actor of its last 办结 (resolve) in the
trajectory, else its current assignee for a ticket not resolved yet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from plugins.quality.models import QaReview, QaReviewScore, QaSample
from plugins.quality.services import access, scorecards, scoring
from plugins.tickets.models import Ticket, TicketEvent
from plugins.tickets.models.base import utcnow
from plugins.tickets.scoping import read_scope
from plugins.tickets.services.errors import Conflict, Forbidden, NotFound, ValidationFailed

RESOLVE_ACTION = "resolve"


def handler_of(session: Session, ticket: Ticket) -> tuple[int | None, int | None]:
    """(user id, department id) of whoever resolved the ticket last, else its assignee."""
    row = session.execute(
        select(TicketEvent.actor_id, TicketEvent.from_department_id)
        .where(TicketEvent.ticket_id == ticket.id, TicketEvent.action == RESOLVE_ACTION)
        .order_by(TicketEvent.id.desc())
        .limit(1)
    ).first()
    if row is not None and row.actor_id is not None:
        return row.actor_id, row.from_department_id or ticket.department_id
    return ticket.assignee_id, ticket.department_id


def _require_reviewer(actor: object | None) -> None:
    if not access.is_reviewer(actor):
        raise Forbidden(_("Only QA staff may review tickets."))


def reviewable_ticket(session: Session, actor: object, ticket_id: int) -> Ticket:
    """The ticket if the actor may review it (reviewer role, inside their read scope)."""
    _require_reviewer(actor)
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or not read_scope(session, actor).contains(ticket):
        raise NotFound(_("Ticket not found."))
    return ticket


def find_ticket(session: Session, actor: object, raw: str) -> Ticket:
    """A ticket by number (or id) for QA's own pick."""
    raw = (raw or "").strip()
    ticket_id = session.scalar(select(Ticket.id).where(Ticket.number == raw)) if raw else None
    if ticket_id is None and raw.isdigit():
        ticket_id = int(raw)
    if ticket_id is None:
        raise NotFound(_("Ticket not found."))
    return reviewable_ticket(session, actor, ticket_id)


def pick(session: Session, actor: object, ticket: Ticket) -> QaSample:
    """QA picks a ticket by hand: its sample (the existing one if already picked). Commits."""
    _require_reviewer(actor)
    sample = session.scalar(select(QaSample).where(QaSample.ticket_id == ticket.id))
    if sample is not None:
        return sample
    handler_id, department_id = handler_of(session, ticket)
    if handler_id is None:
        raise Conflict(_("This ticket has no handler to review yet."))
    sample = QaSample(ticket_id=ticket.id, handler_id=handler_id, department_id=department_id,
                      source="manual", picked_by_id=actor.id)  # fmt: skip
    session.add(sample)
    try:
        session.commit()
    except IntegrityError:  # picked at the same moment by someone else (or the job)
        session.rollback()
        return session.scalar(select(QaSample).where(QaSample.ticket_id == ticket.id))
    return sample


def get_sample(session: Session, actor: object, sample_id: int) -> QaSample:
    sample = session.get(QaSample, sample_id)
    if sample is None:
        raise NotFound(_("Sample not found."))
    reviewable_ticket(session, actor, sample.ticket_id)
    return sample


def submit(
    session: Session,
    actor: object,
    sample: QaSample,
    scorecard_id: Any,
    entries: Mapping[int, Mapping[str, Any]],
    comment: str | None = None,
    *,
    now: dt.datetime | None = None,
) -> QaReview:
    """Score the sampled ticket on the scorecard's current version and submit. Commits."""
    ticket = reviewable_ticket(session, actor, sample.ticket_id)
    if sample.review is not None:
        raise Conflict(_("This ticket has already been reviewed."))
    if sample.handler_id is None:
        raise Conflict(_("This ticket has no handler to review yet."))
    card = (
        session.get(scorecards.Scorecard, scorecard_id) if isinstance(scorecard_id, int) else None
    )
    if card is None or card not in scorecards.applicable(session, ticket):
        raise ValidationFailed(
            _("Please correct the errors below."),
            {"scorecard_id": _("Choose an active scorecard that applies to this ticket.")},
        )
    version = card.current
    result = scoring.compute(version, entries)
    review = QaReview(
        sample=sample, ticket_id=ticket.id, version_id=version.id, reviewer_id=actor.id,
        reviewed_user_id=sample.handler_id, department_id=sample.department_id,
        status="submitted", score=result.score, max_score=result.max_score,
        passed=result.passed, critical_failed=result.critical_failed,
        comment=(comment or "").strip()[:4000] or None, submitted_at=now or utcnow(),
        scores=[QaReviewScore(item_id=s.item_id, points=s.points, failed=s.failed,
                              comment=s.comment) for s in result.items],
    )  # fmt: skip
    session.add(review)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict(_("This ticket has already been reviewed.")) from None
    return review


def get_review(session: Session, actor: object, review_id: int) -> QaReview:
    review = session.get(QaReview, review_id)
    if review is None or not access.can_see(session, actor, review):
        raise NotFound(_("Review not found."))
    return review


def visible(session: Session, actor: object, *, status: str | None = None, mine: bool = False,
            limit: int = 200) -> list[QaReview]:  # fmt: skip
    """Reviews the actor may see, newest first."""
    stmt = select(QaReview).where(access.review_clause(session, actor))
    if mine:
        stmt = stmt.where(QaReview.reviewed_user_id == actor.id)
    if status:
        stmt = stmt.where(QaReview.status == status)
    return list(session.scalars(stmt.order_by(QaReview.submitted_at.desc()).limit(limit)))


def pending_samples(session: Session, actor: object, limit: int = 200) -> list[QaSample]:
    """Samples without a review yet, oldest first (reviewers only)."""
    _require_reviewer(actor)
    stmt = (
        select(QaSample)
        .outerjoin(QaReview, QaReview.sample_id == QaSample.id)
        .join(Ticket, Ticket.id == QaSample.ticket_id)
        .where(QaReview.id.is_(None), read_scope(session, actor).clause())
        .order_by(QaSample.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def as_dict(review: QaReview) -> dict[str, Any]:
    appeal = review.appeal
    return {
        "id": review.id,
        "ticket_id": review.ticket_id,
        "ticket_number": review.ticket.number,
        "scorecard": review.version.scorecard.name,
        "version": review.version.number,
        "reviewer_id": review.reviewer_id,
        "reviewed_user_id": review.reviewed_user_id,
        "department_id": review.department_id,
        "status": review.status,
        "score": review.score,
        "max_score": review.max_score,
        "passed": review.passed,
        "critical_failed": review.critical_failed,
        "comment": review.comment,
        "submitted_at": review.submitted_at.replace(tzinfo=dt.UTC).isoformat(),
        "items": [
            {
                "item_id": s.item_id,
                "label_zh": s.item.label_zh,
                "points": s.points,
                "failed": s.failed,
                "comment": s.comment,
            }
            for s in review.scores
        ],  # fmt: skip
        "appeal": None
        if appeal is None
        else {
            "reason": appeal.reason,
            "decision": appeal.decision,
            "decision_note": appeal.decision_note,
            "old_score": appeal.old_score,
            "new_score": appeal.new_score,
        },  # fmt: skip
    }
