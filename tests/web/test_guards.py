"""Guards that Flask-AppBuilder's base filters do not give: bulk actions, POST, PUT,
relation choices, and the services themselves."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from plugins.tickets.models import Comment, Ticket
from plugins.tickets.services.comments import add_comment
from plugins.tickets.services.errors import Forbidden, NotFound
from plugins.tickets.services.tickets import update_ticket


def _reload(db, ticket_id):
    db.expire_all()
    return db.get(Ticket, ticket_id)


def test_bulk_action_changes_only_tickets_in_scope(login, build, db):
    fin_ticket = build.ticket("fin", "BILLING")
    own = build.ticket("tech", "REPAIR")
    client = login("tech")
    resp = client.post(
        "/ticketview/action_post",
        data={"action": "mark_urgent", "rowid": [str(fin_ticket.id), str(own.id)]},
    )
    assert resp.status_code == 302
    assert _reload(db, fin_ticket.id).priority == "normal"
    assert _reload(db, own.id).priority == "urgent"


def test_unknown_bulk_action_is_404_not_500(login):
    client = login("admin")
    resp = client.post("/ticketview/action_post", data={"action": "nope", "rowid": ["1"]})
    assert resp.status_code == 404


def test_read_only_roles_cannot_write(api, build, db):
    ticket = build.ticket("agent", "REPAIR")
    for role_user in ("manager", "qa"):
        client, headers = api(role_user)
        assert client.get(f"/api/v1/ticket/{ticket.id}", headers=headers).status_code == 200
        resp = client.put(
            f"/api/v1/ticket/{ticket.id}",
            json={"subject": "changed", "version": ticket.version},
            headers=headers,
        )
        assert resp.status_code == 403
        resp = client.post(
            "/api/v1/ticket/",
            json={"subject": "x", "category_id": build.category("REPAIR").id},
            headers=headers,
        )
        assert resp.status_code == 403
    assert _reload(db, ticket.id).subject == ticket.subject


def test_handler_cannot_register_a_ticket_for_another_department(api, build, db):
    client, headers = api("tech")
    count = db.scalar(select(func.count()).select_from(Ticket))
    resp = client.post(
        "/api/v1/ticket/",
        json={"subject": "账单", "category_id": build.category("BILLING").id},
        headers=headers,
    )
    assert resp.status_code == 403
    assert "message" in resp.json
    assert db.scalar(select(func.count()).select_from(Ticket)) == count


def test_put_cannot_move_a_ticket_out_of_scope_or_set_status(api, build, db):
    ticket = build.ticket("tech", "REPAIR")
    client, headers = api("tech")
    resp = client.put(
        f"/api/v1/ticket/{ticket.id}",
        json={
            "department_id": build.department("FIN").id,
            "status": "closed",
            "version": ticket.version,
        },
        headers=headers,
    )
    assert resp.status_code == 422
    assert set(resp.json["errors"]) == {"department_id", "status"}
    fresh = _reload(db, ticket.id)
    assert (fresh.department_id, fresh.status, fresh.version) == (
        ticket.department_id,
        ticket.status,
        ticket.version,
    )


def test_put_and_delete_out_of_scope_are_404(api, build, db):
    fin_ticket = build.ticket("fin", "BILLING")
    client, headers = api("tech")
    resp = client.put(
        f"/api/v1/ticket/{fin_ticket.id}", json={"subject": "x", "version": 1}, headers=headers
    )
    assert resp.status_code == 404
    assert client.delete(f"/api/v1/ticket/{fin_ticket.id}", headers=headers).status_code in (
        403,
        404,
    )
    assert _reload(db, fin_ticket.id).subject == fin_ticket.subject


def test_services_refuse_out_of_scope_actors(build, db):
    fin_ticket = build.ticket("fin", "BILLING")
    tech = build.user("tech")
    with pytest.raises(NotFound):
        update_ticket(db, tech, fin_ticket, {"subject": "x"}, fin_ticket.version)
    db.rollback()
    with pytest.raises(NotFound):
        add_comment(db, tech, fin_ticket, "hello")
    db.rollback()
    with pytest.raises(Forbidden):
        update_ticket(db, build.user("manager"), fin_ticket, {"subject": "x"}, 1)
    db.rollback()
    assert (
        db.scalar(
            select(func.count()).select_from(Comment).where(Comment.ticket_id == fin_ticket.id)
        )
        == 0
    )


def test_edit_form_offers_only_active_categories(login, build, db):
    category = build.category("CONSULT")
    category.active = False
    db.commit()
    try:
        client = login("agent")
        body = client.get("/ticketview/add").get_data(as_text=True)
        assert "咨询" not in body and "账单疑问" in body
    finally:
        category.active = True
        db.commit()


def test_comment_list_is_scoped(login, build, db):
    fin_ticket = build.ticket("fin", "BILLING")
    add_comment(db, build.user("fin"), fin_ticket, "FIN-ONLY-NOTE-99")
    assert "FIN-ONLY-NOTE-99" not in login("tech").get("/commentview/list/").get_data(as_text=True)
    assert "FIN-ONLY-NOTE-99" in login("fin").get("/commentview/list/").get_data(as_text=True)
