"""Saved views (工单视图): counts equal the SQL truth, scoping holds, every validation error
has its path, custom field conditions, screens and the REST API."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import delete, func, select

from plugins.tickets import queues
from plugins.tickets.models import FieldDefinition, FieldValue, SavedView, Ticket
from plugins.tickets.models.base import utcnow
from plugins.tickets.scoping import read_scope
from plugins.tickets.services import saved_views as service
from plugins.tickets.services import views_sql
from plugins.tickets.services.errors import ValidationFailed
from plugins.tickets.services.view_errors import TEXTS
from workflows.view_conditions import MESSAGES

TECH_URGENT = "TECH 紧急未签收"


@pytest.fixture(autouse=True)
def _no_views_left(app, db):
    """Views are shown in every user's menu: leave none behind for other tests."""
    yield
    db.rollback()
    db.execute(delete(SavedView))
    db.commit()


def _cond(field, op, value=None):
    item = {"field": field, "op": op}
    if value is not None:
        item["value"] = value
    return item


def _tech_urgent(build, db, visibility="everyone", **extra) -> SavedView:
    tech = build.department("TECH")
    return service.create(
        db,
        build.user("admin"),
        {
            "name": TECH_URGENT,
            "visibility": visibility,
            "conditions": {
                "match": "all",
                "conditions": [
                    _cond("department_id", "eq", tech.id),
                    _cond("priority", "eq", "urgent"),
                    _cond("status", "eq", "pending_accept"),
                ],
            },
            **extra,
        },
    )


def _truth(db, user, *where) -> int:
    scope = read_scope(db, user).clause()
    return db.scalar(select(func.count()).select_from(Ticket).where(scope, *where))


def test_tech_urgent_view_counts_exactly_the_matching_tickets(build, db):
    view = _tech_urgent(build, db)
    tech = build.department("TECH")
    admin = build.user("admin")
    match = (Ticket.department_id == tech.id, Ticket.priority == "urgent")
    match = (*match, Ticket.status == "pending_accept")
    before = views_sql.count(db, admin, view)
    assert before == _truth(db, admin, *match)
    build.ticket("agent", "REPAIR", subject="VIEW-URGENT-1", priority="urgent")
    build.ticket("agent", "REPAIR", subject="VIEW-NORMAL-1", priority="normal")
    build.ticket("agent", "BILLING", subject="VIEW-FIN-URGENT", priority="urgent")
    assert views_sql.count(db, admin, view) == before + 1 == _truth(db, admin, *match)
    rows = views_sql.tickets(db, admin, view, page_size=100)
    assert len(rows) == before + 1
    assert all(
        (t.department_id, t.priority, t.status) == (tech.id, "urgent", "pending_accept")
        for t in rows
    )
    # Newest first by default.
    assert [t.created_at for t in rows] == sorted((t.created_at for t in rows), reverse=True)


def test_any_match_special_values_and_time_operators(build, db):
    tech_user = build.user("tech")
    ticket = build.ticket("tech", "REPAIR", subject="VIEW-ANY-1", priority="low")
    view = service.create(
        db,
        tech_user,
        {
            "name": "mine or low",
            "conditions": {
                "match": "any",
                "conditions": [
                    _cond("assignee_id", "eq", "me"),
                    _cond("priority", "eq", "low"),
                ],
            },
        },
    )
    assert ticket.id in {t.id for t in views_sql.tickets(db, tech_user, view, page_size=100)}
    assert views_sql.count(db, tech_user, view) == _truth(
        db, tech_user, (Ticket.assignee_id == tech_user.id) | (Ticket.priority == "low")
    )
    recent = service.create(
        db,
        tech_user,
        {
            "name": "recent in my departments",
            "conditions": {
                "conditions": [
                    _cond("department_id", "eq", "my_departments"),
                    _cond("created_at", "within_last_hours", 1),
                    _cond("subject", "contains", "view-any"),
                ]
            },
            "sort": {"field": "subject", "dir": "asc"},
        },
    )
    found = views_sql.tickets(db, tech_user, recent, page_size=100)
    assert ticket.id in {t.id for t in found}
    assert all("VIEW-ANY" in t.subject for t in found)
    overdue = service.create(
        db,
        tech_user,
        {"name": "overdue", "conditions": {"conditions": [_cond("due_at", "overdue")]}},
    )
    assert views_sql.count(db, tech_user, overdue) == _truth(
        db, tech_user, Ticket.status.in_(queues.RUNNING_STATUSES), Ticket.due_at < utcnow()
    )


