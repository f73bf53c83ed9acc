"""Issue 4's story, in the zh screens: an admin adds 故障地址 (cascade) and 宽带账号 (regex) to
故障报修, creates the canned reply 我来受理 and the view "TECH 紧急未签收"; an agent files a ticket
whose form demands those fields; the handler applies the reply; the view counts it."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from plugins.tickets.models import CannedReply, FieldDefinition, SavedView, Ticket

AREAS = [
    {
        "value": "gd",
        "label": "广东",
        "children": [
            {"value": "gz", "label": "广州", "children": [{"value": "th", "label": "天河区"}]}
        ],
    }
]


def test_admin_configures_agent_files_handler_replies_view_counts(login, api, build, db):
    admin = login("admin")
    repair = str(build.category("REPAIR").id)
    tech = build.department("TECH").id
    for data in (
        {
            "code": "story_area",
            "label_zh": "故障地址",
            "type": "cascade",
            "required": "always",
            "options": json.dumps(AREAS, ensure_ascii=False),
            "categories": repair,
            "active": "y",
        },
        {
            "code": "story_account",
            "label_zh": "宽带账号",
            "type": "regex",
            "required": "always",
            "pattern": r"AD\d{8}",
            "pattern_message": "宽带账号为 AD 加 8 位数字",
            "categories": repair,
            "active": "y",
        },
    ):
        assert admin.post("/fielddefinitionview/add", data=data).status_code == 302
    fields = db.scalars(select(FieldDefinition).where(FieldDefinition.code.like("story_%"))).all()
    try:
        resp = admin.post(
            "/cannedreplyview/add",
            data={
                "title": "我来受理",
                "body": "您好{客户姓名}，工单{工单编号}已由{坐席姓名}受理。",
                "scope": "everyone",
                "department_id": "",
                "priority": "",
                "action": "accept",
                "params": "",
                "custom_fields": "",
                "public": "y",
                "active": "y",
                "sort_order": "0",
            },
        )
        assert resp.status_code == 302, resp.get_data(as_text=True)[-2000:]
        reply = db.scalar(select(CannedReply).where(CannedReply.title == "我来受理"))
        resp = admin.post(
            "/savedviewadmin/add",
            data={
                "name": "TECH 紧急未签收",
                "visibility": "everyone",
                "conditions": json.dumps(
                    {
                        "match": "all",
                        "conditions": [
                            {"field": "department_id", "op": "eq", "value": tech},
                            {"field": "priority", "op": "eq", "value": "urgent"},
                            {"field": "status", "op": "eq", "value": "pending_accept"},
                        ],
                    }
                ),
                "columns": "number, subject",
                "sort_field": "created_at",
                "sort_dir": "desc",
                "sort_order": "0",
                "active": "y",
            },
        )
        assert resp.status_code == 302, resp.get_data(as_text=True)[-2000:]
        view = db.scalar(select(SavedView).where(SavedView.name == "TECH 紧急未签收"))

        client, headers = api("techlead")

        def view_numbers():
            body = client.get(
                f"/api/v1/saved_view/{view.id}/tickets?page_size=100", headers=headers
            ).json
            assert "count" in body, body
            return body["count"], {row["number"] for row in body["result"]}

        before, _numbers = view_numbers()
        # The agent's form demands the new fields, in Chinese, and saves nothing without them.
        agent = login("agent")
        form = {
            "caller_number": "13800138000",
            "category": repair,
            "subject": "宽带断网",
            "priority": "urgent",
            "channel": "phone",
        }
        page = agent.post("/ticketview/add", data=form).get_data(as_text=True)
        assert "故障地址" in page and "宽带账号" in page and "必填" in page
        form.update({"cf_story_area": "gd/gz/th", "cf_story_account": "AD2026"})
        page = agent.post("/ticketview/add", data=form).get_data(as_text=True)
        assert "宽带账号为 AD 加 8 位数字" in page
        form["cf_story_account"] = "AD20261123"
        resp = agent.post("/ticketview/add", data=form)
        assert resp.status_code == 302
        tid = int(re.search(r"/show/(\d+)", resp.headers["Location"]).group(1))
        ticket = db.get(Ticket, tid)
        count, numbers = view_numbers()
        assert count == before + 1 and ticket.number in numbers

        # The handler applies 我来受理: accepted, assigned to them, the reply posted.
        handler = login("tech")
        resp = handler.post(f"/ticketview/reply_apply/{tid}/{reply.id}", data={"version": "1"})
        assert resp.status_code == 302
        db.expire_all()
        ticket = db.get(Ticket, tid)
        assert (ticket.status, ticket.assignee.username) == ("in_progress", "tech")
        page = handler.get(f"/ticketview/show/{tid}").get_data(as_text=True)
        assert f"您好张三，工单{ticket.number}已由技术 张伟受理。" in page
        assert view_numbers()[0] == before  # no longer unaccepted
    finally:
        for row in fields:
            row.active = False
        db.commit()
