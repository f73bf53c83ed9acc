"""Redis for job tests: REDIS_URL in the real-services lane, else an embedded redis-server
(the same binary `make run` uses) on a private port, stopped at the end."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time

import pytest
import redis

from app.embedded_redis import answers, find_redis_server, free_port, server_argv


@pytest.fixture(scope="session")
def redis_url():
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    workdir = tempfile.mkdtemp(prefix="tickets-redis-")
    port = free_port()
    proc = subprocess.Popen(server_argv(find_redis_server(), port, workdir))
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while not answers(url):
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            pytest.fail("embedded redis-server did not start")
        time.sleep(0.05)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def redis_conn(redis_url):
    conn = redis.Redis.from_url(redis_url)
    prefix_keys = conn.keys("rq:*")
    if prefix_keys and not os.environ.get("REDIS_URL"):
        conn.delete(*prefix_keys)
    yield conn
    conn.close()


@pytest.fixture
def outbox_queue(app, db, redis_url):
    """The outbox relay on the session aimed at `redis_url` (flushed), this app as the jobs'
    app, older undelivered rows (demo data, other tests) marked delivered; yields the queue."""
    import datetime as dt

    from app.extensions import db as _db
    from plugins.automation.outbox import jobs, relay
    from plugins.automation.outbox.queue import queue_for
    from plugins.tickets.models import OutboxEvent

    redis.Redis.from_url(redis_url).flushdb()
    relay.install(_db.session.session_factory)
    old_url, app.config["REDIS_URL"] = app.config.get("REDIS_URL"), redis_url
    jobs._app = app
    db.execute(
        OutboxEvent.__table__.update()
        .where(OutboxEvent.delivered_at.is_(None))
        .values(delivered_at=dt.datetime(2000, 1, 1))
    )
    db.commit()
    yield queue_for(redis_url)
    app.config["REDIS_URL"] = old_url
