"""Canned replies (预设回复): applied through the one door, all or nothing; scoped; validated.

The demo has TECH (tech: handler, techlead: supervisor), FIN (fin) and CC (agent,
dispatcher); REPAIR tickets go to TECH's 待签收 queue, BILLING ones to FIN's.
"""

from __future__ import annotations

import itertools
import re

import pytest
from sqlalchemy import func, select

from plugins.tickets.models import (
    CannedReply,
    Comment,
    FieldDefinition,
    Ticket,
    TicketEvent,
)
from plugins.tickets.services import canned_replies as service
from plugins.tickets.services.placeholders import render, unknown_names

_n = itertools.count(1)
ACCEPT_BODY = "您好{客户姓名}，工单{工单编号}（{分类}）已由{部门}的{坐席姓名}受理。"


def _title(base: str) -> str:
    return f"{base} #{next(_n)}"


def _reply(build, db, username="admin", **values) -> CannedReply:
    values.setdefault("title", _title("回复"))
    values.setdefault("body", "您好，已收到。")
    return service.create_reply(db, build.user(username), values)


@pytest.fixture
def accept_reply(build, db) -> CannedReply:
    """我来受理: a TECH department reply that accepts (签收 assigns the actor)."""
    return _reply(
        build,
        db,
        "techlead",
        title=_title("我来受理"),
        body=ACCEPT_BODY,
        scope="department",
        department_id=build.department("TECH").id,
        changes={"action": {"name": "accept", "params": {}}, "public": True},
    )


def _reload(db, model, pk):
    db.expire_all()
    return db.get(model, pk)


def _snapshot(db, ticket_id: int, reply_id: int | None = None) -> dict:
    db.expire_all()
    t = db.get(Ticket, ticket_id)
    count = lambda model: db.scalar(  # noqa: E731
        select(func.count()).select_from(model).where(model.ticket_id == ticket_id)
    )
    return {
        "row": (t.status, t.assignee_id, t.priority, t.department_id, t.version),
        "comments": count(Comment),
        "events": count(TicketEvent),
        "usage": db.get(CannedReply, reply_id).usage_count if reply_id else None,
    }


def _apply(api, username, ticket, reply, version=None, **extra):
    client, headers = api(username)
    return client.post(
        f"/api/v1/ticket/{ticket.id}/canned_replies/{reply.id}",
        json={"version": ticket.version if version is None else version, **extra},
        headers=headers,
    )


# -- applying ----------------------------------------------------------------------------


def test_accept_reply_accepts_assigns_and_posts_the_rendered_body(api, build, db, accept_reply):
    customer = build.customer(name="李雷")
    ticket = build.ticket("agent", "REPAIR", customer_id=customer.id)
    assert ticket.status == "pending_accept"
    resp = _apply(api, "tech", ticket, accept_reply)
    assert resp.status_code == 200, resp.json
    assert resp.json["result"]["status"] == "in_progress"
    t = _reload(db, Ticket, ticket.id)
    tech = build.user("tech")
    assert t.status == "in_progress" and t.assignee_id == tech.id
    comment = db.get(Comment, resp.json["comment_id"])
    assert comment.is_public and comment.author_id == tech.id
    assert comment.body == f"您好李雷，工单{t.number}（故障报修）已由技术支持部的技术 张伟受理。"
    actions = [
        e.action
        for e in db.scalars(
            select(TicketEvent).where(TicketEvent.ticket_id == t.id).order_by(TicketEvent.id)
        )
    ]
    assert actions == ["create", "reply", "accept"]
    assert _reload(db, CannedReply, accept_reply.id).usage_count == 1


def test_reply_on_a_ticket_out_of_scope_is_404_and_changes_nothing(api, build, db, accept_reply):
    fin_ticket = build.ticket("fin", "BILLING")
    before = _snapshot(db, fin_ticket.id, accept_reply.id)
    assert _apply(api, "tech", fin_ticket, accept_reply).status_code == 404
    # fin sees the ticket but is not a TECH member: the reply is not theirs to use.
    assert _apply(api, "fin", fin_ticket, accept_reply).status_code == 404
    assert _snapshot(db, fin_ticket.id, accept_reply.id) == before


