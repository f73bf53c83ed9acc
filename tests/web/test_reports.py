"""统计报表: the report numbers equal counts computed here, in plain Python, over a small
seeded week (two departments, trajectories with accept / resolve / follow-up / transfer /
return / reopen, satisfaction answers, SLA clocks); scoping; bad parameters; the page and
the vendored ECharts file. Runs in both lanes (SQLite and PostgreSQL date functions)."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict

import pytest
from sqlalchemy import select, update

from plugins.automation.sla.models import SlaClock
from plugins.tickets.enums import OPEN_STATUSES
from plugins.tickets.models import Category, Department, StaffMembership, Ticket, TicketEvent
from plugins.tickets.models.base import utcnow
from plugins.tickets.services.actions import apply_action
from plugins.tickets.services.tickets import create_ticket

# A week nobody else seeds: Monday 2019-04-01 .. Sunday 2019-04-07, local (UTC+8) days.
FROM, TO = "2019-04-01", "2019-04-07"
LOCAL = dt.timedelta(hours=8)
RANGE = f"from={FROM}&to={TO}"


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A naive UTC instant in April 2019."""
    return dt.datetime(2019, 4, day, hour, minute)


def local_day(value: dt.datetime) -> str:
    return (value + LOCAL).date().isoformat()


def in_week(value: dt.datetime | None) -> bool:
    return value is not None and FROM <= local_day(value) <= TO


@pytest.fixture(scope="module")
def week(app):
    """Seed the week once through the service and the one door; return the ticket ids."""
    from app.extensions import db

    with app.app_context():
        s = db.session
        sm = app.appbuilder.sm
        user = {n: sm.find_user(username=n) for n in ("agent", "tech", "fin", "followup",
                                                       "dispatcher")}  # fmt: skip
        cat = {c.code: c.id for c in s.scalars(select(Category))}
        dept = {d.code: d.id for d in s.scalars(select(Department))}

        def new(code: str, when: dt.datetime, **values) -> Ticket:
            data = {"subject": f"报表测试 {code}", "category_id": cat[code], **values}
            return create_ticket(s, user["agent"], data, now=when)

        def act(ticket: Ticket, who: str, name: str, when: dt.datetime, **params) -> None:
            apply_action(s, user[who], ticket, name, params, ticket.version, now=when)

        t1 = new("REPAIR", at(1, 2), channel="phone")  # Mon 10:00 local
        act(t1, "tech", "accept", at(1, 3))
        act(t1, "tech", "resolve", at(2, 2), result="已修复")
        act(t1, "followup", "follow_up", at(2, 4), satisfaction="satisfied")

        t2 = new("REPAIR", at(1, 5), channel="web", priority="high")
        act(t2, "tech", "accept", at(1, 5, 30))
        act(t2, "tech", "resolve", at(3, 5), result="已处理")
        act(t2, "followup", "follow_up", at(3, 6), satisfaction="dissatisfied")  # 重办

        t3 = new("REPAIR", at(2, 1), channel="phone")  # never accepted

        t4 = new("BILLING", at(2, 3), channel="email")
        act(t4, "fin", "accept", at(2, 4))
        act(t4, "fin", "resolve", at(2, 8), result="已退费")
        act(t4, "followup", "close", at(3, 0))

        t5 = new("BILLING", at(3, 23), channel="phone")  # Thu 07:00 local
        act(t5, "fin", "transfer", at(4, 0), department_id=dept["TECH"], reason="技术问题")
        act(t5, "tech", "accept", at(4, 2))

        t6 = new("REPAIR", at(4, 10), channel="wechat")
        act(t6, "tech", "return", at(4, 11), reason="非本部门")

        t7 = new("REPAIR", at(5, 1), channel="phone")
        act(t7, "tech", "accept", at(5, 1, 10))
        act(t7, "tech", "resolve", at(5, 3), result="已修复")
        act(t7, "followup", "follow_up", at(5, 4), satisfaction="basically_satisfied")
        act(t7, "dispatcher", "reopen", at(6, 1), reason="再次故障")

        t8 = new("BILLING", at(6, 20), channel="phone")  # Sun 04:00 local, still open
        ids = [t.id for t in (t1, t2, t3, t4, t5, t6, t7, t8)]
        # SLA clocks as the automation addon keeps them: met, breached, stopped late, running.
        for ticket, metric, due, stopped, breached in (
            (t1, "accept", at(1, 6), at(1, 3), None),
            (t2, "accept", at(1, 6), at(1, 5, 30), None),
            (t3, "accept", at(2, 5), None, at(2, 5)),
            (t4, "resolve", at(2, 6), at(2, 8), None),
            (t8, "accept", utcnow() + dt.timedelta(days=1), None, None),
        ):
            s.add(SlaClock(ticket_id=ticket.id, metric=metric, kind="working_hours",
                           budget_minutes=240, started_at=ticket.created_at, due_at=due,
                           stopped_at=stopped, breached_at=breached))  # fmt: skip
        # A supervisor of FIN only (the demo has none) for the scoping test.
        finlead = sm.find_user(username="finlead_rpt") or sm.add_user(
            "finlead_rpt", "财务主管", "测试", "finlead_rpt@demo.example",
            sm.find_role("Supervisor"), password="demo1234",
        )  # fmt: skip
        if not s.scalar(select(StaffMembership).where(StaffMembership.user_id == finlead.id)):
            s.add(StaffMembership(user_id=finlead.id, department_id=dept["FIN"],
                                  duty="supervisor"))  # fmt: skip
        # These tickets were written with 2019 timestamps (updated_at too), behind any
        # roll-up watermark: rebuild the roll-ups as after a bulk import.
        from plugins.reports.models import RollupState

        s.execute(update(RollupState).values(watermark=None))
        s.commit()
        yield {"ids": ids, "dept": dept}
        db.session.remove()


