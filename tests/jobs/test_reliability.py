"""Reliability on real processes (reliability.md §6, T1/T4/T7): `rq worker` subprocesses
with the production worker class and JSON serializer (as `make worker` starts them) against
a real Redis and the test database (the same SQLite file, or PostgreSQL).

- A worker SIGKILLed in the middle of a trigger's run loses nothing and doubles nothing,
  whether it runs jobs in process (the default: worker and scheduler killed) or forks a
  horse per job (parent, scheduler and horse killed): the trigger's note, its run row and
  the delivery commit together, so the dead run left no trace and the redelivery (the
  outbox sweep the next worker runs at start) fires the rule exactly once.
- Events committed while Redis is down: the commits succeed (the relay logs and moves on)
  and a worker started after Redis returns delivers each event once.
- SLA warn and breach fire on a real worker within 60 s of their instants, once each.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from redis import Redis
from rq import Worker
from rq.job import Job, JobStatus
from sqlalchemy import delete, select, update

from app.embedded_redis import answers, find_redis_server, free_port, server_argv
from plugins.automation.outbox import jobs as outbox_jobs
from plugins.automation.outbox import relay, sweepers
from plugins.automation.outbox.models import HandledEvent
from plugins.automation.outbox.queue import queue_for
from plugins.automation.sla import jobs as sla_jobs
from plugins.automation.sla.models import SlaClock, SlaPolicy
from plugins.automation.triggers.models import Trigger, TriggerRun
from plugins.tickets.models import Comment, OutboxEvent, TicketEvent
from plugins.tickets.models.base import utcnow
from tests.jobs.blocking_worker import BLOCK_PREFIX

ROOT = Path(__file__).resolve().parents[2]
RQ = os.path.join(os.path.dirname(sys.executable), "rq")
NOTE = "可靠性备注 {ticket.number}"
DEFAULT_WORKER = "app.worker.InProcessWorker"  # what make worker, run.py and the bench start


def wait_for(what: Callable, timeout: float, message: str, every: float = 0.5):
    deadline = time.monotonic() + timeout
    while True:
        found = what()
        if found:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s: {message}")
        time.sleep(every)


class RqWorker:
    """`rq worker --with-scheduler` in its own session (process group), logging to a file."""

    def __init__(self, url: str, workdir: Path, worker_class: str = DEFAULT_WORKER):
        self.log_path = workdir / f"worker-{time.monotonic_ns()}.log"
        argv = [RQ, "worker", "--with-scheduler", "--serializer", "rq.serializers.JSONSerializer",
                "--worker-class", worker_class, "--maintenance-interval", "60", "--url", url,
                "default"]  # fmt: skip
        env = {**os.environ, "FLASK_APP": "run:app", "REDIS_URL": url,
               "RELIABILITY_DIR": str(workdir)}  # fmt: skip
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen(
                argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip

    def tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:]

    def kill(self) -> None:
        """SIGKILL the worker's whole process group (parent and scheduler)."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        """Warm shutdown (the scheduler lock is released); SIGKILL if it hangs."""
        if self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()


@pytest.fixture
def live(app, db, redis_url, tmp_path):
    """This app's relay aimed at `redis_url` (flushed: DB N is ours in the real lane),
    no rules but ours, older undelivered events out of the way; workers stopped after."""
    conn = Redis.from_url(redis_url)
    conn.flushdb()
    old_url, app.config["REDIS_URL"] = app.config.get("REDIS_URL"), redis_url
    outbox_jobs._app = app
    from app.extensions import db as _db

    relay.install(_db.session.session_factory)
    db.execute(
        update(OutboxEvent)
        .where(OutboxEvent.delivered_at.is_(None))
        .values(delivered_at=dt.datetime(2000, 1, 1))
    )
    db.execute(delete(TriggerRun))
    db.execute(delete(Trigger))
    db.commit()
    workers: list[RqWorker] = []

    def start(worker_class: str = DEFAULT_WORKER, url: str = redis_url) -> RqWorker:
        worker = RqWorker(url, tmp_path, worker_class)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()
    app.config["REDIS_URL"] = old_url
    db.rollback()
    db.execute(delete(TriggerRun))
    db.execute(delete(Trigger))
    db.commit()
    conn.flushdb()  # stale locks and registries of the killed workers go too
    conn.close()