def test_action_not_allowed_in_the_state_is_409_and_posts_nothing(api, build, db, accept_reply):
    ticket = build.ticket("agent", "REPAIR")
    assert _apply(api, "tech", ticket, accept_reply).status_code == 200
    ticket = _reload(db, Ticket, ticket.id)
    before = _snapshot(db, ticket.id, accept_reply.id)
    resp = _apply(api, "techlead", ticket, accept_reply)  # already 处理中
    assert resp.status_code == 409, resp.json
    assert _snapshot(db, ticket.id, accept_reply.id) == before


def test_duty_refusal_is_403_and_rolls_back_the_comment(api, build, db):
    reply = _reply(
        build,
        db,
        title=_title("全员受理"),
        scope="everyone",
        changes={"action": {"name": "accept", "params": {}}, "priority": "high"},
    )
    ticket = build.ticket("agent", "REPAIR")  # the agent's own intake, in TECH
    before = _snapshot(db, ticket.id, reply.id)
    resp = _apply(api, "agent", ticket, reply)  # an agent has no handler duty in TECH
    assert resp.status_code == 403, resp.json
    assert _snapshot(db, ticket.id, reply.id) == before


def test_stale_version_is_409(api, build, db, accept_reply):
    ticket = build.ticket("agent", "REPAIR")
    before = _snapshot(db, ticket.id, accept_reply.id)
    resp = _apply(api, "tech", ticket, accept_reply, version=ticket.version - 1)
    assert resp.status_code == 409
    resp = _apply(api, "tech", ticket, accept_reply, version="x")
    assert resp.status_code == 422 and "version" in resp.json["errors"]
    assert _snapshot(db, ticket.id, accept_reply.id) == before


def test_priority_and_note_without_action(api, build, db):
    reply = _reply(
        build,
        db,
        "tech",
        title=_title("加急"),
        body="已加急：{ticket.subject}",
        changes={"priority": "urgent", "public": False},
    )
    ticket = build.ticket("agent", "REPAIR", subject="光猫红灯")
    resp = _apply(api, "tech", ticket, reply)
    assert resp.status_code == 200, resp.json
    t = _reload(db, Ticket, ticket.id)
    assert t.priority == "urgent" and t.status == "pending_accept"
    comment = db.get(Comment, resp.json["comment_id"])
    assert comment.body == "已加急：光猫红灯" and not comment.is_public
    events = db.scalars(
        select(TicketEvent).where(TicketEvent.ticket_id == t.id).order_by(TicketEvent.id)
    ).all()
    assert [e.action for e in events] == ["create", "edit", "note"]
    assert events[1].changes["priority"] == ["normal", "urgent"]


def test_edited_text_is_posted_as_typed(api, build, db, accept_reply):
    ticket = build.ticket("agent", "REPAIR")
    resp = _apply(api, "tech", ticket, accept_reply, body="改过的文字 {工单编号}")
    assert resp.status_code == 200
    assert db.get(Comment, resp.json["comment_id"]).body == "改过的文字 {工单编号}"
    resp = _apply(api, "tech", ticket, accept_reply, body=5)
    assert resp.status_code == 422


def test_read_only_roles_cannot_apply(api, build, db):
    reply = _reply(build, db, title=_title("全员"), scope="everyone")
    ticket = build.ticket("agent", "REPAIR")
    before = _snapshot(db, ticket.id, reply.id)
    assert _apply(api, "qa", ticket, reply).status_code == 403
    assert _snapshot(db, ticket.id, reply.id) == before