@pytest.fixture
def facts(app, week):
    """The seeded tickets and their trajectories, read back as plain objects."""
    from app.extensions import db

    with app.app_context():
        s = db.session
        tickets = s.scalars(select(Ticket).where(Ticket.id.in_(week["ids"]))).all()
        events = s.scalars(select(TicketEvent).where(TicketEvent.ticket_id.in_(week["ids"]))).all()
        clocks = s.scalars(select(SlaClock).where(SlaClock.ticket_id.in_(week["ids"]))).all()
        s.expunge_all()
        yield {"tickets": tickets, "events": events, "clocks": clocks, **week}
        db.session.remove()


def report(api, user: str, name: str, query: str = RANGE) -> dict:
    client, headers = api(user)
    resp = client.get(f"/api/v1/report/{name}?{query}", headers=headers)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.json


def by_bucket(rows: list[dict], *keys: str) -> dict:
    return {r["bucket"]: {k: r[k] for k in keys} for r in rows}


def test_volume_per_day_equals_counts(api, facts):
    tickets = facts["tickets"]
    expected: dict[str, Counter] = defaultdict(Counter)
    for t in tickets:
        expected[local_day(t.created_at)]["created"] += 1
        expected[local_day(t.created_at)]["backlog"] += t.status in OPEN_STATUSES
        for name, value in (("resolved", t.resolved_at), ("closed", t.closed_at)):
            if in_week(value):
                expected[local_day(value)][name] += 1
    keys = ("created", "resolved", "closed", "backlog")
    want = {day: {k: c[k] for k in keys} for day, c in expected.items()}
    data = report(api, "manager", "volume", RANGE + "&group_by=day")
    assert by_bucket(data["rows"], *keys) == want
    assert sum(r["created"] for r in data["rows"]) == 8
    # A week grouped by week: one bucket, Monday.
    weekly = report(api, "manager", "volume", RANGE + "&group_by=week")["rows"]
    assert [(r["bucket"], r["created"]) for r in weekly] == [(FROM, 8)]
    monthly = report(api, "manager", "volume", RANGE + "&group_by=month")["rows"]
    assert [(r["bucket"], r["created"]) for r in monthly] == [("2019-04-01", 8)]


def test_by_department_and_filters(api, facts):
    tickets = facts["tickets"]
    want = Counter((local_day(t.created_at), t.department_id) for t in tickets)
    rows = report(api, "manager", "by_department", RANGE)["rows"]
    assert {(r["bucket"], r["key"]): r["created"] for r in rows} == dict(want)
    tech = facts["dept"]["TECH"]
    names = {r["name"] for r in rows if r["key"] == tech}
    assert names == {"技术支持部"}
    # Channel filter, category subtree filter, staff filter.
    phone = report(api, "manager", "by_channel", RANGE + "&channel=phone")["rows"]
    assert sum(r["created"] for r in phone) == sum(t.channel == "phone" for t in tickets)
    assert {r["key"] for r in phone} == {"phone"}
    repair = next(t.category_id for t in tickets if t.subject.endswith("REPAIR"))
    cat_rows = report(api, "manager", "by_category", RANGE + f"&category={repair}")["rows"]
    assert sum(r["created"] for r in cat_rows) == sum(t.category_id == repair for t in tickets)
    tech_user = next(t.assignee_id for t in tickets if t.assignee_id)
    staff = report(api, "manager", "by_staff", RANGE + f"&staff={tech_user}")["rows"]
    assert sum(r["created"] for r in staff) == sum(t.assignee_id == tech_user for t in tickets)