def note_rule(db) -> Trigger:
    """On every `created` event: an internal note (a trajectory row stamped with the rule)."""
    row = Trigger(
        name="可靠性：受理即备注", sort_order=0, active=True,
        conditions={"event": {"match": "all",
                              "conditions": [{"field": "kind", "op": "eq", "value": "created"}]},
                    "ticket": {"match": "all", "conditions": []}},
        actions=[{"type": "add_note", "params": {"body": NOTE}}],
    )  # fmt: skip
    db.add(row)
    db.commit()
    return row


def created_event(db, ticket_id: int) -> OutboxEvent:
    db.expire_all()
    return db.scalar(
        select(OutboxEvent).where(
            OutboxEvent.ticket_id == ticket_id, OutboxEvent.kind == "ticket.created"
        )
    )


def effects(db, ticket, rule: Trigger, event_id: int) -> dict:
    """Everything the rule and the handlers left for one event, counted."""
    db.expire_all()
    body = NOTE.replace("{ticket.number}", ticket.number)
    notes = db.scalars(
        select(Comment.id).where(Comment.ticket_id == ticket.id, Comment.body == body)
    ).all()
    trail = db.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)).all()
    stamped = [e for e in trail if (e.changes or {}).get("trigger") == rule.name]
    runs = db.scalars(
        select(TriggerRun).where(TriggerRun.trigger_id == rule.id, TriggerRun.outbox_id == event_id)
    ).all()
    claims = db.scalars(select(HandledEvent.handler).where(HandledEvent.event_id == event_id)).all()
    return {
        "notes": len(notes),
        "trajectory": len(stamped),
        "runs": [r.result for r in runs],
        "claims": sorted(claims),
        "delivered": db.get(OutboxEvent, event_id).delivered_at is not None,
    }


# 1. SIGKILL mid-run --------------------------------------------------------------------


@pytest.mark.parametrize(
    "worker_class, forks",
    [
        ("tests.jobs.blocking_worker.BlockingInProcessWorker", False),
        ("tests.jobs.blocking_worker.BlockingWorker", True),
    ],
    ids=["in-process", "fork"],
)
def test_trigger_fires_once_when_the_worker_is_killed_mid_run(
    live, db, build, tmp_path, worker_class, forks
):
    rule = note_rule(db)
    first = live(worker_class)
    ticket = build.ticket("agent", "REPAIR", subject=f"{BLOCK_PREFIX} 停电报修")
    event = created_event(db, ticket.id)
    marker = tmp_path / f"evt-{event.id}"
    # The job has run the trigger (note written, not committed) and now blocks.
    wait_for(marker.exists, 180, f"the job never reached the blocker\n{first.tail()}")
    runner = int(marker.read_text())
    if forks:
        assert runner != first.proc.pid  # a horse runs it
        first.kill()
        os.killpg(runner, signal.SIGKILL)  # the horse has its own process group
    else:
        assert runner == first.proc.pid  # the worker itself runs it: no horse to kill
        first.kill()
    time.sleep(1)

    dead = effects(db, ticket, rule, event.id)
    assert dead == {"notes": 0, "trajectory": 0, "runs": [], "claims": [], "delivered": False}

    # The sweep takes events at least 5 s old; the next worker sweeps once at start.
    age = (utcnow() - event.created_at).total_seconds()
    time.sleep(max(0.0, outbox_jobs.SWEEP_AGE.total_seconds() + 1 - age))
    second = live(worker_class)
    wait_for(
        lambda: effects(db, ticket, rule, event.id)["delivered"], 180,
        f"the event was not redelivered\n{second.tail()}",
    )  # fmt: skip

    done = effects(db, ticket, rule, event.id)
    assert done["notes"] == 1 and done["trajectory"] == 1
    assert done["runs"] == ["fired"]
    assert done["claims"] == sorted(set(done["claims"])) and "triggers" in done["claims"]
    assert (tmp_path / f"evt-{event.id}.again").read_text().count("\n") == 1  # ran again once