def test_inactive_reply_cannot_be_applied(api, build, db):
    reply = _reply(build, db, title=_title("停用"), scope="everyone", active=False)
    ticket = build.ticket("agent", "REPAIR")
    assert _apply(api, "tech", ticket, reply).status_code == 404


# -- preview -----------------------------------------------------------------------------


def test_preview_renders_and_describes_without_changing(api, build, db, accept_reply):
    ticket = build.ticket("agent", "REPAIR")
    before = _snapshot(db, ticket.id, accept_reply.id)
    client, headers = api("tech")
    resp = client.get(
        f"/api/v1/ticket/{ticket.id}/canned_replies/{accept_reply.id}/preview", headers=headers
    )
    assert resp.status_code == 200, resp.json
    result = resp.json["result"]
    assert ticket.number in result["body"] and "技术 张伟" in result["body"]
    assert result["public"] is True and result["problems"] == []
    assert {"what": "流程操作", "how": "签收"} in result["changes"]
    assert result["version"] == ticket.version
    assert _snapshot(db, ticket.id, accept_reply.id) == before
    # The techlead may preview too, but a FIN ticket is not found for tech.
    fin_ticket = build.ticket("fin", "BILLING")
    resp = client.get(
        f"/api/v1/ticket/{fin_ticket.id}/canned_replies/{accept_reply.id}/preview",
        headers=headers,
    )
    assert resp.status_code == 404


def test_preview_tells_when_the_action_is_not_possible(api, build, db, accept_reply):
    ticket = build.ticket("agent", "REPAIR")
    assert _apply(api, "tech", ticket, accept_reply).status_code == 200
    client, headers = api("tech")
    resp = client.get(
        f"/api/v1/ticket/{ticket.id}/canned_replies/{accept_reply.id}/preview", headers=headers
    )
    assert resp.status_code == 200 and len(resp.json["result"]["problems"]) == 1


# -- scoping -----------------------------------------------------------------------------


def test_who_sees_which_replies(api, build, db, accept_reply):
    mine = _reply(build, db, "tech", title=_title("tech 的私人回复"))
    others = _reply(build, db, "fin", title=_title("fin 的私人回复"))
    fin_dept = _reply(
        build,
        db,
        title=_title("财务回复"),
        scope="department",
        department_id=build.department("FIN").id,
    )
    shared = _reply(build, db, title=_title("全员回复"), scope="everyone")
    tech = build.user("tech")
    seen = {r.id for r in service.visible_replies(db, tech)}
    assert {mine.id, accept_reply.id, shared.id} <= seen
    assert not {others.id, fin_dept.id} & seen
    fin_seen = {r.id for r in service.visible_replies(db, build.user("fin"))}
    assert {others.id, fin_dept.id, shared.id} <= fin_seen
    assert not {mine.id, accept_reply.id} & fin_seen
    # A dispatcher sees every ticket but is no TECH member: no TECH replies.
    ticket = build.ticket("agent", "REPAIR")
    disp_seen = {r.id for r in service.visible_replies(db, build.user("dispatcher"), ticket)}
    assert accept_reply.id not in disp_seen and shared.id in disp_seen

    client, headers = api("tech")
    listed = client.get("/api/v1/canned_reply/?q=(page_size:100)", headers=headers).json
    ids = {row["id"] for row in listed["result"]}
    assert {mine.id, accept_reply.id, shared.id} <= ids and not {others.id, fin_dept.id} & ids
    assert client.get(f"/api/v1/canned_reply/{others.id}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/canned_reply/{fin_dept.id}", headers=headers).status_code == 404
    resp = client.get(f"/api/v1/ticket/{ticket.id}/canned_replies", headers=headers)
    on_ticket = {row["id"] for row in resp.json["result"]}
    assert {mine.id, accept_reply.id, shared.id} <= on_ticket
    assert not {others.id, fin_dept.id} & on_ticket
    # Applying someone else's personal reply: not found, nothing changes.
    before = _snapshot(db, ticket.id, others.id)
    assert _apply(api, "tech", ticket, others).status_code == 404
    assert _snapshot(db, ticket.id, others.id) == before
    # An admin manages everything, including personal replies.
    client, headers = api("admin")
    assert client.get(f"/api/v1/canned_reply/{others.id}", headers=headers).status_code == 200


