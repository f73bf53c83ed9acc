"""Home dashboards per role: each role sees its own widgets, and the numbers equal an
independent count over the tickets (in Python), within the user's scope."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from sqlalchemy import select

from plugins.reports.dashboards.numbers import OVERDUE_LIST
from plugins.tickets.enums import OPEN_STATUSES
from plugins.tickets.models import Ticket
from plugins.tickets.models.base import utcnow

RUNNING = [s for s in OPEN_STATUSES if s != "suspended"]


def _midnight_utc() -> dt.datetime:
    local = dt.datetime.now(ZoneInfo("Asia/Shanghai")).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def _home(client) -> str:
    resp = client.get("/")
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def _n(page: str, widget: str, key: str) -> str:
    part = page.split(f'id="widget-{widget}"', 1)[1]
    return re.search(rf'data-n="{key}">([^<]*)<', part).group(1).strip()


def _tickets(db) -> list[Ticket]:
    db.expire_all()
    return list(db.scalars(select(Ticket)))


def test_agent_sees_own_intake_today_and_queues(login, build, db):
    build.ticket("agent", "REPAIR", subject="DASH-AGENT-1")
    build.ticket("agent", "BILLING", subject="DASH-AGENT-2")
    agent = build.user("agent")
    start = _midnight_utc()
    mine = [t for t in _tickets(db) if t.created_by_id == agent.id and t.created_at >= start]
    page = _home(login("agent"))
    assert int(_n(page, "agent", "created_today")) == len(mine) >= 2
    still_open = [t for t in mine if t.status in OPEN_STATUSES]
    assert int(_n(page, "agent", "open_of_today")) == len(still_open)
    created = [t for t in _tickets(db) if t.created_by_id == agent.id]
    queues = page.split('id="widget-queues"', 1)[1]
    got = re.search(r'data-queue="created">.*?<span class="badge">(\d+)</span>', queues, re.S)
    assert int(got.group(1)) == len(created)
    assert 'data-queue="dispatch"' not in queues  # not an agent's queue
    for other in ("widget-centre", "widget-overdue", "widget-handler"):
        assert other not in page


def test_handler_sees_department_counts_and_own_day(login, build, db):
    ticket = build.ticket("agent", "REPAIR", subject="DASH-HANDLER-1")
    tech = build.user("tech")
    dept = build.department("TECH").id
    client = login("tech")

    def expected(status):
        return len([t for t in _tickets(db) if t.department_id == dept and t.status == status])

    page = _home(client)
    before_accepted = int(_n(page, "handler", "accepted_today"))
    assert int(_n(page, "handler", "pending_accept")) == expected("pending_accept")
    assert int(_n(page, "handler", "in_progress")) == expected("in_progress")
    client.post(f"/ticketview/act/{ticket.id}/accept", data={"version": str(ticket.version)})
    page = _home(client)
    assert int(_n(page, "handler", "pending_accept")) == expected("pending_accept")
    assert int(_n(page, "handler", "in_progress")) == expected("in_progress")
    assert int(_n(page, "handler", "accepted_today")) == before_accepted + 1
    start = _midnight_utc()
    mine = [t for t in _tickets(db) if t.assignee_id == tech.id]
    assert int(_n(page, "handler", "accepted_today")) == len(
        [t for t in mine if t.accepted_at and t.accepted_at >= start]
    )
    assert int(_n(page, "handler", "my_open")) == len(
        [t for t in mine if t.status in OPEN_STATUSES]
    )
    assert "widget-centre" not in page and "widget-overdue" not in page
    # FIN's handler counts FIN only.
    fin_page = _home(login("fin"))
    fin = build.department("FIN").id
    fin_pending = [t for t in _tickets(db) if t.department_id == fin]
    assert int(_n(fin_page, "handler", "pending_accept")) == len(
        [t for t in fin_pending if t.status == "pending_accept"]
    )


def test_supervisor_sees_overdue_tickets_first(login, build, db):
    late = build.ticket("agent", "REPAIR", subject="DASH-LATE-OLDEST")
    later = build.ticket("agent", "REPAIR", subject="DASH-LATE-NEWER")
    fin_late = build.ticket("fin", "BILLING", subject="DASH-LATE-FIN")
    now = utcnow()
    for t, hours in ((late, 24 * 365), (later, 1), (fin_late, 24 * 400)):
        db.execute(
            Ticket.__table__.update()
            .where(Ticket.id == t.id)
            .values(due_at=now - dt.timedelta(hours=hours))
        )
    db.commit()
    page = _home(login("techlead"))
    assert page.index('id="widget-overdue"') < page.index('id="widget-handler"')
    dept = build.department("TECH").id
    overdue = [
        t
        for t in _tickets(db)
        if t.department_id == dept and t.status in RUNNING and t.due_at and t.due_at < now
    ]
    assert int(_n(page, "overdue", "overdue_total")) == len(overdue)
    widget = page.split('id="widget-overdue"', 1)[1].split('id="widget-', 1)[0]
    numbers = re.findall(r">(GD[0-9-]+)</a>", widget)
    # The most overdue first, as many as the widget lists (other tests leave older ones).
    expected = [t.number for t in sorted(overdue, key=lambda t: (t.due_at, t.id))]
    assert numbers == expected[: len(numbers)] and 0 < len(numbers) <= OVERDUE_LIST
    assert late.number in numbers or len(expected) > OVERDUE_LIST
    assert fin_late.number not in numbers  # another department's


def test_manager_sees_the_centre_today(login, build, db):
    build.ticket("agent", "REPAIR", subject="DASH-CENTRE-1")
    a = build.ticket("agent", "REPAIR", subject="DASH-CENTRE-HAPPY")
    b = build.ticket("agent", "REPAIR", subject="DASH-CENTRE-SAD")
    now = utcnow()
    for t, mood in ((a, "satisfied"), (b, "dissatisfied")):
        db.execute(
            Ticket.__table__.update()
            .where(Ticket.id == t.id)
            .values(status="closed", closed_at=now, resolved_at=now, satisfaction=mood)
        )
    db.commit()
    page = _home(login("manager"))
    start = _midnight_utc()
    tickets = _tickets(db)
    assert int(_n(page, "centre", "created_today")) == len(
        [t for t in tickets if t.created_at >= start]
    )
    assert int(_n(page, "centre", "resolved_today")) == len(
        [t for t in tickets if t.resolved_at and t.resolved_at >= start]
    )
    assert int(_n(page, "centre", "backlog")) == len(
        [t for t in tickets if t.status in OPEN_STATUSES]
    )
    assert int(_n(page, "centre", "overdue")) == len(
        [t for t in tickets if t.status in RUNNING and t.due_at and t.due_at < now]
    )
    rated = [t for t in tickets if t.closed_at and t.closed_at >= start and t.satisfaction]
    happy = [t for t in rated if t.satisfaction in ("satisfied", "basically_satisfied")]
    assert _n(page, "centre", "satisfaction") == f"{happy.__len__() * 100 / len(rated):.1f}%"
    assert "widget-handler" not in page and "widget-agent" not in page


def test_anonymous_home_asks_to_log_in(app):
    page = app.test_client().get("/").get_data(as_text=True)
    assert "/login/" in page
    assert "home-widget" not in page
