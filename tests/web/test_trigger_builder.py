"""The trigger screen's condition row builder: the server renders the vocabulary (event
fields, ticket fields with custom fields, choices, translated labels); posting the JSON the
builder writes saves the rule; a refused condition comes back under its path."""

from __future__ import annotations

import html
import json
import re
import uuid

import pytest
from sqlalchemy import delete, select

from plugins.automation.triggers.models import Trigger, TriggerRun
from plugins.tickets.models import FieldDefinition

ACTIONS = '[{"type": "set_priority", "params": {"priority": "high"}}]'


@pytest.fixture
def field(db):
    """A select custom field, removed afterwards with the rules of the test."""
    row = FieldDefinition(
        code=f"area_{uuid.uuid4().hex[:6]}", label_zh="故障区域", label_en="Fault area",
        type="select", options=[{"value": "sz", "label": "深圳"}, {"value": "gz", "label": "广州"}],
    )  # fmt: skip
    db.add(row)
    db.commit()
    yield row
    db.rollback()
    db.execute(delete(TriggerRun))
    db.execute(delete(Trigger))
    db.delete(db.get(FieldDefinition, row.id))
    db.commit()


def _script(page: str, element_id: str):
    found = re.search(
        rf'<script type="application/json" id="{element_id}">(.*?)</script>', page, re.S
    )
    assert found, element_id
    return json.loads(html.unescape(found.group(1)))


def test_screen_renders_the_vocabulary_in_zh(login, build, field):
    client = login("admin")
    page = client.get("/triggers/add").get_data(as_text=True)
    assert "data-condition-builder" in page
    assert "/automation/static/condition_builder.js" in page
    vocab = _script(page, "cb-vocab-conditions")
    event, ticket = vocab["blocks"]
    assert (event["key"], ticket["key"]) == ("event", "ticket")
    by_name = {f["name"]: f for f in event["fields"]}
    assert [o["value"] for o in by_name["kind"]["options"]] == [
        "created", "action", "comment", "updated"]  # fmt: skip
    assert "dispatch" in [o["value"] for o in by_name["action"]["options"]]
    assert by_name["action"]["open"] is True and by_name["kind"]["open"] is False
    assert {"param.", "old.", "new."} <= {f["name"] for f in event["fields"] if f.get("family")}
    fields = {f["name"]: f for f in ticket["fields"]}
    custom = fields[f"custom.{field.code}"]
    assert custom["label"] == "故障区域" and custom["type"] == "choice"
    assert custom["options"] == [{"value": "sz", "label": "深圳"}, {"value": "gz", "label": "广州"}]
    departments = {o["value"]: o["label"] for o in fields["department_id"]["options"]}
    assert departments[str(build.department("TECH").id)] == build.department("TECH").name
    assert "my_departments" not in departments  # a rule runs as the system user
    assert "gt" not in fields["status"]["ops"] and "gt" in fields["urge_count"]["ops"]
    assert vocab["operators"]["eq"] and vocab["labels"]["any"]
    assert _script(page, "cb-errors-conditions") == {}
    js = client.get("/automation/static/condition_builder.js")
    assert js.status_code == 200 and b"ConditionBuilder" in js.data


def test_posting_the_builders_json_saves_the_trigger(login, build, field, db):
    client = login("admin")
    conditions = {
        "event": {"match": "any", "conditions": [
            {"field": "kind", "op": "eq", "value": "created"},
            {"field": "param.satisfaction", "op": "in", "value": ["1", "2"]}]},
        "ticket": {"match": "all", "conditions": [
            {"field": f"custom.{field.code}", "op": "in", "value": ["sz"]},
            {"field": "department_id", "op": "eq", "value": build.department("TECH").id}]},
    }  # fmt: skip
    resp = client.post("/triggers/add", data={
        "name": "行构建器规则", "conditions": json.dumps(conditions), "actions": ACTIONS,
        "sort_order": "2", "active": "y"})  # fmt: skip
    assert resp.status_code == 302, resp.get_data(as_text=True)
    row = db.scalar(select(Trigger).where(Trigger.name == "行构建器规则"))
    assert row.conditions == conditions
    page = client.get(f"/triggers/edit/{row.id}").get_data(as_text=True)
    box = re.search(r'<textarea[^>]*name="conditions"[^>]*>(.*?)</textarea>', page, re.S)
    assert json.loads(html.unescape(box.group(1))) == conditions


def test_refused_conditions_come_back_by_path(login, field, db):
    client = login("admin")
    conditions = {
        "event": {"match": "all", "conditions": [{"field": "kind", "op": "eq", "value": "nope"}]},
        "ticket": {"match": "all", "conditions": [
            {"field": "priority", "op": "eq", "value": "urgent"},
            {"field": "status", "op": "gt", "value": "closed"}]},
    }  # fmt: skip
    resp = client.post("/triggers/add", data={
        "name": "坏条件", "conditions": json.dumps(conditions), "actions": ACTIONS})  # fmt: skip
    assert resp.status_code == 200
    errors = _script(resp.get_data(as_text=True), "cb-errors-conditions")
    assert set(errors) == {
        "conditions.event.conditions[0].value",
        "conditions.ticket.conditions[1].op",
    }
    assert db.scalar(select(Trigger).where(Trigger.name == "坏条件")) is None
    bad = client.post("/triggers/add", data={"name": "坏", "conditions": "{", "actions": ACTIONS})
    page = bad.get_data(as_text=True)
    assert _script(page, "cb-errors-conditions").keys() == {"conditions"}
    assert 'class="cb-advanced" open' in page  # the JSON box is open to fix it
