"""The weekly sampling job: every Monday 02:00 (Asia/Shanghai) it samples the week before.

Self-rescheduling: each run first schedules the next one, under a job id named after that
Monday (qa-weekly-sample-YYYYMMDD), so the finished run's job hash expiring can never take
its successor with it, and arming twice for the same Monday only moves one schedule.
`flask init` and every worker (start and maintenance pass, via app.worker's hooks) arm it
when it is missing. The queue uses the JSON serializer like the rest of the host; this addon
does not import the automation addon, so the few lines of queue handling live here.
"""

from __future__ import annotations

import datetime as dt
import logging

from flask import Flask, current_app, has_app_context
from redis import Redis
from rq import Queue
from rq.serializers import JSONSerializer

from plugins.tickets.models.base import utcnow

log = logging.getLogger(__name__)
JOB_ID = "qa-weekly-sample"
OFFSET = dt.timedelta(hours=8)  # Asia/Shanghai, no daylight saving
RUN_AT = dt.time(2, 0)
DEFAULT_PERCENT = 5.0
_app: Flask | None = None


def queue_for(url: str | None) -> Queue | None:
    if not url:
        return None
    connection = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
    return Queue("default", connection=connection, serializer=JSONSerializer)


def _get_app() -> Flask:
    """The worker's app if one is pushed, else one built once per process."""
    global _app
    if has_app_context():
        return current_app._get_current_object()
    if _app is None:
        from app import create_app

        _app = create_app()
    return _app


def last_week(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """[Monday 00:00, next Monday 00:00) of the week before `now`, Shanghai days, naive UTC."""
    local = now + OFFSET
    monday = dt.datetime.combine(local.date() - dt.timedelta(days=local.weekday()), dt.time())
    return monday - dt.timedelta(days=7) - OFFSET, monday - OFFSET


def next_run(now: dt.datetime) -> dt.datetime:
    """The next Monday 02:00 Shanghai after `now`, as naive UTC."""
    local = now + OFFSET
    monday = local.date() - dt.timedelta(days=local.weekday())
    at = dt.datetime.combine(monday, RUN_AT)
    if at <= local:
        at += dt.timedelta(days=7)
    return at - OFFSET


def job_id_for(when: dt.datetime) -> str:
    """The id of the run at `when` (naive UTC): one per Shanghai Monday."""
    return f"{JOB_ID}-{(when + OFFSET):%Y%m%d}"


def run_weekly(reschedule: bool = True) -> int:
    """Sample last week (QA_SAMPLE_PER_PERSON if set, else QA_SAMPLE_PERCENT, default 5 %)."""
    from plugins.quality.services.sampling import sample_period

    app = _get_app()
    with app.app_context():
        from app.extensions import db

        if reschedule:  # first, so a failing run still leaves next week's armed
            schedule(queue_for(app.config.get("REDIS_URL")))
        per_person = app.config.get("QA_SAMPLE_PER_PERSON")
        percent = (
            None if per_person else float(app.config.get("QA_SAMPLE_PERCENT", DEFAULT_PERCENT))
        )
        try:
            start, end = last_week(utcnow())
            added = len(sample_period(db.session, start, end, percent=percent,
                                      per_person=per_person))  # fmt: skip
        finally:
            db.session.remove()
        return added


def schedule(queue: Queue | None) -> str | None:
    """Schedule the run of the next Monday 02:00; returns its job id."""
    if queue is None:
        return None
    when = next_run(utcnow())
    job_id = job_id_for(when)
    queue.enqueue_at(when.replace(tzinfo=dt.UTC), run_weekly, job_id=job_id)
    return job_id


def ensure_scheduled(queue: Queue | None) -> None:
    """Arm next Monday's run if it is missing (first start, or Redis restarted empty).
    Never raises: with Redis down, the next worker maintenance pass tries again."""
    if queue is None:
        return
    try:
        if not queue.connection.exists(f"rq:job:{job_id_for(next_run(utcnow()))}"):
            schedule(queue)
    except Exception:  # noqa: BLE001
        log.warning("could not arm the weekly QA sampling")


def worker_hook(starting: bool) -> None:
    """app.worker calls this when a worker starts and at each maintenance pass."""
    ensure_scheduled(queue_for(current_app.config.get("REDIS_URL")))
