"""预约回访: the follow-up agent books a call-back; the ticket leaves 待回访 until that time
(moved into working hours on the business calendar), the booker is reminded once, and the
follow-up itself spends the booking."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select

from plugins.automation.notify.callbacks import remind_due
from plugins.automation.notify.models import Delivery
from plugins.tickets.models import Ticket, TicketEvent
from plugins.tickets.models.base import utcnow
from plugins.tickets.queues import count
from tests.web.test_process_walkthrough import Desk
from workflows.business_calendar import BusinessCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _pending_followup(api, build) -> Desk:
    ticket = build.ticket("agent", "REPAIR", subject="宽带回访测试", caller_number="13800138000")
    desk = Desk(api, ticket.id)
    desk.act("tech", "accept")
    desk.act("tech", "resolve", result="已更换光猫")
    assert desk.state()[0] == "pending_followup"
    return desk


def _next(weekday: int, hour: int) -> dt.datetime:
    """The next `weekday` (0 = Monday) at `hour`:00 Shanghai time, at least a day ahead."""
    day = dt.datetime.now(SHANGHAI).date() + dt.timedelta(days=1)
    while day.weekday() != weekday:
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI)


def _reload(db, ticket_id: int) -> Ticket:
    db.expire_all()
    return db.get(Ticket, ticket_id)


def test_booking_hides_the_ticket_until_its_working_time(api, build, db):
    desk = _pending_followup(api, build)
    followup = build.user("followup")
    before = count(db, followup, "followup")
    saturday = _next(5, 10)
    desk.act("followup", "book_callback", callback_at=saturday.isoformat(), reason="no_answer")

    ticket = _reload(db, desk.ticket_id)
    assert ticket.status == "pending_followup"
    booked = ticket.callback_at.replace(tzinfo=dt.UTC).astimezone(SHANGHAI)
    calendar = BusinessCalendar()
    # A Saturday booking moves to the first working instant after it (09:00 of a working
    # day, the weekend skipped), never earlier than asked.
    assert booked > saturday and calendar.is_working_day(booked.date())
    assert booked.time() == dt.time(9, 0) and booked.date() > saturday.date()
    assert calendar.next_working_instant(saturday) == booked
    assert ticket.callback_by_id == followup.id and ticket.followup_attempts == 1
    assert count(db, followup, "followup") == before - 1
    assert count(db, followup, "callbacks") >= 1
    trail = db.scalars(
        select(TicketEvent).where(
            TicketEvent.ticket_id == ticket.id, TicketEvent.action == "book_callback"
        )
    ).all()
    assert len(trail) == 1 and trail[0].to_status == "pending_followup"


def test_a_caller_who_asks_for_a_time_is_not_an_unreached_attempt(api, build, db):
    desk = _pending_followup(api, build)
    tuesday = _next(1, 15)
    desk.act("followup", "book_callback", callback_at=tuesday.isoformat(), reason="requested")
    ticket = _reload(db, desk.ticket_id)
    assert ticket.followup_attempts == 0
    assert ticket.callback_at == tuesday.astimezone(dt.UTC).replace(tzinfo=None)


def test_past_or_far_bookings_are_refused_and_change_nothing(api, build, db):
    desk = _pending_followup(api, build)
    version = desk.version()
    past = (dt.datetime.now(SHANGHAI) - dt.timedelta(hours=1)).isoformat()
    resp = desk.act("followup", "book_callback", expect=422, callback_at=past, reason="busy")
    assert "callback_at" in str(resp.json)
    far = (dt.datetime.now(SHANGHAI) + dt.timedelta(days=45)).isoformat()
    desk.act("followup", "book_callback", expect=422, callback_at=far, reason="busy")
    desk.act("followup", "book_callback", expect=422, callback_at="明天上午", reason="busy")
    desk.act("tech", "book_callback", expect=403, callback_at=_next(1, 10).isoformat(),
             reason="busy")  # fmt: skip
    ticket = _reload(db, desk.ticket_id)
    assert ticket.version == version and ticket.callback_at is None
    assert ticket.followup_attempts == 0


def test_due_call_back_resurfaces_and_reminds_the_booker_once(api, build, db):
    desk = _pending_followup(api, build)
    followup = build.user("followup")
    desk.act("followup", "book_callback", callback_at=_next(2, 10).isoformat(), reason="busy")
    hidden = count(db, followup, "followup")
    # Time passes: the booked instant is now in the past.
    ticket = _reload(db, desk.ticket_id)
    ticket.callback_at = utcnow() - dt.timedelta(minutes=1)
    db.commit()
    assert count(db, followup, "followup") == hidden + 1

    assert remind_due(db, utcnow(), [ticket.id]) == 1
    assert remind_due(db, utcnow(), [ticket.id]) == 0  # exactly once
    deliveries = db.scalars(
        select(Delivery).where(Delivery.ticket_id == ticket.id, Delivery.channel == "in_app")
    ).all()
    assert [d.user_id for d in deliveries] == [followup.id]
    assert _reload(db, ticket.id).callback_reminded_at is not None

    # Rebooking arms a new reminder; the follow-up itself spends the booking.
    desk.act("followup", "book_callback", callback_at=_next(3, 11).isoformat(), reason="busy")
    ticket = _reload(db, ticket.id)
    assert ticket.callback_reminded_at is None and ticket.followup_attempts == 2
    desk.act("followup", "follow_up", satisfaction="satisfied")
    ticket = _reload(db, ticket.id)
    assert ticket.status == "resolved"
    assert ticket.callback_at is None and ticket.callback_by_id is None