def test_fin_handler_sees_only_fin_tickets_through_an_everyone_view(build, db, api, login):
    build.ticket("agent", "BILLING", subject="VIEW-SCOPE-FIN")
    build.ticket("agent", "REPAIR", subject="VIEW-SCOPE-TECH")
    everything = service.create(
        db, build.user("admin"), {"name": "全部工单", "visibility": "everyone", "conditions": {}}
    )
    fin_user = build.user("fin")
    fin_dept = build.department("FIN").id
    rows = views_sql.tickets(db, fin_user, everything, page_size=100)
    assert rows and all(t.department_id == fin_dept for t in rows)
    assert views_sql.count(db, fin_user, everything) == _truth(db, fin_user)
    assert views_sql.count(db, fin_user, everything) < views_sql.count(
        db, build.user("admin"), everything
    )
    client, headers = api("fin")
    resp = client.get(f"/api/v1/saved_view/{everything.id}/tickets?page_size=100", headers=headers)
    assert resp.status_code == 200
    assert resp.json["count"] == _truth(db, fin_user)
    assert {r["department_id"] for r in resp.json["result"]} == {fin_dept}
    page = login("fin").get(f"/savedviews/{everything.id}/").get_data(as_text=True)
    assert "VIEW-SCOPE-FIN" in page and "VIEW-SCOPE-TECH" not in page


def test_views_of_others_are_invisible(build, db, api, login):
    mine = service.create(db, build.user("tech"), {"name": "tech 的个人视图"})
    fin_dept_view = service.create(
        db,
        build.user("admin"),
        {
            "name": "财务部视图",
            "visibility": "department",
            "department_id": build.department("FIN").id,
        },
    )
    roles_view = service.create(
        db,
        build.user("admin"),
        {"name": "质检视图", "visibility": "roles", "roles": ["QA"]},
    )
    off = service.create(
        db, build.user("admin"), {"name": "停用视图", "visibility": "everyone", "active": False}
    )
    fin = build.user("fin")
    assert {v.name for v in service.visible_views(db, fin)} == {"财务部视图"}
    assert {v.name for v in service.visible_views(db, build.user("qa"))} == {"质检视图"}
    assert {v.name for v in service.visible_views(db, build.user("tech"))} == {"tech 的个人视图"}
    client, headers = api("fin")
    browser = login("fin")
    for view in (mine, roles_view, off):
        assert client.get(f"/api/v1/saved_view/{view.id}", headers=headers).status_code == 404
        resp = client.get(f"/api/v1/saved_view/{view.id}/tickets", headers=headers)
        assert resp.status_code == 404
        assert (
            client.put(
                f"/api/v1/saved_view/{view.id}", json={"name": "x"}, headers=headers
            ).status_code
            == 404
        )
        assert client.delete(f"/api/v1/saved_view/{view.id}", headers=headers).status_code == 404
        assert browser.get(f"/savedviews/{view.id}/").status_code == 404
        assert browser.get(f"/savedviewadmin/edit/{view.id}").status_code == 404
    listed = client.get("/api/v1/saved_view/", headers=headers).json
    assert [r["name"] for r in listed["result"]] == ["财务部视图"]
    # fin sees the department view but may not change it.
    assert (
        client.put(
            f"/api/v1/saved_view/{fin_dept_view.id}", json={"name": "x"}, headers=headers
        ).status_code
        == 403
    )
    assert (
        client.delete(f"/api/v1/saved_view/{fin_dept_view.id}", headers=headers).status_code == 403
    )
    assert browser.get(f"/savedviewadmin/edit/{fin_dept_view.id}").status_code == 403