# 2. Redis down at commit time ----------------------------------------------------------


@pytest.fixture
def own_redis():
    """A redis-server of our own on a free port that the test can stop and start again."""
    workdir = tempfile.mkdtemp(prefix="tickets-redis-down-")
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    state: dict = {}

    def start() -> None:
        state["proc"] = subprocess.Popen(
            server_argv(find_redis_server(), port, workdir), stdout=subprocess.DEVNULL
        )
        wait_for(lambda: answers(url), 20, "redis-server did not start", every=0.05)

    def stop() -> None:
        proc = state.pop("proc", None)
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=20)

    start()
    yield url, start, stop
    stop()


def test_events_committed_while_redis_is_down_are_delivered_once_after(
    live, app, db, build, api, own_redis, caplog, monkeypatch
):
    url, start_redis, stop_redis = own_redis
    app.config["REDIS_URL"] = url
    rule = note_rule(db)
    stop_redis()

    caplog.set_level(logging.WARNING)
    # Alembic's fileConfig (the migrations the app fixture ran) disabled loggers that
    # existed then; the relay's warning is part of what this test checks.
    monkeypatch.setattr(logging.getLogger(relay.__name__), "disabled", False)
    tickets = [build.ticket("agent", "REPAIR", subject=f"停电 {i}") for i in range(3)]
    client, headers = api("agent")
    resp = client.post(
        "/api/v1/ticket/", headers=headers,
        json={"subject": "停电（接口）", "category_id": build.category("REPAIR").id},
    )  # fmt: skip
    assert resp.status_code == 201, resp.get_data(as_text=True)  # the user never sees Redis
    tickets.append(db.get(type(tickets[0]), resp.json["id"]))
    events = [created_event(db, t.id) for t in tickets]
    assert all(e is not None and e.delivered_at is None for e in events)
    assert sum("could not enqueue outbox event" in r.getMessage() for r in caplog.records) >= 4

    start_redis()  # empty: no persistence, the fast-path jobs are gone for good
    worker = live(url=url)
    pairs = list(zip(tickets, events, strict=True))
    wait_for(
        lambda: all(effects(db, t, rule, e.id)["delivered"] for t, e in pairs), 180,
        f"events not delivered after Redis returned\n{worker.tail()}",
    )  # fmt: skip
    for ticket, event in pairs:
        done = effects(db, ticket, rule, event.id)
        assert done["notes"] == 1 and done["runs"] == ["fired"], done
        assert done["claims"] == sorted(set(done["claims"])) and "triggers" in done["claims"]


# 4. SLA warn and breach on a real worker -----------------------------------------------


@pytest.fixture
def one_minute_policy(db):
    """Resolve within 1 calendar minute, warn at 50 %: instants 30 s and 60 s away."""
    policy = SlaPolicy(
        name="可靠性：一分钟", sort_order=-1000,
        targets={"resolve": {"kind": "calendar_minutes", "amount": 1, "warn_percent": 50}},
    )  # fmt: skip
    db.add(policy)
    db.commit()
    yield policy
    db.rollback()
    db.execute(delete(SlaClock).where(SlaClock.policy_id == policy.id))
    db.execute(delete(SlaPolicy).where(SlaPolicy.id == policy.id))
    db.commit()