def test_timeliness_from_ticket_times(api, facts):
    now = utcnow()
    groups: dict[str, list[Ticket]] = defaultdict(list)
    for t in facts["tickets"]:
        groups[local_day(t.created_at)].append(t)

    def mean(values):
        return round(sum(values) / len(values), 1) if values else None

    want = {}
    for day, ts in groups.items():
        acc = [(t.accepted_at - t.created_at).total_seconds() / 60 for t in ts if t.accepted_at]
        res = [(t.resolved_at - t.created_at).total_seconds() / 60 for t in ts if t.resolved_at]
        want[day] = {
            "created": len(ts),
            "accepted": len(acc),
            "avg_accept_minutes": mean(acc),
            "resolved": len(res),
            "avg_resolve_minutes": mean(res),
            "overdue_open": sum(
                t.status in OPEN_STATUSES and t.due_at is not None and t.due_at < now for t in ts
            ),
        }
    rows = report(api, "manager", "timeliness", RANGE)["rows"]
    assert by_bucket(rows, *next(iter(want.values())).keys()) == want
    assert want["2019-04-01"]["avg_accept_minutes"] == 45.0  # 60 and 30 minutes


def test_node_times_from_trajectory(api, facts):
    stats: dict[tuple[str, str], dict] = defaultdict(lambda: {"n": 0, "m": [], "due": 0, "late": 0})
    for e in facts["events"]:
        if e.action == "create":
            continue
        if e.from_status == e.to_status and e.from_department_id == e.to_department_id:
            continue
        s = stats[(local_day(e.created_at), e.from_status)]
        s["n"] += 1
        s["m"].append((e.finished_at - e.received_at).total_seconds() / 60)
        if e.required_by is not None:
            s["due"] += 1
            s["late"] += e.finished_at > e.required_by
    want = {
        key: {
            "nodes": s["n"],
            "avg_minutes": round(sum(s["m"]) / len(s["m"]), 1),
            "with_deadline": s["due"],
            "overdue": s["late"],
        }
        for key, s in stats.items()
    }
    rows = report(api, "manager", "node_times", RANGE)["rows"]
    got = {
        (r["bucket"], r["node"]): {k: r[k] for k in ("nodes", "avg_minutes", "with_deadline",
                                                      "overdue")}
        for r in rows
    }  # fmt: skip
    assert got == want
    # The accept node of t1 lasted 60 minutes (arrived at registration, accepted an hour on).
    accept = [r for r in rows if r["node"] == "pending_accept" and r["bucket"] == "2019-04-01"]
    assert accept and accept[0]["nodes"] == 2 and accept[0]["avg_minutes"] == 45.0


