"""Triggers on events: each rule fires at most once per event, acts through the one door as
the system user, is logged when the process refuses, and chains stop at a fixed depth."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, func, select

from plugins.automation.outbox import jobs
from plugins.automation.triggers import engine
from plugins.automation.triggers.models import Trigger, TriggerRun
from plugins.tickets.models import Comment, OutboxEvent, Ticket, TicketEvent
from plugins.tickets.services.actions import apply_action
from plugins.tickets.services.comments import add_comment


@pytest.fixture(autouse=True)
def no_rules(db):
    """Rules of other tests are not this test's business (SQLite reuses ids: runs go too)."""

    def wipe():
        db.execute(delete(TriggerRun))
        db.execute(delete(Trigger))
        db.commit()

    wipe()
    yield
    db.rollback()
    wipe()


def rule(db, name, event, ticket=None, actions=(), order=0):
    row = Trigger(
        name=name, sort_order=order, active=True,
        conditions={"event": {"match": "all", "conditions": event},
                    "ticket": {"match": "all", "conditions": ticket or []}},
        actions=list(actions),
    )  # fmt: skip
    db.add(row)
    db.commit()
    return row


def events(db, ticket_id):
    db.expire_all()
    stmt = select(OutboxEvent).where(OutboxEvent.ticket_id == ticket_id).order_by(OutboxEvent.id)
    return list(db.scalars(stmt))


def deliver_all(db, ticket_id, rounds=5):
    """Deliver the ticket's events until none is left (what the worker would do)."""
    for _ in range(rounds):
        pending = [e.id for e in events(db, ticket_id) if e.delivered_at is None]
        if not pending:
            return
        for event_id in pending:
            jobs.deliver(db, event_id)


def runs(db, trigger_id):
    db.expire_all()
    return list(db.scalars(select(TriggerRun).where(TriggerRun.trigger_id == trigger_id)))


CREATED = [{"field": "kind", "op": "eq", "value": "created"}]


def test_urgent_consult_created_is_dispatched_noted_and_raised(build, db):
    tech = build.department("TECH")
    trig = rule(
        db, "紧急咨询自动派单", CREATED,
        [{"field": "priority", "op": "eq", "value": "urgent"},
         {"field": "category_id", "op": "eq", "value": build.category("CONSULT").id}],
        [{"type": "process", "params": {"action": "dispatch",
                                        "params": {"department_id": tech.id}}},
         {"type": "add_note", "params": {"body": "自动派单 {ticket.number}"}}],
    )  # fmt: skip
    ticket = build.ticket("agent", "CONSULT", priority="urgent")
    quiet = build.ticket("agent", "CONSULT", priority="normal")
    deliver_all(db, ticket.id)
    deliver_all(db, quiet.id)
    db.expire_all()
    ticket, quiet = db.get(Ticket, ticket.id), db.get(Ticket, quiet.id)
    assert (ticket.status, ticket.department_id) == ("pending_accept", tech.id)
    assert (quiet.status, quiet.department_id) == ("pending_dispatch", None)
    note = db.scalar(select(Comment).where(Comment.ticket_id == ticket.id))
    assert note.body == f"自动派单 {ticket.number}" and not note.is_public
    trail = db.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)).all()
    by_rule = [e for e in trail if e.changes and e.changes.get("trigger") == trig.name]
    assert {e.action for e in by_rule} == {"dispatch", "note"}
    assert all(trig.name in e.note for e in by_rule)  # the trajectory names the rule
    assert all(e.actor.username == "system" for e in by_rule)
    [run] = runs(db, trig.id)
    assert run.result == "fired" and [d["ok"] for d in run.detail] == [True, True]


def test_dissatisfied_follow_up_is_supervised(build, db):
    rule(
        db, "不满意督办",
        [{"field": "action", "op": "eq", "value": "follow_up"},
         {"field": "param.satisfaction", "op": "eq", "value": "dissatisfied"}],
        [], [{"type": "process", "params": {"action": "supervise", "params": {"level": "1"}}}],
    )  # fmt: skip
    ticket = build.ticket("agent", "REPAIR")
    tech, followup = build.user("tech"), build.user("followup")
    apply_action(db, tech, ticket, "accept", {}, ticket.version)
    apply_action(db, tech, ticket, "resolve", {"result": "已修复"}, ticket.version)
    apply_action(db, followup, ticket, "follow_up", {"satisfaction": "dissatisfied"},
                 ticket.version)  # fmt: skip
    deliver_all(db, ticket.id)
    db.expire_all()
    assert db.get(Ticket, ticket.id).supervise_level == 1


