"""SLA screens in zh: policies with targets validated by metric, calendar overrides with
the no-official-data warning, escalation chains, and the lights on the ticket page."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select

from plugins.automation.sla.engine import sync_ticket
from plugins.automation.sla.models import CalendarOverride, SlaClock, SlaPolicy


def test_admin_screens_render_in_zh(login):
    client = login("admin")
    for url in ("/slapolicyview/list/", "/calendaroverrideview/list/",
                "/escalationchainview/list/", "/slapolicyview/add"):  # fmt: skip
        resp = client.get(url)
        assert resp.status_code == 200, url
    page = client.get("/calendaroverrideview/list/").get_data(as_text=True)
    next_year = dt.date.today().year + 1
    assert str(next_year) in page and "warning" in page


def test_policy_form_validates_targets_and_saves(login, db):
    client = login("admin")
    bad = client.post(
        "/slapolicyview/add",
        data={
            "name": "坏策略",
            "sort_order": "1",
            "targets_json": '{"resolve": {"kind": "weeks"}}',
        },
    )
    assert (
        bad.status_code == 200
        and db.scalar(select(SlaPolicy).where(SlaPolicy.name == "坏策略")) is None
    )
    ok = client.post(
        "/slapolicyview/add",
        data={
            "name": "界面策略",
            "sort_order": "99",
            "active": "y",
            "targets_json": '{"resolve": {"kind": "working_days", "amount": 5}}',
        },
    )
    assert ok.status_code == 302
    row = db.scalar(select(SlaPolicy).where(SlaPolicy.name == "界面策略"))
    assert (
        row.targets == {"resolve": {"kind": "working_days", "amount": 5}} and row.priority is None
    )
    db.delete(row)
    db.commit()


def test_override_screen_recomputes_open_clocks(login, db, build):
    from plugins.tickets.services.tickets import create_ticket

    policy = SlaPolicy(name="覆盖测试", targets={"resolve": {"kind": "working_days", "amount": 1}})
    db.add(policy)
    db.commit()
    data = {"subject": "覆盖", "category_id": build.category("REPAIR").id}
    ticket = create_ticket(db, build.user("agent"), data, now=dt.datetime(2026, 3, 9, 1, 0))
    sync_ticket(db, ticket)
    db.commit()
    client = login("admin")
    resp = client.post("/calendaroverrideview/add", data={"day": "2026-03-10", "note": "停工"})
    assert resp.status_code == 302
    db.expire_all()
    clock = db.scalar(select(SlaClock).where(SlaClock.ticket_id == ticket.id))
    assert clock.due_at == dt.datetime(2026, 3, 11, 10, 0)  # Tuesday off: end of Wednesday
    db.execute(delete(SlaClock).where(SlaClock.policy_id == policy.id))
    db.execute(delete(CalendarOverride))
    db.delete(policy)
    db.commit()


def test_ticket_page_shows_lights(login, db, build):
    from plugins.tickets.services.tickets import create_ticket

    policy = SlaPolicy(
        name="灯测试",
        targets={
            "accept": {"kind": "calendar_minutes", "amount": 10},
            "resolve": {"kind": "working_days", "amount": 5},
        },
    )
    db.add(policy)
    db.commit()
    data = {"subject": "灯", "category_id": build.category("REPAIR").id}
    start = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=30)
    ticket = create_ticket(db, build.user("agent"), data, now=start)
    sync_ticket(db, ticket)
    db.commit()
    page = login("tech").get(f"/ticketview/show/{ticket.id}").get_data(as_text=True)
    assert 'id="sla-clocks"' in page
    assert 'data-metric="accept" data-light="red"' in page
    assert 'data-metric="resolve" data-light="green"' in page
    db.execute(delete(SlaClock).where(SlaClock.policy_id == policy.id))
    db.delete(policy)
    db.commit()