def test_who_may_share_how(build, db):
    tech_id, fin_id = build.department("TECH").id, build.department("FIN").id
    agent, techlead = build.user("agent"), build.user("techlead")
    with pytest.raises(ValidationFailed) as err:
        service.create(db, agent, {"name": "x", "visibility": "everyone"})
    assert set(err.value.fields) == {"visibility"}
    with pytest.raises(ValidationFailed) as err:
        service.create(
            db, agent, {"name": "x", "visibility": "department", "department_id": tech_id}
        )
    assert set(err.value.fields) == {"visibility"}
    db.rollback()
    view = service.create(
        db, techlead, {"name": "技术部视图", "visibility": "department", "department_id": tech_id}
    )
    assert view.department_id == tech_id
    with pytest.raises(ValidationFailed) as err:
        service.create(
            db, techlead, {"name": "x", "visibility": "department", "department_id": fin_id}
        )
    assert set(err.value.fields) == {"department_id"}
    with pytest.raises(ValidationFailed) as err:
        service.create(db, techlead, {"name": "x", "visibility": "roles", "roles": ["QA"]})
    assert set(err.value.fields) == {"visibility"}
    with pytest.raises(ValidationFailed) as err:
        service.update(db, techlead, view, {"sort_order": 5, "active": False})
    assert set(err.value.fields) == {"sort_order", "active"}
    db.rollback()
    # the tech handler (a member, not a supervisor) sees it but cannot change it
    assert view in service.visible_views(db, build.user("tech"))
    assert view not in service.manageable_views(db, build.user("tech"))
    assert view in service.manageable_views(db, techlead)


def _post(client, headers, body):
    return client.post("/api/v1/saved_view/", json=body, headers=headers)


def test_every_validation_error_by_path_in_the_api(api, build):
    client, headers = api("admin")
    resp = _post(
        client,
        headers,
        {
            "name": "",
            "visibility": "roles",
            "roles": ["QA", "Nobody"],
            "conditions": {
                "match": "every",
                "extra": 1,
                "conditions": [
                    _cond("status", "gt", "pending_accept"),
                    _cond("custom.nope", "eq", "x"),
                    _cond("priority", "eq", "panic"),
                    _cond("created_at", "within_last_hours", -1),
                    _cond("due_at", "overdue", True),
                    _cond("category_id", "in", []),
                    "status",
                    {"field": "status", "op": "eq", "value": "in_progress", "x": 1},
                    _cond("urge_count", "gt", "many"),
                    _cond("department_id", "eq", "me"),
                ],
            },
            "columns": ["number", "nope", "number"],
            "sort": {"field": "nope", "dir": "up"},
            "sort_order": "first",
            "active": "yes",
            "hijack": True,
        },
    )
    assert resp.status_code == 422, resp.json
    errors = resp.json["errors"]
    assert set(errors) == {
        "name",
        "roles[1]",
        "conditions.match",
        "conditions.extra",
        "conditions.conditions[0].op",
        "conditions.conditions[1].field",
        "conditions.conditions[2].value",
        "conditions.conditions[3].value",
        "conditions.conditions[4].value",
        "conditions.conditions[5].value",
        "conditions.conditions[6]",
        "conditions.conditions[7].x",
        "conditions.conditions[8].value",
        "conditions.conditions[9].value",
        "columns[1]",
        "columns[2]",
        "sort.field",
        "sort.dir",
        "sort_order",
        "active",
        "hijack",
    }
    # Fields and operators are named by their labels, in zh.
    assert "状态" in errors["conditions.conditions[0].op"]
    for bad in (
        {"name": "x", "conditions": "status = 1"},
        {"name": "x", "conditions": {"conditions": {}}},
        {"name": "x", "visibility": "department"},
        {"name": "x", "visibility": "roles", "roles": []},
        {"name": "x", "visibility": "world"},
        {"name": "x" * 101},
        {"name": "x", "columns": "number"},
        {"name": "x", "sort": ["created_at"]},
    ):
        resp = _post(client, headers, bad)
        assert resp.status_code == 422, bad
        assert resp.json["errors"], bad
    assert client.post("/api/v1/saved_view/", data="x", headers=headers).status_code == 400


