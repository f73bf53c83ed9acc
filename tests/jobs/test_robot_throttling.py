"""Robot pacing and platform throttling with a real Redis, a real RQ worker and a real HTTP
robot server on loopback: a burst keeps to the robot's limit as the server sees it, and a
platform that throttles (429 with Retry-After, or its rate-limit errcode) only delays
messages — each is sent exactly once, signed and masked, none fails, no attempt is counted."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter

import pytest
from redis import Redis
from rq import SimpleWorker
from rq.serializers import JSONSerializer
from sqlalchemy import select

from plugins.automation.channels.ratelimit import RobotPacer
from plugins.automation.notify import jobs as notify_jobs
from plugins.automation.notify.models import Delivery, RobotEndpoint
from plugins.automation.notify.service import request_notification
from plugins.automation.outbox import jobs as outbox_jobs
from plugins.automation.outbox.queue import queue_for
from tests.jobs.test_channels_http import (  # noqa: F401 - robot_server is a fixture
    Recorded,
    Reply,
    dingtalk_verifier,
    feishu_verifier,
    robot_server,
)

PHONE, MASKED = "13800138000", "138****8000"


@pytest.fixture
def redis_13(redis_url):
    """A Redis database of its own (flushed), so stale jobs of other tests never run here."""
    url = redis_url.rsplit("/", 1)[0] + "/13"
    conn = Redis.from_url(url)
    conn.flushdb()
    yield url, conn
    conn.flushdb()
    conn.close()


@pytest.fixture
def paced_app(app, redis_13):
    """The app wired to that Redis (rows enqueued after commit), with short test limits."""
    from app.extensions import db as _db
    from plugins.automation.notify import relay

    url, _ = redis_13
    relay.install(_db.session.session_factory)
    keys = ("REDIS_URL", "ROBOT_RATE_LIMITS", "ROBOT_THROTTLE_PAUSE")
    saved = {key: app.config.get(key) for key in keys}
    app.config["REDIS_URL"] = url
    app.config["ROBOT_RATE_LIMITS"] = {"wecom": (3, 2.0), "dingtalk": (3, 2.0), "feishu": (5, 1.0)}
    app.config["ROBOT_THROTTLE_PAUSE"] = {"wecom": 1, "dingtalk": 1, "feishu": 1}
    outbox_jobs._app = app
    yield app
    app.config.update(saved)


def _robot(db, kind: str, url: str, secret: str | None = None) -> RobotEndpoint:
    robot = RobotEndpoint(name=f"{kind}-{uuid.uuid4().hex[:4]}", kind=kind, url=url, secret=secret)
    db.add(robot)
    db.commit()
    return robot


def _notify(db, robot: RobotEndpoint, count: int) -> list[int]:
    ids = []
    for n in range(count):
        [row] = request_notification(
            db, ticket_id=None, subject=f"工单 GD{n:04d} 即将超时",
            body=f"来电人 {PHONE} 等待回电", recipients=[{"robot_id": robot.id}],
            channel=robot.kind, idempotency_key=f"burst-{uuid.uuid4().hex[:12]}",
        )  # fmt: skip
        ids.append(row.id)
    db.commit()  # after commit, the relay enqueues one job per row
    return ids


def _drain(db, ids: list[int], url: str, timeout: float) -> dict[int, Delivery]:
    """Run a real worker (with RQ's scheduler) until every row is final or time is up."""
    queue = queue_for(url)
    worker = SimpleWorker([queue], connection=queue.connection, serializer=JSONSerializer)
    deadline = time.monotonic() + timeout
    rows: dict[int, Delivery] = {}
    while time.monotonic() < deadline:
        worker.work(burst=True, with_scheduler=True)
        db.expire_all()
        rows = {r.id: r for r in db.scalars(select(Delivery).where(Delivery.id.in_(ids)))}
        if all(r.status in ("sent", "failed") for r in rows.values()):
            break
        time.sleep(0.2)
    return rows


def _stamped(server) -> list[float]:
    """Arrival times the server saw, recorded by wrapping its responder."""
    times: list[float] = []
    lock = threading.Lock()
    inner = server.responder

    def respond(request: Recorded) -> Reply:
        with lock:
            times.append(time.time())
        return inner(request)

    server.responder = respond
    return times


def test_default_limits_are_the_platforms():
    import config

    assert config.ROBOT_RATE_LIMITS == {"wecom": (20, 60), "dingtalk": (20, 60), "feishu": (5, 1)}
    assert "127.0.0.0/8" in config.OUTBOUND_ALLOWED_NETWORKS  # tests/conftest.py allows it


def test_pacer_keeps_the_window_and_reserves_slots(redis_13):
    _, conn = redis_13
    pacer = RobotPacer(conn, {"wecom": (3, 2.0)})
    url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=pacer-test"
    assert [pacer.acquire("wecom", url, f"m{i}") for i in range(3)] == [0, 0, 0]
    waits = [pacer.acquire("wecom", url, f"m{i}") for i in range(3, 7)]
    assert 1.9 < waits[0] <= 2.0 and 1.9 < waits[2] <= 2.0  # the next window's three slots
    assert 3.9 < waits[3] <= 4.0  # the seventh waits for the window after
    again = pacer.acquire("wecom", url, "m3")  # coming back early keeps the same slot
    assert 0 < again <= waits[0]
    assert pacer.acquire("webhook", url + "x", "w1") == 0  # unpaced kind
    assert 4.5 < pacer.pause(url + "x", 5) <= 5.0
    assert 4.5 < pacer.acquire("webhook", url + "x", "w2") <= 5.0  # a paused robot waits


def test_pacer_is_atomic_across_concurrent_workers(redis_13):
    """Eight workers (threads, each with its own connection) race for one robot: exactly
    three go now, and the reserved slots never put more than three in one window."""
    redis_db_url, _ = redis_13
    url = f"https://oapi.dingtalk.com/robot/send?access_token={uuid.uuid4().hex}"
    waits: list[float] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        own = Redis.from_url(redis_db_url)
        pacer = RobotPacer(own, {"dingtalk": (3, 2.0)})
        got = [pacer.acquire("dingtalk", url, f"w{n}-{i}") for i in range(3)]
        with lock:
            waits.extend(got)
        own.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(waits) == 24 and waits.count(0) == 3
    slots = sorted(waits)
    assert all(later - first >= 2.0 - 0.05 for first, later in zip(slots, slots[3:], strict=False))


def test_burst_of_30_keeps_to_3_per_2_seconds(app, db, paced_app, redis_13, robot_server):  # noqa: F811
    url, _ = redis_13
    robot = _robot(db, "wecom", f"{robot_server.base_url}/cgi-bin/webhook/send?key=burst")
    times = _stamped(robot_server)
    ids = _notify(db, robot, 30)
    rows = _drain(db, ids, url, timeout=90)

    assert Counter(r.status for r in rows.values()) == {"sent": 30}
    assert all(r.attempts == 1 for r in rows.values())  # waiting for the pace is no attempt
    delivered = Counter(req.headers["X-Delivery-Id"] for req in robot_server.requests)
    assert sorted(delivered.values()) == [1] * 30  # each row reached the robot exactly once
    assert set(delivered) == {r.idempotency_key for r in rows.values()}
    times.sort()
    assert len(times) == 30
    # As the server saw it: no 4 requests within one 2-second window (a little slack for
    # the time between the pacer's decision and the request's arrival).
    gaps = [later - first for first, later in zip(times, times[3:], strict=False)]
    assert min(gaps) >= 2.0 - 0.25, gaps
    assert sum(1 for t in times if t < times[0] + 2.0 - 0.25) <= 3
    assert times[-1] - times[0] >= 9 * 2.0 - 0.25  # ten windows for thirty messages
    bodies = [req.json["text"]["content"] for req in robot_server.requests]
    assert all(MASKED in body and PHONE not in body for body in bodies)


def _throttling(kind: str, first: int, verify=None):
    """A robot that throttles its first `first` requests, then answers as `verify` does."""
    throttle = {
        "wecom": Reply(status=429, body=b"", headers={"Retry-After": "1"}),
        "dingtalk": Reply(body={"errcode": 130101, "errmsg": "send too fast"}),
        "feishu": Reply(body={"code": 11232, "msg": "frequency limited"}),
    }[kind]
    seen = {"n": 0}
    lock = threading.Lock()

    def respond(request: Recorded) -> Reply:
        with lock:
            seen["n"] += 1
            n = seen["n"]
        if n <= first:
            return throttle
        return verify(request) if verify else Reply()

    return respond


@pytest.mark.parametrize(
    ("kind", "path", "secret"),
    [
        ("wecom", "/cgi-bin/webhook/send?key=thr", None),
        ("dingtalk", "/robot/send?access_token=thr", "SECtestsecret"),
        ("feishu", "/open-apis/bot/v2/hook/thr", "fs-test-secret"),
    ],
)
def test_platform_throttling_delays_but_never_fails_or_duplicates(
    app,
    db,
    paced_app,
    redis_13,
    robot_server,  # noqa: F811
    kind,
    path,
    secret,
):
    url, _ = redis_13
    verify = {"dingtalk": dingtalk_verifier, "feishu": feishu_verifier}.get(kind)
    robot_server.answer(_throttling(kind, 3, verify(secret) if verify else None))
    times = _stamped(robot_server)
    robot = _robot(db, kind, f"{robot_server.base_url}{path}", secret)
    ids = _notify(db, robot, 5)
    rows = _drain(db, ids, url, timeout=60)

    # All sent: the verifiers refuse a bad or stale signature (310000 / 19021, a failure),
    # so every retry after a throttle was freshly and correctly signed.
    assert Counter(r.status for r in rows.values()) == {"sent": 5}, [
        (r.status, r.last_error) for r in rows.values()
    ]
    assert all(r.attempts == 1 for r in rows.values())  # throttled tries are not counted
    keys = [req.headers["X-Delivery-Id"] for req in robot_server.requests]
    accepted = Counter(keys[3:])  # after the three throttled replies every request succeeds
    assert sorted(accepted.values()) == [1] * 5
    assert set(accepted) == {r.idempotency_key for r in rows.values()}
    # After the first throttle the robot rests (1 s) before anything else is sent to it.
    times.sort()
    assert times[1] - times[0] >= 1.0 - 0.25, times
    for req in robot_server.requests[3:]:
        text = req.json.get("text") or req.json.get("content") or {}
        content = text.get("content") or text.get("text")
        assert MASKED in content and PHONE not in content


def test_throttled_for_too_long_fails_like_other_errors(app, db, robot_server):  # noqa: F811
    import datetime as dt

    robot_server.answer(Reply(status=429, body=b""))
    robot = _robot(db, "wecom", f"{robot_server.base_url}/cgi-bin/webhook/send?key=old")
    [row_id] = _notify(db, robot, 1)
    row = db.get(Delivery, row_id)
    config = {**app.config, "ROBOT_THROTTLE_PAUSE": {"wecom": 1}, "REDIS_URL": None}
    result, delay = notify_jobs.attempt(db, row_id, config)
    assert result.throttled and delay == dt.timedelta(seconds=1)
    db.refresh(row)
    assert (row.status, row.attempts) == ("pending", 0)
    assert row.last_error.startswith("throttled by the platform (HTTP 429)")
    later = row.created_at + notify_jobs.THROTTLE_GIVE_UP + dt.timedelta(seconds=1)
    result, delay = notify_jobs.attempt(db, row_id, config, now=later)
    db.refresh(row)
    assert (row.status, row.attempts, delay) == ("retrying", 1, notify_jobs.BACKOFF[0])
