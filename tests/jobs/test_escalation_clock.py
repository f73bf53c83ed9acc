"""The urgent escalation chain on a clock the test controls (sla.clock, the SLA engine's one
"now"): an urgent ticket not accepted in 20 minutes notifies the department supervisor,
20 minutes later the manager, each step once. The sweeper and the clock's own scheduled
job run at t = 19, 21, 39, 41 and 60 minutes — each twice, as at-least-once delivery may —
and the test reads who was notified when."""

from __future__ import annotations

import datetime as dt

import pytest
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import delete, select

from plugins.automation.notify.models import InAppNotification
from plugins.automation.outbox import jobs as outbox_jobs
from plugins.automation.sla import clock, jobs
from plugins.automation.sla.escalation_models import (
    EscalationChain,
    EscalationLevel,
    EscalationStep,
)
from plugins.automation.sla.models import SlaClock, SlaPolicy
from plugins.tickets.models import OutboxEvent
from plugins.tickets.services.actions import apply_action
from plugins.tickets.services.tickets import create_ticket

#: A Monday morning long past: no other test's clock is due then.
T0 = dt.datetime(2026, 3, 2, 1, 0)  # naive UTC = 09:00 Asia/Shanghai


def at(minutes: int, base: dt.datetime = T0) -> dt.datetime:
    return base + dt.timedelta(minutes=minutes)


@pytest.fixture
def urgent_chain(app, db):
    outbox_jobs._app = app
    policy = SlaPolicy(
        name="加急签收（时钟）", sort_order=-1000, priority="urgent",
        targets={"accept": {"kind": "calendar_minutes", "amount": 20, "warn_percent": 50}},
    )  # fmt: skip
    db.add(policy)
    db.flush()
    chain = EscalationChain(
        name="加急未签收（时钟）", policy_id=policy.id, metric="accept",
        levels=[EscalationLevel(level=1, delay_minutes=0, recipients=[{"supervisor": True}]),
                EscalationLevel(level=2, delay_minutes=20, recipients=[{"role": "Manager"}])],
    )  # fmt: skip
    db.add(chain)
    db.commit()
    yield policy
    clock.set_now(None)
    db.rollback()
    # Explicit order: SQLite here does not enforce ON DELETE CASCADE.
    clocks = select(SlaClock.id).where(SlaClock.policy_id == policy.id)
    db.execute(delete(EscalationStep).where(EscalationStep.clock_id.in_(clocks)))
    db.execute(delete(SlaClock).where(SlaClock.policy_id == policy.id))
    db.execute(delete(EscalationLevel).where(EscalationLevel.chain_id == chain.id))
    db.execute(delete(EscalationChain).where(EscalationChain.id == chain.id))
    db.execute(delete(SlaPolicy).where(SlaPolicy.id == policy.id))
    db.commit()


def deliver_events(db, ticket_id: int) -> None:
    """What the worker does after a commit: every handler (the SLA one syncs the clocks)."""
    db.expire_all()
    pending = db.scalars(
        select(OutboxEvent.id).where(
            OutboxEvent.ticket_id == ticket_id, OutboxEvent.delivered_at.is_(None)
        )
    ).all()
    for event_id in pending:
        outbox_jobs.deliver(db, event_id)


def run_at(minutes: int, clock_id: int, base: dt.datetime = T0) -> None:
    """The 30 s sweeper and the clock's scheduled job at t = `minutes`, each twice."""
    with clock.frozen(at(minutes, base)):
        for _ in range(2):
            jobs.sweep(reschedule=False)
            jobs.fire(clock_id, "escalate")


def notified(db, ticket_id: int) -> list[tuple[str, dt.datetime]]:
    db.expire_all()
    rows = db.execute(
        select(User.username, InAppNotification.created_at)
        .join(User, User.id == InAppNotification.user_id)
        .where(InAppNotification.ticket_id == ticket_id)
        .order_by(InAppNotification.id)
    ).all()
    return [(username, created_at) for username, created_at in rows]


def steps(db, clock_id: int) -> list[tuple[int, dt.datetime]]:
    db.expire_all()
    rows = db.scalars(
        select(EscalationStep)
        .where(EscalationStep.clock_id == clock_id)
        .order_by(EscalationStep.level)
    )
    return [(row.level, row.fired_at) for row in rows]


def _urgent_ticket(db, build, base: dt.datetime = T0):
    with clock.frozen(base):
        ticket = create_ticket(
            db, build.user("agent"),
            {"subject": "加急：停电", "category_id": build.category("REPAIR").id,
             "priority": "urgent"},
            now=base,
        )  # fmt: skip
        deliver_events(db, ticket.id)
    accept = db.scalar(
        select(SlaClock).where(SlaClock.ticket_id == ticket.id, SlaClock.metric == "accept")
    )
    assert accept.due_at == at(20, base) and accept.next_escalation_at == at(20, base)
    return ticket, accept.id


def test_supervisor_at_20_then_manager_at_40_each_once(db, build, urgent_chain):
    ticket, clock_id = _urgent_ticket(db, build)

    run_at(19, clock_id)
    assert steps(db, clock_id) == [] and notified(db, ticket.id) == []

    run_at(21, clock_id)
    assert steps(db, clock_id) == [(1, at(21))]
    assert [who for who, _ in notified(db, ticket.id)] == ["techlead"]  # TECH's supervisor

    run_at(39, clock_id)
    assert steps(db, clock_id) == [(1, at(21))]
    assert len(notified(db, ticket.id)) == 1

    run_at(41, clock_id)
    assert steps(db, clock_id) == [(1, at(21)), (2, at(41))]
    assert [who for who, _ in notified(db, ticket.id)] == ["techlead", "manager"]

    run_at(60, clock_id)
    run_at(41, clock_id)  # a late job replayed at an old instant: still nothing
    assert steps(db, clock_id) == [(1, at(21)), (2, at(41))]
    assert [who for who, _ in notified(db, ticket.id)] == ["techlead", "manager"]
    db.expire_all()
    assert db.get(SlaClock, clock_id).next_escalation_at is None


def test_accepted_between_the_steps_stops_the_chain(db, build, urgent_chain):
    base = T0 + dt.timedelta(days=1)
    ticket, clock_id = _urgent_ticket(db, build, base)
    run_at(21, clock_id, base)
    assert [who for who, _ in notified(db, ticket.id)] == ["techlead"]

    db.expire_all()
    ticket = db.get(type(ticket), ticket.id)
    with clock.frozen(at(30, base)):
        apply_action(db, build.user("tech"), ticket, "accept", {}, ticket.version, now=at(30, base))
        deliver_events(db, ticket.id)

    for minutes in (39, 41, 60):
        run_at(minutes, clock_id, base)
    assert steps(db, clock_id) == [(1, at(21, base))]
    assert [who for who, _ in notified(db, ticket.id)] == ["techlead"]
    db.expire_all()
    accept = db.get(SlaClock, clock_id)
    assert accept.stopped_at == at(30, base) and accept.next_escalation_at is None
