"""The RQ plumbing `make run` relies on: a worker with the scheduler runs immediate and
scheduled jobs against the configured Redis (real server in both lanes)."""

from __future__ import annotations

import datetime as dt
import uuid

from rq import Queue, Worker
from rq.job import JobStatus

from tests.jobs.sample import add


def test_worker_runs_immediate_and_scheduled_jobs(redis_conn):
    queue = Queue(f"test-{uuid.uuid4().hex[:8]}", connection=redis_conn)
    now_job = queue.enqueue(add, 2, 3)
    later_job = queue.enqueue_in(dt.timedelta(seconds=1), add, 40, 2)
    assert later_job.get_status() == JobStatus.SCHEDULED
    worker = Worker([queue], connection=redis_conn)
    # Burst mode with the scheduler: keeps working until the queue and the schedule are empty.
    deadline = dt.datetime.now() + dt.timedelta(seconds=15)
    while later_job.get_status(refresh=True) != JobStatus.FINISHED and dt.datetime.now() < deadline:
        worker.work(burst=True, with_scheduler=True)
    assert now_job.get_status(refresh=True) == JobStatus.FINISHED
    assert now_job.return_value() == 5
    assert later_job.return_value() == 42
