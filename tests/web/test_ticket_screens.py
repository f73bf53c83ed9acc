"""Ticket screens: intake form, edit with optimistic locking, comments, attachments."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from plugins.tickets.models import Attachment, Comment, Ticket, TicketEvent


def _count(db, model, **where):
    stmt = select(func.count()).select_from(model)
    for key, value in where.items():
        stmt = stmt.where(getattr(model, key) == value)
    return db.scalar(stmt)


def test_add_form_registers_and_redirects_to_the_ticket(login, build, db):
    client = login("agent")
    resp = client.post(
        "/ticketview/add",
        data={
            "caller_number": "13800138000",
            "category": str(build.category("COMPLAINT").id),
            "subject": "SCREEN-ADD-1",
            "description": "维修人员迟到两小时",
            "priority": "high",
            "channel": "phone",
        },
    )
    assert resp.status_code == 302
    ticket = db.scalar(select(Ticket).where(Ticket.subject == "SCREEN-ADD-1"))
    assert resp.headers["Location"].endswith(f"/ticketview/show/{ticket.id}")
    assert ticket.department.code == "AFTER" and ticket.status == "pending_accept"
    assert ticket.customer.name == "张三"
    page = client.get(f"/ticketview/show/{ticket.id}").get_data(as_text=True)
    assert ticket.number in page and 'id="trajectory"' in page


def test_add_form_errors_stay_on_the_form_and_save_nothing(login, db):
    client = login("agent")
    before = _count(db, Ticket)
    resp = client.post(
        "/ticketview/add",
        data={"caller_number": "12", "subject": "", "priority": "normal", "channel": "phone"},
    )
    assert resp.status_code == 200  # the form again, with the input kept
    assert _count(db, Ticket) == before


def test_screen_edit_with_a_stale_version_changes_nothing(login, build, db):
    ticket = build.ticket("agent", "REPAIR", subject="STALE-SCREEN")
    client = login("agent")
    form = {
        "category": str(ticket.category_id),
        "subject": "first edit",
        "priority": "normal",
        "channel": "phone",
        "expected_version": "1",
    }
    assert client.post(f"/ticketview/edit/{ticket.id}", data=form).status_code == 302
    form["subject"] = "second edit from an old page"
    resp = client.post(f"/ticketview/edit/{ticket.id}", data=form)
    assert resp.status_code == 200
    db.expire_all()
    fresh = db.get(Ticket, ticket.id)
    assert (fresh.subject, fresh.version) == ("first edit", 2)


def test_comment_and_note_appear_in_trajectory(login, build, db):
    ticket = build.ticket("tech", "REPAIR")
    client = login("tech")
    client.post(f"/ticketview/comment/{ticket.id}", data={"body": "已上门检修", "is_public": "y"})
    client.post(f"/ticketview/comment/{ticket.id}", data={"body": "   "})  # refused
    comments = db.scalars(select(Comment).where(Comment.ticket_id == ticket.id)).all()
    assert [(c.body, c.is_public) for c in comments] == [("已上门检修", True)]
    actions = db.scalars(
        select(TicketEvent.action)
        .where(TicketEvent.ticket_id == ticket.id)
        .order_by(TicketEvent.id)
    ).all()
    assert actions == ["create", "reply"]


def test_attachment_is_served_as_a_download_only(login, build, db):
    ticket = build.ticket("tech", "REPAIR")
    client = login("tech")
    payload = b"<html><script>alert(1)</script></html>"
    resp = client.post(
        f"/ticketview/attach/{ticket.id}",
        data={"file": (io.BytesIO(payload), "report.txt")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302
    item = db.scalar(select(Attachment).where(Attachment.ticket_id == ticket.id))
    download = client.get(f"/ticketview/attachment/{item.id}")
    assert download.status_code == 200
    assert download.data == payload
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.mimetype == "application/octet-stream"
    assert login("fin").get(f"/ticketview/attachment/{item.id}").status_code == 404


def test_attachment_limits(app, login, build, db):
    ticket = build.ticket("tech", "REPAIR")
    client = login("tech")
    for name, data in (("virus.exe", b"MZ"), ("empty.txt", b"")):
        client.post(
            f"/ticketview/attach/{ticket.id}",
            data={"file": (io.BytesIO(data), name)},
            content_type="multipart/form-data",
        )
    big = b"x" * (app.config["ATTACHMENT_MAX_BYTES"] + 1)
    client.post(
        f"/ticketview/attach/{ticket.id}",
        data={"file": (io.BytesIO(big), "big.txt")},
        content_type="multipart/form-data",
    )
    assert _count(db, Attachment, ticket_id=ticket.id) == 0


def test_customer_choices_come_from_the_caller_number_not_the_whole_table(login, build):
    other = build.customer(name="不相关客户甲")
    client = login("agent")
    plain = client.get("/ticketview/add").get_data(as_text=True)
    assert "不相关客户甲" not in plain and "张三" not in plain
    popped = client.get("/ticketview/add?caller=13800138000").get_data(as_text=True)
    assert "张三" in popped and "不相关客户甲" not in popped
    ticket = build.ticket("agent", "REPAIR", customer_id=other.id)
    edit = client.get(f"/ticketview/edit/{ticket.id}").get_data(as_text=True)
    assert "不相关客户甲" in edit  # the ticket's own customer stays selectable


def test_not_found_page_is_in_the_app_layout_and_language(login):
    resp = login("tech").get("/ticketview/show/999999")
    body = resp.get_data(as_text=True)
    assert resp.status_code == 404
    assert "Not Found" not in body and 'class="navbar' in body
    api_resp = login("tech").get("/api/v1/nope")
    assert api_resp.status_code == 404 and api_resp.is_json


def test_forgotten_category_is_reported_with_the_other_mistakes(login, db):
    client = login("agent")
    before = _count(db, Ticket)
    resp = client.post(
        "/ticketview/add",
        data={
            "caller_number": "abc",
            "category": "__None",
            "subject": "x",
            "priority": "normal",
            "channel": "phone",
        },
    )
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert body.count("alert-danger") >= 2  # category and caller number, at once
    assert _count(db, Ticket) == before


def test_edit_rows_in_the_trajectory_name_fields_and_values(login, build):
    ticket = build.ticket("agent", "REPAIR", subject="改前")
    client = login("agent")
    client.post(
        f"/ticketview/edit/{ticket.id}",
        data={
            "category": str(ticket.category_id),
            "subject": "改后",
            "priority": "urgent",
            "channel": "phone",
            "expected_version": "1",
        },
    )
    section = (
        client.get(f"/ticketview/show/{ticket.id}")
        .get_data(as_text=True)
        .split('id="trajectory"')[1]
    )
    assert "标题：改前 → 改后" in section and "优先级：普通 → 紧急" in section