def test_every_error_key_has_a_translatable_text():
    assert set(TEXTS) == set(MESSAGES)


@pytest.fixture
def custom_fields(db):
    """A select, a multi-select and a number field, values written directly."""
    rows = [
        FieldDefinition(
            code="vw_line",
            label_zh="线路类型",
            type="select",
            options=[
                {"value": "fiber", "label": "光纤"},
                {"value": "copper", "label": "铜缆", "active": False},
            ],
            default=None,
        ),
        FieldDefinition(
            code="vw_tags",
            label_zh="标签",
            type="multiselect",
            options=[{"value": "vip", "label": "VIP"}, {"value": "repeat", "label": "重复报修"}],
            default=None,
        ),
        FieldDefinition(
            code="vw_speed", label_zh="带宽", type="integer", options=None, default=None
        ),
    ]
    db.add_all(rows)
    db.commit()
    yield {r.code: r for r in rows}
    db.rollback()
    for row in rows:
        db.delete(db.get(FieldDefinition, row.id))
    db.commit()


def _values(db, ticket, field, **value):
    db.add(FieldValue(ticket_id=ticket.id, field_id=field.id, **value))


def test_custom_field_conditions(build, db, custom_fields, api):
    line, tags, speed = (
        custom_fields["vw_line"],
        custom_fields["vw_tags"],
        custom_fields["vw_speed"],
    )
    a = build.ticket("agent", "REPAIR", subject="VIEW-CF-A")
    b = build.ticket("agent", "REPAIR", subject="VIEW-CF-B")
    c = build.ticket("agent", "REPAIR", subject="VIEW-CF-C")
    _values(db, a, line, value_text="fiber")
    _values(db, a, speed, value_number=500)
    _values(db, a, tags, value_text="vip")
    _values(db, a, tags, value_text="repeat")
    _values(db, b, line, value_text="copper")
    _values(db, b, speed, value_number=100)
    _values(db, b, tags, value_text="repeat")
    db.commit()
    admin = build.user("admin")

    def ids(*conditions, match="all", sort=None):
        view = service.create(
            db,
            admin,
            {
                "name": "cf",
                "conditions": {
                    "match": match,
                    "conditions": [*conditions]
                    if match == "any"
                    else [_cond("subject", "contains", "VIEW-CF-"), *conditions],
                },
                "sort": sort,
                "columns": ["number", "custom.vw_line", "custom.vw_tags", "custom.vw_speed"],
            },
        )
        found = [t.id for t in views_sql.tickets(db, admin, view, page_size=100)]
        if match == "any":  # the any-view reaches beyond our tickets: look at ours only
            return [i for i in found if i in (a.id, b.id, c.id)]
        assert views_sql.count(db, admin, view) == len(found)
        return found

    assert set(ids(_cond("custom.vw_line", "eq", "fiber"))) == {a.id}
    assert set(ids(_cond("custom.vw_line", "eq", "copper"))) == {b.id}  # a retired option
    assert set(ids(_cond("custom.vw_line", "ne", "fiber"))) == {b.id, c.id}
    assert set(ids(_cond("custom.vw_line", "is_empty"))) == {c.id}
    assert set(ids(_cond("custom.vw_line", "is_not_empty"))) == {a.id, b.id}
    assert set(ids(_cond("custom.vw_speed", "gt", 200))) == {a.id}
    assert set(ids(_cond("custom.vw_speed", "lte", 100))) == {b.id}
    assert set(ids(_cond("custom.vw_speed", "in", [100, 500]))) == {a.id, b.id}
    assert set(ids(_cond("custom.vw_tags", "eq", "vip"))) == {a.id}
    assert set(ids(_cond("custom.vw_tags", "in", ["vip", "repeat"]))) == {a.id, b.id}
    assert set(ids(_cond("custom.vw_tags", "not_in", ["vip"]))) == {b.id, c.id}
    assert set(
        ids(_cond("custom.vw_speed", "gt", 200), _cond("custom.vw_tags", "eq", "repeat"))
    ) == {a.id}
    assert set(
        ids(
            _cond("custom.vw_speed", "gt", 200),
            _cond("custom.vw_line", "eq", "copper"),
            match="any",
        )
    ) == {a.id, b.id}
    # Sorted by a custom field (empty values last).
    assert ids(sort={"field": "custom.vw_speed", "dir": "desc"}) == [a.id, b.id, c.id]
    assert ids(sort={"field": "custom.vw_speed", "dir": "asc"}) == [b.id, a.id, c.id]
    # A value outside the options is refused, with its path.
    with pytest.raises(ValidationFailed) as err:
        service.create(
            db,
            admin,
            {"name": "x", "conditions": {"conditions": [_cond("custom.vw_tags", "eq", "gold")]}},
        )
    assert set(err.value.fields) == {"conditions.conditions[0].value"}
    db.rollback()
    # The API returns the view's custom columns.
    ids()
    view = db.scalars(
        select(SavedView).where(SavedView.name == "cf").order_by(SavedView.id.desc())
    ).first()
    client, headers = api("admin")
    body = client.get(f"/api/v1/saved_view/{view.id}/tickets?page_size=100", headers=headers).json
    by_id = {r["id"]: r for r in body["result"]}
    assert by_id[a.id]["custom_fields"] == {
        "vw_line": "fiber",
        "vw_tags": ["vip", "repeat"],
        "vw_speed": 500,
    }
    assert by_id[c.id]["custom_fields"] == {"vw_line": None, "vw_tags": [], "vw_speed": None}


