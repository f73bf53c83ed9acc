"""The hotline_12345 process end to end: 签收, 延期 with approval, 挂起 pausing the clock,
办结 → 审核 → 回访, 重办 after 不满意, and 退单 with review."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from plugins.tickets.models import Category, Ticket
from plugins.tickets.services.actions import apply_action
from plugins.tickets.services.errors import Conflict, Forbidden
from plugins.tickets.services.tickets import create_ticket


@pytest.fixture
def hotline_category(db, build):
    found = db.scalar(select(Category).where(Category.code == "HOTLINE"))
    if found is None:
        found = Category(
            code="HOTLINE",
            name="市民热线诉求",
            default_department=build.department("TECH"),
            followup_required=True,
            process_key="hotline_12345",
            sort_order=50,
        )
        db.add(found)
        db.commit()
    return found


def test_hotline_walkthrough(db, build, hotline_category):
    u = {name: build.user(name) for name in ("agent", "tech", "techlead", "dispatcher", "followup")}
    t0 = dt.datetime(2026, 11, 23, 1, 0)
    ticket = create_ticket(
        db, u["agent"], {"subject": "路灯不亮", "category_id": hotline_category.id}, now=t0
    )
    assert (ticket.status, ticket.department.code) == ("pending_accept", "TECH")
    assert ticket.due_at == t0 + dt.timedelta(days=1)  # 签收时限: 1 working day

    def act(user, name, minutes, **params):
        apply_action(
            db,
            u[user],
            ticket,
            name,
            params,
            ticket.version,
            now=t0 + dt.timedelta(minutes=minutes),
        )

    act("tech", "accept", 30)
    handling_due = ticket.due_at
    assert ticket.status == "in_progress" and handling_due == t0 + dt.timedelta(minutes=30, days=5)

    # 延期申请 → 延期审核 → 同意: the deadline moves to the requested time.
    until = "2026-12-10T18:00:00+08:00"
    act("tech", "request_extension", 60, until=until, reason="需协调燃气公司")
    assert ticket.status == "extension_review"
    with pytest.raises(Forbidden):
        act("tech", "approve_extension", 61)  # a handler cannot approve their own request
    db.rollback()
    act("techlead", "approve_extension", 90)
    assert ticket.status == "in_progress"
    assert ticket.due_at == dt.datetime(2026, 12, 10, 10, 0)  # stored in UTC

    # 挂起 pauses the clock: on 恢复 the deadline moves by the time spent suspended.
    before = ticket.due_at
    act("tech", "suspend", 120, reason="等待现场勘查")
    assert ticket.status == "suspended"
    act("tech", "resume", 120 + 24 * 60)
    assert ticket.status == "in_progress" and ticket.due_at == before + dt.timedelta(days=1)

    # 办结 goes to the centre's 审核 first, then 回访; 不满意 means 重办.
    act("tech", "resolve", 3000, result="已修复路灯")
    assert ticket.status == "pending_review"
    with pytest.raises(Conflict):
        act("followup", "follow_up", 3001, satisfaction="satisfied")
    db.rollback()
    act("dispatcher", "review_pass", 3100)
    assert ticket.status == "pending_followup"
    act("followup", "follow_up", 3200, satisfaction="dissatisfied", note="仍不亮")
    assert (ticket.status, ticket.redo_count) == ("in_progress", 1)
    act("tech", "resolve", 4000, result="更换线路")
    act("dispatcher", "review_reject", 4100, reason="答复不完整")
    assert (ticket.status, ticket.redo_count) == ("in_progress", 2)
    act("tech", "resolve", 4200, result="更换线路并回复市民")
    act("dispatcher", "review_pass", 4300)
    act("followup", "follow_up", 4400, satisfaction="satisfied")
    assert (ticket.status, ticket.satisfaction) == ("resolved", "satisfied")
    act("dispatcher", "close", 4500)
    act("dispatcher", "archive", 4600)
    db.expire_all()
    assert db.get(Ticket, ticket.id).status == "archived"


def test_hotline_return_is_reviewed_by_the_centre(db, build, hotline_category):
    tech, dispatcher = build.user("tech"), build.user("dispatcher")
    ticket = create_ticket(
        db, build.user("agent"), {"subject": "噪音扰民", "category_id": hotline_category.id}
    )
    apply_action(db, tech, ticket, "return", {"reason": "不属于本单位职责"}, ticket.version)
    assert (ticket.status, ticket.department.code) == ("return_review", "TECH")
    apply_action(db, dispatcher, ticket, "reject_return", {"reason": "属于本单位"}, ticket.version)
    assert ticket.status == "pending_accept"
    apply_action(db, tech, ticket, "return", {"reason": "确实不属于"}, ticket.version)
    apply_action(db, dispatcher, ticket, "approve_return", {}, ticket.version)
    assert (ticket.status, ticket.department_id) == ("pending_dispatch", None)


def test_ticket_keeps_the_process_version_it_started_with(db, build, hotline_category, login):
    from plugins.tickets.services.processes import current_for_key

    ticket = create_ticket(
        db, build.user("agent"), {"subject": "版本", "category_id": hotline_category.id}
    )
    started = ticket.process_id
    source = current_for_key(db, "hotline_12345").source
    client = login("admin")
    resp = client.post("/processview/add", data={"source": source})
    assert resp.status_code == 302
    newer = current_for_key(db, "hotline_12345")
    assert newer.id != started and newer.version >= 2
    db.expire_all()
    assert db.get(Ticket, ticket.id).process_id == started