def test_fires_once_per_event_even_when_delivered_twice(build, db):
    trig = rule(db, "加备注", CREATED, [],
                [{"type": "add_note", "params": {"body": "收到"}}])  # fmt: skip
    ticket = build.ticket("agent", "BILLING")
    first = events(db, ticket.id)[0]
    jobs.deliver(db, first.id)
    # The relay and the sweeper may both enqueue it; the handler may also run again after
    # a crash before its commit: the rule's run row stops a second effect.
    jobs.deliver(db, first.id)
    engine.handle(db, db.get(OutboxEvent, first.id))
    db.commit()
    assert len(runs(db, trig.id)) == 1
    assert db.scalar(select(func.count()).where(Comment.ticket_id == ticket.id)) == 1


def test_refused_process_action_is_logged_not_fatal(build, db):
    trig = rule(
        db, "错误的派单", CREATED, [],
        [{"type": "process", "params": {"action": "dispatch",
                                        "params": {"department_id": build.department("FIN").id}}},
         {"type": "set_priority", "params": {"priority": "high"}}],
    )  # fmt: skip
    ticket = build.ticket("agent", "REPAIR")  # already 待签收 at TECH: dispatch is refused
    deliver_all(db, ticket.id)
    [run] = runs(db, trig.id)
    assert run.result == "partial" and run.error
    assert [d["ok"] for d in run.detail] == [False, True]
    db.expire_all()
    ticket = db.get(Ticket, ticket.id)
    assert (ticket.department_id, ticket.priority) == (build.department("TECH").id, "high")
    assert all(e.delivered_at is not None for e in events(db, ticket.id))


def test_chains_stop_at_depth_three(build, db):
    def on_new_priority(value):
        return [{"field": "kind", "op": "eq", "value": "updated"},
                {"field": "new.priority", "op": "eq", "value": value}]  # fmt: skip

    def set_priority(value):
        return [{"type": "set_priority", "params": {"priority": value}}]

    t1 = rule(db, "一", CREATED, [], set_priority("low"), order=1)
    t2 = rule(db, "二", on_new_priority("low"), [], set_priority("high"), order=2)
    t3 = rule(db, "三", on_new_priority("high"), [], set_priority("urgent"), order=3)
    t4 = rule(db, "四", on_new_priority("urgent"), [], set_priority("normal"), order=4)
    ticket = build.ticket("agent", "BILLING")
    deliver_all(db, ticket.id)
    assert [len(runs(db, t.id)) for t in (t1, t2, t3, t4)] == [1, 1, 1, 0]
    depths = [(e.payload or {}).get("trigger_depth", 0) for e in events(db, ticket.id)]
    assert depths == [0, 1, 2, 3]
    db.expire_all()
    assert db.get(Ticket, ticket.id).priority == "urgent"


def test_a_rule_does_not_react_to_its_own_event(build, db):
    trig = rule(
        db, "回声", [{"field": "kind", "op": "eq", "value": "comment"}], [],
        [{"type": "add_note", "params": {"body": "已记录"}}],
    )  # fmt: skip
    ticket = build.ticket("agent", "BILLING")
    add_comment(db, build.user("agent"), ticket, "客户再次来电")
    deliver_all(db, ticket.id)
    results = sorted(r.result for r in runs(db, trig.id))
    assert results == ["fired", "loop"]
    assert db.scalar(select(func.count()).where(Comment.ticket_id == ticket.id)) == 2


