"""An admin's policy or calendar change reaches the open clocks: at once when there are few,
in chained RQ batches when there are many (sla/recompute.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from rq import SimpleWorker
from rq.registry import FinishedJobRegistry
from rq.serializers import JSONSerializer
from sqlalchemy import select

from plugins.automation.outbox.queue import queue_for
from plugins.automation.sla import admin_service, recompute
from plugins.automation.sla.engine import sync_ticket
from plugins.automation.sla.models import SlaClock
from plugins.tickets.models.base import utcnow
from plugins.tickets.services.tickets import create_ticket

MINUTES = {"resolve": {"kind": "calendar_minutes", "amount": 60, "warn_percent": 75}}


@pytest.fixture
def policy(sla_policies):
    return sla_policies("重算测试", MINUTES, sort_order=-100)


def _tickets(db, build, n: int, at: dt.datetime) -> list[int]:
    ids = []
    for i in range(n):
        data = {"subject": f"重算 {i}", "category_id": build.category("REPAIR").id}
        ticket = create_ticket(db, build.user("agent"), data, now=at)
        sync_ticket(db, ticket)
        db.commit()
        ids.append(ticket.id)
    return ids


def _due(db, ids: list[int]) -> set[dt.datetime]:
    db.expire_all()
    return set(
        db.scalars(
            select(SlaClock.due_at).where(SlaClock.ticket_id.in_(ids), SlaClock.metric == "resolve")
        )
    )


def test_a_policy_edit_moves_the_open_clocks(app, db, build, policy):
    at = utcnow().replace(microsecond=0) - dt.timedelta(minutes=10)
    ids = _tickets(db, build, 2, at)
    assert _due(db, ids) == {at + dt.timedelta(minutes=60)}
    longer = {"resolve": {**MINUTES["resolve"], "amount": 120}}
    with app.test_request_context():
        admin_service.update_policy(db, policy, {"targets": longer})
    assert _due(db, ids) == {at + dt.timedelta(minutes=120)}
    # Switched off: the clocks of its tickets stop.
    with app.test_request_context():
        admin_service.update_policy(db, policy, {"active": False})
    db.expire_all()
    stopped = db.scalars(select(SlaClock.stopped_at).where(SlaClock.ticket_id.in_(ids))).all()
    assert stopped and all(s is not None for s in stopped)


def test_many_open_clocks_are_rebuilt_in_chained_batches(
    app, db, build, policy, redis_url, redis_conn, monkeypatch
):
    monkeypatch.setattr(recompute, "BATCH", 2)
    at = utcnow().replace(microsecond=0) - dt.timedelta(minutes=10)
    ids = _tickets(db, build, 5, at)
    policy.targets = {"resolve": {**MINUTES["resolve"], "amount": 90}}
    db.commit()
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    queue = queue_for(redis_url)
    queue.empty()
    with app.test_request_context():
        total = recompute.request_recompute(db)
    assert total >= 5
    # Nothing rebuilt in the request: one job queued, starting at the first ticket.
    assert _due(db, ids) == {at + dt.timedelta(minutes=60)}
    assert [job.func_name for job in queue.jobs] == [
        "plugins.automation.sla.recompute.recompute_batch"
    ]
    worker = SimpleWorker([queue], connection=queue.connection, serializer=JSONSerializer)
    worker.work(burst=True)
    assert _due(db, ids) == {at + dt.timedelta(minutes=90)}
    # Each batch of 2 queued the next: ceil(total / 2) batches ran, the last found the end.
    assert len(FinishedJobRegistry(queue=queue)) >= -(-total // 2)
    assert len(queue) == 0


def test_an_internal_note_moves_no_clock_and_is_not_rebuilt(app, db, build, policy, monkeypatch):
    from plugins.automation.sla import engine
    from plugins.tickets.models import OutboxEvent, Ticket
    from plugins.tickets.services.comments import add_comment

    policy.targets = {**MINUTES, "first_reply": {"kind": "calendar_minutes", "amount": 30}}
    db.commit()
    (ticket_id,) = _tickets(db, build, 1, utcnow() - dt.timedelta(minutes=5))
    rebuilt: list[int] = []
    real = engine.sync_ticket
    monkeypatch.setattr(engine, "sync_ticket", lambda s, t: rebuilt.append(t.id) or real(s, t))

    def handle_last() -> None:
        row = db.scalar(
            select(OutboxEvent)
            .where(OutboxEvent.ticket_id == ticket_id)
            .order_by(OutboxEvent.id.desc())
        )
        with app.test_request_context():
            engine.handle(db, row)
        db.commit()

    tech = build.user("agent")
    add_comment(db, tech, db.get(Ticket, ticket_id), "内部备注", is_public=False)
    handle_last()
    assert rebuilt == []
    first_reply = select(SlaClock.stopped_at).where(
        SlaClock.ticket_id == ticket_id, SlaClock.metric == "first_reply"
    )
    assert db.scalar(first_reply) is None
    add_comment(db, tech, db.get(Ticket, ticket_id), "您好，已受理。", is_public=True)
    handle_last()
    assert rebuilt == [ticket_id]
    db.expire_all()
    assert db.scalar(first_reply) is not None  # the public reply stopped the first-reply clock


def test_a_full_sweep_goes_on_at_once_with_the_next_batch(
    app, db, build, policy, redis_url, redis_conn, monkeypatch
):
    from plugins.automation.sla import firing, jobs

    monkeypatch.setattr(firing, "BATCH", 2)
    monkeypatch.setattr(firing.due_ticket_ids, "__defaults__", (None, 2))
    ids = _tickets(db, build, 5, utcnow() - dt.timedelta(hours=2))  # 60-minute target: late
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    queue = queue_for(redis_url)
    queue.empty()
    first = jobs.sweep(reschedule=False)
    assert len(first["breach"]) == 2
    assert jobs.MORE_JOB_ID in queue.job_ids  # beside the notes' outbox events
    SimpleWorker([queue], connection=queue.connection, serializer=JSONSerializer).work(burst=True)
    db.expire_all()
    breached = db.scalars(
        select(SlaClock.breached_at).where(
            SlaClock.ticket_id.in_(ids), SlaClock.metric == "resolve"
        )
    ).all()
    assert len(breached) == 5 and all(b is not None for b in breached)
    assert len(queue) == 0  # the last batch was not full: the backlog chain ended


def test_the_clock_sets_the_tickets_due_time_without_touching_updated_at(db, build, policy):
    from plugins.tickets.models import Ticket

    at = utcnow().replace(microsecond=0) - dt.timedelta(minutes=10)
    data = {"subject": "到期同步", "category_id": build.category("REPAIR").id}
    ticket = create_ticket(db, build.user("agent"), data, now=at)
    db.commit()
    sync_ticket(db, ticket)
    db.commit()
    db.expire_all()
    row = db.get(Ticket, ticket.id)
    assert row.due_at == at + dt.timedelta(minutes=60)
    assert row.updated_at == at and row.version == 1
