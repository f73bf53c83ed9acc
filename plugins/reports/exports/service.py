"""Export service: rows of a ticket list (in id batches) or of a report, and export jobs.

A ticket export is the SELECT the list screen runs (plugins/tickets/exports_hook.py: scope
AND the screen's filters), read in batches by keyset on the id (`id < last`, newest
first; never OFFSET), each batch expunged before the next, so a million rows stream in
constant memory. At most EXPORT_SYNC_LIMIT rows go straight to the browser; above that the
export becomes a job row and an RQ job (jobs.py).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plugins.reports.exports.models import ExportJob
from plugins.reports.exports.writers import FORMATS
from plugins.tickets.exports_hook import SOURCES, TicketExport, ticket_export
from plugins.tickets.models import Ticket
from plugins.tickets.models.base import utcnow
from plugins.tickets.services.errors import NotFound, ValidationFailed

DEFAULT_SYNC_LIMIT = 5000
DEFAULT_BATCH = 1000
DEFAULT_TTL_HOURS = 24
Progress = Callable[[int], None]


@dataclass
class Export:
    """Headers, a row iterator and a total, whatever the source."""

    title: str
    headers: list[str]
    total: int
    rows: Callable[[Progress | None], Iterator[Sequence[Any]]]


def sync_limit() -> int:
    return int(current_app.config.get("EXPORT_SYNC_LIMIT", DEFAULT_SYNC_LIMIT))


def batch_size() -> int:
    return int(current_app.config.get("EXPORT_BATCH_SIZE", DEFAULT_BATCH))


def export_dir() -> str:
    instance = current_app.config.get("INSTANCE_DIR") or current_app.instance_path
    path = current_app.config.get("EXPORT_DIR") or os.path.join(instance, "exports")
    os.makedirs(path, exist_ok=True)
    return path


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise NotFound(_("Unknown export format."))
    return fmt


# -- ticket lists --------------------------------------------------------------------


def ticket_batches(session: Session, export: TicketExport, size: int) -> Iterator[list[Ticket]]:
    """The export's tickets, newest id first, `size` at a time (keyset on Ticket.id)."""
    last: int | None = None
    while True:
        stmt = export.statement.order_by(Ticket.id.desc()).limit(size)
        if last is not None:
            stmt = stmt.where(Ticket.id < last)
        batch = list(session.scalars(stmt).unique())
        if not batch:
            return
        yield batch
        last = batch[-1].id
        if len(batch) < size:
            return


def count_tickets(session: Session, export: TicketExport) -> int:
    return session.scalar(select(func.count()).select_from(export.statement.subquery())) or 0


def ticket_list(session: Session, user: Any, source: str) -> Export:
    """The export of ticket list `source` for the current request's args (see the hook)."""
    if source not in SOURCES:
        raise NotFound(_("No such list."))
    spec = ticket_export(session, user, source)
    total = count_tickets(session, spec)
    size = batch_size()

    def rows(progress: Progress | None = None) -> Iterator[Sequence[Any]]:
        done = 0
        for batch in ticket_batches(session, spec, size):
            yield from spec.cells(session, batch)
            done += len(batch)
            session.expunge_all()  # the dedicated export session: keep memory flat
            if progress is not None:
                progress(done)

    return Export(spec.title, spec.headers, total, rows)


# -- reports -------------------------------------------------------------------------


def _report_cell(kind: str, value: Any) -> Any:
    if value is None:
        return ""
    if kind == "percent":
        return f"{float(value) * 100:.1f}%"
    return value


def report(session: Session, user: Any, name: str, args: Mapping[str, str]) -> Export:
    """A report's rows under its column labels, run exactly as its page runs it (the
    reports runner: same parameters, same scope)."""
    try:
        from plugins.reports import params, runner
    except ImportError as err:  # the reports themselves are not installed
        raise NotFound(_("No such report.")) from err
    tz = current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai")
    wanted = {k: v for k, v in args.items() if isinstance(v, str)}
    try:
        data = runner.run(session, user, name, wanted, tz_name=tz)
    except params.UnknownReport as err:
        raise NotFound(err.message) from err
    except params.BadReportParams as err:
        raise ValidationFailed(err.message, err.fields) from err
    columns = data["columns"]
    found = data["rows"]

    def rows(progress: Progress | None = None) -> Iterator[Sequence[Any]]:
        for row in found:
            yield [_report_cell(c["kind"], row.get(c["key"])) for c in columns]

    return Export(data["label"], [c["label"] for c in columns], len(found), rows)


# -- jobs ----------------------------------------------------------------------------


def create_job(
    session: Session, user: Any, source: str, fmt: str, args: dict[str, list[str]], title: str,
    total: int,
) -> ExportJob:  # fmt: skip
    """Record a large export; the caller enqueues it after the commit."""
    row = ExportJob(
        owner_id=user.id,
        source=source,
        fmt=fmt,
        args=args,
        locale=str(get_locale() or "zh"),
        title=title[:200],
        status="queued",
        total=total,
        done=0,
    )
    session.add(row)
    session.commit()
    return row


def owned_job(session: Session, user: Any, job_id: int) -> ExportJob:
    """The user's own job; NotFound for anyone else's (ids reveal nothing)."""
    row = session.get(ExportJob, job_id)
    if row is None or user is None or row.owner_id != user.id:
        raise NotFound(_("Not found."))
    return row


def file_path(row: ExportJob) -> str | None:
    if not row.file_name:
        return None
    return os.path.join(export_dir(), row.file_name)


def expire_old(session: Session, now: dt.datetime | None = None) -> int:
    """Delete the files of finished jobs past their expiry (status → expired)."""
    now = now or utcnow()
    rows = session.scalars(
        select(ExportJob).where(ExportJob.status == "done", ExportJob.expires_at < now).limit(200)
    ).all()
    for row in rows:
        path = file_path(row)
        if path and os.path.exists(path):
            os.remove(path)
        row.status, row.file_name = "expired", None
    if rows:
        session.commit()
    return len(rows)


def ttl() -> dt.timedelta:
    return dt.timedelta(hours=float(current_app.config.get("EXPORT_TTL_HOURS", DEFAULT_TTL_HOURS)))