def test_who_manages_which_replies(api, build, db, accept_reply):
    tech_own = _reply(build, db, "tech", title=_title("tech 自己的"))
    shared = _reply(build, db, title=_title("全员"), scope="everyone")
    tech, headers = api("tech")
    lead, lead_headers = api("techlead")
    # Readers may not change or delete what they do not manage.
    for client, hdrs, reply in (
        (tech, headers, accept_reply),
        (tech, headers, shared),
        (lead, lead_headers, shared),
    ):
        url = f"/api/v1/canned_reply/{reply.id}"
        assert client.put(url, json={"title": "x"}, headers=hdrs).status_code == 403
        assert client.delete(url, headers=hdrs).status_code == 403
    # Personal replies of others are not even found.
    url = f"/api/v1/canned_reply/{tech_own.id}"
    assert lead.put(url, json={"title": "x"}, headers=lead_headers).status_code == 404
    # The supervisor manages TECH's replies; the owner their own.
    resp = lead.put(
        f"/api/v1/canned_reply/{accept_reply.id}",
        json={"sort_order": 5},
        headers=lead_headers,
    )
    assert resp.status_code == 200 and resp.json["result"]["sort_order"] == 5
    assert tech.put(url, json={"title": "新标题"}, headers=headers).status_code == 200
    # ...but may not move them somewhere they do not manage.
    resp = tech.put(url, json={"scope": "everyone"}, headers=headers)
    assert resp.status_code == 422 and set(resp.json["errors"]) == {"scope"}
    resp = lead.put(
        f"/api/v1/canned_reply/{accept_reply.id}",
        json={"department_id": build.department("FIN").id},
        headers=lead_headers,
    )
    assert resp.status_code == 422 and set(resp.json["errors"]) == {"department_id"}
    assert _reload(db, CannedReply, accept_reply.id).department_id == build.department("TECH").id
    own_id = tech_own.id
    assert tech.delete(url, headers=headers).status_code == 200
    assert _reload(db, CannedReply, own_id) is None


def test_create_scope_rules(api, build, db):
    tech, headers = api("tech")
    lead, lead_headers = api("techlead")
    tech_dept, fin_dept = build.department("TECH").id, build.department("FIN").id
    resp = tech.post(
        "/api/v1/canned_reply/",
        json={"title": "部门", "body": "x", "scope": "department", "department_id": tech_dept},
        headers=headers,
    )
    assert resp.status_code == 422 and set(resp.json["errors"]) == {"department_id"}
    resp = lead.post(
        "/api/v1/canned_reply/",
        json={"title": "部门", "body": "x", "scope": "department", "department_id": fin_dept},
        headers=lead_headers,
    )
    assert resp.status_code == 422 and set(resp.json["errors"]) == {"department_id"}
    resp = lead.post(
        "/api/v1/canned_reply/",
        json={"title": "部门", "body": "x", "scope": "department", "department_id": tech_dept},
        headers=lead_headers,
    )
    assert resp.status_code == 201, resp.json
    result = resp.json["result"]
    assert result["owner"] == {"username": "techlead"} and result["usage_count"] == 0
    resp = lead.post(
        "/api/v1/canned_reply/", json={"title": "全员", "scope": "everyone"}, headers=lead_headers
    )
    assert resp.status_code == 422 and "scope" in resp.json["errors"]
    client, admin_headers = api("admin")
    resp = client.post(
        "/api/v1/canned_reply/",
        json={"title": "全员", "body": "您好", "scope": "everyone"},
        headers=admin_headers,
    )
    assert resp.status_code == 201


# -- validation --------------------------------------------------------------------------