def test_transfers_returns_followup_and_rates(api, facts):
    dept = facts["dept"]
    rows = report(api, "manager", "transfers", RANGE)["rows"]
    got = {(r["bucket"], r["name"]): (r["transfers_out"], r["transfers_in"], r["returns"])
           for r in rows}  # fmt: skip
    assert got == {("2019-04-04", "财务部"): (1, 0, 0), ("2019-04-04", "技术支持部"): (0, 1, 1)}
    assert {r["key"] for r in rows} == {dept["FIN"], dept["TECH"]}

    answers: dict[str, Counter] = defaultdict(Counter)
    for e in facts["events"]:
        day = local_day(e.created_at)
        if e.to_status == "pending_followup" and e.from_status != "pending_followup":
            answers[day]["owed"] += 1
        if e.action == "follow_up":
            answers[day]["made"] += 1
            answers[day][e.changes["satisfaction"]] += 1
    fu = {r["bucket"]: r for r in report(api, "manager", "followup", RANGE)["rows"]}
    assert set(fu) == set(answers)
    for day, c in answers.items():
        for key in ("owed", "made", "satisfied", "basically_satisfied", "dissatisfied"):
            assert fu[day][key] == c[key], (day, key)
    total = report(api, "manager", "followup", RANGE + "&group_by=month")["rows"][0]
    assert (total["made"], total["satisfied"], total["basically_satisfied"],
            total["dissatisfied"]) == (3, 1, 1, 1)  # fmt: skip
    assert total["satisfaction_rate"] == pytest.approx(2 / 3, abs=1e-4)
    assert total["reach_rate"] == 1.0

    tickets = facts["tickets"]
    reopened = {e.ticket_id for e in facts["events"] if e.action == "reopen"}
    rates = report(api, "manager", "rates", RANGE + "&group_by=month")["rows"][0]
    n = len(tickets)
    done = [t for t in tickets if t.resolved_at or t.closed_at]
    responded = [t for t in tickets if t.accepted_at or t.resolved_at or t.closed_at]
    rated = [t for t in tickets if t.satisfaction]
    content = [t for t in rated if t.satisfaction in ("satisfied", "basically_satisfied")]
    assert rates["created"] == n
    assert rates["response_rate"] == round(len(responded) / n, 4)
    assert rates["resolution_rate"] == round(len(done) / n, 4)
    assert rates["satisfaction_rate"] == round(len(content) / len(rated), 4)
    assert rates["reopened"] == len(reopened) == 1
    assert rates["redone"] == sum(t.redo_count > 0 for t in tickets) == 1


def test_heatmap_and_sla(api, facts):
    want = Counter(((t.created_at + LOCAL).isoweekday(), (t.created_at + LOCAL).hour)
                   for t in facts["tickets"])  # fmt: skip
    rows = report(api, "manager", "heatmap", RANGE)["rows"]
    assert {(r["weekday"], r["hour"]): r["created"] for r in rows} == dict(want)
    assert (1, 10) in want  # Monday 10:00 local

    now = utcnow()
    expected: dict[str, Counter] = defaultdict(Counter)
    for c in facts["clocks"]:
        late = bool(c.breached_at or (c.stopped_at and c.stopped_at > c.due_at)
                    or (not c.stopped_at and c.due_at < now))  # fmt: skip
        expected[c.metric]["clocks"] += 1
        expected[c.metric]["overdue"] += late
        expected[c.metric]["met"] += bool(c.stopped_at) and not late
    rows = report(api, "manager", "sla", RANGE + "&group_by=month")["rows"]
    got = {r["key"]: {k: r[k] for k in ("clocks", "met", "overdue")} for r in rows}
    assert got == {m: dict(c) | {k: c[k] for k in ("met", "overdue")} for m, c in expected.items()}
    accept = next(r for r in rows if r["key"] == "accept")
    assert (accept["met"], accept["overdue"], accept["running"]) == (2, 1, 1)
    assert accept["on_time_rate"] == pytest.approx(2 / 3, abs=1e-4)


def test_supervisor_sees_only_own_departments(api, facts):
    dept = facts["dept"]
    tickets = facts["tickets"]
    fin_rows = report(api, "finlead_rpt", "by_department", RANGE)["rows"]
    assert {r["key"] for r in fin_rows} == {dept["FIN"]}
    assert sum(r["created"] for r in fin_rows) == sum(t.department_id == dept["FIN"]
                                                      for t in tickets)  # fmt: skip
    # Even asking for TECH explicitly gives nothing.
    tech = report(api, "finlead_rpt", "volume", RANGE + f"&department={dept['TECH']}")["rows"]
    assert tech == []
    lead = report(api, "techlead", "volume", RANGE + "&group_by=month")["rows"]
    assert lead[0]["created"] == sum(t.department_id == dept["TECH"] for t in tickets)
    # Trajectory reports follow the ticket's scope: t5 moved from FIN to TECH, so its
    # transfer is TECH's to see, not FIN's.
    assert report(api, "finlead_rpt", "transfers", RANGE)["rows"] == []
    # The returned t6 has left TECH (back to dispatch, no department): no longer TECH's.
    lead = report(api, "techlead", "transfers", RANGE)["rows"]
    assert {r["name"]: (r["transfers_out"], r["transfers_in"], r["returns"]) for r in lead} == {
        "财务部": (1, 0, 0),
        "技术支持部": (0, 1, 0),
    }
    fin_fu = report(api, "finlead_rpt", "followup", RANGE)["rows"]
    assert sum(r["made"] for r in fin_fu) == 0  # follow-ups were all on TECH tickets
    # A handler has no reports at all.
    client, headers = api("tech")
    assert client.get(f"/api/v1/report/volume?{RANGE}", headers=headers).status_code == 403


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("nosuch", None),
        ("volume?from=2019-13-01", "from"),
        ("volume?from=2019-04-07&to=2019-04-01", "to"),
        ("volume?from=2015-01-01&to=2019-04-01&group_by=day", "from"),
        ("volume?group_by=hour", "group_by"),
        ("volume?department=abc", "department"),
        ("volume?channel=fax", "channel"),
        ("heatmap?group_by=month", "group_by"),
    ],
)
def test_bad_params_are_translated_400(api, path, field):
    client, headers = api("manager")
    resp = client.get(f"/api/v1/report/{path}", headers={**headers, "Accept-Language": "zh"})
    assert resp.status_code == 400, resp.get_data(as_text=True)
    body = resp.json
    assert body["message"]
    if field:
        assert field in body["errors"]
    if field and "2015" not in path:  # messages the zh catalog has already (query screen)
        assert re.search(r"[\u4e00-\u9fff]", body["errors"][field]), body


