"""Process definitions in screens: versions, validation by path, SVG diagram, admin only."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from sqlalchemy import func, select

from plugins.tickets.models import ProcessDefinition


def _count(db):
    return db.scalar(select(func.count()).select_from(ProcessDefinition))


def test_invalid_definition_shows_every_error_by_path_and_saves_nothing(login, db):
    client = login("admin")
    before = _count(db)
    broken = """
key: broken
version: 1
label: {zh: 坏流程, en: Broken}
states:
  open: {label: {zh: 打开, en: Open}}
initial:
  - to: open
actions:
  go:
    label: {zh: 走, en: Go}
    from: [open]
    to: doing
    duties: [wizard]
"""
    resp = client.post("/processview/add", data={"source": broken})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and 'id="definition-errors"' in body
    assert "actions.go.to" in body and "doing" in body
    assert "actions.go.duties" in body
    assert _count(db) == before


def test_show_page_has_a_diagram_in_chinese(login, db):
    row = db.scalar(select(ProcessDefinition).where(ProcessDefinition.key == "call_center"))
    client = login("admin")
    page = client.get(f"/processview/show/{row.id}").get_data(as_text=True)
    assert "<svg" in page and "待签收" in page
    svg = client.get(f"/processview/diagram/{row.id}.svg")
    assert svg.mimetype == "image/svg+xml"
    ET.fromstring(svg.get_data(as_text=True))  # well-formed


def test_only_admin_manages_processes(login):
    for user in ("dispatcher", "techlead", "manager"):
        assert login(user).get("/processview/list/").status_code in (302, 403)
