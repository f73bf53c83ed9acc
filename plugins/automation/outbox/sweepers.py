"""Self-rescheduling sweep chains that a crash cannot end.

A sweep job schedules its successor (same job id) before it does its work, so a horse
SIGKILLed mid-sweep, or a sweep that raises, leaves the next run scheduled. `keep_alive`
re-arms a chain that is really gone: its job hash missing (Redis restarted empty), or the
job neither scheduled, queued nor running (it failed, or was abandoned by a dead worker).
Merely testing that the job key exists is not enough: a failed sweep keeps its key for the
whole failure TTL, and the chain would stay dead that long. Re-arming an id that is already
scheduled only moves its time (one id, one ZSET member), so a spare arm never doubles a
chain; the worker arms every chain when it starts and at each maintenance pass.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from rq.job import Job, JobStatus

log = logging.getLogger(__name__)
_RUNNING = {JobStatus.QUEUED.value, JobStatus.STARTED.value}


def alive(queue, job_id: str) -> bool:
    """Whether the chain `job_id` will run again without help."""
    conn = queue.connection
    status = conn.hget(Job.key_for(job_id), "status")
    if status is None:
        return False
    if conn.zscore(queue.scheduled_job_registry.key, job_id) is not None:
        return True
    return status.decode() in _RUNNING


def reschedule(queue, job_id: str, func: Callable, every: dt.timedelta) -> None:
    """Schedule the chain's next run (the sweep's first step)."""
    queue.enqueue_in(every, func, job_id=job_id)


def keep_alive(queue, job_id: str, func: Callable, every: dt.timedelta) -> bool:
    """Arm the chain unless it is alive; True when it had to be armed. Never raises:
    with Redis down, the next commit or maintenance pass tries again."""
    try:
        if alive(queue, job_id):
            return False
        reschedule(queue, job_id, func, every)
    except Exception:  # noqa: BLE001 - Redis trouble must not reach the user's commit
        log.warning("could not arm the sweeper %s", job_id)
        return False
    log.info("armed the sweeper %s", job_id)
    return True


def run_now(queue, job_id: str, func: Callable) -> None:
    """Enqueue one run at once (a worker starting after a crash or an outage catches up
    without waiting for the scheduler lock of a dead worker to expire)."""
    try:
        queue.enqueue(func, job_id=job_id)
    except Exception:  # noqa: BLE001
        log.warning("could not enqueue the sweeper %s", job_id)