def test_api_create_read_update_delete(api, build, db):
    client, headers = api("admin")
    tech = build.department("TECH")
    body = {
        "name": TECH_URGENT,
        "visibility": "everyone",
        "conditions": {
            "match": "all",
            "conditions": [
                _cond("department_id", "eq", tech.id),
                _cond("priority", "eq", "urgent"),
                _cond("status", "eq", "pending_accept"),
            ],
        },
        "columns": ["number", "subject", "assignee_id"],
        "sort": {"field": "created_at", "dir": "asc"},
    }
    resp = _post(client, headers, body)
    assert resp.status_code == 201, resp.json
    pk = resp.json["id"]
    shown = client.get(f"/api/v1/saved_view/{pk}", headers=headers).json["result"]
    assert shown["conditions"] == body["conditions"]
    assert shown["columns"] == body["columns"]
    assert "owner" not in shown and "password" not in str(shown)
    listed = client.get("/api/v1/saved_view/", headers=headers).json
    assert pk in listed["ids"]
    resp = client.put(
        f"/api/v1/saved_view/{pk}", json={"name": "改名", "sort_order": 3}, headers=headers
    )
    assert resp.status_code == 200 and resp.json["result"]["name"] == "改名"
    assert resp.json["result"]["conditions"] == body["conditions"]  # kept
    resp = client.put(
        f"/api/v1/saved_view/{pk}",
        json={"conditions": {"conditions": [_cond("status", "gt", 1)]}},
        headers=headers,
    )
    assert resp.status_code == 422
    assert list(resp.json["errors"]) == ["conditions.conditions[0].op"]
    tickets = client.get(f"/api/v1/saved_view/{pk}/tickets", headers=headers).json
    admin = build.user("admin")
    assert tickets["count"] == _truth(
        db,
        admin,
        Ticket.department_id == tech.id,
        Ticket.priority == "urgent",
        Ticket.status == "pending_accept",
    )
    assert tickets["columns"] == ["number", "subject", "assignee_id"]
    assert client.get(f"/api/v1/saved_view/{pk}/tickets?page=x", headers=headers).status_code == 400
    assert client.delete(f"/api/v1/saved_view/{pk}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/saved_view/{pk}", headers=headers).status_code == 404
    # Anyone keeps personal views through the API too.
    agent, agent_headers = api("agent")
    resp = _post(agent, agent_headers, {"name": "我的视图", "conditions": {}})
    assert resp.status_code == 201 and resp.json["result"]["visibility"] == "personal"
    assert _post(agent, agent_headers, {"name": "x", "visibility": "everyone"}).status_code == 422


