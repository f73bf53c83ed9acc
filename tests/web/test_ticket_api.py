"""/api/v1/ticket/: create, routing, validation, optimistic locking, listing."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from plugins.tickets.models import Ticket, TicketEvent

NUMBER = re.compile(r"^GD\d{8}-\d{4,}$")


def _count(db, model=Ticket):
    return db.scalar(select(func.count()).select_from(model))


def test_create_routes_by_category_and_writes_trajectory(api, build, db):
    client, headers = api("agent")
    resp = client.post(
        "/api/v1/ticket/",
        json={
            "subject": "宽带无法上网",
            "description": "光猫红灯",
            "category_id": build.category("REPAIR").id,
            "caller_number": "138 0013 8000",
            "priority": "high",
            "channel": "phone",
        },
        headers=headers,
    )
    assert resp.status_code == 201, resp.json
    result = resp.json["result"]
    assert NUMBER.match(result["number"])
    assert result["status"] == "pending_accept"
    assert result["department"]["name"] == "技术支持部"
    assert result["customer"]["name"] == "张三"  # linked by the caller number
    assert result["version"] == 1
    events = db.scalars(select(TicketEvent).where(TicketEvent.ticket_id == resp.json["id"])).all()
    assert [(e.action, e.to_status) for e in events] == [("create", "pending_accept")]
    assert events[0].actor_id == build.user("agent").id


def test_category_without_department_waits_for_dispatch(api, build):
    client, headers = api("agent")
    resp = client.post(
        "/api/v1/ticket/",
        json={"subject": "营业厅地址", "category_id": build.category("CONSULT").id},
        headers=headers,
    )
    assert resp.status_code == 201
    assert resp.json["result"]["status"] == "pending_dispatch"
    assert resp.json["result"]["department_id"] is None


def test_bad_input_is_422_per_field_in_chinese_and_saves_nothing(api, db):
    client, headers = api("agent")
    before = _count(db)
    resp = client.post(
        "/api/v1/ticket/",
        json={"subject": "", "category_id": 99999, "priority": "asap", "caller_number": "abc"},
        headers=headers,
    )
    assert resp.status_code == 422
    assert set(resp.json["errors"]) == {"subject", "category_id", "priority", "caller_number"}
    assert resp.json["errors"]["subject"] == "请填写标题。"
    assert _count(db) == before


def test_english_locale_gives_english_errors(api):
    client, headers = api("agent")
    resp = client.post("/api/v1/ticket/?_l_=en", json={"subject": ""}, headers=headers)
    assert resp.status_code == 422
    assert resp.json["errors"]["subject"] == "Subject is required."


def test_not_json_is_400(api):
    client, headers = api("agent")
    resp = client.post("/api/v1/ticket/", data="subject=x", headers=headers)
    assert resp.status_code == 400
    assert resp.json["message"]
    resp = client.post("/api/v1/ticket/", json=["a list"], headers=headers)
    assert resp.status_code == 400


def test_unauthenticated_is_401(app):
    assert app.test_client().get("/api/v1/ticket/").status_code == 401


def test_put_with_stale_version_is_409_and_changes_nothing(api, build, db):
    ticket = build.ticket("agent", "REPAIR", subject="原标题")
    client, headers = api("agent")
    first = client.put(
        f"/api/v1/ticket/{ticket.id}", json={"subject": "新标题", "version": 1}, headers=headers
    )
    assert first.status_code == 200
    assert first.json["result"]["version"] == 2
    stale = client.put(
        f"/api/v1/ticket/{ticket.id}", json={"subject": "覆盖", "version": 1}, headers=headers
    )
    assert stale.status_code == 409
    assert stale.json["message"]
    db.expire_all()
    fresh = db.get(Ticket, ticket.id)
    assert (fresh.subject, fresh.version) == ("新标题", 2)
    edit = db.scalars(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket.id, TicketEvent.action == "edit")
    ).all()
    assert len(edit) == 1 and edit[0].changes == {"subject": ["原标题", "新标题"]}


def test_put_without_version_is_422(api, build):
    ticket = build.ticket("agent", "REPAIR")
    client, headers = api("agent")
    resp = client.put(f"/api/v1/ticket/{ticket.id}", json={"subject": "x"}, headers=headers)
    assert resp.status_code == 422
    assert "version" in resp.json["errors"]


def test_list_uses_rison_and_never_serialises_users_whole(api, build):
    ticket = build.ticket("agent", "REPAIR", subject="RISON-LIST-1")
    client, headers = api("dispatcher")
    q = "(filters:!((col:subject,opr:eq,value:'RISON-LIST-1')))"
    resp = client.get(f"/api/v1/ticket/?q={q}", headers=headers)
    assert resp.status_code == 200
    assert [r["id"] for r in resp.json["result"]] == [ticket.id]
    shown = client.get(f"/api/v1/ticket/{ticket.id}", headers=headers).get_data(as_text=True)
    assert "password" not in shown and "pbkdf2" not in shown and "scrypt" not in shown


def test_catalog_lists(api):
    client, headers = api("agent")
    depts = client.get("/api/v1/department/", headers=headers).json["result"]
    assert {d["code"]: d["name"] for d in depts}.items() >= {
        "CC": "客服中心",
        "TECH": "技术支持部",
        "FIN": "财务部",
        "AFTER": "售后服务部",
    }.items()
    cats = client.get("/api/v1/category/?q=(page_size:100)", headers=headers).json["result"]
    assert {"REPAIR", "BILLING", "COMPLAINT", "CONSULT"} <= {c["code"] for c in cats}
    customers = client.get("/api/v1/customer/", headers=headers)
    assert customers.status_code == 200 and customers.json["count"] >= 30


def test_openapi_spec_documents_ticket_api(app, api):
    client, headers = api("admin")
    spec = client.get("/api/v1/_openapi", headers=headers)
    assert spec.status_code == 200
    assert {"/api/v1/ticket/", "/api/v1/customer/lookup"} <= set(spec.json["paths"])
