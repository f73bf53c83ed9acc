"""Notifications end to end with real servers on loopback: 催办 reaches the holder in-app, mail
reaches an SMTP sink with a zh subject, robots get signed and masked messages, 5xx is retried
with backoff, a second run sends nothing, and the last failure is recorded."""

from __future__ import annotations

import datetime as dt
import email
import uuid
from email import policy

import pytest
from redis import Redis
from rq import SimpleWorker
from rq.serializers import JSONSerializer
from sqlalchemy import select

from plugins.automation.notify import jobs as notify_jobs
from plugins.automation.notify.models import Delivery, InAppNotification, RobotEndpoint
from plugins.automation.notify.service import request_notification
from plugins.automation.outbox import jobs as outbox_jobs
from plugins.automation.outbox.queue import queue_for
from plugins.tickets.models import OutboxEvent
from plugins.tickets.services.actions import apply_action
from tests.jobs.test_channels_http import Reply, dingtalk_verifier, robot_server  # noqa: F401
from tests.jobs.test_channels_smtp import smtp_sink  # noqa: F401


def _key() -> str:
    return f"test-{uuid.uuid4().hex[:10]}"


def _robot(db, kind: str, url: str, secret: str | None = None) -> RobotEndpoint:
    robot = RobotEndpoint(name=f"{kind}-{uuid.uuid4().hex[:4]}", kind=kind, url=url, secret=secret)
    db.add(robot)
    db.commit()
    return robot


def test_urge_notifies_the_holder_in_app(app, build, db):
    ticket = build.ticket("agent", "REPAIR")
    agent = build.user("agent")
    apply_action(db, agent, ticket, "urge", {"note": "客户很着急"}, ticket.version)
    event = db.scalars(
        select(OutboxEvent)
        .where(OutboxEvent.ticket_id == ticket.id)
        .order_by(OutboxEvent.id.desc())
    ).first()
    assert event.payload["action"] == "urge"
    with app.test_request_context():
        outbox_jobs.deliver(db, event.id)
        outbox_jobs.deliver(db, event.id)  # redelivered: nothing new
    rows = db.scalars(
        select(InAppNotification).where(InAppNotification.ticket_id == ticket.id)
    ).all()
    assert rows, "the department's handlers are told"
    assert all(ticket.number in row.title for row in rows)
    assert len({row.user_id for row in rows}) == len(rows)


def test_email_reaches_smtp_with_zh_subject(app, db, smtp_sink):  # noqa: F811
    sink, port = smtp_sink
    config = {**app.config, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port}
    key = _key()
    [row] = request_notification(
        db, ticket_id=None, subject="【催办】工单 {n} 请尽快处理", body="您好：\n请处理。",
        recipients=[{"email": "handler@unit.example"}], channel="email", idempotency_key=key,
        context={"n": "GD1"},
    )  # fmt: skip
    db.commit()
    result, delay = notify_jobs.attempt(db, row.id, config)
    assert result.ok and delay is None
    assert notify_jobs.attempt(db, row.id, config) is None  # a second run sends nothing
    [envelope] = sink.envelopes
    message = email.message_from_bytes(envelope.original_content, policy=policy.default)
    assert message["Subject"] == "【催办】工单 GD1 请尽快处理"
    assert key.replace("|", "-") in message["Message-ID"] or "@" in message["Message-ID"]
    db.refresh(row)
    assert (row.status, row.attempts) == ("sent", 1)


def test_robot_message_is_signed_and_masked(app, db, robot_server):  # noqa: F811
    secret = "SECtestsecret"
    robot_server.answer(dingtalk_verifier(secret))
    robot = _robot(db, "dingtalk", f"{robot_server.base_url}/robot/send?access_token=t", secret)
    [row] = request_notification(
        db, ticket_id=None, subject="超时提醒", body="来电人 13800138000 等待回电",
        recipients=[{"robot_id": robot.id}, {"user_id": 1}], channel="dingtalk",
        idempotency_key=_key(),
    )  # fmt: skip
    db.commit()
    assert "13800138000" not in row.body  # the log holds no phone number either
    result, _ = notify_jobs.attempt(db, row.id, app.config)
    assert result.ok, result.error
    [request] = robot_server.requests
    text = request.json["text"]["content"]
    assert "138****8000" in text and "13800138000" not in text
    assert request.headers["X-Delivery-Id"] == row.idempotency_key