BAD = [
    ({"title": None}, "title"),
    ({"title": " "}, "title"),
    ({"title": "x" * 101}, "title"),
    ({"body": 5}, "body"),
    ({"body": "您好 {客户名字}"}, "body"),
    ({"body": "{field.no_such_field}"}, "body"),
    ({"body": ""}, "body"),  # no text and no change: nothing to do
    ({"scope": "world"}, "scope"),
    ({"scope": "department"}, "department_id"),
    ({"scope": "department", "department_id": 99999}, "department_id"),
    ({"active": "yes"}, "active"),
    ({"sort_order": "1"}, "sort_order"),
    ({"owner_id": 1}, "owner_id"),
    ({"usage_count": 9}, "usage_count"),
    ({"changes": []}, "changes"),
    ({"changes": {"status": "closed"}}, "changes"),
    ({"changes": {"priority": "asap"}}, "changes.priority"),
    ({"changes": {"custom_fields": ["a"]}}, "changes.custom_fields"),
    ({"changes": {"custom_fields": {"no_such_field": 1}}}, "changes.custom_fields.no_such_field"),
    ({"changes": {"action": "accept"}}, "changes.action"),
    ({"changes": {"action": {"name": "fly"}}}, "changes.action"),
    ({"changes": {"action": {"name": "accept", "params": []}}}, "changes.action.params"),
    ({"changes": {"action": {"name": "accept", "params": {"x": 1}}}}, "changes.action.params.x"),
    (
        {"changes": {"action": {"name": "transfer", "params": {"reason": "转"}}}},
        "changes.action.params.department_id",
    ),
    (
        {
            "changes": {
                "action": {"name": "transfer", "params": {"department_id": 99999, "reason": "转"}}
            }
        },
        "changes.action.params.department_id",
    ),
    ({"changes": {"public": "yes"}}, "changes.public"),
]


@pytest.mark.parametrize(("values", "key"), BAD, ids=[key for _v, key in BAD])
def test_every_validation_error_is_422_on_its_field_and_saves_nothing(api, db, values, key):
    client, headers = api("admin")
    count = db.scalar(select(func.count()).select_from(CannedReply))
    body = {"title": "校验", "body": "您好", **values}
    resp = client.post("/api/v1/canned_reply/", json=body, headers=headers)
    assert resp.status_code == 422, resp.json
    assert key in resp.json["errors"], resp.json
    assert db.scalar(select(func.count()).select_from(CannedReply)) == count


def test_all_errors_at_once_in_chinese(api):
    client, headers = api("admin")
    resp = client.post(
        "/api/v1/canned_reply/",
        json={"title": "", "scope": "x", "changes": {"priority": "x", "public": 1}},
        headers=headers,
    )
    assert resp.status_code == 422
    assert {"title", "scope", "changes.priority", "changes.public"} <= set(resp.json["errors"])
    assert resp.json["message"] == "请改正以下错误。"
    assert resp.json["errors"]["title"] == "请填写标题。"
    assert resp.json["errors"]["changes.priority"] == "选项无效。"


def test_not_json_is_400(api):
    client, headers = api("admin")
    resp = client.post("/api/v1/canned_reply/", data="x", headers=headers)
    assert resp.status_code == 400


# -- placeholders --------------------------------------------------------------------------


def test_renderer_is_not_str_format():
    values = {"ticket.number": "GD1", "customer.name": "{部门}", "department": "TECH"}
    assert render("{工单编号} {ticket.number}", values) == "GD1 GD1"
    # Inserted values are not scanned again; unknown names and format tricks stay as typed.
    assert render("{客户姓名}", values) == "{部门}"
    assert render("{ticket.__class__} {0} {0:>99} {} {{x}}", values) == (
        "{ticket.__class__} {0} {0:>99} {} {{x}}"
    )
    assert unknown_names("{工单编号}{field.a}{field.b}{x}", ["a"]) == ["field.b", "x"]


