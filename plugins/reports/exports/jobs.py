"""The RQ job that writes a large export, and how it is enqueued. Jobs take ids only.

The job replays the screen's query args in a test request context (the list sources read
`flask.request`, as the screen did), as the owner, in the owner's language; it reads the
tickets on a session of its own, batch by batch, and commits `done` on the job row after
each batch so the progress page can poll it. The file is written under a temporary name
and renamed when complete, so a download never sees half a file.
"""

from __future__ import annotations

import logging
import os
import secrets
from functools import lru_cache

from flask import Flask, current_app, has_app_context
from flask_appbuilder.security.sqla.models import User
from flask_babel import force_locale
from redis import Redis
from rq import Queue
from rq.serializers import JSONSerializer
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from plugins.reports.exports import service
from plugins.reports.exports.models import ExportJob
from plugins.reports.exports.writers import iter_csv, write_xlsx
from plugins.tickets.models.base import utcnow

log = logging.getLogger(__name__)
QUEUE_NAME = "default"
JOB_TIMEOUT = 60 * 60
_app: Flask | None = None


@lru_cache(maxsize=8)
def _connection(url: str) -> Redis:
    return Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)


def queue_for(url: str | None) -> Queue | None:
    """The worker's queue (JSON serializer, like every job of this app), None without Redis."""
    if not url:
        return None
    return Queue(QUEUE_NAME, connection=_connection(url), serializer=JSONSerializer)


def enqueue(job_id: int) -> bool:
    """Queue the job (after its row is committed); False when there is no Redis."""
    queue = queue_for(current_app.config.get("REDIS_URL"))
    if queue is None:
        return False
    queue.enqueue(run_export, job_id, job_id=f"export-{job_id}", job_timeout=JOB_TIMEOUT)
    return True


def _get_app() -> Flask:
    """The worker's app (pushed by app.worker.AppWorker), else one built once per process."""
    global _app
    if _app is None:
        if has_app_context():
            return current_app._get_current_object()
        from app import create_app

        _app = create_app()
    return _app


def write(db: Session, row: ExportJob) -> None:
    """Run the export of `row` to its file, committing progress after every batch."""
    user = db.get(User, row.owner_id)
    args = MultiDict([(k, v) for k, values in (row.args or {}).items() for v in values])
    app = current_app._get_current_object()
    with app.test_request_context("/", query_string=args), force_locale(row.locale or "zh"):
        with Session(bind=db.get_bind()) as reader:
            kind, _sep, name = row.source.partition(":")
            if kind == "report":
                export = service.report(reader, user, name, args)
            else:
                export = service.ticket_list(reader, user, name)
            row.total = export.total
            db.commit()

            def progress(done: int) -> None:
                row.done = done
                db.commit()

            final = f"export-{row.id}-{secrets.token_hex(8)}.{row.fmt}"
            path = os.path.join(service.export_dir(), final)
            partial = path + ".part"
            try:
                with open(partial, "wb") as fh:
                    rows = export.rows(progress)
                    if row.fmt == "csv":
                        for chunk in iter_csv(export.headers, rows):
                            fh.write(chunk)
                    else:
                        write_xlsx(export.headers, rows, fh, export.title)
                os.replace(partial, path)
            finally:
                if os.path.exists(partial):
                    os.remove(partial)
    now = utcnow()
    row.file_name, row.status, row.done = final, "done", row.total
    row.finished_at, row.expires_at = now, now + service.ttl()
    db.commit()


def run(db: Session, job_id: int) -> str:
    """Run one export job by id; a finished or unknown job is left alone."""
    row = db.get(ExportJob, job_id)
    if row is None:
        return "missing"
    if row.status not in ("queued", "running"):
        return row.status
    row.status = "running"
    db.commit()
    try:
        write(db, row)
    except Exception as exc:  # noqa: BLE001 - the owner sees "failed", not a spinner forever
        log.exception("export %s failed", job_id)
        db.rollback()
        row = db.get(ExportJob, job_id)
        row.status, row.error, row.finished_at = "failed", f"{type(exc).__name__}: {exc}", utcnow()
        db.commit()
    service.expire_old(db)
    return row.status


def run_export(job_id: int) -> str:
    """The RQ job."""
    app = _get_app()
    with app.app_context():
        from app.extensions import db

        try:
            return run(db.session, job_id)
        finally:
            db.session.remove()


def worker_hook(starting: bool) -> None:
    """At every maintenance pass of an RQ worker: delete the files of expired exports, so
    they go even when no new export runs (registered with app.worker.register_worker_hook)."""
    from app.extensions import db

    try:
        service.expire_old(db.session)
    except Exception:  # noqa: BLE001 - a worker hook must not stop the worker
        log.exception("could not expire old exports")
        db.session.rollback()
    finally:
        db.session.remove()
