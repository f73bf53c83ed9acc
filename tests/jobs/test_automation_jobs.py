"""Automations on a real Redis: the sweep job runs in an RQ worker and reschedules itself; a
ticket not accepted 24 h after creation gets one note and one notification however many
sweeps run; a ticket that does not match is left alone; a refused action is logged once."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from redis import Redis
from rq import Queue, SimpleWorker
from rq.registry import ScheduledJobRegistry
from rq.serializers import JSONSerializer
from sqlalchemy import delete, func, select

from plugins.automation.automations import engine, jobs
from plugins.automation.automations.models import Automation, AutomationRun
from plugins.automation.outbox import jobs as outbox_jobs
from plugins.automation.outbox.queue import queue_for
from plugins.tickets.models import Comment, TicketEvent
from plugins.tickets.models.base import utcnow
from plugins.tickets.services.tickets import create_ticket


@pytest.fixture(autouse=True)
def no_rules(db):
    """Other tests' automations are not this test's business (SQLite reuses ids)."""

    def wipe():
        db.execute(delete(AutomationRun))
        db.execute(delete(Automation))
        db.commit()

    wipe()
    yield
    db.rollback()
    wipe()


@pytest.fixture
def queue(app, redis_url):
    """Redis DB 1 (this feature's own), this app as the worker's app."""
    url = redis_url.rsplit("/", 1)[0] + "/1"
    Redis.from_url(url).flushdb()
    old_url, app.config["REDIS_URL"] = app.config.get("REDIS_URL"), url
    old_interval = app.config.get("AUTOMATION_INTERVAL_SECONDS")
    outbox_jobs._app = app
    yield queue_for(url)
    app.config["REDIS_URL"], app.config["AUTOMATION_INTERVAL_SECONDS"] = old_url, old_interval


def automation(db, name, conditions, actions, order=0):
    row = Automation(
        name=name, sort_order=order, active=True,
        conditions={"match": "all", "conditions": conditions}, actions=actions,
    )  # fmt: skip
    db.add(row)
    db.commit()
    return row


def ticket_at(db, build, hours_ago: float, subject: str):
    at = utcnow() - dt.timedelta(hours=hours_ago)
    data = {"subject": subject, "category_id": build.category("REPAIR").id}
    ticket = create_ticket(db, build.user("agent"), data, now=at)
    db.commit()
    return ticket


def notes(db, ticket_id):
    stmt = select(Comment.body).where(Comment.ticket_id == ticket_id, Comment.is_public.is_(False))
    return list(db.scalars(stmt))


def work(queue):
    SimpleWorker([queue], connection=queue.connection, serializer=JSONSerializer).work(burst=True)


def test_not_accepted_after_24h_fires_once_across_two_sweeps(app, db, build, queue):
    from plugins.automation.notify.models import Delivery

    mark = f"未签收-{uuid.uuid4().hex[:6]}"
    late = ticket_at(db, build, 26, f"{mark} 老")
    fresh = ticket_at(db, build, 2, f"{mark} 新")
    rule = automation(
        db, "超 24 小时未签收",
        [{"field": "status", "op": "in", "value": ["pending_dispatch", "pending_accept"]},
         {"field": "subject", "op": "contains", "value": mark},
         {"field": "hours_since_created", "op": "gte", "value": 24}],
        [{"type": "add_note", "params": {"body": "{ticket.number} 超过 24 小时未签收"}},
         {"type": "notify", "params": {"channel": "in_app", "to": "creator",
                                       "template": "{ticket.number} 未签收"}}],
    )  # fmt: skip
    other = automation(
        db, "挂起提醒",
        [{"field": "status", "op": "eq", "value": "suspended"},
         {"field": "hours_since_created", "op": "gte", "value": 1}],
        [{"type": "add_note", "params": {"body": "不应出现"}}], order=1,
    )  # fmt: skip

    queue.enqueue(jobs.sweep, False)  # the first sweep in a real RQ worker
    db.commit()  # end the test's read transaction before the worker writes
    work(queue)
    second = jobs.sweep()  # the next one, which also schedules its successor
    db.expire_all()

    assert second[str(rule.id)] == [] and second[str(other.id)] == []
    runs = db.scalars(select(AutomationRun).where(AutomationRun.automation_id == rule.id)).all()
    assert [(r.ticket_id, r.result) for r in runs] == [(late.id, "fired")]
    assert [d["ok"] for d in runs[0].detail] == [True, True]
    assert notes(db, late.id) == [f"{late.number} 超过 24 小时未签收"]
    assert notes(db, fresh.id) == []
    keys = db.scalars(select(Delivery.idempotency_key).where(Delivery.ticket_id == late.id)).all()
    assert keys and all(k.startswith(f"automation-{rule.id}:ticket-{late.id}:1") for k in keys)
    trail = db.scalars(select(TicketEvent).where(TicketEvent.ticket_id == late.id)).all()
    stamped = [e for e in trail if (e.changes or {}).get("automation") == rule.name]
    assert stamped and all("超 24 小时未签收" in e.note for e in stamped)
    assert db.get(Automation, rule.id).last_run_at is not None
    assert jobs.SWEEP_JOB_ID in ScheduledJobRegistry(queue=queue).get_job_ids()


def test_a_refused_action_is_logged_once_and_not_retried(db, build, queue):
    mark = f"拒绝-{uuid.uuid4().hex[:6]}"
    ticket = ticket_at(db, build, 30, mark)
    rule = automation(
        db, "自动办结",
        [{"field": "subject", "op": "eq", "value": mark},
         {"field": "hours_since_status_change", "op": "between", "value": [24, 48]}],
        [{"type": "process", "params": {"action": "resolve", "params": {}}}],
    )  # fmt: skip
    first = engine.sweep(db)
    assert first[rule.id] == [ticket.id]
    assert engine.sweep(db)[rule.id] == []
    run = db.scalar(select(AutomationRun).where(AutomationRun.automation_id == rule.id))
    assert run.result == "failed" and run.error
    db.expire_all()
    assert db.get(type(ticket), ticket.id).status == ticket.status  # nothing changed


def test_claim_is_once_per_ticket(db, build):
    ticket = ticket_at(db, build, 1, "抢占")
    rule = automation(
        db,
        "抢占",
        [{"field": "hours_since_created", "op": "gte", "value": 0}],
        [{"type": "add_note", "params": {"body": "x"}}],
    )
    assert engine._claim(db, rule.id, ticket.id) is not None
    assert engine._claim(db, rule.id, ticket.id) is None  # a second sweep finds it taken
    db.rollback()
    count = select(func.count()).select_from(AutomationRun)
    assert db.scalar(count.where(AutomationRun.automation_id == rule.id)) == 0


def test_sweeper_is_armed_once_at_the_configured_interval(app, queue):
    app.config["AUTOMATION_INTERVAL_SECONDS"] = 120
    before = utcnow().replace(tzinfo=dt.UTC)
    jobs.ensure_sweeper(queue, app)
    jobs.ensure_sweeper(queue, app)
    registry = ScheduledJobRegistry(queue=queue)
    assert registry.get_job_ids().count(jobs.SWEEP_JOB_ID) == 1
    at = registry.get_scheduled_time(jobs.SWEEP_JOB_ID)
    assert dt.timedelta(seconds=115) <= at - before <= dt.timedelta(seconds=130)
    assert isinstance(queue, Queue)