@pytest.fixture
def fault_field(db, build):
    """A select field on 故障报修, not required, removed from the category afterwards."""
    row = FieldDefinition(
        code="cr_fault",
        label_zh="故障类型",
        label_en="Fault",
        type="select",
        required="never",
        options=[{"value": "optical", "label": "光猫故障"}, {"value": "line", "label": "线路故障"}],
        default=None,
        active=True,
        categories=[build.category("REPAIR")],
    )
    db.add(row)
    db.commit()
    yield row
    db.delete(row)
    db.commit()


def test_custom_field_change_and_placeholder(api, build, db, fault_field):
    reply = _reply(
        build,
        db,
        "tech",
        title=_title("光猫"),
        body="故障类型：{field.cr_fault}",
        changes={"custom_fields": {"cr_fault": "optical"}, "public": True},
    )
    ticket = build.ticket("agent", "REPAIR")
    client, headers = api("tech")
    preview = client.get(
        f"/api/v1/ticket/{ticket.id}/canned_replies/{reply.id}/preview", headers=headers
    ).json["result"]
    assert preview["body"] == "故障类型：光猫故障"
    assert {"what": "故障类型", "how": "光猫故障"} in preview["changes"]
    resp = _apply(api, "tech", ticket, reply)
    assert resp.status_code == 200, resp.json
    assert resp.json["result"]["custom_fields"] == {"cr_fault": "optical"}
    assert db.get(Comment, resp.json["comment_id"]).body == "故障类型：光猫故障"
    edit = db.scalar(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket.id, TicketEvent.action == "edit")
    )
    assert edit.changes == {"custom.cr_fault": ["", "光猫故障"]}
    # A bad value is refused when saved.
    resp = client.post(
        "/api/v1/canned_reply/",
        json={"title": "坏值", "changes": {"custom_fields": {"cr_fault": "fire"}}},
        headers=headers,
    )
    assert resp.status_code == 422 and "changes.custom_fields.cr_fault" in resp.json["errors"]


def test_custom_field_outside_the_category_refuses_the_whole_reply(api, build, db, fault_field):
    reply = _reply(
        build,
        db,
        title=_title("光猫"),
        scope="everyone",
        body="已登记",
        changes={"custom_fields": {"cr_fault": "line"}, "priority": "high"},
    )
    ticket = build.ticket("fin", "BILLING")
    before = _snapshot(db, ticket.id, reply.id)
    resp = _apply(api, "fin", ticket, reply)
    assert resp.status_code == 422 and "custom_fields.cr_fault" in resp.json["errors"]
    assert _snapshot(db, ticket.id, reply.id) == before


# -- screens -------------------------------------------------------------------------------


def test_ticket_page_panel_preview_and_apply(login, build, db, accept_reply):
    others = _reply(build, db, "fin", title=_title("fin 私人"))
    ticket = build.ticket("agent", "REPAIR")
    client = login("tech")
    page = client.get(f"/ticketview/show/{ticket.id}").get_data(as_text=True)
    assert 'id="canned-replies"' in page and accept_reply.title in page
    assert others.title not in page
    resp = client.get(f"/ticketview/reply_preview/{ticket.id}?reply_id={accept_reply.id}")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and ticket.number in html and "签收" in html
    assert f'name="version" value="{ticket.version}"' in html
    # Someone else's personal reply: back to the ticket with a message.
    resp = client.get(f"/ticketview/reply_preview/{ticket.id}?reply_id={others.id}")
    assert resp.status_code == 302
    before = _snapshot(db, ticket.id, accept_reply.id)
    resp = client.post(
        f"/ticketview/reply_apply/{ticket.id}/{accept_reply.id}",
        data={"version": str(ticket.version - 1), "body": "x"},
    )
    assert resp.status_code == 302 and _snapshot(db, ticket.id, accept_reply.id) == before
    resp = client.post(
        f"/ticketview/reply_apply/{ticket.id}/{accept_reply.id}",
        data={"version": str(ticket.version), "body": "马上处理"},
        follow_redirects=True,
    )
    assert resp.status_code == 200
    t = _reload(db, Ticket, ticket.id)
    assert t.status == "in_progress" and t.assignee_id == build.user("tech").id
    assert db.scalar(select(Comment).where(Comment.ticket_id == t.id)).body == "马上处理"


