"""自动化 screens and /api/v1/automation/: admins only, one validator for both with errors by
path, the test run (count and first rows, in the viewer's scope), the run log."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from sqlalchemy import delete, func, select

from plugins.automation.automations.engine import dry_run
from plugins.automation.automations.models import Automation, AutomationRun
from plugins.automation.automations.schema import validate
from plugins.tickets.models import TicketEvent
from plugins.tickets.models.base import utcnow
from plugins.tickets.services.tickets import create_ticket

ACTIONS = [{"type": "add_note", "params": {"body": "{ticket.number} 已超时"}}]


def conditions(mark: str, hours: int = 24) -> dict:
    return {
        "match": "all",
        "conditions": [
            {"field": "subject", "op": "contains", "value": mark},
            {"field": "hours_since_created", "op": "gte", "value": hours},
        ],
    }


@pytest.fixture(autouse=True)
def no_rules(db):
    def wipe():
        db.execute(delete(AutomationRun))
        db.execute(delete(Automation))
        db.commit()

    wipe()
    yield
    db.rollback()
    wipe()


@pytest.fixture
def old_tickets(db, build):
    """A 30-hour-old ticket in TECH (报修) and one in FIN (账单), and a fresh TECH one."""
    mark = f"超时-{uuid.uuid4().hex[:6]}"
    made = {}
    for key, category, hours in (("tech", "REPAIR", 30), ("fin", "BILLING", 30),
                                 ("fresh", "REPAIR", 1)):  # fmt: skip
        at = utcnow() - dt.timedelta(hours=hours)
        data = {"subject": f"{mark} {key}", "category_id": build.category(category).id}
        made[key] = create_ticket(db, build.user("agent"), data, now=at)
    db.commit()
    return mark, made


def test_validation_errors_name_their_path(db):
    errors = validate(
        db,
        {"match": "all", "conditions": [
            {"field": "hours_since_created", "op": "eq", "value": 24},
            {"field": "hours_until_due", "op": "between", "value": [8, 2]},
            {"field": "priority", "op": "eq", "value": "asap"},
            {"field": "assignee_id", "op": "eq", "value": "me"},
            {"field": "nope", "op": "eq", "value": 1}]},
        [{"type": "set_priority", "params": {"priority": "asap"}}, {"type": "explode"}],
    )  # fmt: skip
    assert [e.split(": ")[0] for e in errors] == [
        "conditions.conditions[0].op",
        "conditions.conditions[1].value",
        "conditions.conditions[2].value",
        "conditions.conditions[3].value",
        "conditions.conditions[4].field",
        "actions[0].params.priority",
        "actions[1].type",
    ]
    only_fields = {"conditions": [{"field": "priority", "op": "eq", "value": "urgent"}]}
    assert [e.split(": ")[0] for e in validate(db, only_fields, ACTIONS)] == [
        "conditions.conditions"  # at least one time condition
    ]


def test_admin_builds_tests_and_saves_an_automation_in_the_screens(login, db, old_tickets):
    mark, made = old_tickets
    client = login("admin")
    blank = client.get("/automations/add").get_data(as_text=True)
    assert "hours_since_created" in blank and "hours_until_due" in blank  # the vocabulary
    assert "data-condition-builder" in blank and "business_hours_since_created" in blank
    form = {"name": "超时提醒", "sort_order": "3", "active": "y",
            "conditions": json.dumps(conditions(mark)), "actions": json.dumps(ACTIONS)}  # fmt: skip
    bad = client.post("/automations/add", data={**form, "conditions": "{"})
    assert bad.status_code == 200 and "<code>conditions</code>" in bad.get_data(as_text=True)
    wrong = {"match": "all", "conditions": [{"field": "hours_since_due", "op": "gt", "value": -3}]}
    bad = client.post("/automations/add", data={**form, "conditions": json.dumps(wrong)})
    assert "conditions.conditions[0].value" in bad.get_data(as_text=True)

    bad = client.post("/automations/add",
                      data={**form, "conditions": json.dumps(wrong), "preview": "1"})  # fmt: skip
    assert "conditions.conditions[0].value" in bad.get_data(as_text=True)
    preview = client.post("/automations/add", data={**form, "preview": "1"})
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and 'id="preview-pending" data-count="2"' in page
    assert made["tech"].number in page and made["fin"].number in page
    assert made["fresh"].number not in page
    assert db.scalar(select(func.count()).select_from(Automation)) == 0  # nothing saved

    assert client.post("/automations/add", data=form).status_code == 302
    row = db.scalar(select(Automation).where(Automation.name == "超时提醒"))
    assert (row.sort_order, row.active, row.actions) == (3, True, ACTIONS)
    listing = client.get("/automations/").get_data(as_text=True)
    assert "超时提醒" in listing
    assert client.get(f"/automations/edit/{row.id}").status_code == 200
    dry = client.get(f"/automations/dryrun/{row.id}").get_data(as_text=True)
    assert 'id="preview-pending" data-count="2"' in dry
    client.post("/automations/order", data={f"sort_order_{row.id}": "7"})
    db.expire_all()
    assert (row.sort_order, row.active) == (7, False)


def test_run_log_lists_what_fired_and_dry_run_skips_it(login, db, build, old_tickets):
    from plugins.automation.automations.engine import sweep

    mark, made = old_tickets
    row = Automation(name="日志", active=True, sort_order=0, conditions=conditions(mark),
                     actions=ACTIONS)  # fmt: skip
    db.add(row)
    db.commit()
    assert sorted(sweep(db)[row.id]) == sorted([made["tech"].id, made["fin"].id])
    client = login("admin")
    log = client.get(f"/automations/runs?automation={row.id}").get_data(as_text=True)
    assert made["tech"].number in log and made["fin"].number in log
    assert made["tech"].number in client.get("/automations/runs").get_data(as_text=True)
    result = dry_run(db, build.user("admin"), row.conditions, row.id)
    assert (result["pending"], result["matching"]) == (0, 2)
    events = db.scalars(select(TicketEvent).where(TicketEvent.ticket_id == made["tech"].id))
    assert any("日志" in (e.note or "") for e in events)  # the trajectory names it


def test_dry_run_is_scoped_to_the_viewer(db, build, old_tickets):
    mark, made = old_tickets
    admin = dry_run(db, build.user("admin"), conditions(mark))
    lead = dry_run(db, build.user("techlead"), conditions(mark))
    assert admin["pending"] == 2 and {t.id for t in admin["tickets"]} == {
        made["tech"].id, made["fin"].id}  # fmt: skip
    assert lead["pending"] == 1 and [t.id for t in lead["tickets"]] == [made["tech"].id]
    assert dry_run(db, build.user("fin"), conditions(mark, hours=48))["pending"] == 0


@pytest.mark.parametrize("user", ["agent", "dispatcher", "techlead", "manager", "qa"])
def test_automations_do_not_leak_to_non_admins(login, api, user):
    client = login(user)
    for url in ("/automations/", "/automations/runs", "/automations/add"):
        resp = client.get(url)
        assert resp.status_code in (302, 403), url
        assert "automation" not in resp.get_data(as_text=True).lower()
    rest, headers = api(user)
    assert rest.get("/api/v1/automation/", headers=headers).status_code in (401, 403)
    assert rest.post("/api/v1/automation/", json={"name": "x"}, headers=headers).status_code in (
        401, 403)  # fmt: skip


def test_rest_crud_with_errors_by_path(api, db, old_tickets):
    mark, made = old_tickets
    client, headers = api("admin")
    body = {"name": "接口规则", "conditions": conditions(mark), "actions": ACTIONS}
    assert client.post("/api/v1/automation/", data="[]", headers=headers,
                       content_type="application/json").status_code == 400  # fmt: skip
    bad = client.post(
        "/api/v1/automation/", headers=headers,
        json={**body, "conditions": {"conditions": [{"field": "hours_until_due", "op": "lt"}]}},
    )  # fmt: skip
    assert bad.status_code == 422
    assert set(bad.json["errors"]) == {"conditions.conditions[0].value"}
    created = client.post("/api/v1/automation/", json=body, headers=headers)
    assert created.status_code == 201, created.json
    pk = created.json["id"]
    listing = client.get("/api/v1/automation/", headers=headers).json
    assert [r["name"] for r in listing["result"]] == ["接口规则"]
    got = client.get(f"/api/v1/automation/{pk}", headers=headers).json["result"]
    assert got["conditions"] == conditions(mark) and "last_run_at" in got
    dry = client.get(f"/api/v1/automation/{pk}/dryrun", headers=headers).json
    assert dry["pending"] == 2 and {t["number"] for t in dry["tickets"]} == {
        made["tech"].number, made["fin"].number}  # fmt: skip
    tried = client.post("/api/v1/automation/dryrun", headers=headers,
                        json={"conditions": conditions(mark, hours=29)})  # fmt: skip
    assert tried.status_code == 200 and tried.json["matching"] == 2
    tried = client.post("/api/v1/automation/dryrun", headers=headers,
                        json={"conditions": conditions(mark, hours=31)})  # fmt: skip
    assert tried.json["matching"] == 0 and tried.json["tickets"] == []
    wrong = {"conditions": [{"field": "business_hours_since_due", "op": "between", "value": 3}]}
    tried = client.post("/api/v1/automation/dryrun", json={"conditions": wrong}, headers=headers)
    assert tried.status_code == 422
    assert set(tried.json["errors"]) == {"conditions.conditions[0].value"}
    bad = client.put(f"/api/v1/automation/{pk}", json={"actions": []}, headers=headers)
    assert bad.status_code == 422 and "actions" in bad.json["errors"]
    ok = client.put(f"/api/v1/automation/{pk}", json={"active": False}, headers=headers)
    assert ok.status_code == 200 and ok.json["result"]["active"] is False
    assert client.put("/api/v1/automation/99999", json={}, headers=headers).status_code == 404
    assert client.delete(f"/api/v1/automation/{pk}", headers=headers).status_code == 200
    assert db.scalar(select(func.count()).select_from(Automation)) == 0


def test_openapi_documents_conditions_and_actions(api):
    client, headers = api("admin")
    spec = client.get("/api/v1/_openapi", headers=headers).json
    post = spec["paths"]["/api/v1/automation/"]["post"]["description"]
    assert "hours_since_created" in post and "between" in post and "add_note" in post
    assert "/api/v1/automation/{pk}/dryrun" in spec["paths"]


def test_deadlines_business_hours_and_custom_fields_compile_to_sql(db, build):
    from plugins.automation.automations import compiler
    from plugins.automation.automations.schema import parse
    from plugins.tickets.models import FieldDefinition, Ticket
    from plugins.tickets.services.view_fields import view_fields

    field = FieldDefinition(code=f"au_{uuid.uuid4().hex[:6]}", label_zh="区域", type="text")
    db.add(field)
    db.commit()
    mark, admin, now = f"期限-{uuid.uuid4().hex[:6]}", build.user("admin"), utcnow()
    made = {}
    for key, due_in, area in (("soon", 2, "gd"), ("later", 10, "gd"), ("late", -3, "gd"),
                              ("elsewhere", 2, "bj")):  # fmt: skip
        data = {"subject": f"{mark} {key}", "category_id": build.category("REPAIR").id,
                "custom_fields": {field.code: area}}  # fmt: skip
        ticket = create_ticket(db, build.user("agent"), data)
        ticket.due_at = now + dt.timedelta(hours=due_in)
        made[key] = ticket
    db.commit()

    def ids(*conds):
        rule = {"match": "all", "conditions": [
            {"field": "subject", "op": "contains", "value": mark}, *conds]}  # fmt: skip
        return {t.id for t in dry_run(db, admin, rule, now=now)["tickets"]}

    area = {"field": f"custom.{field.code}", "op": "eq", "value": "gd"}
    soon = {"field": "hours_until_due", "op": "lt", "value": 4}
    assert ids(soon, area) == {made["soon"].id}
    assert ids(soon) == {made["soon"].id, made["elsewhere"].id}
    assert ids({"field": "hours_since_due", "op": "gte", "value": 2}) == {made["late"].id}
    either = {"match": "any", "conditions": [soon, {"field": "hours_since_due", "op": "gt",
                                                    "value": 0}]}  # fmt: skip
    rule = parse(db, either)
    clause = compiler.rule_clause(db, admin, rule, view_fields(db), now)
    mine = [t.id for t in made.values()]
    found = set(db.scalars(select(Ticket.id).where(clause, Ticket.id.in_(mine))))
    assert found == {made["soon"].id, made["elsewhere"].id, made["late"].id}
    # Working hours: 10 calendar hours ahead is never more than 10 working hours ahead.
    business = {"field": "business_hours_until_due", "op": "lte", "value": 10}
    assert made["later"].id in ids(business)