def test_edit_and_comment_events_carry_what_changed(build, db):
    ticket = build.ticket("agent", "BILLING", priority="normal")
    from plugins.tickets.services.tickets import update_ticket

    update_ticket(db, build.user("agent"), ticket, {"priority": "high"}, ticket.version)
    add_comment(db, build.user("agent"), ticket, "备注", is_public=True)
    kinds = [(e.kind, e.payload.get("fields"), e.payload.get("public"))
             for e in events(db, ticket.id)]  # fmt: skip
    assert kinds == [
        ("ticket.created", None, None),
        ("ticket.updated", ["priority"], None),
        ("ticket.comment", None, True),
    ]
    assert events(db, ticket.id)[1].payload["changes"] == {"priority": ["normal", "high"]}


def test_assign_person_round_robin_through_the_service(build, db):
    trig = rule(
        db, "分配处理人", CREATED, [],
        [{"type": "assign_person", "params": {"strategy": "least_loaded"}}],
    )  # fmt: skip
    ticket = build.ticket("agent", "REPAIR")
    deliver_all(db, ticket.id)
    db.expire_all()
    assert db.get(Ticket, ticket.id).assignee.username == "tech"
    assert runs(db, trig.id)[0].result == "fired"
    kinds = [e.payload.get("action") for e in events(db, ticket.id)]
    assert kinds == ["create", "assign"]


def test_business_hours_fact():
    from plugins.automation.triggers.facts import in_business_hours

    # 2026-11-23 is a Monday: 10:00 in Shanghai is 02:00 UTC; 20:00 is 12:00 UTC.
    assert in_business_hours(dt.datetime(2026, 11, 23, 2, 0))
    assert not in_business_hours(dt.datetime(2026, 11, 23, 12, 0))
    assert not in_business_hours(dt.datetime(2026, 11, 22, 2, 0))  # Sunday


def test_real_worker_fires_once_when_the_event_is_enqueued_twice(app, redis_url, build, db):
    """Relay after commit, a second copy as the sweeper would send, an RQ worker on Redis."""
    from redis import Redis
    from rq import SimpleWorker
    from rq.serializers import JSONSerializer

    from app.extensions import db as _db
    from plugins.automation.outbox import relay
    from plugins.automation.outbox.queue import queue_for

    url = redis_url.rsplit("/", 1)[0] + "/14"
    Redis.from_url(url).flushdb()
    relay.install(_db.session.session_factory)
    old_url, app.config["REDIS_URL"] = app.config.get("REDIS_URL"), url
    jobs._app = app
    try:
        trig = rule(db, "工人", CREATED, [], [{"type": "add_note", "params": {"body": "一次"}}])
        ticket = build.ticket("agent", "BILLING")
        queue = queue_for(url)
        relay.enqueue(queue, events(db, ticket.id)[0].id)
        db.commit()  # end the test's read transaction before the worker writes
        worker = SimpleWorker([queue], connection=queue.connection, serializer=JSONSerializer)
        worker.work(burst=True)
    finally:
        app.config["REDIS_URL"] = old_url
    assert [r.result for r in runs(db, trig.id)] == ["fired"]
    assert db.scalar(select(func.count()).where(Comment.ticket_id == ticket.id)) == 1


def test_notify_goes_through_the_notifications_service_once(build, db):
    from plugins.automation.notify.models import Delivery, InAppNotification

    trig = rule(
        db, "通知部门", CREATED, [],
        [{"type": "notify", "params": {"channel": "in_app", "to": "department",
                                       "template": "新工单 {ticket.number}"}}],
    )  # fmt: skip
    ticket = build.ticket("agent", "REPAIR")
    first = events(db, ticket.id)[0]
    jobs.deliver(db, first.id)
    engine.handle(db, db.get(OutboxEvent, first.id))  # a rerun writes nothing twice
    db.commit()
    rows = db.scalars(select(Delivery).where(Delivery.ticket_id == ticket.id)).all()
    assert rows and all(r.idempotency_key.startswith(f"evt-{first.id}:trigger-{trig.id}:0")
                        for r in rows)  # fmt: skip
    inbox = db.scalars(select(InAppNotification).where(InAppNotification.ticket_id == ticket.id))
    assert {n.body for n in inbox} == {f"新工单 {ticket.number}"}
    assert runs(db, trig.id)[0].detail[0]["ok"] is True