def _field_error(html: str, name: str) -> str:
    """The error shown in the form cell of field `name` ('' when none)."""
    cell = re.search(rf'name="{name}".*?</td>', html, re.S)
    assert cell, name
    found = re.search(r'alert-danger">\s*(.*?)\s*</div>', cell.group(0), re.S)
    return found.group(1).strip() if found else ""


def test_management_screen_errors_per_field_and_saves_nothing(login, db):
    client = login("techlead")
    count = db.scalar(select(func.count()).select_from(CannedReply))
    resp = client.post(
        "/cannedreplyview/add",
        data={
            "title": "",
            "body": "{没有这个}",
            "scope": "everyone",
            "department_id": "",
            "priority": "",
            "action": "transfer",
            "params": "{not json",
            "custom_fields": '{"nope": 1}',
            "sort_order": "0",
        },
    )
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert _field_error(html, "title") == "请填写标题。"
    assert "{没有这个}" in _field_error(html, "body")
    assert _field_error(html, "scope")  # only admins share with everyone
    assert _field_error(html, "params") and "必填" not in _field_error(html, "params")
    assert _field_error(html, "custom_fields").startswith("nope: ")
    assert _field_error(html, "priority") == ""
    assert db.scalar(select(func.count()).select_from(CannedReply)) == count


def test_management_screen_add_edit_and_guards(login, build, db):
    client = login("techlead")
    tech_dept = build.department("TECH").id
    resp = client.post(
        "/cannedreplyview/add",
        data={
            "title": "屏幕新增",
            "body": "您好{客户姓名}",
            "scope": "department",
            "department_id": str(tech_dept),
            "priority": "high",
            "action": "accept",
            "params": "",
            "custom_fields": "",
            "public": "y",
            "active": "y",
            "sort_order": "3",
        },
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)[-3000:]
    reply = db.scalar(select(CannedReply).where(CannedReply.title == "屏幕新增"))
    assert reply.changes == {
        "priority": "high",
        "action": {"name": "accept", "params": {}},
        "public": True,
    }
    assert reply.department_id == tech_dept and reply.owner.username == "techlead"
    edit_page = client.get(f"/cannedreplyview/edit/{reply.id}").get_data(as_text=True)
    assert "屏幕新增" in edit_page
    # tech reads it (a TECH member) but may neither edit nor delete it.
    tech = login("tech")
    assert "屏幕新增" in tech.get("/cannedreplyview/list/").get_data(as_text=True)
    resp = tech.post(f"/cannedreplyview/edit/{reply.id}", data={"title": "改", "scope": "personal"})
    assert resp.status_code == 302
    tech.get(f"/cannedreplyview/delete/{reply.id}")
    tech.post(f"/cannedreplyview/delete/{reply.id}")
    assert _reload(db, CannedReply, reply.id).title == "屏幕新增"
    # fin neither sees nor reaches it.
    fin = login("fin")
    assert "屏幕新增" not in fin.get("/cannedreplyview/list/").get_data(as_text=True)
    assert fin.get(f"/cannedreplyview/show/{reply.id}").status_code == 404
    # The department choice offers only what the user may share with.
    add_page = tech.get("/cannedreplyview/add").get_data(as_text=True)
    assert f'value="{tech_dept}"' not in add_page
    resp = client.post(
        f"/cannedreplyview/edit/{reply.id}",
        data={
            "title": "屏幕改名",
            "body": "",
            "scope": "department",
            "department_id": str(tech_dept),
            "priority": "",
            "action": "",
            "sort_order": "1",
        },
    )
    assert resp.status_code == 200  # no text and no change left: refused
    resp = client.post(
        f"/cannedreplyview/edit/{reply.id}",
        data={
            "title": "屏幕改名",
            "body": "好的",
            "scope": "department",
            "department_id": str(tech_dept),
            "priority": "",
            "action": "",
            "sort_order": "1",
        },
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)[-3000:]
    assert _reload(db, CannedReply, reply.id).changes == {"public": False}
    reply_id = reply.id
    client.post(f"/cannedreplyview/delete/{reply_id}")
    assert _reload(db, CannedReply, reply_id) is None


