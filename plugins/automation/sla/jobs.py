"""RQ jobs of the SLA engine: fire one clock at its instant; sweep for anything missed.

Scheduled jobs (enqueue_at, job id per clock and kind) only make firing prompt; the sweeper
(every 30 s, self-rescheduling like the outbox sweep) is what guarantees it, since Redis may
lose a schedule. Both go through firing.process_due, which claims in the database.
"""

from __future__ import annotations

import datetime as dt
import logging

from flask import current_app, has_app_context

from plugins.automation.outbox import sweepers
from plugins.automation.outbox.jobs import _get_app
from plugins.automation.outbox.queue import queue_for
from plugins.automation.sla import clock as sla_clock
from plugins.automation.sla.models import SlaClock

log = logging.getLogger(__name__)
SWEEP_EVERY = dt.timedelta(seconds=30)
SWEEP_JOB_ID = "sla-sweep"
MORE_JOB_ID = "sla-sweep-more"


def job_id(clock_id: int, kind: str) -> str:
    return f"sla-{clock_id}-{kind}"


def fire(clock_id: int, kind: str = "due") -> dict:
    """The job scheduled at a clock's warn_at / due_at / next escalation."""
    from plugins.automation.sla.firing import process_due

    app = _get_app()
    with app.app_context():
        from app.extensions import db

        try:
            return process_due(db.session, sla_clock.now(), clock_ids=[clock_id])
        finally:
            db.session.remove()


def sweep(reschedule: bool = True) -> dict:
    """Schedule the next sweep first (a failing or killed sweep keeps the chain), then fire
    everything due."""
    from plugins.automation.sla.firing import process_due

    app = _get_app()
    with app.app_context():
        from app.extensions import db

        queue = queue_for(app.config.get("REDIS_URL"))
        if reschedule and queue is not None:
            sweepers.reschedule(queue, SWEEP_JOB_ID, sweep, SWEEP_EVERY)
        try:
            fired = process_due(db.session, sla_clock.now())
        finally:
            db.session.remove()
        if queue is not None and _full(fired):
            # A backlog (after an outage, or a wave of deadlines): go on at once with the
            # next batch instead of waiting for the next sweep; the chain is untouched.
            sweepers.run_now(queue, MORE_JOB_ID, sweep_more)
        return fired


def sweep_more() -> dict:
    """The next batch of a backlog (see sweep)."""
    return sweep(reschedule=False)


def _full(fired: dict) -> bool:
    from plugins.automation.sla.firing import BATCH

    return any(len(fired.get(kind, [])) >= BATCH for kind in ("warn", "breach"))


def ensure_sweeper(queue) -> None:
    """Arm the sweep chain if it is gone (first start, Redis restarted empty, a sweep that
    failed or died): never raises."""
    sweepers.keep_alive(queue, SWEEP_JOB_ID, sweep, SWEEP_EVERY)


def schedule(clocks: list[SlaClock]) -> None:
    """Schedule a job at each open clock's next instant. Re-using the job id replaces an
    older schedule; instants already past are left to the sweeper (≤ 30 s)."""
    if not has_app_context():
        return
    queue = queue_for(current_app.config.get("REDIS_URL"))
    if queue is None:
        return
    now = sla_clock.now()
    try:
        for clock in clocks:
            if clock.stopped_at is not None:
                continue
            pairs = (
                ("warn", clock.warn_at, clock.warned_at),
                ("due", clock.due_at, clock.breached_at),
                ("escalate", clock.next_escalation_at, None),
            )
            for kind, at, done in pairs:
                if at is not None and done is None and at > now:
                    queue.enqueue_at(
                        at.replace(tzinfo=dt.UTC),
                        fire,
                        clock.id,
                        kind,
                        job_id=job_id(clock.id, kind),
                    )
        ensure_sweeper(queue)
    except Exception:  # noqa: BLE001 - Redis trouble: the sweeper fires it anyway
        log.warning("could not schedule SLA jobs")