def test_retry_with_backoff_then_success_and_no_duplicates(app, db, robot_server):  # noqa: F811
    replies = [Reply(status=500, body={"error": "boom"}), Reply()]
    robot_server.answer(lambda request: replies.pop(0))
    robot = _robot(db, "wecom", f"{robot_server.base_url}/cgi-bin/webhook/send?key=k")
    key = _key()
    spec = dict(
        ticket_id=None, subject="s", body="b", recipients=[{"robot_id": robot.id}],
        channel="wecom", idempotency_key=key,
    )  # fmt: skip
    [row] = request_notification(db, **spec)
    db.commit()
    assert [r.id for r in request_notification(db, **spec)] == [row.id]  # same key, same row
    now = dt.datetime(2030, 1, 1, 12, 0)
    result, delay = notify_jobs.attempt(db, row.id, app.config, now=now)
    assert not result.ok and delay == dt.timedelta(seconds=30)
    db.refresh(row)
    assert (row.status, row.last_error) == ("retrying", "HTTP 500")
    assert row.next_attempt_at == now + dt.timedelta(seconds=30)
    assert notify_jobs.attempt(db, row.id, app.config, now=now) is None  # not due yet
    assert notify_jobs.attempt(db, row.id, app.config, now=row.next_attempt_at)[0].ok
    assert notify_jobs.attempt(db, row.id, app.config, now=now + dt.timedelta(days=1)) is None
    assert len(robot_server.requests) == 2
    db.refresh(row)
    assert (row.status, row.attempts) == ("sent", 2)


def test_permanent_failure_after_max_attempts(app, db, robot_server):  # noqa: F811
    robot_server.answer(Reply(status=503, body={}))
    robot = _robot(db, "webhook", f"{robot_server.base_url}/hook")
    [row] = request_notification(
        db, ticket_id=None, subject="s", body="b", recipients=[{"robot_id": robot.id}],
        channel="webhook", idempotency_key=_key(),
    )  # fmt: skip
    db.commit()
    now = dt.datetime(2030, 1, 1)
    delays = []
    for _ in range(notify_jobs.MAX_ATTEMPTS):
        _, delay = notify_jobs.attempt(db, row.id, app.config, now=now)
        delays.append(delay)
        now += delay or dt.timedelta(0)
    assert delays == [*notify_jobs.BACKOFF, None]
    db.refresh(row)
    assert (row.status, row.attempts, row.last_error) == ("failed", 5, "HTTP 503")
    assert notify_jobs.attempt(db, row.id, app.config, now=now + dt.timedelta(days=9)) is None
    assert len(robot_server.requests) == 5


@pytest.fixture
def wired_queue(app, redis_url):
    from app.extensions import db as _db
    from plugins.automation.notify import relay

    url = redis_url.rsplit("/", 1)[0] + "/12"
    Redis.from_url(url).flushdb()
    relay.install(_db.session.session_factory)
    old_url, app.config["REDIS_URL"] = app.config.get("REDIS_URL"), url
    outbox_jobs._app = app
    yield queue_for(url)
    app.config["REDIS_URL"] = old_url


def test_rows_are_sent_by_rq_after_commit(app, db, robot_server, wired_queue):  # noqa: F811
    robot = _robot(db, "wecom", f"{robot_server.base_url}/cgi-bin/webhook/send?key=k")
    [row] = request_notification(
        db, ticket_id=None, subject="s", body="b", recipients=[{"robot_id": robot.id}],
        channel="wecom", idempotency_key=_key(),
    )  # fmt: skip
    assert wired_queue.count == 0  # nothing before the commit
    db.commit()
    SimpleWorker([wired_queue], connection=wired_queue.connection, serializer=JSONSerializer).work(
        burst=True
    )
    db.expire_all()
    assert db.get(Delivery, row.id).status == "sent"
    assert len(robot_server.requests) == 1