def test_catalog_and_openapi(api):
    client, headers = api("manager")
    names = {r["name"] for r in client.get("/api/v1/report/", headers=headers).json["result"]}
    assert {"volume", "by_department", "by_category", "timeliness", "node_times", "sla",
            "transfers", "followup", "rates", "heatmap"} <= names  # fmt: skip
    spec = client.get("/api/v1/_openapi", headers=headers).json
    assert "/api/v1/report/{name}" in spec["paths"]
    doc = spec["paths"]["/api/v1/report/{name}"]["get"]
    assert {p["name"] for p in doc["parameters"]} >= {"name", "from", "to", "group_by"}
    assert "400" in doc["responses"]


def test_page_renders_table_chart_and_local_scripts_only(login, facts):
    client = login("manager")
    html = client.get(f"/reports/by_department?{RANGE}").get_data(as_text=True)
    assert "技术支持部" in html and 'id="report-table"' in html
    scripts = re.findall(r'<script[^>]*\bsrc="([^"]+)"', html)
    assert scripts and all(s.startswith("/") and not s.startswith("//") for s in scripts)
    assert not re.search(r'(src|href)="(https?:)?//', html)
    from plugins.reports.views import echarts_available

    vendored = echarts_available()
    if vendored:
        assert "/reports-static/vendor/echarts.min.js" in scripts
        resp = client.get("/reports-static/vendor/echarts.min.js")
        assert resp.status_code == 200
        assert "javascript" in resp.headers["Content-Type"]
        assert b"echarts" in resp.data[:5000]
    else:
        assert 'id="report-chart-missing"' in html
    js = client.get("/reports-static/reports.js")
    assert js.status_code == 200 and "javascript" in js.headers["Content-Type"]
    # Bad parameters on the page: the form again with the message, no 500.
    bad = client.get("/reports/volume?from=2019-04-07&to=2019-04-01")
    assert bad.status_code == 200 and 'id="report-error"' in bad.get_data(as_text=True)
    # The menu and the list for a manager; nothing for a handler.
    index = client.get("/reports/").get_data(as_text=True)
    assert "/reports/rates" in index
    assert login("tech").get("/reports/volume").status_code in (302, 403)


def test_page_without_echarts_still_renders(login, monkeypatch, facts):
    from plugins.reports import views

    monkeypatch.setattr(views, "echarts_available", lambda: False)
    html = login("manager").get(f"/reports/volume?{RANGE}").get_data(as_text=True)
    assert 'id="report-chart-missing"' in html and "echarts.min.js" not in html
    assert 'id="report-table"' in html


def test_qa_figures_come_from_the_quality_addon(api, app):
    from plugins.quality.services.figures import qa_figures

    data = report(api, "manager", "qa", "from=2019-01-01&to=2019-12-31&group_by=department")
    with app.app_context():
        from app.extensions import db

        manager = app.appbuilder.sm.find_user(username="manager")
        figures = qa_figures(
            db.session, manager, dt.date(2019, 1, 1), dt.date(2019, 12, 31), "department"
        )
        db.session.remove()
    assert [(r["name"], r["reviews"]) for r in data["rows"]] == [
        (f.label, f.reviews) for f in figures
    ]
    client, headers = api("manager")
    assert client.get("/api/v1/report/qa?group_by=day", headers=headers).status_code == 400


