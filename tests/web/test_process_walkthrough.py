"""The call-center process end to end through the REST API, as the issue tells it:
agent registers a REPAIR ticket for 13800138000 → TECH 待签收 → tech accepts → transfers to
FIN → fin returns → dispatcher dispatches to TECH → tech resolves → followup records
dissatisfied → TECH handles again → resolves → followup satisfied → closed → archived."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from plugins.tickets.models import OutboxEvent, Ticket


class Desk:
    """Acting as several users on one ticket through the API."""

    def __init__(self, api, ticket_id: int):
        self.api = api
        self.ticket_id = ticket_id
        self.clients = {}

    def client(self, user):
        if user not in self.clients:
            self.clients[user] = self.api(user)
        return self.clients[user]

    def get(self, user):
        client, headers = self.client(user)
        return client.get(f"/api/v1/ticket/{self.ticket_id}", headers=headers)

    def version(self):
        return self.get("admin").json["result"]["version"]

    def act(self, user, name, expect=200, **params):
        client, headers = self.client(user)
        resp = client.post(
            f"/api/v1/ticket/{self.ticket_id}/actions/{name}",
            json={"version": params.pop("version", None) or self.version(), **params},
            headers=headers,
        )
        assert resp.status_code == expect, (user, name, resp.status_code, resp.json)
        return resp

    def state(self):
        result = self.get("admin").json["result"]
        return result["status"], (result.get("department") or {}).get("name")

    def can(self, user):
        client, headers = self.client(user)
        resp = client.get(f"/api/v1/ticket/{self.ticket_id}/actions", headers=headers)
        return [a["name"] for a in resp.json["result"]] if resp.status_code == 200 else None


def test_default_process_walkthrough(api, build, db):
    client, headers = api("agent")
    created = client.post(
        "/api/v1/ticket/",
        json={
            "subject": "光猫红灯无法上网",
            "category_id": build.category("REPAIR").id,
            "caller_number": "13800138000",
        },
        headers=headers,
    )
    assert created.status_code == 201
    desk = Desk(api, created.json["id"])
    fin_id, tech_id = build.department("FIN").id, build.department("TECH").id

    assert desk.state() == ("pending_accept", "技术支持部")
    assert "accept" in desk.can("tech") and "accept" not in desk.can("agent")
    assert desk.can("fin") is None  # out of scope: 404
    desk.act("tech", "accept")
    assert desk.state() == ("in_progress", "技术支持部")
    desk.act("tech", "transfer", department_id=fin_id, reason="属于账务问题")
    assert desk.state() == ("pending_accept", "财务部")
    desk.act("fin", "return", reason="不属于本部门职责")
    assert desk.state() == ("pending_dispatch", None)
    desk.act("dispatcher", "dispatch", department_id=tech_id)
    assert desk.state() == ("pending_accept", "技术支持部")
    desk.act("tech", "accept")
    desk.act("tech", "resolve", result="已更换光猫")
    assert desk.state() == ("pending_followup", "技术支持部")  # REPAIR asks for a follow-up
    desk.act("followup", "follow_up", satisfaction="dissatisfied", note="仍然断网")
    assert desk.state() == ("in_progress", "技术支持部")  # 重办 in the same department
    desk.act("tech", "resolve", result="更换入户线后恢复")
    desk.act("followup", "follow_up", satisfaction="satisfied")
    assert desk.state() == ("resolved", "技术支持部")
    desk.act("dispatcher", "close")
    desk.act("dispatcher", "archive")
    assert desk.state()[0] == "archived"

    ticket = db.get(Ticket, desk.ticket_id)
    db.refresh(ticket)
    assert (ticket.redo_count, ticket.satisfaction, ticket.resolution) == (
        1,
        "satisfied",
        "更换入户线后恢复",
    )
    # Archived: read-only, and no action left.
    assert desk.can("dispatcher") == []
    c, h = desk.client("admin")
    assert (
        c.put(
            f"/api/v1/ticket/{desk.ticket_id}",
            json={"subject": "x", "version": desk.version()},
            headers=h,
        ).status_code
        == 409
    )

    # The trajectory: one row per node with the fields a call center asks for.
    c, h = desk.client("agent")
    events = c.get(f"/api/v1/ticket/{desk.ticket_id}/events", headers=h).json["result"]
    assert [e["action"] for e in events] == [
        "create",
        "accept",
        "transfer",
        "return",
        "dispatch",
        "accept",
        "resolve",
        "follow_up",
        "resolve",
        "follow_up",
        "close",
        "archive",
    ]
    transfer = events[2]
    assert transfer["department"] == "技术支持部" and transfer["user"] == "技术 张伟"
    assert transfer["status"] == "处理中" and transfer["to_status"] == "待签收"
    assert transfer["note"] == "属于账务问题"
    for row in events:
        assert row["customer"] == "张三" and row["registered_at"]
        assert row["received_at"] and row["finished_at"] and row["duration_minutes"] is not None
    assert events[1]["required_by"]  # 待签收 has a deadline
    returned = events[3]
    assert returned["department"] == "财务部" and returned["user"] == "财务 陈静"
    outbox = db.scalars(select(OutboxEvent).where(OutboxEvent.ticket_id == desk.ticket_id)).all()
    assert len(outbox) == len(events)


def test_illegal_moves_are_refused_and_change_nothing(api, build, db):
    ticket = build.ticket("agent", "REPAIR")
    desk = Desk(api, ticket.id)
    before = desk.get("admin").json["result"]
    desk.act("tech", "resolve", expect=409, result="x")  # not accepted yet
    desk.act("agent", "accept", expect=403)  # not a TECH handler
    desk.act("fin", "accept", expect=404)  # out of scope
    desk.act("manager", "accept", expect=403)  # read-only role
    desk.act("tech", "fly", expect=404)  # no such action
    desk.act("tech", "accept", expect=409, version=before["version"] + 5)  # stale
    desk.act("tech", "transfer", expect=422, reason="")  # department and reason missing
    desk.act("tech", "transfer", expect=422, department_id=999999, reason="x")
    desk.act(
        "tech",
        "transfer",
        expect=422,
        department_id=build.department("TECH").id,
        reason="same department",
    )
    assert desk.get("admin").json["result"] == before


def test_422_lists_each_bad_parameter(api, build):
    ticket = build.ticket("agent", "REPAIR")
    desk = Desk(api, ticket.id)
    desk.act("tech", "accept")
    resp = desk.act("tech", "request_extension", expect=422, until="next tuesday", bogus=1)
    assert set(resp.json["errors"]) == {"until", "reason", "bogus"}


def test_two_handlers_accepting_at_once_one_wins(app, build, db):
    """Both read version 1; the first commit wins, the second gets 409 and changes nothing."""
    from app.extensions import db as _db
    from plugins.tickets.services.actions import apply_action
    from plugins.tickets.services.errors import StaleVersion

    ticket = build.ticket("agent", "REPAIR")
    tech, lead = build.user("tech"), build.user("techlead")
    with app.app_context():
        s1 = _db.session
        t1 = s1.get(Ticket, ticket.id)
        with app.app_context():
            s2 = _db.session
            t2 = s2.get(Ticket, ticket.id)
            assert t1.version == t2.version == 1
            apply_action(s2, lead, t2, "accept", {}, 1)
            s2.remove()
        with pytest.raises(StaleVersion):
            apply_action(s1, tech, t1, "accept", {}, 1)
        s1.remove()
    db.expire_all()
    fresh = db.get(Ticket, ticket.id)
    assert fresh.assignee_id == lead.id and fresh.version == 2