def test_warn_and_breach_fire_within_a_minute_once_on_a_real_worker(
    live, db, build, one_minute_policy, redis_url
):
    worker = live()
    # The instants start at the commit: let the worker finish building its app first, so
    # a slow start on a loaded machine is not counted as lateness.
    conn = Redis.from_url(redis_url)
    wait_for(lambda: Worker.count(connection=conn), 180, f"no worker\n{worker.tail()}")
    ticket = build.ticket("agent", "REPAIR", subject="一分钟时限")

    def clock() -> SlaClock | None:
        db.expire_all()
        return db.scalar(
            select(SlaClock).where(SlaClock.ticket_id == ticket.id, SlaClock.metric == "resolve")
        )

    row = wait_for(clock, 120, f"the SLA handler made no clock\n{worker.tail()}")
    assert row.due_at - row.warn_at == dt.timedelta(seconds=30)
    wait_for(
        lambda: clock().breached_at, (row.due_at - utcnow()).total_seconds() + 120,
        f"no breach\n{worker.tail()}",
    )  # fmt: skip
    row = clock()
    assert dt.timedelta(0) <= row.warned_at - row.warn_at <= dt.timedelta(seconds=60)
    assert dt.timedelta(0) <= row.breached_at - row.due_at <= dt.timedelta(seconds=60)

    # Late scheduled jobs and the sweeper find both claimed.
    assert sla_jobs.fire(row.id, "warn")["warn"] == []
    assert sla_jobs.fire(row.id, "due")["breach"] == []
    assert row.id not in sla_jobs.sweep(reschedule=False)["breach"]
    db.expire_all()
    notes = db.scalars(
        select(Comment).where(Comment.ticket_id == ticket.id, Comment.is_public.is_(False))
    ).all()
    assert len(notes) == 2, [n.body for n in notes]  # one yellow, one red
    ordered = sorted(notes, key=lambda n: n.created_at)
    for note, instant in zip(ordered, (row.warn_at, row.due_at), strict=True):
        assert dt.timedelta(0) <= note.created_at - instant <= dt.timedelta(seconds=60)
    assert clock().warned_at == row.warned_at and clock().breached_at == row.breached_at


# Sweep chains --------------------------------------------------------------------------


def test_a_sweep_chain_that_died_is_rearmed_and_a_live_one_left_alone(live, redis_url):
    queue = queue_for(redis_url)
    outbox_jobs.ensure_sweeper(queue)
    scheduled = queue.scheduled_job_registry
    assert outbox_jobs.SWEEP_JOB_ID in scheduled.get_job_ids()
    when = queue.connection.zscore(scheduled.key, outbox_jobs.SWEEP_JOB_ID)
    outbox_jobs.ensure_sweeper(queue)  # alive: not moved
    assert queue.connection.zscore(scheduled.key, outbox_jobs.SWEEP_JOB_ID) == when

    # A sweep that raised (or whose horse was killed): failed, key kept, nothing scheduled.
    scheduled.remove(outbox_jobs.SWEEP_JOB_ID)
    Job.fetch(outbox_jobs.SWEEP_JOB_ID, connection=queue.connection,
              serializer=queue.serializer).set_status(JobStatus.FAILED)  # fmt: skip
    assert queue.connection.exists(Job.key_for(outbox_jobs.SWEEP_JOB_ID))
    assert not sweepers.alive(queue, outbox_jobs.SWEEP_JOB_ID)
    outbox_jobs.ensure_sweeper(queue)
    assert outbox_jobs.SWEEP_JOB_ID in scheduled.get_job_ids()


def test_the_sweep_leaves_queued_events_alone_until_patience_runs_out(live, db, build, redis_url):
    """A backlog must not grow by the sweeper's duplicates; a failed or long-lost job is
    pushed again."""
    queue = queue_for(redis_url)
    ticket = build.ticket("agent", "REPAIR", subject="排队中")
    event = created_event(db, ticket.id)
    job = queue.fetch_job(relay.job_id(event.id))
    assert job.get_status() == JobStatus.QUEUED and queue.count == 1
    db.execute(
        update(OutboxEvent)
        .where(OutboxEvent.id == event.id)
        .values(created_at=event.created_at - dt.timedelta(minutes=1))
    )
    db.commit()

    assert outbox_jobs.sweep(reschedule=False) == 0  # still waiting: not pushed again
    assert queue.count == 1
    db.execute(
        update(OutboxEvent).where(OutboxEvent.id == event.id).values(attempts=outbox_jobs.PATIENCE)
    )
    db.commit()
    assert outbox_jobs.sweep(reschedule=False) == 1  # queued for too long: pushed anyway

    job.set_status(JobStatus.FAILED)
    db.execute(update(OutboxEvent).where(OutboxEvent.id == event.id).values(attempts=0))
    db.commit()
    assert outbox_jobs.sweep(reschedule=False) == 1  # a failed job is redelivered at once
