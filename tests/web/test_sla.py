"""SLA clocks from ticket events: policy matching, start / pause (挂起) / resume with the
remaining budget / stop, approved extensions, calendar overrides, the 2027 warning."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, select, update

from plugins.automation.sla import calendar as sla_calendar
from plugins.automation.sla.engine import sync_ticket
from plugins.automation.sla.models import CalendarOverride, SlaClock
from plugins.automation.sla.policies import match_policy, validate_targets
from plugins.tickets.models import TicketEvent
from plugins.tickets.services.actions import apply_action

T0 = dt.datetime(2026, 3, 2, 1, 0)  # Monday 09:00 in Shanghai


@pytest.fixture
def policies(sla_policies, db):
    """sla_policies, and the calendar overrides a test made are removed too."""
    yield sla_policies
    db.execute(delete(CalendarOverride))
    db.commit()
    sla_calendar.invalidate()


def _ticket(db, build, category: str, at: dt.datetime):
    from plugins.tickets.services.tickets import create_ticket

    data = {"subject": "SLA 测试", "category_id": build.category(category).id}
    return create_ticket(db, build.user("agent"), data, now=at)


def _clocks(db, ticket) -> dict[str, SlaClock]:
    db.expire_all()
    rows = db.scalars(select(SlaClock).where(SlaClock.ticket_id == ticket.id)).all()
    return {f"{r.metric}{'' if r.cycle == 1 else r.cycle}": r for r in rows}


def _act(db, user, ticket, name, at, **params):
    apply_action(db, user, ticket, name, params, ticket.version, now=at)
    sync_ticket(db, ticket)
    db.commit()


def test_policy_matching_by_category_children_and_priority(db, build, policies):
    broad = policies(
        "维修通用",
        {"resolve": {"kind": "working_days", "amount": 3}},
        category_id=build.category("REPAIR").id,
        sort_order=20,
    )
    urgent = policies(
        "维修加急",
        {"accept": {"kind": "calendar_minutes", "amount": 20}},
        category_id=build.category("REPAIR").id,
        priority="urgent",
        sort_order=10,
    )
    child = _ticket(db, build, "REPAIR_BB", T0)
    assert match_policy(db, child).id == broad.id  # a parent's policy covers its children
    child.priority = "urgent"
    assert match_policy(db, child).id == urgent.id  # lower order wins when both fit
    assert validate_targets({"resolve": {"kind": "weeks", "amount": 1}, "x": {}}).keys() == {
        "resolve",
        "x",
    }


def test_clock_runs_pauses_resumes_with_remaining_budget_and_stops(db, build, policies):
    policies(
        "测试24小时",
        {
            "accept": {"kind": "calendar_hours", "amount": 1},
            "resolve": {"kind": "calendar_hours", "amount": 8, "warn_percent": 75},
        },
    )
    tech = build.user("tech")
    ticket = _ticket(db, build, "REPAIR", T0)  # → 待签收
    sync_ticket(db, ticket)
    db.commit()
    clocks = _clocks(db, ticket)
    assert clocks["accept"].due_at == T0 + dt.timedelta(hours=1)
    assert clocks["resolve"].due_at == T0 + dt.timedelta(hours=8)
    assert clocks["resolve"].warn_at == T0 + dt.timedelta(hours=6)
    assert ticket.due_at == T0 + dt.timedelta(hours=8)  # copied for the queues

    _act(db, tech, ticket, "accept", T0 + dt.timedelta(minutes=30))
    clocks = _clocks(db, ticket)
    assert clocks["accept"].stopped_at == T0 + dt.timedelta(minutes=30)
    assert clocks["accept"].consumed_minutes == 30

    _act(db, tech, ticket, "suspend", T0 + dt.timedelta(hours=1), reason="等待配件")
    resolve = _clocks(db, ticket)["resolve"]
    assert resolve.paused and resolve.due_at is None and resolve.consumed_minutes == 60

    _act(db, tech, ticket, "resume", T0 + dt.timedelta(hours=3))
    resolve = _clocks(db, ticket)["resolve"]
    assert not resolve.paused
    assert resolve.due_at == T0 + dt.timedelta(hours=10)  # 7 hours left, counted from 3h
    assert db.get(type(ticket), ticket.id).due_at == resolve.due_at

    _act(db, tech, ticket, "resolve", T0 + dt.timedelta(hours=4), result="已修复")
    resolve = _clocks(db, ticket)["resolve"]
    assert resolve.stopped_at == T0 + dt.timedelta(hours=4) and resolve.consumed_minutes == 120


def test_approved_extension_moves_the_due(db, build, policies):
    policies("测试延期", {"resolve": {"kind": "calendar_hours", "amount": 8}})
    tech, lead = build.user("tech"), build.user("techlead")
    ticket = _ticket(db, build, "REPAIR", T0)
    _act(db, tech, ticket, "accept", T0 + dt.timedelta(minutes=5))
    until = T0 + dt.timedelta(days=2)
    _act(
        db,
        tech,
        ticket,
        "request_extension",
        T0 + dt.timedelta(hours=1),
        until=until.replace(tzinfo=dt.UTC),
        reason="需要厂家上门",
    )
    _act(db, lead, ticket, "approve_extension", T0 + dt.timedelta(hours=2))
    resolve = _clocks(db, ticket)["resolve"]
    assert resolve.due_at == until and resolve.extensions
    assert db.get(type(ticket), ticket.id).due_at == until


def test_calendar_override_changes_a_due(db, build, policies):
    policies("测试工作日", {"resolve": {"kind": "working_days", "amount": 1}})
    ticket = _ticket(db, build, "REPAIR", T0)  # Monday: due end of Tuesday
    sync_ticket(db, ticket)
    db.commit()
    assert _clocks(db, ticket)["resolve"].due_at == dt.datetime(2026, 3, 3, 10, 0)
    db.add(CalendarOverride(day=dt.date(2026, 3, 3), is_working_day=False, note="临时停工"))
    db.commit()
    sla_calendar.invalidate()
    sync_ticket(db, ticket)
    db.commit()
    assert _clocks(db, ticket)["resolve"].due_at == dt.datetime(2026, 3, 4, 10, 0)


def test_deadline_in_a_year_without_official_data_is_flagged(db, build, policies):
    policies("测试2027", {"resolve": {"kind": "working_days", "amount": 5}})
    at = dt.datetime(2027, 3, 1, 1, 0)
    ticket = _ticket(db, build, "REPAIR", at)
    sync_ticket(db, ticket)
    db.commit()
    assert _clocks(db, ticket)["resolve"].unofficial_years == [2027]
    db.add(
        CalendarOverride(
            day=dt.date(2027, 1, 1),
            is_working_day=False,
            official=True,
            note="国办发明电〔2026〕x号",
        )
    )
    db.commit()
    sla_calendar.invalidate()
    sync_ticket(db, ticket)
    db.commit()
    assert _clocks(db, ticket)["resolve"].unofficial_years == []


def test_ticket_without_policy_keeps_the_process_deadline(db, build):
    ticket = _ticket(db, build, "REPAIR", T0)
    before = ticket.due_at
    assert sync_ticket(db, ticket) == []
    db.commit()
    assert db.get(type(ticket), ticket.id).due_at == before
    assert db.scalar(select(TicketEvent.id).where(TicketEvent.ticket_id == ticket.id))
    db.execute(update(SlaClock).where(SlaClock.id < 0).values(paused=False))  # no-op, 2.0 style
