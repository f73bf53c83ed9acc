"""Exports (导出): xlsx and csv read back — zh headers, formula-safe cells, the same rows as
the screen, and the same scoping whatever query args are crafted."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from plugins.reports.exports.writers import export_rows, safe_cell
from plugins.tickets.models import Ticket

FORMULAS = ["=1+1 EXPF", "+8613800000000 EXPF", "-x EXPF", "@SUM(A1) EXPF"]


def _xlsx(resp) -> list[list[object]]:
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    assert resp.mimetype.endswith("spreadsheetml.sheet")
    wb = load_workbook(io.BytesIO(resp.data))
    return [[c for c in row] for row in wb.active.iter_rows(values_only=True)]


def _csv(resp) -> list[list[str]]:
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    assert resp.mimetype == "text/csv"
    raw = resp.data
    assert raw.startswith("\ufeff".encode()), "UTF-8 BOM so Excel reads Chinese"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


@pytest.fixture(scope="module")
def formula_tickets(app):
    from app.extensions import db
    from tests.fixtures.builders import Builders

    with app.app_context():
        build = Builders(app, db.session)
        numbers = [build.ticket("fin", "BILLING", subject=s).number for s in FORMULAS]
        tech = build.ticket("agent", "REPAIR", subject="=cmd TECH-ONLY EXPF").number
        db.session.remove()
    return numbers, tech


def test_safe_cell_defuses_formulas():
    for text in ("=1+1", "+86", "-x", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(text) == "'" + text
    assert safe_cell("普通文本") == "普通文本"
    assert safe_cell(-5) == -5  # a number is not a formula
    assert safe_cell(None) == ""


def test_writers_round_trip_with_any_title():
    rows = [["=1+1", -3, "普通"], ["\tTAB", 2.5, None]]
    book = load_workbook(export_rows(["标题", "数量", "备注"], rows, "xlsx", title="视图 [1/2]"))
    assert book.sheetnames == ["视图 12"]
    assert list(book.active.iter_rows(values_only=True))[1:] == [
        ("'=1+1", -3, "普通"),
        ("'\tTAB", 2.5, None),
    ]
    text = export_rows(["标题"], [["@x"]], "csv").read().decode("utf-8-sig")
    assert text.splitlines() == ["标题", "'@x"]


def test_query_export_xlsx_has_zh_headers_and_safe_cells(login, formula_tickets):
    numbers, tech = formula_tickets
    rows = _xlsx(login("fin").get("/exports/tickets/query.xlsx?customer=&status=pending_accept"))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["工单编号", "标题", "客户"]
    assert "截止时间" in header
    subjects = {r[0]: r[1] for r in body}
    for number, subject in zip(numbers, FORMULAS, strict=True):
        assert subjects[number] == "'" + subject  # shown as text, never executed
    assert tech not in subjects
    assert all(not str(v).startswith(("=", "+", "-", "@")) for r in body for v in r if v)


def test_query_export_csv_matches_the_screen(login, formula_tickets):
    numbers, _tech = formula_tickets
    client = login("fin")
    query = "status=pending_accept"
    rows = _csv(client.get(f"/exports/tickets/query.csv?{query}"))
    assert rows[0][:2] == ["工单编号", "标题"]
    exported = {r[0] for r in rows[1:]}
    assert set(numbers) <= exported
    screen = client.get(f"/ticketquery/?{query}").get_data(as_text=True)
    assert f"/exports/tickets/query.csv?{query}" in screen  # the screen links its export
    shown = set(re.findall(r">(GD[0-9-]+)</a>", screen))
    total = int(re.search(r"(\d+) ", screen.split('id="query-results"')[1]).group(1))
    assert len(rows) - 1 == total
    assert shown <= exported  # the screen's first page is in the export


def test_fin_handler_gets_no_tech_rows_even_with_crafted_args(login, build, formula_tickets):
    _numbers, tech = formula_tickets
    tech_id = build.department("TECH").id
    client = login("fin")
    crafted = [
        f"/exports/tickets/query.csv?department_id={tech_id}",
        f"/exports/tickets/query.csv?number={tech}",
        f"/exports/tickets/list.csv?_flt_0_department={tech_id}",
        "/exports/tickets/list.csv?queue=overdue",
        "/exports/tickets/list.csv?queue=nonsense&scope=all",
    ]
    fin_id = build.department("FIN").id

    for url in crafted:
        rows = _csv(client.get(url))
        assert tech not in {r[0] for r in rows[1:]}, url
        for r in rows[1:]:
            ticket = build.session.query(Ticket).filter_by(number=r[0]).one()
            assert ticket.department_id == fin_id, url
    assert len(_csv(client.get(f"/exports/tickets/query.csv?department_id={tech_id}"))) == 1


def test_list_export_uses_the_list_filters_and_queue(login, build, formula_tickets):
    numbers, tech = formula_tickets
    client = login("dispatcher")
    fin_id = build.department("FIN").id
    rows = _xlsx(client.get(f"/exports/tickets/list.xlsx?_flt_0_department={fin_id}"))
    assert rows[0][:2] == ["工单编号", "标题"]
    got = {r[0] for r in rows[1:]}
    assert set(numbers) <= got and tech not in got
    created = rows[0].index("创建时间")
    first = build.session.scalar(select(Ticket).where(Ticket.number == numbers[0]))
    local = first.created_at + dt.timedelta(hours=8)  # Asia/Shanghai, no DST
    assert {r[created] for r in rows[1:] if r[0] == numbers[0]} == {f"{local:%Y-%m-%d %H:%M:%S}"}
    screen = client.get(f"/ticketview/list/?_flt_0_department={fin_id}&psize_TicketView=100")
    body = screen.get_data(as_text=True)
    assert "Export xlsx" in body or "导出" in body  # the links are on the list
    # The "created by me" queue of the agent: exactly the agent's own intake.
    agent_rows = _csv(login("agent").get("/exports/tickets/list.csv?queue=created"))
    assert tech in {r[0] for r in agent_rows[1:]}
    assert not set(numbers) & {r[0] for r in agent_rows[1:]}


def test_saved_view_export_uses_the_view_and_hides_others_views(login, build, formula_tickets):
    from plugins.tickets.models import SavedView

    numbers, _tech = formula_tickets
    view = SavedView(
        name="导出视图",
        owner_id=build.user("fin").id,
        conditions={"match": "all", "conditions": [
            {"field": "subject", "op": "contains", "value": "EXPF"}]},
        columns=["number", "subject", "status"],
        active=True,
    )  # fmt: skip
    build.session.add(view)
    build.session.commit()
    rows = _csv(login("fin").get(f"/exports/tickets/view.csv?view_id={view.id}"))
    assert rows[0] == ["工单编号", "标题", "状态"]
    assert {r[0] for r in rows[1:]} == set(numbers)  # the TECH one is out of fin's scope
    assert login("tech").get(f"/exports/tickets/view.csv?view_id={view.id}").status_code == 404
    page = login("fin").get(f"/savedviews/{view.id}/").get_data(as_text=True)
    assert f"/exports/tickets/view.xlsx?view_id={view.id}" in page


def test_bad_export_requests_are_refused_cleanly(login):
    client = login("fin")
    assert client.get("/exports/tickets/nonsense.csv").status_code == 404
    assert client.get("/exports/tickets/query.pdf").status_code == 404
    resp = client.get("/exports/tickets/query.csv?date_from=2026-13-45")
    assert resp.status_code == 302  # back to the screen with the form's message
    assert client.get("/exports/job/999999/").status_code == 404
    anonymous = login("fin").application.test_client()
    assert anonymous.get("/exports/tickets/query.csv").status_code in (302, 401)


def test_report_export_matches_the_report_and_its_scope(app, login, build, db):
    from plugins.reports import runner

    build.ticket("fin", "BILLING", subject="=REPORT EXPF")
    args = {"group_by": "day"}
    for username in ("manager", "techlead"):
        rows = _csv(login(username).get("/exports/report/by_department.csv?group_by=day"))
        with app.test_request_context():
            data = runner.run(
                db, build.user(username), "by_department", args, tz_name="Asia/Shanghai"
            )
        assert rows[0] == [c["label"] for c in data["columns"]]
        assert len(rows) - 1 == len(data["rows"])
        names = {r[1] for r in rows[1:]}
        assert names == {str(r["name"]) for r in data["rows"]}
        if username == "techlead":
            assert "财务部" not in names  # a supervisor's report is their departments only
    xlsx = _xlsx(login("manager").get("/exports/report/volume.xlsx"))
    assert len(xlsx[0]) == 5
    assert login("manager").get("/exports/report/nonsense.csv").status_code == 404
    # Handlers have no report permission: no report export either.
    assert login("fin").get("/exports/report/volume.csv").status_code != 200


def test_custom_fields_are_optional_columns_and_formula_safe(login, build, db, formula_tickets):
    from plugins.tickets.models import FieldDefinition, FieldValue

    numbers, _tech = formula_tickets
    field = FieldDefinition(code="exp_note", label_zh="导出备注", type="text", active=False)
    db.add(field)
    db.flush()
    ticket_id = db.scalar(select(Ticket.id).where(Ticket.number == numbers[0]))
    db.add(FieldValue(ticket_id=ticket_id, field_id=field.id, value_text="=HYPERLINK(1)"))
    db.commit()
    client = login("fin")
    plain = _csv(client.get("/exports/tickets/query.csv?status=pending_accept"))
    assert "导出备注" not in plain[0]
    rows = _csv(client.get("/exports/tickets/query.csv?status=pending_accept&custom=1"))
    col = rows[0].index("导出备注")
    by_number = {r[0]: r for r in rows[1:]}
    assert by_number[numbers[0]][col] == "'=HYPERLINK(1)"
    assert by_number[numbers[1]][col] == ""
    assert len(rows) == len(plain)
