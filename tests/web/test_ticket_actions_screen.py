"""Process actions from the ticket page: buttons only for what the user may do now."""

from __future__ import annotations

from plugins.tickets.models import Ticket


def _page(client, ticket_id):
    return client.get(f"/ticketview/show/{ticket_id}").get_data(as_text=True)


def test_buttons_follow_state_and_duty(login, build):
    ticket = build.ticket("agent", "REPAIR")
    tech_page = _page(login("tech"), ticket.id)
    assert 'id="btn-accept"' in tech_page and 'id="btn-transfer"' in tech_page
    assert 'id="btn-resolve"' not in tech_page  # not accepted yet
    agent_page = _page(login("agent"), ticket.id)
    assert 'id="btn-accept"' not in agent_page  # agents do not accept
    assert 'id="btn-urge"' in agent_page  # but may chase it
    manager_page = _page(login("manager"), ticket.id)
    assert 'id="actions"' not in manager_page  # read-only


def test_accept_then_transfer_from_the_page(login, build, db):
    ticket = build.ticket("agent", "REPAIR")
    client = login("tech")
    resp = client.post(f"/ticketview/act/{ticket.id}/accept", data={"version": "1"})
    assert resp.status_code == 302
    db.expire_all()
    fresh = db.get(Ticket, ticket.id)
    assert fresh.status == "in_progress" and fresh.assignee.username == "tech"
    # A transfer without a reason is refused with a message and changes nothing.
    client.post(
        f"/ticketview/act/{ticket.id}/transfer",
        data={"version": str(fresh.version), "department_id": str(build.department("FIN").id)},
    )
    db.expire_all()
    assert db.get(Ticket, ticket.id).status == "in_progress"
    page = _page(client, ticket.id)
    assert "alert-danger" in page
    client.post(
        f"/ticketview/act/{ticket.id}/transfer",
        data={
            "version": str(fresh.version),
            "department_id": str(build.department("FIN").id),
            "reason": "账务问题",
        },
    )
    db.expire_all()
    moved = db.get(Ticket, ticket.id)
    assert (moved.status, moved.department.code, moved.assignee_id) == (
        "pending_accept",
        "FIN",
        None,
    )


def test_merge_accepts_a_ticket_number(login, build, db):
    master = build.ticket("agent", "REPAIR", subject="主工单")
    child = build.ticket("agent", "REPAIR", subject="重复工单")
    from plugins.tickets.services.comments import add_comment

    add_comment(db, build.user("agent"), child, "重复来电，内容相同")
    client = login("dispatcher")
    client.post(
        f"/ticketview/act/{child.id}/merge",
        data={"version": "1", "into_ticket_id": master.number},
    )
    db.expire_all()
    merged = db.get(Ticket, child.id)
    assert (merged.status, merged.merged_into_id) == ("merged", master.id)
    master_page = _page(client, master.id)
    assert "重复来电，内容相同" in master_page.split('id="comments"')[1]  # the thread followed
    assert child.number in master_page.split('id="trajectory"')[1]


def test_page_trajectory_has_node_columns(login, build):
    ticket = build.ticket("agent", "REPAIR")
    client = login("tech")
    client.post(f"/ticketview/act/{ticket.id}/accept", data={"version": "1"})
    page = _page(client, ticket.id)
    section = page.split('id="trajectory"')[1]
    assert "技术支持部" in section and "技术 张伟" in section and "待签收 → " in section
