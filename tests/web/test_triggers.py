"""触发器 screens and /api/v1/trigger/: admins only, rules validated by path, the dry run."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select

from plugins.automation.triggers.models import Trigger, TriggerRun
from plugins.automation.triggers.schema import validate
from plugins.tickets.models import TicketEvent

CONDITIONS = {
    "event": {"match": "all", "conditions": [{"field": "kind", "op": "eq", "value": "created"}]},
    "ticket": {
        "match": "all",
        "conditions": [{"field": "priority", "op": "eq", "value": "urgent"}],
    },
}


@pytest.fixture(autouse=True)
def no_rules(db):
    def wipe():
        db.execute(delete(TriggerRun))
        db.execute(delete(Trigger))
        db.commit()

    wipe()
    yield
    db.rollback()
    wipe()


def test_validation_errors_name_their_path(build, db):
    fin = build.department("FIN").id
    errors = validate(
        db,
        {"event": {"conditions": [{"field": "kind", "op": "gt", "value": "x"}]},
         "ticket": {"conditions": [{"field": "nope", "op": "eq", "value": 1}]}},
        [{"type": "process", "params": {"action": "dispatch", "params": {}}},
         {"type": "set_priority", "params": {"priority": "asap"}},
         {"type": "assign_department", "params": {"department_id": 99999}},
         {"type": "add_note", "params": {"body": "{nope}"}},
         {"type": "explode"},
         {"type": "assign_department", "params": {"department_id": fin}}],
    )  # fmt: skip
    paths = [e.split(": ")[0] for e in errors]
    assert paths == [
        "conditions.event.conditions[0].op",
        "conditions.ticket.conditions[0].field",
        "actions[0].params.params.department_id",
        "actions[1].params.priority",
        "actions[2].params.department_id",
        "actions[3].params.body",
        "actions[4].type",
    ]


def test_admin_creates_edits_and_lists_a_rule_in_zh(login, build, db):
    client = login("admin")
    actions = '[{"type": "set_priority", "params": {"priority": "high"}}]'
    bad = client.post(
        "/triggers/add",
        data={
            "name": "坏规则",
            "conditions": "{",
            "actions": actions,
            "sort_order": "1",
            "active": "y",
        },
    )
    assert bad.status_code == 200 and "conditions" in bad.get_data(as_text=True)
    bad = client.post(
        "/triggers/add",
        data={
            "name": "坏规则",
            "conditions": "{}",
            "sort_order": "1",
            "active": "y",
            "actions": '[{"type": "set_priority", "params": {"priority": "asap"}}]',
        },
    )
    assert "actions[0].params.priority" in bad.get_data(as_text=True)
    ok = client.post("/triggers/add", data={
        "name": "升级优先级", "conditions": "{}", "actions": actions, "sort_order": "1",
        "active": "y"})  # fmt: skip
    assert ok.status_code == 302
    row = db.scalar(select(Trigger).where(Trigger.name == "升级优先级"))
    assert row.active and row.actions[0]["type"] == "set_priority"
    page = client.get("/triggers/").get_data(as_text=True)
    assert "升级优先级" in page
    assert client.get(f"/triggers/edit/{row.id}").status_code == 200
    client.post("/triggers/order", data={f"sort_order_{row.id}": "5"})
    db.expire_all()
    assert (row.sort_order, row.active) == (5, False)
    assert client.get("/triggers/runs").status_code == 200


def test_dry_run_explains_and_changes_nothing(login, build, db):
    client = login("admin")
    db.add(
        Trigger(
            name="紧急派单",
            active=True,
            sort_order=0,
            conditions=CONDITIONS,
            actions=[{"type": "set_priority", "params": {"priority": "low"}}],
        )
    )
    db.commit()
    urgent = build.ticket("agent", "CONSULT", priority="urgent")
    normal = build.ticket("agent", "CONSULT", priority="normal")
    before = db.scalar(select(func.count()).select_from(TicketEvent))
    page = client.get(f"/triggers/dryrun?ticket={urgent.number}").get_data(as_text=True)
    assert "紧急派单" in page and "✔" in page
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(TicketEvent)) == before
    assert urgent.priority == "urgent"
    from plugins.automation.triggers.engine import dry_run

    assert dry_run(db, urgent)["rules"][0]["fires"] is True
    result = dry_run(db, normal)["rules"][0]
    assert result["fires"] is False and result["event_ok"] is True
    assert [c["ok"] for c in result["ticket"]] == [False]


@pytest.mark.parametrize("user", ["agent", "dispatcher", "techlead", "manager", "qa"])
def test_rules_do_not_leak_to_non_admins(login, api, user):
    client = login(user)
    for url in ("/triggers/", "/triggers/runs", "/triggers/dryrun?ticket=1", "/triggers/add"):
        resp = client.get(url)
        assert resp.status_code in (302, 403), url
        assert "Trigger" not in resp.get_data(as_text=True)
    rest, headers = api(user)
    assert rest.get("/api/v1/trigger/", headers=headers).status_code in (401, 403)
    assert rest.post("/api/v1/trigger/", json={"name": "x"}, headers=headers).status_code in (
        401, 403)  # fmt: skip


def test_rest_crud_with_errors_by_path(api, build, db):
    client, headers = api("admin")
    body = {
        "name": "API 规则",
        "conditions": CONDITIONS,
        "actions": [{"type": "assign_department", "params": {"department_id": 0}}],
    }
    resp = client.post("/api/v1/trigger/", json=body, headers=headers)
    assert resp.status_code == 422
    assert "actions[0].params.department_id" in resp.json["errors"]
    body["actions"][0]["params"]["department_id"] = build.department("TECH").id
    resp = client.post("/api/v1/trigger/", json=body, headers=headers)
    assert resp.status_code == 201, resp.json
    pk = resp.json["id"]
    listed = client.get("/api/v1/trigger/", headers=headers).json
    assert [r["name"] for r in listed["result"]] == ["API 规则"]
    resp = client.put(f"/api/v1/trigger/{pk}", json={"active": False}, headers=headers)
    assert resp.status_code == 200 and resp.json["result"]["active"] is False
    assert client.get(f"/api/v1/trigger/{pk}", headers=headers).json["result"]["name"] == "API 规则"
    ticket = build.ticket("agent", "CONSULT", priority="urgent")
    resp = client.get(f"/api/v1/trigger/dryrun/{ticket.id}", headers=headers)
    assert resp.status_code == 200 and resp.json["rules"] == []  # the rule is inactive
    assert client.delete(f"/api/v1/trigger/{pk}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/trigger/{pk}", headers=headers).status_code == 404
    spec = client.get("/api/v1/_openapi", headers=headers).json
    post = spec["paths"]["/api/v1/trigger/"]["post"]
    assert "actions[2].params.department_id" in post["description"]
    assert "/api/v1/trigger/dryrun/{ticket_id}" in spec["paths"]
