"""触发器 in a real browser: the condition row builder writes the JSON the server validates,
the rule saves, and a refused condition comes back under its row."""

from __future__ import annotations

import json
import os

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select
from sqlalchemy import delete, select

from plugins.automation.triggers.models import Trigger, TriggerRun

pytestmark = pytest.mark.e2e
ACTIONS = '[{"type": "set_priority", "params": {"priority": "high"}}]'


@pytest.fixture
def clean_rules(db):
    yield
    db.rollback()
    db.execute(delete(TriggerRun))
    db.execute(delete(Trigger))
    db.commit()


def _block(page, key: str):
    return page.css(f'.cb-block[data-block="{key}"]')


def _add_row(page, key: str, field: str, op: str):
    _block(page, key).find_element(By.CSS_SELECTOR, ".cb-add").click()
    row = _block(page, key).find_elements(By.CSS_SELECTOR, ".cb-row")[-1]
    Select(row.find_element(By.CSS_SELECTOR, ".cb-field")).select_by_value(field)
    row = _block(page, key).find_elements(By.CSS_SELECTOR, ".cb-row")[-1]
    Select(row.find_element(By.CSS_SELECTOR, ".cb-op")).select_by_value(op)
    return _block(page, key).find_elements(By.CSS_SELECTOR, ".cb-row")[-1]


def _fill(page, name: str) -> None:
    page.css("#name").send_keys(name)
    actions = page.css("#actions")
    actions.clear()
    actions.send_keys(ACTIONS)


def test_builder_writes_the_json_and_the_rule_saves(as_user, build, db, shots_dir, clean_rules):
    tech = build.department("TECH")
    page = as_user("admin")
    page.open("/triggers/add", "#trigger-form")
    page.visible('.cb-block[data-block="ticket"] .cb-row')  # the example rule, as rows
    row = _add_row(page, "ticket", "department_id", "eq")
    Select(row.find_element(By.CSS_SELECTOR, ".cb-value")).select_by_visible_text(tech.name)
    Select(_block(page, "ticket").find_element(By.CSS_SELECTOR, ".cb-match")).select_by_value("any")
    row = _add_row(page, "event", "param.", "in")
    row.find_element(By.CSS_SELECTOR, ".cb-name").send_keys("satisfaction")
    row.find_element(By.CSS_SELECTOR, ".cb-value").send_keys("1, 2")
    expected = {
        "event": {"match": "all", "conditions": [
            {"field": "kind", "op": "eq", "value": "created"},
            {"field": "param.satisfaction", "op": "in", "value": ["1", "2"]}]},
        "ticket": {"match": "any", "conditions": [
            {"field": "priority", "op": "eq", "value": "urgent"},
            {"field": "department_id", "op": "eq", "value": tech.id}]},
    }  # fmt: skip
    assert json.loads(page.css("#conditions").get_attribute("value")) == expected
    _fill(page, "浏览器行构建器")
    page.screenshot(os.path.join(shots_dir, "trigger-builder.png"))
    page.submit_and_wait(
        page.css("#trigger-form [type=submit]"),
        ec.presence_of_element_located((By.CSS_SELECTOR, "#triggers")),
    )
    row = db.scalar(select(Trigger).where(Trigger.name == "浏览器行构建器"))
    assert row.conditions == expected
    page.open(f"/triggers/edit/{row.id}", "#trigger-form")
    page.visible('.cb-block[data-block="event"] .cb-name')
    assert page.css(".cb-name").get_attribute("value") == "satisfaction"


def test_refused_condition_shows_under_its_row(as_user, shots_dir, clean_rules):
    page = as_user("admin")
    page.open("/triggers/add", "#trigger-form")
    page.visible('.cb-block[data-block="ticket"] .cb-row')
    _add_row(page, "ticket", "urge_count", "gt")  # no value typed
    _fill(page, "坏的浏览器规则")
    page.submit_and_wait(
        page.css("#trigger-form [type=submit]"),
        ec.presence_of_element_located((By.CSS_SELECTOR, "#trigger-errors")),
    )
    rows = _block(page, "ticket").find_elements(By.CSS_SELECTOR, ".cb-row")
    error = rows[1].find_element(By.CSS_SELECTOR, ".cb-error")
    assert error.get_attribute("data-path") == "conditions.ticket.conditions[1]"
    assert error.text and not rows[0].find_elements(By.CSS_SELECTOR, ".cb-error")
    page.screenshot(os.path.join(shots_dir, "trigger-builder-error.png"))
