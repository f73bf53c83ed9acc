"""Large exports as RQ jobs: above EXPORT_SYNC_LIMIT the export becomes a job row, a real
worker writes the file in keyset batches updating the progress to 100%, only the owner
downloads it, it expires; without Redis it runs at once."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os

import pytest
from openpyxl import load_workbook
from rq import SimpleWorker
from rq.serializers import JSONSerializer
from sqlalchemy import event, select

from plugins.reports.exports import jobs, service
from plugins.reports.exports.models import ExportJob
from plugins.tickets.models import Ticket


@pytest.fixture
def big(app, redis_conn, redis_url):
    """Small limits so the demo data is 'large', this app as the worker's app."""
    old = {k: app.config.get(k) for k in ("REDIS_URL", "EXPORT_SYNC_LIMIT", "EXPORT_BATCH_SIZE")}
    app.config.update(REDIS_URL=redis_url, EXPORT_SYNC_LIMIT=3, EXPORT_BATCH_SIZE=2)
    jobs._app = app
    queue = jobs.queue_for(redis_url)
    queue.empty()
    yield queue
    app.config.update(old)
    jobs._app = None


def _work(queue) -> None:
    SimpleWorker([queue], connection=queue.connection, serializer=JSONSerializer).work(burst=True)


def _job_id(resp) -> int:
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
    return int(resp.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def _fin_numbers(db, build) -> set[str]:
    fin = build.department("FIN").id
    db.expire_all()
    return set(db.scalars(select(Ticket.number).where(Ticket.department_id == fin)))


def test_large_csv_export_runs_as_a_job_with_progress(big, login, build, db):
    queue = big
    for i in range(4):
        build.ticket("fin", "BILLING", subject=f"=JOB{i}")
    expected = _fin_numbers(db, build)
    assert len(expected) > 3
    client = login("fin")
    job_id = _job_id(client.get("/exports/tickets/query.csv"))
    assert queue.fetch_job(f"export-{job_id}") is not None
    status = client.get(f"/exports/job/{job_id}/status").json
    assert status["status"] == "queued" and status["percent"] == 0
    assert status["total"] == len(expected) and status["download"] is None
    page = client.get(f"/exports/job/{job_id}/").get_data(as_text=True)
    assert 'id="export-bar"' in page

    commits: list[int] = []
    original = service.ticket_list

    def watching(reader, user, source):
        export = original(reader, user, source)
        rows = export.rows
        export.rows = lambda progress: rows(lambda n: (commits.append(n), progress(n)))
        return export

    statements: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, *args):
        if "FROM ticket" in statement and "count(" not in statement:
            statements.append((statement, parameters))

    engine = db.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    service.ticket_list = watching
    try:
        _work(queue)
    finally:
        service.ticket_list = original
        event.remove(engine, "before_cursor_execute", record)
    # Keyset batches: "id < last" each time, never OFFSET (a million rows stay cheap).
    # (SQLite always prints "OFFSET ?" and passes 0.)
    batches = [(s, p) for s, p in statements if "ORDER BY ticket.id DESC" in s]
    assert len(batches) >= 2
    assert all("OFFSET" not in s or list(p)[-1] == 0 for s, p in batches)
    assert all("ticket.id <" in s for s, _p in batches[1:])
    assert commits[-1] == len(expected) and len(commits) == (len(expected) + 1) // 2  # batches

    status = client.get(f"/exports/job/{job_id}/status").json
    assert status["status"] == "done" and status["percent"] == 100
    assert status["done"] == status["total"] == len(expected)
    resp = client.get(status["download"])
    assert resp.status_code == 200
    rows = list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"))))
    assert rows[0][:2] == ["工单编号", "标题"]
    assert {r[0] for r in rows[1:]} == expected  # every FIN ticket once, nothing else
    assert len(rows) - 1 == len(expected)
    assert all(r[1] != f"=JOB{i}" for r in rows for i in range(4))
    assert any(r[1] == "'=JOB0" for r in rows)

    # Only the owner: everyone else gets 404 for the page, the status and the file.
    other = login("tech")
    for url in ("/", "/status", "/file"):
        assert other.get(f"/exports/job/{job_id}{url}").status_code == 404
    assert login("manager").get(f"/exports/job/{job_id}/file").status_code == 404


def test_large_xlsx_export_and_expiry(big, login, build, db):
    queue = big
    client = login("fin")
    job_id = _job_id(client.get("/exports/tickets/list.xlsx?queue=accept"))
    _work(queue)
    status = client.get(f"/exports/job/{job_id}/status").json
    assert status["status"] == "done"
    wb = load_workbook(io.BytesIO(client.get(status["download"]).data))
    rows = list(wb.active.iter_rows(values_only=True))
    fin = build.department("FIN").id
    db.expire_all()
    expected = set(
        db.scalars(
            select(Ticket.number).where(
                Ticket.department_id == fin, Ticket.status == "pending_accept"
            )
        )
    )
    assert {r[0] for r in rows[1:]} == expected and len(rows) - 1 == len(expected)

    row = db.get(ExportJob, job_id)
    path = os.path.join(service.export_dir(), row.file_name)
    assert os.path.exists(path)
    row.expires_at = dt.datetime(2000, 1, 1)
    db.commit()
    assert client.get(status["download"]).status_code == 404  # past its expiry
    jobs.worker_hook(False)  # a worker's maintenance pass: the file goes, the row says so
    assert not os.path.exists(path)
    assert client.get(f"/exports/job/{job_id}/status").json["status"] == "expired"


def test_without_redis_the_export_runs_at_once(app, login, build, db):
    old = {k: app.config.get(k) for k in ("REDIS_URL", "EXPORT_SYNC_LIMIT")}
    app.config.update(REDIS_URL=None, EXPORT_SYNC_LIMIT=1)
    try:
        client = login("fin")
        job_id = _job_id(client.get("/exports/tickets/query.csv"))
        status = client.get(f"/exports/job/{job_id}/status").json
        assert status["status"] == "done" and status["percent"] == 100
        assert client.get(status["download"]).status_code == 200
    finally:
        app.config.update(old)


def test_a_job_whose_list_is_gone_fails_cleanly(big, login, build, db):
    from plugins.tickets.models import SavedView

    queue = big
    view = SavedView(
        name="即将删除",
        owner_id=build.user("fin").id,
        conditions={"match": "all", "conditions": []},
        columns=["number", "subject"],
        active=True,
    )
    db.add(view)
    db.commit()
    client = login("fin")
    job_id = _job_id(client.get(f"/exports/tickets/view.csv?view_id={view.id}"))
    db.delete(view)
    db.commit()
    _work(queue)
    status = client.get(f"/exports/job/{job_id}/status").json
    assert status["status"] == "failed" and status["download"] is None
    assert client.get(f"/exports/job/{job_id}/file").status_code == 404
    page = client.get(f"/exports/job/{job_id}/").get_data(as_text=True)
    assert 'id="export-failed" class="text-danger" >' in page  # shown, not hidden
    db.expire_all()
    assert db.get(ExportJob, job_id).error  # the reason stays on the row for support