def test_api_columns_are_explicit(api, build, db):
    reply = _reply(build, db, "tech", title=_title("列"))
    client, headers = api("tech")
    result = client.get(f"/api/v1/canned_reply/{reply.id}", headers=headers).json["result"]
    assert set(result) == {
        "id",
        "title",
        "body",
        "scope",
        "department_id",
        "department",
        "owner_id",
        "owner",
        "active",
        "usage_count",
        "changes",
        "sort_order",
        "created_at",
    }
    assert result["owner"] == {"username": "tech"}


def test_openapi_documents_replies_and_the_changes_format(api):
    client, headers = api("admin")
    spec = client.get("/api/v1/_openapi", headers=headers).json
    for path, method in (
        ("/canned_reply/", "post"),
        ("/canned_reply/{pk}", "put"),
        ("/canned_reply/{pk}", "delete"),
        ("/ticket/{pk}/canned_replies", "get"),
        ("/ticket/{pk}/canned_replies/{reply_id}", "post"),
        ("/ticket/{pk}/canned_replies/{reply_id}/preview", "get"),
    ):
        assert method in spec["paths"]["/api/v1" + path], path
    changes = spec["components"]["schemas"]["CannedReplyChanges"]["properties"]
    assert set(changes) == {"priority", "custom_fields", "action", "public"}


def test_an_edit_checks_what_it_changes(api, build, db, fault_field):
    reply = _reply(
        build,
        db,
        "tech",
        title=_title("旧字段"),
        body="",
        changes={"custom_fields": {"cr_fault": "line"}},
    )
    fault_field.active = False  # the field is retired after the reply was saved
    db.commit()
    client, headers = api("tech")
    url = f"/api/v1/canned_reply/{reply.id}"
    resp = client.put(url, json={"title": "改名"}, headers=headers)
    assert resp.status_code == 200, resp.json
    resp = client.put(url, json={"changes": {}}, headers=headers)  # nothing left to do
    assert resp.status_code == 422 and set(resp.json["errors"]) == {"body"}
    resp = client.put(
        url, json={"changes": {"custom_fields": {"cr_fault": "line"}}}, headers=headers
    )
    assert resp.status_code == 422
    assert set(resp.json["errors"]) == {"changes.custom_fields.cr_fault"}
    stored = _reload(db, CannedReply, reply.id).changes
    assert stored == {"custom_fields": {"cr_fault": "line"}, "public": False}


def test_a_reply_that_transfers_away_lands_on_the_list(login, build, db):
    reply = _reply(
        build,
        db,
        "tech",
        title=_title("转财务"),
        body="此为账单问题，转财务部。",
        changes={
            "action": {
                "name": "transfer",
                "params": {"department_id": build.department("FIN").id, "reason": "账单问题"},
            }
        },
    )
    ticket = build.ticket("agent", "REPAIR")
    client = login("tech")
    resp = client.post(
        f"/ticketview/reply_apply/{ticket.id}/{reply.id}", data={"version": str(ticket.version)}
    )
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/ticketview/list/")
    t = _reload(db, Ticket, ticket.id)
    assert t.department_id == build.department("FIN").id and t.status == "pending_accept"
    note = db.scalar(select(Comment).where(Comment.ticket_id == t.id))
    assert note.body == "此为账单问题，转财务部。" and not note.is_public
