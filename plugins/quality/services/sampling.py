"""Sampling (抽检): pick a share of each handler's tickets resolved in a period.

Rounding rule: with `percent`, a handler who resolved n tickets gets ceil(n × percent / 100)
of them reviewed (so anyone who resolved anything gets at least one); with `per_person`,
min(N, n). Tickets already sampled (by an earlier run or picked by QA) count towards that
target and are never picked again, so running twice over the same week adds nothing.

The handler is the actor of the ticket's last 办结 (resolve) in the trajectory, and the
department the one the ticket was in at that moment. One query reads the period:
tickets by resolved_at (ix_ticket_resolved_at, migration 0013), the last resolve event per
ticket (index on ticket_id, id), and whether a sample exists (unique index on ticket_id).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from plugins.quality.models import QaSample
from plugins.quality.services.reviews import RESOLVE_ACTION
from plugins.tickets.models import Ticket, TicketEvent
from plugins.tickets.services.errors import ValidationFailed


@dataclass(frozen=True)
class Candidate:
    ticket_id: int
    handler_id: int
    department_id: int | None
    sampled: bool


def candidates(session: Session, start: dt.datetime, end: dt.datetime) -> list[Candidate]:
    """Tickets resolved in [start, end) with their handler, and whether already sampled."""
    last = (
        select(TicketEvent.ticket_id, func.max(TicketEvent.id).label("event_id"))
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .where(
            Ticket.resolved_at >= start,
            Ticket.resolved_at < end,
            TicketEvent.action == RESOLVE_ACTION,
        )
        .group_by(TicketEvent.ticket_id)
        .subquery()
    )
    rows = session.execute(
        select(
            last.c.ticket_id,
            TicketEvent.actor_id,
            func.coalesce(TicketEvent.from_department_id, Ticket.department_id),
            QaSample.id,
        )
        .join(TicketEvent, TicketEvent.id == last.c.event_id)
        .join(Ticket, Ticket.id == last.c.ticket_id)
        .outerjoin(QaSample, QaSample.ticket_id == last.c.ticket_id)
        .where(TicketEvent.actor_id.is_not(None))
        .order_by(last.c.ticket_id)
    )
    return [Candidate(t, h, d, s is not None) for t, h, d, s in rows]


def target(count: int, percent: float | None, per_person: int | None) -> int:
    """How many of a handler's `count` tickets to review (see the rounding rule above)."""
    if per_person is not None:
        return min(per_person, count)
    # Round first so 10 × 30 % is 3, not ceil(3.0000000000000004) = 4.
    return min(count, math.ceil(round(count * (percent or 0) / 100, 9)))


def check_rate(percent: float | None, per_person: int | None) -> None:
    if (percent is None) == (per_person is None):
        raise ValidationFailed(_("Give either a percentage or a number per person."))
    if percent is not None and not 0 < percent <= 100:
        raise ValidationFailed(_("The percentage must be above 0 and at most 100."))
    if per_person is not None and per_person < 1:
        raise ValidationFailed(_("The number per person must be at least 1."))


def sample_period(
    session: Session,
    start: dt.datetime,
    end: dt.datetime,
    *,
    percent: float | None = None,
    per_person: int | None = None,
    rng: random.Random | None = None,
) -> list[QaSample]:
    """Add samples for [start, end) (naive UTC) and commit; returns the new ones.

    If QA picks one of the same tickets meanwhile, the unique index refuses the commit: the
    run reads the period again and tops up from what is left.
    """
    check_rate(percent, per_person)
    rng = rng or random.Random()
    for attempt in range(3):
        added = _pick(session, start, end, percent, per_person, rng)
        try:
            session.commit()
            return added
        except IntegrityError:
            session.rollback()
            if attempt == 2:
                raise
    return []


def _pick(
    session: Session,
    start: dt.datetime,
    end: dt.datetime,
    percent: float | None,
    per_person: int | None,
    rng: random.Random,
) -> list[QaSample]:
    by_handler: dict[int, list[Candidate]] = defaultdict(list)
    for row in candidates(session, start, end):
        by_handler[row.handler_id].append(row)
    period = (start + dt.timedelta(hours=8)).date()  # the Monday in Asia/Shanghai
    added = []
    for handler_id in sorted(by_handler):
        rows = by_handler[handler_id]
        done = sum(1 for r in rows if r.sampled)
        free = [r for r in rows if not r.sampled]
        need = max(0, target(len(rows), percent, per_person) - done)
        for row in rng.sample(free, min(need, len(free))):
            sample = QaSample(ticket_id=row.ticket_id, handler_id=handler_id,
                              department_id=row.department_id, period_start=period,
                              source="auto")  # fmt: skip
            session.add(sample)
            added.append(sample)
    return added
