"""Export screens: download a ticket list or a report as xlsx / csv, follow a large export.

/exports/tickets/<source>.<fmt>?<the list's args>   list, query, view (see the tickets hook)
/exports/report/<name>.<fmt>?<the report's args>    a report, as its page runs it
/exports/job/<id>/            progress bar (polls status), download link when done
/exports/job/<id>/status      JSON: status, done, total, percent, download (the error
                              of a failed job stays on the row and in the log)
/exports/job/<id>/file        the file, for its owner only (404 for anyone else)

Permission: reading tickets (every desk role) for lists and jobs, reading reports for
reports; each export is scoped like its screen.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote, urlparse
from zoneinfo import ZoneInfo

from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from plugins.reports.exports import jobs, service
from plugins.reports.exports.writers import MIMETYPES, iter_csv, write_xlsx
from plugins.tickets.context import actor, session
from plugins.tickets.services.errors import DomainError, NotFound

PERMISSIONS = {m: "read" for m in ("tickets", "job", "status", "file")}
LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def _filename(title: str, fmt: str) -> str:
    stamp = dt.datetime.now(LOCAL_TZ).strftime("%Y%m%d-%H%M")
    safe = "".join(ch for ch in title if ch not in '\\/:*?"<>|\r\n\t') or "export"
    return f"{safe}-{stamp}.{fmt}"


def _disposition(name: str) -> str:
    return (
        f"attachment; filename=\"export.{name.rsplit('.', 1)[-1]}\"; filename*=UTF-8''{quote(name)}"
    )


def _args() -> dict[str, list[str]]:
    return {k: request.args.getlist(k) for k in request.args}


def _stream(reader: Session, export: service.Export, fmt: str) -> Response:
    """Send a small export now: CSV as a stream, xlsx through a spooled temporary file."""
    name = _filename(export.title, fmt)
    if fmt == "csv":

        def chunks() -> Iterator[bytes]:
            try:
                yield from iter_csv(export.headers, export.rows(None))
            finally:
                reader.close()

        resp = Response(stream_with_context(chunks()), mimetype=MIMETYPES["csv"])
        resp.headers["Content-Disposition"] = _disposition(name)
        return resp
    out = tempfile.SpooledTemporaryFile(max_size=8 << 20)
    try:
        write_xlsx(export.headers, export.rows(None), out, export.title)
    finally:
        reader.close()
    out.seek(0)
    return send_file(out, mimetype=MIMETYPES["xlsx"], as_attachment=True, download_name=name)


def _fail(err: DomainError) -> Response:
    """Bad input: back to the screen with the reason; a missing thing: 404."""
    if isinstance(err, NotFound):
        abort(404)
    flash(str(err.message), "danger")
    for message in err.fields.values():
        flash(str(message), "danger")
    back = request.referrer or ""
    if urlparse(back).netloc not in ("", request.host):
        back = ""  # never send anyone to another site
    return redirect(back or url_for("TicketView.list"))


def _start(source: str, fmt: str, build: Callable[[Session], service.Export]) -> Response:
    """Count first: stream a small export now, turn a large one into a job."""
    try:
        service.check_format(fmt)
    except DomainError as err:
        return _fail(err)
    reader = Session(bind=session().get_bind())
    try:
        export = build(reader)
    except DomainError as err:
        reader.close()
        return _fail(err)
    except Exception:
        reader.close()
        raise
    if export.total <= service.sync_limit():
        return _stream(reader, export, fmt)
    reader.close()
    db = session()
    row = service.create_job(db, actor(), source, fmt, _args(), export.title, export.total)
    if not jobs.enqueue(row.id):
        # No Redis (a script, a dev box): do the work now, the page shows the result.
        jobs.run(db, row.id)
    return redirect(url_for("ExportView.job", pk=row.id))


class ExportView(BaseView):
    route_base = "/exports"
    class_permission_name = "Ticket"
    method_permission_name = PERMISSIONS
    default_view = "tickets"

    @expose("/tickets/<source>.<fmt>")
    @has_access
    def tickets(self, source: str, fmt: str):
        user = actor()
        return _start(
            f"tickets:{source}", fmt, lambda reader: service.ticket_list(reader, user, source)
        )

    def _owned(self, pk: int):
        try:
            return service.owned_job(session(), actor(), pk)
        except NotFound:
            abort(404)

    @expose("/job/<int:pk>/")
    @has_access
    def job(self, pk: int):
        row = self._owned(pk)
        return self.render_template(
            "exports/job.html", title=_("Export"), job=row, status_url=url_for(".status", pk=pk)
        )

    @expose("/job/<int:pk>/status")
    @has_access
    def status(self, pk: int):
        row = self._owned(pk)
        return jsonify(
            {
                "status": row.status,
                "status_label": str(STATUS_LABELS.get(row.status, row.status)),
                "done": row.done,
                "total": row.total,
                "percent": row.percent,
                "download": url_for(".file", pk=pk) if row.status == "done" else None,
            }
        )

    @expose("/job/<int:pk>/file")
    @has_access
    def file(self, pk: int):
        row = self._owned(pk)
        path = service.file_path(row) if row.status == "done" else None
        if path is None or (row.expires_at and row.expires_at < service.utcnow()):
            abort(404)
        try:
            return send_file(
                path,
                mimetype=MIMETYPES[row.fmt],
                as_attachment=True,
                download_name=_filename(row.title, row.fmt),
            )
        except FileNotFoundError:
            abort(404)


class ReportExportView(BaseView):
    """A report as xlsx / csv: the report's own permission (Report: can_read)."""

    route_base = "/exports/report"
    class_permission_name = "Report"
    method_permission_name = {"report": "read"}
    default_view = "report"

    @expose("/<name>.<fmt>")
    @has_access
    def report(self, name: str, fmt: str):
        user = actor()
        return _start(
            f"report:{name}", fmt, lambda reader: service.report(reader, user, name, request.args)
        )


STATUS_LABELS: dict[str, Any] = {
    "queued": _l("Waiting"),
    "running": _l("Exporting"),
    "done": _l("Ready"),
    "failed": _l("Failed"),
    "expired": _l("Expired"),
}


def _buttons(endpoint: str, custom: bool = False, **values: Any) -> Markup:
    links = [("xlsx", _("Export xlsx"), {}), ("csv", _("Export csv"), {})]
    if custom:
        links.append(("xlsx", _("Export xlsx with custom fields"), {"custom": "1"}))
    out = []
    for fmt, label, more in links:
        href = url_for(endpoint, fmt=fmt, **{**values, **more})
        out.append(
            f'<a class="btn btn-default btn-sm export-link" href="{escape(href)}">'
            f'<i class="fa fa-download"></i> {escape(label)}</a>'
        )
    return Markup('<span class="export-links">' + " ".join(out) + "</span>")


def report_export_links(name: str) -> Markup:
    """The export buttons of a report page with its current args (a Jinja global)."""
    args = {k: request.args.getlist(k) for k in request.args}
    return _buttons("ReportExportView.report", name=name, **args)


def export_links(source: str, args: dict[str, list[str]]) -> Markup:
    """The "Export xlsx / csv" buttons of a ticket list (registered with the tickets hook)."""
    if current_app.appbuilder.sm.current_user is None:
        return Markup("")
    return _buttons("ExportView.tickets", custom=source != "view", source=source, **args)
