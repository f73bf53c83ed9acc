"""The one scheduled RQ job of automations: sweep every AUTOMATION_INTERVAL_SECONDS.

Self-rescheduling like the outbox and SLA sweepers: each run enqueues the next one under a
fixed job id, and `ensure_sweeper` (at `flask init`) re-arms the chain when Redis lost it.
"""

from __future__ import annotations

import datetime as dt
import logging

from flask import Flask

from plugins.automation.outbox.jobs import _get_app
from plugins.automation.outbox.queue import queue_for

log = logging.getLogger(__name__)
SWEEP_JOB_ID = "automation-sweep"
DEFAULT_INTERVAL = 300


def interval(app: Flask) -> dt.timedelta:
    seconds = app.config.get("AUTOMATION_INTERVAL_SECONDS") or DEFAULT_INTERVAL
    return dt.timedelta(seconds=int(seconds))


def sweep(reschedule: bool = True) -> dict[str, list[int]]:
    """Run the active automations once, then schedule the next sweep. JSON-friendly result:
    {automation id (text): ticket ids fired}."""
    from plugins.automation.automations.engine import sweep as run_sweep

    app = _get_app()
    with app.app_context():
        from app.extensions import db

        queue = queue_for(app.config.get("REDIS_URL"))
        try:
            result = run_sweep(db.session)
        finally:
            db.session.remove()
            if reschedule and queue is not None:  # even after a failure: the chain goes on
                queue.enqueue_in(interval(app), sweep, job_id=SWEEP_JOB_ID)
        return {str(k): v for k, v in result.items()}


def ensure_sweeper(queue, app: Flask) -> None:
    """Arm the sweep chain if it is gone (first start, or Redis restarted empty)."""
    try:
        if not queue.connection.exists(f"rq:job:{SWEEP_JOB_ID}"):
            queue.enqueue_in(interval(app), sweep, job_id=SWEEP_JOB_ID)
    except Exception:  # noqa: BLE001 - Redis down: `flask init` or the next start tries again
        log.warning("could not arm the automation sweeper")
