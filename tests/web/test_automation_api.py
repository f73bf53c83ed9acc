"""Admin REST for SLA policies, calendar days and notification channels, and each ticket's
SLA clocks in GET /api/v1/ticket/<id>: admins only, bad input changes nothing, the secret
never comes back, a calendar day recomputes the open clocks."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, func, select

from plugins.automation.notify.models import RobotEndpoint
from plugins.automation.sla import calendar as sla_calendar
from plugins.automation.sla.engine import sync_ticket
from plugins.automation.sla.models import CalendarOverride, SlaClock, SlaPolicy

URLS = ("/api/v1/sla_policy/", "/api/v1/calendar_day/", "/api/v1/channel/")


@pytest.fixture(autouse=True)
def clean(db):
    """No policy, override or channel of a test outlives it."""
    before = {m: set(db.scalars(select(m.id))) for m in (SlaPolicy, RobotEndpoint)}
    yield
    db.rollback()
    for model, ids in before.items():
        new = set(db.scalars(select(model.id))) - ids
        if model is SlaPolicy:
            db.execute(delete(SlaClock).where(SlaClock.policy_id.in_(new)))
        db.execute(delete(model).where(model.id.in_(new)))
    db.execute(delete(CalendarOverride))
    db.commit()
    sla_calendar.invalidate()


def _count(db, model) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("user", ["agent", "techlead", "manager", "qa"])
def test_non_admins_get_403_on_every_resource(api, login, user):
    client, headers = api(user)
    browser = login(user)
    for url in URLS:
        assert client.get(url, headers=headers).status_code == 403, url
        assert client.post(url, json={"name": "x"}, headers=headers).status_code == 403, url
        assert client.put(url + "1", json={}, headers=headers).status_code == 403, url
        assert client.delete(url + "1", headers=headers).status_code == 403, url
        assert browser.get(url).status_code == 403, url  # the browser session too


def test_admin_browser_session_works_too(login, db):
    browser = login("admin")
    for url in URLS:
        resp = browser.get(url)
        assert resp.status_code == 200 and "result" in resp.json, url
    resp = browser.post("/api/v1/calendar_day/", json={"day": "2031-01-02", "kind": "workday"})
    assert resp.status_code == 201 and resp.json["result"]["kind"] == "workday"


def test_sla_policy_crud_validated_like_the_screen(api, build, db):
    client, headers = api("admin")
    before = _count(db, SlaPolicy)
    bad = client.post(
        "/api/v1/sla_policy/",
        json={"name": "", "priority": "asap", "category_id": 999999,
              "targets": {"resolve": {"kind": "weeks"}, "lunch": {}}},
        headers=headers,
    )  # fmt: skip
    assert bad.status_code == 422
    assert set(bad.json["errors"]) == {
        "name", "priority", "category_id", "targets.resolve", "targets.lunch"}  # fmt: skip
    assert "类型须为以下之一" in bad.json["errors"]["targets.resolve"]
    assert _count(db, SlaPolicy) == before
    assert client.post("/api/v1/sla_policy/", data="[", headers=headers).status_code == 400
    body = {
        "name": "API 紧急",
        "priority": "urgent",
        "category_id": build.category("REPAIR").id,
        "sort_order": 3,
        "targets": {"resolve": {"kind": "working_days", "amount": 2}},
    }
    resp = client.post("/api/v1/sla_policy/", json=body, headers=headers)
    assert resp.status_code == 201, resp.json
    pk = resp.json["id"]
    assert resp.json["result"]["targets"] == body["targets"]
    assert resp.json["result"]["active"] is True
    dup = client.post("/api/v1/sla_policy/", json=body, headers=headers)
    assert dup.status_code == 422 and "name" in dup.json["errors"]
    resp = client.put(f"/api/v1/sla_policy/{pk}", json={"priority": None}, headers=headers)
    assert resp.status_code == 200 and resp.json["result"]["priority"] is None
    bad = client.put(
        f"/api/v1/sla_policy/{pk}",
        json={"targets": {"accept": {"kind": "calendar_hours", "amount": -1}}},
        headers=headers,
    )
    assert bad.status_code == 422 and "targets.accept" in bad.json["errors"]
    db.expire_all()
    row = db.get(SlaPolicy, pk)
    assert (row.targets, row.sort_order) == (body["targets"], 3)  # unchanged by the 422
    got = client.get(f"/api/v1/sla_policy/{pk}", headers=headers).json["result"]
    assert (got["name"], got["targets"]) == ("API 紧急", body["targets"])
    listed = client.get("/api/v1/sla_policy/", headers=headers).json
    assert "API 紧急" in [r["name"] for r in listed["result"]]
    assert client.delete(f"/api/v1/sla_policy/{pk}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/sla_policy/{pk}", headers=headers).status_code == 404
    assert client.put("/api/v1/sla_policy/999999", json={}, headers=headers).status_code == 404


def test_calendar_day_recomputes_open_clocks_and_ticket_shows_them(api, build, db):
    from plugins.tickets.services.tickets import create_ticket

    policy = SlaPolicy(name="API 日历", targets={"resolve": {"kind": "working_days", "amount": 1}})
    db.add(policy)
    db.commit()
    data = {"subject": "日历", "category_id": build.category("REPAIR").id}
    ticket = create_ticket(db, build.user("agent"), data, now=dt.datetime(2026, 3, 9, 1, 0))
    sync_ticket(db, ticket)
    db.commit()
    clock = db.scalar(select(SlaClock).where(SlaClock.ticket_id == ticket.id))
    assert clock.due_at == dt.datetime(2026, 3, 10, 10, 0)  # end of Tuesday (18:00 local)

    client, headers = api("admin")
    bad = client.post(
        "/api/v1/calendar_day/", json={"day": "2026-02-30", "kind": "nap"}, headers=headers
    )
    assert bad.status_code == 422 and set(bad.json["errors"]) == {"day", "kind"}
    assert _count(db, CalendarOverride) == 0
    resp = client.post(
        "/api/v1/calendar_day/",
        json={"day": "2026-03-10", "kind": "holiday", "note": "停工"},
        headers=headers,
    )
    assert resp.status_code == 201, resp.json
    assert resp.json["result"] == {
        "id": resp.json["id"], "day": "2026-03-10", "kind": "holiday", "note": "停工",
        "official": False}  # fmt: skip
    db.expire_all()
    assert clock.due_at == dt.datetime(2026, 3, 11, 10, 0)  # Tuesday off: end of Wednesday
    dup = client.post(
        "/api/v1/calendar_day/", json={"day": "2026-03-10", "kind": "workday"}, headers=headers
    )
    assert dup.status_code == 422 and "day" in dup.json["errors"]
    pk = resp.json["id"]
    listed = client.get("/api/v1/calendar_day/", headers=headers).json["result"]
    assert [(r["day"], r["kind"]) for r in listed] == [("2026-03-10", "holiday")]

    # The ticket's GET carries the clock as the model has it; scoping is unchanged.
    got = client.get(f"/api/v1/ticket/{ticket.id}", headers=headers).json["result"]
    [item] = got["sla_clocks"]
    assert item["metric"] == "resolve" and item["cycle"] == 1
    assert item["due_at"] == "2026-03-11T10:00:00"
    assert item["budget_minutes"] == clock.budget_minutes
    assert item["light"] == "red" and item["breached"] is False  # past due, job not run yet
    assert {"warn_at", "consumed_minutes", "paused", "warned", "stopped_at"} <= set(item)
    other, other_headers = api("fin")
    assert other.get(f"/api/v1/ticket/{ticket.id}", headers=other_headers).status_code == 404

    assert client.delete(f"/api/v1/calendar_day/{pk}", headers=headers).status_code == 200
    db.expire_all()
    assert clock.due_at == dt.datetime(2026, 3, 10, 10, 0)  # recomputed back
    assert _count(db, CalendarOverride) == 0


def test_channel_secret_is_write_only(api, build, db):
    client, headers = api("admin")
    before = _count(db, RobotEndpoint)
    bad = client.post(
        "/api/v1/channel/",
        json={"name": "x", "kind": "telegram", "url": "ftp://x", "department_id": 0,
              "secret": 5, "colour": "red"},
        headers=headers,
    )  # fmt: skip
    assert bad.status_code == 422
    assert set(bad.json["errors"]) == {"kind", "url", "department_id", "secret", "colour"}
    assert _count(db, RobotEndpoint) == before
    body = {
        "name": "技术部钉钉群",
        "kind": "dingtalk",
        "url": "https://oapi.dingtalk.com/robot/send?access_token=tok123",
        "secret": "SECsecret-value",
        "department_id": build.department("TECH").id,
    }
    resp = client.post("/api/v1/channel/", json=body, headers=headers)
    assert resp.status_code == 201, resp.json
    pk, text = resp.json["id"], resp.get_data(as_text=True)
    assert "SECsecret-value" not in text and "tok123" not in text
    assert resp.json["result"]["has_secret"] is True
    for url in (f"/api/v1/channel/{pk}", "/api/v1/channel/"):
        text = client.get(url, headers=headers).get_data(as_text=True)
        assert "SECsecret-value" not in text and "tok123" not in text and '"secret"' not in text
    resp = client.put(f"/api/v1/channel/{pk}", json={"name": "改名", "secret": ""}, headers=headers)
    assert resp.status_code == 200 and resp.json["result"]["name"] == "改名"
    db.expire_all()
    row = db.get(RobotEndpoint, pk)
    assert (row.secret, row.url) == ("SECsecret-value", body["url"])  # blank kept both
    bad = client.put(f"/api/v1/channel/{pk}", json={"active": "yes"}, headers=headers)
    assert bad.status_code == 422 and "active" in bad.json["errors"]
    db.expire_all()
    assert db.get(RobotEndpoint, pk).active is True
    assert client.delete(f"/api/v1/channel/{pk}", headers=headers).status_code == 200
    assert _count(db, RobotEndpoint) == before


def test_errors_are_translated(api, db):
    client, headers = api("admin")
    before = _count(db, RobotEndpoint)
    resp = client.post(
        "/api/v1/channel/", json={"name": "群", "kind": "wecom", "url": "https://x.example/",
                                  "active": "是", "colour": 1}, headers=headers,
    )  # fmt: skip
    assert resp.status_code == 422
    assert resp.json["message"] == "请改正以下错误。"  # zh is the default locale
    assert resp.json["errors"] == {"active": "应为是或否。", "colour": "此处不能设置该字段。"}
    assert _count(db, RobotEndpoint) == before


def test_openapi_documents_the_resources_and_the_clocks(api):
    client, headers = api("admin")
    spec = client.get("/api/v1/_openapi", headers=headers).json
    schemas = spec["components"]["schemas"]
    assert "targets" in schemas["SlaPolicyApi.post"]["properties"]
    assert set(schemas["CalendarDayApi.post"]["properties"]) == {"day", "kind", "note", "official"}
    assert "secret" in schemas["ChannelApi.post"]["properties"]
    assert "secret" not in schemas["ChannelApi.get"]["properties"]
    clocks = schemas["TicketApi.get"]["properties"]["sla_clocks"]
    assert clocks["items"]["$ref"] == "#/components/schemas/TicketExtra.sla_clocks"
    assert "due_at" in schemas["TicketExtra.sla_clocks"]["properties"]
    for path in ("/api/v1/sla_policy/", "/api/v1/calendar_day/{pk}", "/api/v1/channel/"):
        assert path in spec["paths"], path


def test_no_role_pattern_grants_the_resources(app):
    """FAB_ROLES are regexes matched with re.match: none may reach these resources."""
    import re

    views = ("SlaPolicy", "CalendarDay", "NotificationChannel")
    for role, rules in app.config["FAB_ROLES"].items():
        for view_re, perm_re in rules:
            for view in views:
                for perm in ("can_read", "can_write", "can_delete"):
                    assert not (re.match(view_re, view) and re.match(perm_re, perm)), (role, view)


def test_channel_refuses_internal_addresses_and_saves_nothing(api, db):
    client, headers = api("admin")
    before = _count(db, RobotEndpoint)
    for url in ("http://169.254.169.254/latest/meta-data", "http://10.0.0.5/robot/send"):
        resp = client.post(
            "/api/v1/channel/",
            json={"name": "内网机器人", "kind": "wecom", "url": url},
            headers=headers,
        )
        assert resp.status_code == 422, resp.json
        assert resp.json["errors"]["url"] == "该地址指向内部网络，不允许使用。"
    assert _count(db, RobotEndpoint) == before