def test_openapi_documents_the_condition_format(api):
    client, headers = api("admin")
    spec = client.get("/api/v1/_openapi", headers=headers).json
    post = spec["paths"]["/api/v1/saved_view/"]["post"]
    assert "within_last_hours" in post["description"]
    assert "/api/v1/saved_view/{pk}/tickets" in spec["paths"]


def test_views_page_menu_and_ticket_list(build, db, login):
    view = _tech_urgent(build, db, columns=["number", "subject", "priority"])
    build.ticket("agent", "REPAIR", subject="VIEW-PAGE-URGENT", priority="urgent")
    expected = views_sql.count(db, build.user("techlead"), view)
    client = login("techlead")
    page = client.get("/savedviews/").get_data(as_text=True)
    assert TECH_URGENT in page
    assert re.search(rf'data-view="{view.id}".*?view-count">{expected}<', page, re.S)
    # The menu lists the view with the same count.
    assert re.search(
        rf'href="/savedviews/{view.id}/">.*?{TECH_URGENT}.*?<span class="badge">{expected}</span>',
        page,
        re.S,
    )
    listing = client.get(f"/savedviews/{view.id}/").get_data(as_text=True)
    assert "VIEW-PAGE-URGENT" in listing
    assert f'<span class="badge" id="view-total">{expected}</span>' in listing
    assert len(re.findall(r"data-ticket=", listing)) == min(expected, views_sql.PAGE_SIZE)
    headers = re.findall(r"<th>(.*?)</th>", listing)
    assert headers == ["工单编号", "标题", "优先级"]
    assert "紧急" in listing  # labels, not codes
    # The summary reads as words.
    assert "技术支持部" in listing and "待签收" in listing


def test_management_screen_validates_and_saves(build, db, login):
    client = login("techlead")
    resp = client.post(
        "/savedviewadmin/add",
        data={
            "name": "",
            "visibility": "department",
            "department_id": str(build.department("FIN").id),
            "conditions": '{"match": "all", "conditions": [{"field": "status", "op": "gt", '
            '"value": "x"}, {"field": "custom.nope", "op": "eq", "value": 1}]}',
            "columns": "number, nope",
            "sort_field": "",
        },
    )
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    assert 'data-path="name"' in page and 'data-path="department_id"' in page
    assert 'data-path="columns[1]"' in page
    assert "<code>conditions.conditions[0].op</code>" in page
    assert "<code>conditions.conditions[1].field</code>" in page
    assert db.scalar(select(func.count()).select_from(SavedView)) == 0
    bad_json = client.post("/savedviewadmin/add", data={"name": "x", "conditions": "{oops"})
    assert "<code>conditions</code>" in bad_json.get_data(as_text=True)
    tech = build.department("TECH").id
    resp = client.post(
        "/savedviewadmin/add",
        data={
            "name": TECH_URGENT,
            "visibility": "department",
            "department_id": str(tech),
            "conditions": '{"match": "all", "conditions": ['
            f'{{"field": "department_id", "op": "eq", "value": {tech}}},'
            '{"field": "priority", "op": "eq", "value": "urgent"},'
            '{"field": "status", "op": "eq", "value": "pending_accept"}]}',
            "columns": "number, subject",
            "sort_field": "created_at",
            "sort_dir": "asc",
        },
    )
    assert resp.status_code == 302
    view = db.scalars(select(SavedView).where(SavedView.name == TECH_URGENT)).one()
    assert (view.visibility, view.department_id, view.columns) == (
        "department",
        tech,
        ["number", "subject"],
    )
    assert view.sort == {"field": "created_at", "dir": "asc"}
    manage = client.get("/savedviewadmin/").get_data(as_text=True)
    assert TECH_URGENT in manage and "紧急" in manage
    edit = client.get(f"/savedviewadmin/edit/{view.id}").get_data(as_text=True)
    assert "pending_accept" in edit and 'id="condition-summary"' in edit
    # tech (a member) cannot edit or delete it; techlead can delete it.
    tech_client = login("tech")
    assert tech_client.post(f"/savedviewadmin/delete/{view.id}").status_code == 403
    assert client.post(f"/savedviewadmin/delete/{view.id}").status_code == 302
    assert db.scalar(select(func.count()).select_from(SavedView)) == 0


