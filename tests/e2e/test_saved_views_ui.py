"""工单视图 in a real browser: the row builder writes the JSON box, the view saves, the menu
and the views page count it."""

from __future__ import annotations

import json
import os

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select
from sqlalchemy import delete, select

from plugins.tickets.models import SavedView
from plugins.tickets.services import views_sql

pytestmark = pytest.mark.e2e
NAME = "TECH 紧急未签收（浏览器）"


@pytest.fixture
def clean_views(db):
    yield
    db.rollback()
    db.execute(delete(SavedView))
    db.commit()


def _last_row(page):
    return page.all("#builder-rows > div")[-1]


def _add_condition(page, field: str, op: str) -> object:
    page.css("#builder-add").click()
    Select(_last_row(page).find_element(By.CSS_SELECTOR, ".b-field")).select_by_value(field)
    Select(_last_row(page).find_element(By.CSS_SELECTOR, ".b-op")).select_by_value(op)
    return _last_row(page)


def test_builder_saves_a_view_that_counts(as_user, build, db, shots_dir, clean_views):
    tech = build.department("TECH")
    build.ticket("agent", "REPAIR", subject="E2E-VIEW-URGENT", priority="urgent")
    page = as_user("admin")
    page.open("/savedviewadmin/add", "#view-form")
    page.visible("#builder")
    page.css("input[name=name]").send_keys(NAME)
    Select(page.css("#visibility")).select_by_value("everyone")
    row = _add_condition(page, "department_id", "eq")
    Select(row.find_element(By.CSS_SELECTOR, ".b-value")).select_by_visible_text(tech.name)
    row = _add_condition(page, "priority", "eq")
    Select(row.find_element(By.CSS_SELECTOR, ".b-value")).select_by_value("urgent")
    row = _add_condition(page, "status", "in")
    Select(row.find_element(By.CSS_SELECTOR, ".b-value")).select_by_value("pending_accept")
    data = json.loads(page.css("#conditions").get_attribute("value"))
    assert data == {
        "match": "all",
        "conditions": [
            {"field": "department_id", "op": "eq", "value": tech.id},
            {"field": "priority", "op": "eq", "value": "urgent"},
            {"field": "status", "op": "in", "value": ["pending_accept"]},
        ],
    }
    page.screenshot(os.path.join(shots_dir, "saved-view-builder.png"))
    page.submit_and_wait(
        page.css("#view-form [type=submit]"),
        ec.presence_of_element_located((By.CSS_SELECTOR, "#manage-views")),
    )
    view = db.scalars(select(SavedView).where(SavedView.name == NAME)).one()
    expected = views_sql.count(db, build.user("techlead"), view)
    assert expected >= 1
    lead = as_user("techlead")
    lead.open("/savedviews/", "#saved-views")
    count = lead.css(f'tr[data-view="{view.id}"] .view-count').text
    assert count == str(expected)
    lead.screenshot(os.path.join(shots_dir, "saved-views.png"))
    lead.open(f"/savedviews/{view.id}/", "#view-tickets")
    assert lead.css("#view-total").text == str(expected)
    assert "E2E-VIEW-URGENT" in lead.css("#view-tickets").text
    lead.screenshot(os.path.join(shots_dir, "saved-view-tickets.png"))


def test_json_errors_show_by_path(as_user, shots_dir, clean_views):
    page = as_user("admin")
    page.open("/savedviewadmin/add", "#view-form")
    page.css("input[name=name]").send_keys("坏视图")
    box = page.css("#conditions")
    box.clear()
    box.send_keys('{"match": "all", "conditions": [{"field": "status", "op": "gt", "value": 1}]}')
    # The builder steps aside rather than show a different condition than the box holds.
    assert not page.css("#builder").is_displayed()
    page.submit_and_wait(
        page.css("#view-form [type=submit]"),
        ec.presence_of_element_located((By.CSS_SELECTOR, "#condition-errors")),
    )
    assert "conditions.conditions[0].op" in page.css("#condition-errors").text
    page.screenshot(os.path.join(shots_dir, "saved-view-errors.png"))
