"""RQ's failed jobs of the app's queues: list a page, read one, retry it, delete it.

Plain functions over the queues named in RQ_QUEUES (the automation queue's connection and
JSON serializer), so the screen stays thin. Redis missing or down is RedisUnavailable, a
DomainError the screen shows as a message, never a 500.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from redis.exceptions import RedisError
from rq import Queue
from rq.job import Job
from rq.registry import FailedJobRegistry

from plugins.automation.outbox.queue import QUEUE_NAME, queue_for
from plugins.tickets.services.errors import DomainError, NotFound

PAGE_SIZE = 25


class RedisUnavailable(DomainError):
    http_status = 503


@dataclass(frozen=True)
class FailedJob:
    id: str
    queue: str
    func_name: str
    args: str
    enqueued_at: dt.datetime | None
    ended_at: dt.datetime | None
    traceback: str

    @property
    def last_line(self) -> str:
        lines = [line for line in self.traceback.strip().splitlines() if line.strip()]
        return lines[-1].strip() if lines else ""


@dataclass(frozen=True)
class Page:
    queue: str
    jobs: list[FailedJob]
    total: int
    page: int
    pages: int


def queues(redis_url: str | None, names: list[str] | None) -> list[Queue]:
    """The app's queues; RedisUnavailable when no Redis is configured."""
    base = queue_for(redis_url)
    if base is None:
        raise RedisUnavailable(_("Redis is not configured (REDIS_URL): there are no job queues."))
    return [
        Queue(name, connection=base.connection, serializer=base.serializer)
        for name in (names or [QUEUE_NAME])
    ]


def _down(err: Exception) -> RedisUnavailable:
    return RedisUnavailable(_("Redis does not answer: %(error)s", error=str(err)))


def _naive(value: dt.datetime | None) -> dt.datetime | None:
    """RQ's instants as naive UTC like every other time in the app (fmt_dt shows them)."""
    if value is None:
        return None
    return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value


def _describe(job: Job, queue: Queue) -> FailedJob:
    result = job.latest_result()
    text = (result.exc_string if result is not None else None) or job._exc_info or ""
    try:
        args = ", ".join([*map(repr, job.args), *(f"{k}={v!r}" for k, v in job.kwargs.items())])
    except Exception:  # noqa: BLE001 - arguments that no longer deserialize
        args = "?"
    return FailedJob(
        id=job.id, queue=queue.name, func_name=job.func_name or "?", args=args,
        enqueued_at=_naive(job.enqueued_at), ended_at=_naive(job.ended_at), traceback=text,
    )  # fmt: skip


def page_of(queue: Queue, page: int = 1) -> Page:
    """One page of the queue's failed jobs, the latest failure first."""
    try:
        registry = FailedJobRegistry(queue=queue)
        total = registry.count
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(page, 1), pages)
        start = (page - 1) * PAGE_SIZE
        ids = registry.get_job_ids(start, start + PAGE_SIZE - 1, desc=True)
        found = Job.fetch_many(ids, connection=queue.connection, serializer=queue.serializer)
        jobs = [_describe(job, queue) for job in found if job is not None]
    except RedisError as err:
        raise _down(err) from err
    return Page(queue.name, jobs, total, page, pages)


def _locate(all_queues: list[Queue], job_id: str) -> tuple[Job, Queue]:
    for queue in all_queues:
        registry = FailedJobRegistry(queue=queue)
        if registry.connection.zscore(registry.key, job_id) is None:
            continue
        job = Job.fetch_many([job_id], connection=queue.connection, serializer=queue.serializer)
        if job[0] is not None:
            return job[0], queue
    raise NotFound(_("No failed job with this id."))


def get(all_queues: list[Queue], job_id: str) -> FailedJob:
    try:
        job, queue = _locate(all_queues, job_id)
        return _describe(job, queue)
    except RedisError as err:
        raise _down(err) from err


def retry(all_queues: list[Queue], job_id: str) -> None:
    """Back on its queue (job.requeue() takes it out of the failed registry)."""
    try:
        job, _queue = _locate(all_queues, job_id)
        job.requeue()
    except RedisError as err:
        raise _down(err) from err


def delete(all_queues: list[Queue], job_id: str) -> None:
    """Gone for good: out of the registry, and the job's data deleted."""
    try:
        job, queue = _locate(all_queues, job_id)
        FailedJobRegistry(queue=queue).remove(job, delete_job=True)
    except RedisError as err:
        raise _down(err) from err
