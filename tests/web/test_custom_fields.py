"""Custom fields: admin defines them per category, forms and API demand them, values are
stored typed and written to the trajectory."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from plugins.tickets.models import FieldDefinition, FieldValue, Ticket, TicketEvent

AREAS = [
    {"value": "gd", "label": "广东", "children": [
        {"value": "sz", "label": "深圳", "children": [
            {"value": "ns", "label": "南山区"}, {"value": "ft", "label": "福田区"}]},
    ]},
    {"value": "bj", "label": "北京", "children": [
        {"value": "bjs", "label": "北京市", "children": [{"value": "hd", "label": "海淀区"}]},
    ]},
]  # fmt: skip


@pytest.fixture
def repair_fields(login, build, db):
    """An admin adds 故障地址 (cascade) and 宽带账号 (regex) to 故障报修 in the zh screens."""
    existing = db.scalar(select(FieldDefinition).where(FieldDefinition.code == "fault_area"))
    if existing is None:
        client = login("admin")
        repair = str(build.category("REPAIR").id)
        import json

        for data in (
            {
                "code": "fault_area",
                "label_zh": "故障地址",
                "type": "cascade",
                "required": "always",
                "options": json.dumps(AREAS, ensure_ascii=False),
                "categories": repair,
                "active": "y",
                "sort_order": "1",
            },
            {
                "code": "bb_account",
                "label_zh": "宽带账号",
                "type": "regex",
                "pattern": r"AD\d{8}",
                "pattern_message": "宽带账号为 AD 加 8 位数字",
                "required": "always",
                "categories": repair,
                "active": "y",
                "sort_order": "2",
            },
            {
                "code": "visits",
                "label_zh": "上门次数",
                "type": "integer",
                "required": "never",
                "categories": repair,
                "active": "y",
                "sort_order": "3",
            },
        ):
            resp = client.post("/fielddefinitionview/add", data=data)
            assert resp.status_code == 302, resp.get_data(as_text=True)[-3000:]
    rows = {r.code: r for r in db.scalars(select(FieldDefinition))}
    ours = [rows[c] for c in ("fault_area", "bb_account", "visits")]
    for row in ours:
        row.active = True
    db.commit()
    yield rows
    # Other tests register REPAIR tickets without these required fields.
    for row in ours:
        row.active = False
    db.commit()


def test_admin_definition_errors_are_per_field(login, db):
    client = login("admin")
    before = db.scalar(select(func.count()).select_from(FieldDefinition))
    resp = client.post(
        "/fielddefinitionview/add",
        data={
            "code": "Bad Code",
            "label_zh": "",
            "type": "regex",
            "pattern": "([",
            "options": "[not json",
            "required": "never",
        },
    )
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert body.count("alert-danger") >= 3
    assert db.scalar(select(func.count()).select_from(FieldDefinition)) == before


def test_api_creates_ticket_with_fields_and_reports_each_bad_one(api, build, db, repair_fields):
    client, headers = api("agent")
    base = {"subject": "宽带故障", "category_id": build.category("REPAIR").id}
    bad = client.post(
        "/api/v1/ticket/",
        json={
            **base,
            "custom_fields": {
                "fault_area": "gd/sz",
                "bb_account": "12345",
                "visits": "1.5",
                "nope": 1,
            },
        },
        headers=headers,
    )
    assert bad.status_code == 422
    errors = bad.json["errors"]
    assert errors["custom_fields.bb_account"] == "宽带账号为 AD 加 8 位数字"
    assert set(errors) == {
        "custom_fields.fault_area",
        "custom_fields.bb_account",
        "custom_fields.visits",
        "custom_fields.nope",
    }
    missing = client.post("/api/v1/ticket/", json=base, headers=headers)
    assert set(missing.json["errors"]) == {"custom_fields.fault_area", "custom_fields.bb_account"}
    good = client.post(
        "/api/v1/ticket/",
        json={
            **base,
            "custom_fields": {"fault_area": "gd/sz/ns", "bb_account": "AD12345678", "visits": 2},
        },
        headers=headers,
    )
    assert good.status_code == 201, good.json
    assert good.json["result"]["custom_fields"] == {
        "fault_area": "gd/sz/ns",
        "bb_account": "AD12345678",
        "visits": 2,
    }
    tid = good.json["id"]
    shown = client.get(f"/api/v1/ticket/{tid}", headers=headers).json["result"]
    assert shown["custom_fields"]["fault_area"] == "gd/sz/ns"
    # Fields of other categories do not apply.
    other = client.post(
        "/api/v1/ticket/",
        json={"subject": "账单", "category_id": build.category("BILLING").id},
        headers=headers,
    )
    assert other.status_code in (201, 403)


def test_values_are_stored_in_indexed_typed_columns_and_filterable(api, build, db, repair_fields):
    client, headers = api("agent")
    resp = client.post(
        "/api/v1/ticket/",
        json={
            "subject": "typed",
            "category_id": build.category("REPAIR").id,
            "custom_fields": {"fault_area": "bj/bjs/hd", "bb_account": "AD00000001", "visits": 7},
        },
        headers=headers,
    )
    tid = resp.json["id"]
    visits = repair_fields["visits"]
    row = db.scalar(
        select(FieldValue).where(FieldValue.ticket_id == tid, FieldValue.field_id == visits.id)
    )
    assert int(row.value_number) == 7 and row.value_text is None
    # A filter on a custom field is an indexed lookup on (field_id, value_*).
    found = db.scalars(
        select(FieldValue.ticket_id).where(
            FieldValue.field_id == repair_fields["fault_area"].id,
            FieldValue.value_text.startswith("bj/"),
        )
    ).all()
    assert tid in found


def test_edit_writes_the_change_to_the_trajectory_and_retired_options_survive(
    api, build, db, repair_fields
):
    client, headers = api("agent")
    resp = client.post(
        "/api/v1/ticket/",
        json={
            "subject": "history",
            "category_id": build.category("REPAIR").id,
            "custom_fields": {"fault_area": "gd/sz/ft", "bb_account": "AD11112222"},
        },
        headers=headers,
    )
    tid = resp.json["id"]
    # Retire 福田区: the ticket keeps it, new tickets can no longer choose it.
    field = repair_fields["fault_area"]
    options = [dict(o) for o in field.options]
    options[0]["children"][0]["children"][1]["active"] = False
    admin, admin_headers = api("admin")
    assert (
        admin.put(
            f"/api/v1/custom_field/{field.id}", json={"options": options}, headers=admin_headers
        ).status_code
        == 200
    )
    put = client.put(
        f"/api/v1/ticket/{tid}",
        json={
            "version": 1,
            "subject": "history 2",
            "custom_fields": {"fault_area": "gd/sz/ft", "visits": 3},
        },
        headers=headers,
    )
    assert put.status_code == 200, put.json
    refused = client.post(
        "/api/v1/ticket/",
        json={
            "subject": "new",
            "category_id": build.category("REPAIR").id,
            "custom_fields": {"fault_area": "gd/sz/ft", "bb_account": "AD11112222"},
        },
        headers=headers,
    )
    assert "custom_fields.fault_area" in refused.json["errors"]
    event = db.scalars(
        select(TicketEvent).where(TicketEvent.ticket_id == tid, TicketEvent.action == "edit")
    ).one()
    assert event.changes["custom.visits"] == ["", "3"]
    options[0]["children"][0]["children"][1]["active"] = True
    admin.put(f"/api/v1/custom_field/{field.id}", json={"options": options}, headers=admin_headers)


def test_screen_form_renders_the_category_fields_and_errors_in_zh(login, build, db, repair_fields):
    client = login("agent")
    repair = build.category("REPAIR").id
    page = client.get(f"/ticketview/add?category_id={repair}").get_data(as_text=True)
    assert "故障地址" in page and "宽带账号" in page and "广东 / 深圳 / 南山区" in page
    assert "故障地址" not in client.get(
        f"/ticketview/add?category_id={build.category('BILLING').id}"
    ).get_data(as_text=True)
    before = db.scalar(select(func.count()).select_from(Ticket))
    form = {
        "category": str(repair),
        "subject": "表单",
        "priority": "normal",
        "channel": "phone",
        "cf_fault_area": "",
        "cf_bb_account": "xyz",
    }
    body = client.post("/ticketview/add", data=form).get_data(as_text=True)
    assert "宽带账号为 AD 加 8 位数字" in body and "必填" in body
    assert db.scalar(select(func.count()).select_from(Ticket)) == before
    form.update({"cf_fault_area": "gd/sz/ns", "cf_bb_account": "AD87654321"})
    resp = client.post("/ticketview/add", data=form)
    assert resp.status_code == 302
    tid = int(re.search(r"/show/(\d+)", resp.headers["Location"]).group(1))
    page = client.get(f"/ticketview/show/{tid}").get_data(as_text=True)
    assert "广东 / 深圳 / 南山区" in page.split('id="custom-fields"')[1]


def test_changing_category_in_the_form_only_refreshes(login, build, db, repair_fields):
    client = login("agent")
    before = db.scalar(select(func.count()).select_from(Ticket))
    body = client.post(
        "/ticketview/add",
        data={
            "_refresh": "1",
            "category": str(build.category("REPAIR").id),
            "subject": "x",
            "priority": "normal",
            "channel": "phone",
        },
    ).get_data(as_text=True)
    assert "宽带账号" in body and "alert-danger" not in body
    assert db.scalar(select(func.count()).select_from(Ticket)) == before


def test_required_on_resolve(api, build, db, repair_fields, login):
    admin, h = api("admin")
    created = admin.post(
        "/api/v1/custom_field/",
        json={
            "code": "root_cause",
            "label_zh": "故障原因",
            "type": "select",
            "required": "on_resolve",
            "category_ids": [build.category("REPAIR").id],
            "options": [{"value": "line", "label": "线路"}, {"value": "device", "label": "设备"}],
        },
        headers=h,
    )
    assert created.status_code == 201, created.json
    try:
        client, headers = api("agent")
        tid = client.post(
            "/api/v1/ticket/",
            json={
                "subject": "on resolve",
                "category_id": build.category("REPAIR").id,
                "custom_fields": {"fault_area": "gd/sz/ns", "bb_account": "AD12121212"},
            },
            headers=headers,
        ).json["id"]
        tech, th = api("tech")
        tech.post(f"/api/v1/ticket/{tid}/actions/accept", json={"version": 1}, headers=th)
        refused = tech.post(
            f"/api/v1/ticket/{tid}/actions/resolve", json={"version": 2, "result": "ok"}, headers=th
        )
        assert refused.status_code == 422
        assert "custom_fields.root_cause" in refused.json["errors"]
        tech.put(
            f"/api/v1/ticket/{tid}",
            json={"version": 2, "custom_fields": {"root_cause": "line"}},
            headers=th,
        )
        done = tech.post(
            f"/api/v1/ticket/{tid}/actions/resolve", json={"version": 3, "result": "ok"}, headers=th
        )
        assert done.status_code == 200, done.json
    finally:
        row = db.get(FieldDefinition, created.json["id"])
        row.active = False
        db.commit()
