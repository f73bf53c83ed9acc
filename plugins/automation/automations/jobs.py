"""The one scheduled RQ job of automations: sweep every AUTOMATION_INTERVAL_SECONDS.

Self-rescheduling like the outbox and SLA sweepers: each run enqueues the next one under a
fixed job id, and `ensure_sweeper` (at `flask init`) re-arms the chain when Redis lost it.
"""

from __future__ import annotations

import datetime as dt
import logging

from flask import Flask

from plugins.automation.outbox import sweepers
from plugins.automation.outbox.jobs import _get_app
from plugins.automation.outbox.queue import queue_for

log = logging.getLogger(__name__)
SWEEP_JOB_ID = "automation-sweep"
DEFAULT_INTERVAL = 300


def interval(app: Flask) -> dt.timedelta:
    seconds = app.config.get("AUTOMATION_INTERVAL_SECONDS") or DEFAULT_INTERVAL
    return dt.timedelta(seconds=int(seconds))


def sweep(reschedule: bool = True) -> dict[str, list[int]]:
    """Schedule the next sweep first (a failing or killed sweep keeps the chain), then run
    the active automations once. JSON-friendly result: {automation id (text): ticket ids}."""
    from plugins.automation.automations.engine import sweep as run_sweep

    app = _get_app()
    with app.app_context():
        from app.extensions import db

        queue = queue_for(app.config.get("REDIS_URL"))
        if reschedule and queue is not None:
            sweepers.reschedule(queue, SWEEP_JOB_ID, sweep, interval(app))
        try:
            result = run_sweep(db.session)
        finally:
            db.session.remove()
        return {str(k): v for k, v in result.items()}


def ensure_sweeper(queue, app: Flask) -> None:
    """Arm the sweep chain if it is gone (first start, Redis restarted empty, a sweep that
    failed or died): never raises."""
    sweepers.keep_alive(queue, SWEEP_JOB_ID, sweep, interval(app))
