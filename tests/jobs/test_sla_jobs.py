"""SLA timers: warn at 75 % and breach exactly once when the sweeper and the scheduled job
both run; the urgent escalation chain (supervisor at 20 min, manager 20 min later), each
step once; the sweep reads only due rows, however many closed or future clocks exist."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, text

from plugins.automation.sla import jobs
from plugins.automation.sla.engine import sync_ticket
from plugins.automation.sla.escalation_models import (
    EscalationChain,
    EscalationLevel,
    EscalationStep,
)
from plugins.automation.sla.firing import due_ticket_ids, process_due
from plugins.automation.sla.models import SlaClock
from plugins.tickets.models import Comment
from plugins.tickets.models.base import utcnow
from plugins.tickets.services.tickets import create_ticket


@pytest.fixture
def policy(sla_policies):
    return sla_policies


def _ticket(db, build, at: dt.datetime, **values):
    data = {"subject": "SLA 定时", "category_id": build.category("REPAIR").id, **values}
    ticket = create_ticket(db, build.user("agent"), data, now=at)
    sync_ticket(db, ticket)
    db.commit()
    return ticket


def _notes(db, ticket) -> list[str]:
    return list(
        db.scalars(
            select(Comment.body).where(Comment.ticket_id == ticket.id, Comment.is_public.is_(False))
        )
    )


def test_warn_and_breach_fire_exactly_once(db, build, policy):
    policy(
        "定时一小时", {"resolve": {"kind": "calendar_minutes", "amount": 60, "warn_percent": 75}}
    )
    now = utcnow()
    ticket = _ticket(db, build, now - dt.timedelta(minutes=50))
    clock = db.scalar(select(SlaClock).where(SlaClock.ticket_id == ticket.id))
    assert clock.warn_at == now - dt.timedelta(minutes=5)

    first = process_due(db, now)
    assert first["warn"] == [clock.id] and first["breach"] == []
    assert jobs.fire(clock.id, "warn")["warn"] == []  # the scheduled job finds it claimed
    later = now + dt.timedelta(minutes=11)
    assert process_due(db, later)["breach"] == [clock.id]
    assert process_due(db, later)["breach"] == []
    assert jobs.fire(clock.id, "due")["breach"] == []
    assert jobs.sweep(reschedule=False)["breach"] == []
    db.expire_all()
    clock = db.get(SlaClock, clock.id)
    assert clock.warned_at == now and clock.breached_at == later
    notes = _notes(db, ticket)
    assert len(notes) == 2 and notes[0] != notes[1]  # one warning, one breach


def test_urgent_not_accepted_escalates_to_supervisor_then_manager(db, build, policy):
    urgent = policy(
        "加急签收", {"accept": {"kind": "calendar_minutes", "amount": 20}}, priority="urgent"
    )
    chain = EscalationChain(
        name="加急未签收",
        policy_id=urgent.id,
        metric="accept",
        levels=[
            EscalationLevel(level=1, delay_minutes=0, recipients=[{"supervisor": True}]),
            EscalationLevel(level=2, delay_minutes=20, recipients=[{"role": "Manager"}]),
        ],
    )
    db.add(chain)
    db.commit()
    start = utcnow() - dt.timedelta(minutes=21)
    ticket = _ticket(db, build, start, priority="urgent")
    clock = db.scalar(select(SlaClock).where(SlaClock.ticket_id == ticket.id))
    assert clock.metric == "accept" and clock.next_escalation_at == start + dt.timedelta(minutes=20)

    now = start + dt.timedelta(minutes=21)
    assert process_due(db, now)["escalation"] == [(clock.id, 1)]
    assert process_due(db, now)["escalation"] == []  # the job arriving late: nothing
    assert process_due(db, now + dt.timedelta(minutes=20))["escalation"] == [(clock.id, 2)]
    assert process_due(db, now + dt.timedelta(minutes=60))["escalation"] == []
    steps = db.scalars(
        select(EscalationStep)
        .where(EscalationStep.clock_id == clock.id)
        .order_by(EscalationStep.level)
    ).all()
    assert [s.level for s in steps] == [1, 2]
    tech = build.department("TECH").id
    assert steps[0].recipients == [{"department_supervisors": tech}]
    assert steps[1].recipients == [{"role": "Manager"}]
    db.expire_all()
    assert db.get(SlaClock, clock.id).next_escalation_at is None


def test_accepted_in_time_never_escalates(db, build, policy):
    from plugins.tickets.services.actions import apply_action

    urgent = policy(
        "加急签收2", {"accept": {"kind": "calendar_minutes", "amount": 20}}, priority="urgent"
    )
    db.add(
        EscalationChain(
            name="加急未签收2",
            policy_id=urgent.id,
            metric="accept",
            levels=[EscalationLevel(level=1, recipients=[{"supervisor": True}])],
        )
    )
    db.commit()
    start = utcnow() - dt.timedelta(minutes=30)
    ticket = _ticket(db, build, start, priority="urgent")
    apply_action(
        db,
        build.user("tech"),
        ticket,
        "accept",
        {},
        ticket.version,
        now=start + dt.timedelta(minutes=10),
    )
    fired = process_due(db, utcnow())  # the sweeper re-reads the ticket first
    assert fired == {"warn": [], "breach": [], "escalation": []}


def test_sweep_touches_only_due_rows(db, build, policy):
    policy("扫描", {"resolve": {"kind": "calendar_minutes", "amount": 60}})
    now = utcnow()
    due = _ticket(db, build, now - dt.timedelta(hours=2))
    quiet = _ticket(db, build, now)
    template = db.scalar(select(SlaClock).where(SlaClock.ticket_id == quiet.id))
    far, closed = now + dt.timedelta(days=3), now - dt.timedelta(days=3)
    db.add_all(
        SlaClock(
            ticket_id=quiet.id,
            metric="resolve",
            cycle=10 + i,
            policy_id=template.policy_id,
            kind="calendar_minutes",
            budget_minutes=60,
            started_at=closed,
            warn_at=far if i % 2 else closed,
            due_at=far if i % 2 else closed,
            stopped_at=None if i % 2 else closed,
        )
        for i in range(400)
    )
    db.commit()
    assert db.scalar(select(func.count()).select_from(SlaClock)) > 400
    assert due_ticket_ids(db, now) == {due.id}
    if db.get_bind().dialect.name == "sqlite":
        for sql in (
            "SELECT ticket_id FROM sla_clock WHERE due_at <= :now AND breached_at IS NULL"
            " AND stopped_at IS NULL AND due_at IS NOT NULL",
            "SELECT ticket_id FROM sla_clock WHERE warn_at <= :now AND warned_at IS NULL"
            " AND stopped_at IS NULL AND warn_at IS NOT NULL",
        ):
            plan = " ".join(
                str(r[-1]) for r in db.execute(text("EXPLAIN QUERY PLAN " + sql), {"now": now})
            )
            assert "ix_sla_clock_due" in plan or "ix_sla_clock_warn" in plan, plan
    fired = process_due(db, now)
    assert {db.get(SlaClock, i).ticket_id for i in fired["breach"]} == {due.id}