def test_admin_reorders_and_switches_off(build, db, login):
    admin = build.user("admin")
    first = service.create(db, admin, {"name": "甲", "visibility": "everyone", "sort_order": 1})
    second = service.create(db, admin, {"name": "乙", "visibility": "everyone", "sort_order": 2})
    assert [v.name for v in service.visible_views(db, build.user("agent"))] == ["甲", "乙"]
    client = login("admin")
    resp = client.post(
        "/savedviewadmin/order",
        data={
            f"sort_order_{first.id}": "5",
            f"active_{first.id}": "y",
            f"sort_order_{second.id}": "1",
        },
    )
    assert resp.status_code == 302
    db.expire_all()
    assert [v.name for v in service.visible_views(db, build.user("agent"))] == ["甲"]
    assert db.get(SavedView, second.id).active is False
    # Non-admins may not reorder.
    login("techlead").post("/savedviewadmin/order", data={f"sort_order_{first.id}": "9"})
    db.expire_all()
    assert db.get(SavedView, first.id).sort_order == 5


def test_a_view_left_invalid_by_a_deleted_field_fails_softly(build, db, login, api):
    field = FieldDefinition(code="vw_gone", label_zh="将删除", type="text", options=None)
    db.add(field)
    db.commit()
    view = service.create(
        db,
        build.user("admin"),
        {
            "name": "依赖已删字段",
            "visibility": "everyone",
            "conditions": {"conditions": [_cond("custom.vw_gone", "eq", "x")]},
        },
    )
    db.delete(field)
    db.commit()
    client = login("agent")
    assert "依赖已删字段" in client.get("/savedviews/").get_data(as_text=True)
    assert client.get(f"/savedviews/{view.id}/").status_code == 200
    rest, headers = api("agent")
    assert rest.get(f"/api/v1/saved_view/{view.id}/tickets", headers=headers).status_code == 422


def test_tech_reaches_no_fin_ticket_through_any_view_route(app, build, db, login, api):
    """The isolation matrix over the view routes, with views that exist: an everyone view
    (tech sees it, scoped), a FIN department view and fin's personal view (tech must not)."""
    secret = "VIEW-FIN-SECRET-5521"
    fin_ticket = build.ticket("fin", "BILLING", subject=secret, priority="urgent")
    admin, fin = build.user("admin"), build.user("fin")
    views = [
        service.create(db, admin, {"name": "所有人", "visibility": "everyone"}),
        service.create(
            db,
            admin,
            {
                "name": f"{secret} dept",
                "visibility": "department",
                "department_id": build.department("FIN").id,
            },
        ),
        service.create(db, fin, {"name": f"{secret} personal"}),
    ]
    browser, (jwt, headers) = login("tech"), api("tech")
    rules = [
        r
        for r in app.url_map.iter_rules()
        if r.rule.startswith(("/savedview", "/api/v1/saved_view"))
    ]
    assert len(rules) >= 8
    checked = 0
    for rule in rules:
        for view in views:
            url = re.sub(r"<[^>]+>", str(view.id), rule.rule)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                for client, extra in ((browser, {}), (jwt, {"headers": headers})):
                    kwargs = dict(extra)
                    if method in {"POST", "PUT"}:
                        if "/api/" in url:
                            kwargs["json"] = {"name": "hijacked", "visibility": "everyone"}
                        else:
                            kwargs["data"] = {"name": "hijacked", "conditions": "{}"}
                    resp = client.open(url, method=method, **kwargs)
                    body = resp.get_data(as_text=True)
                    assert secret not in body, f"{method} {url} leaked ({resp.status_code})"
                    assert resp.status_code < 500, f"{method} {url}: {resp.status_code}"
                    checked += 1
    assert checked > 50
    db.expire_all()
    assert [db.get(SavedView, v.id).name for v in views[1:]] == [
        f"{secret} dept",
        f"{secret} personal",
    ]
    assert db.get(Ticket, fin_ticket.id).subject == secret
    assert all(v.visibility == "personal" for v in service.manageable_views(db, build.user("tech")))
