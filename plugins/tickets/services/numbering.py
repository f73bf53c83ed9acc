"""Human-readable ticket numbers: GD + local date + '-' + a per-day counter."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from plugins.tickets.models import TicketSequence

PREFIX = "GD"
LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def local_day(now_utc: dt.datetime) -> str:
    """The Asia/Shanghai calendar day of a naive UTC instant, as YYYYMMDD."""
    return now_utc.replace(tzinfo=dt.UTC).astimezone(LOCAL_TZ).strftime("%Y%m%d")


def next_number(session: Session, now_utc: dt.datetime) -> str:
    """Reserve the next number of the day.

    The counter row is bumped with one UPDATE, which locks it until the transaction ends,
    so concurrent intakes serialise on that row only; a missing row is inserted inside a
    savepoint so a racing insert is retried as an update.
    """
    day = local_day(now_utc)
    for _ in range(3):
        value = session.execute(
            update(TicketSequence)
            .where(TicketSequence.day == day)
            .values(last_value=TicketSequence.last_value + 1)
            .returning(TicketSequence.last_value)
        ).scalar_one_or_none()
        if value is not None:
            break
        try:
            with session.begin_nested():
                session.execute(insert(TicketSequence).values(day=day, last_value=1))
            value = 1
            break
        except IntegrityError:
            continue
    else:  # pragma: no cover - three lost races in a row
        value = session.execute(
            select(TicketSequence.last_value).where(TicketSequence.day == day)
        ).scalar_one()
    width = max(4, len(str(value)))
    return f"{PREFIX}{day}-{value:0{width}d}"