def test_rollups_follow_changes(api, app, facts):
    """The roll-ups behind "per department" pick up a ticket registered and then moved now."""
    from app.extensions import db

    today = (utcnow() + LOCAL).date().isoformat()
    query = f"from={today}&to={today}"

    def tech_today() -> int:
        rows = report(api, "manager", "by_department", query)["rows"]
        return sum(r["created"] for r in rows if r["key"] == facts["dept"]["TECH"])

    before = tech_today()
    with app.app_context():
        s = db.session
        sm = app.appbuilder.sm
        repair = s.scalar(select(Category.id).where(Category.code == "REPAIR"))
        t = create_ticket(s, sm.find_user(username="agent"), {"subject": "卷积测试",
                                                              "category_id": repair})  # fmt: skip
        assert tech_today() == before + 1
        apply_action(s, sm.find_user(username="tech"), t, "return", {"reason": "非本部门"},
                     t.version)  # fmt: skip
        ticket_id = t.id
        db.session.remove()
    assert tech_today() == before
    done = report(api, "manager", "by_category", query)["rows"]
    assert sum(r["created"] for r in done) >= 1
    with app.app_context():  # the return took it out of TECH (no department)
        ticket = db.session.get(Ticket, ticket_id)
        assert ticket.department_id is None
        db.session.remove()


@pytest.mark.parametrize(
    "name,reader",
    [("volume", "done_per_period"), ("by_staff", "staff_per_period"),
     ("node_times", "nodes_per_period")],
)  # fmt: skip
@pytest.mark.parametrize("user", ["manager", "finlead_rpt"])
def test_rollup_served_reports_equal_the_raw_queries(api, facts, monkeypatch, name, reader, user):
    """volume (resolved / closed), by_staff and node_times read the roll-ups of
    services/rollup_more when the scope is whole departments; the numbers equal the raw
    GROUP BY over tickets / trajectory rows, per day, week and with a department filter."""
    from plugins.reports.services import rollup_more

    calls = []
    original = getattr(rollup_more, reader)

    def spy(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(rollup_more, reader, spy)
    queries = [RANGE + "&group_by=day", RANGE + "&group_by=week",
               RANGE + f"&group_by=day&department={facts['dept']['FIN']}"]  # fmt: skip
    served = [report(api, user, name, q)["rows"] for q in queries]
    assert len(calls) == len(queries)
    assert any(served[0]), "the seeded week has rows for this report"
    monkeypatch.setattr(rollup_more, "usable", lambda q: False)
    raw = [report(api, user, name, q)["rows"] for q in queries]
    assert len(calls) == len(queries)  # the raw queries this time
    assert served == raw


def test_rollups_for_staff_and_nodes_follow_changes(api, app, facts):
    """A ticket accepted now shows in today's per-staff and node-time roll-ups at once."""
    from app.extensions import db

    today = (utcnow() + LOCAL).date().isoformat()
    query = f"from={today}&to={today}"

    def totals() -> tuple[int, int]:
        staff = report(api, "manager", "by_staff", query)["rows"]
        nodes = report(api, "manager", "node_times", query)["rows"]
        return sum(r["created"] for r in staff), sum(r["nodes"] for r in nodes)

    created, nodes = totals()
    with app.app_context():
        s = db.session
        sm = app.appbuilder.sm
        repair = s.scalar(select(Category.id).where(Category.code == "REPAIR"))
        t = create_ticket(s, sm.find_user(username="agent"), {"subject": "卷积节点",
                                                              "category_id": repair})  # fmt: skip
        apply_action(s, sm.find_user(username="tech"), t, "accept", {}, t.version)
        db.session.remove()
    assert totals() == (created + 1, nodes + 1)


def test_rollups_refresh_at_most_once_per_configured_interval(app, db, build):
    from plugins.reports.services import rollup

    rollup.refresh(db, 480)  # up to date now
    app.config["REPORT_REFRESH_SECONDS"] = 60
    try:
        build.ticket("agent", "REPAIR", subject="刷新间隔")
        assert rollup.refresh(db, 480) == 0  # the last refresh is younger than a minute
    finally:
        app.config["REPORT_REFRESH_SECONDS"] = 0
    assert rollup.refresh(db, 480) >= 1  # with no interval: today's day is recomputed
