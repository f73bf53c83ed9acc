"""The isolation matrix: a TECH handler reaches no FIN ticket by any route.

Every rule of the app's URL map is requested with the ids of a FIN ticket and of the rows
hanging off it (customer, comment, attachment, trajectory row), by browser session and by
JWT, with every method the rule accepts. No response may show the FIN ticket's secrets, and
afterwards the FIN ticket and its rows must be exactly as before.
"""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from plugins.tickets.models import Attachment, Comment, Ticket, TicketEvent
from plugins.tickets.services.comments import add_comment, save_attachment

SECRET = "FIN-SECRET-7731"
SKIP_PREFIXES = ("/static", "/appbuilder", "/logout", "/login", "/api/v1/security/")


@pytest.fixture
def fin_world(app, db, build):
    customer = build.customer(name="共享客户 shared-customer")
    ticket = build.ticket(
        "fin",
        "BILLING",
        subject=f"{SECRET} subject",
        description=f"{SECRET} description",
        customer_id=customer.id,
    )
    fin = build.user("fin")
    comment = add_comment(db, fin, ticket, f"{SECRET} comment")
    attachment = save_attachment(
        db,
        fin,
        ticket,
        filename=f"{SECRET}.txt",
        content_type="text/plain",
        stream=io.BytesIO(f"{SECRET} file".encode()),
        storage_dir=app.config["ATTACHMENT_DIR"],
        max_bytes=1024,
        allowed_extensions=frozenset({"txt"}),
    )
    event = db.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)).first()
    tech_ticket = build.ticket("tech", "REPAIR", subject="TECH-VISIBLE-4411")
    return {
        "ticket": ticket,
        "customer": customer,
        "comment": comment,
        "attachment": attachment,
        "event": event,
        "tech_ticket": tech_ticket,
    }


def _snapshot(db, ticket_id: int) -> dict:
    db.expire_all()
    t = db.get(Ticket, ticket_id)
    count = lambda model: db.scalar(  # noqa: E731
        select(func.count()).select_from(model).where(model.ticket_id == ticket_id)
    )
    return {
        "exists": t is not None,
        "row": (
            t.subject,
            t.description,
            t.priority,
            t.status,
            t.department_id,
            t.version,
            t.category_id,
            t.customer_id,
            t.is_spam,
        )
        if t
        else None,
        "comments": count(Comment),
        "attachments": count(Attachment),
        "events": count(TicketEvent),
    }


def _urls(app, ids: list[int]) -> list[tuple[str, str, list[str]]]:
    """(url, endpoint, methods) for every rule, its arguments filled with each id."""
    out = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(SKIP_PREFIXES):
            continue
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        if not rule.arguments:
            out.append((rule.rule, rule.endpoint, methods))
            continue
        for value in ids:

            def fill(m, value=value):
                name = m.group(1).split(":")[-1]
                if name in {"name"}:
                    return "mark_urgent"
                if name in {"locale"}:
                    return "zh"
                if name in {"filename"}:
                    return f"{value}.txt"
                return str(value)

            out.append((re.sub(r"<([^>]+)>", fill, rule.rule), rule.endpoint, methods))
    return out


def _payloads(world) -> dict:
    t = world["ticket"]
    return {
        "data": {
            "subject": "hijacked",
            "body": "hijacked comment",
            "priority": "urgent",
            "action": "mark_urgent",
            "rowid": str(t.id),
            "expected_version": str(t.version),
            "category": "1",
            "name": "hijacked",
            "code": "HIJACK",
        },
        "json": {"subject": "hijacked", "priority": "urgent", "version": t.version},
    }


def _assert_no_leak(resp, where: str) -> None:
    body = resp.get_data(as_text=True)
    assert SECRET not in body, f"{where} leaked the FIN ticket ({resp.status_code})"
    assert resp.status_code < 500, f"{where} answered {resp.status_code}"


def test_tech_reaches_no_fin_ticket_by_any_route(app, db, login, api, fin_world):
    ids = sorted(
        {fin_world[k].id for k in ("ticket", "customer", "comment", "attachment", "event")}
    )
    before = _snapshot(db, fin_world["ticket"].id)
    browser = login("tech")
    jwt_client, headers = api("tech")
    payload = _payloads(fin_world)
    checked = 0
    for url, endpoint, methods in _urls(app, ids):
        for method in methods:
            for client, extra in ((browser, {}), (jwt_client, {"headers": headers})):
                kwargs = dict(extra)
                if method in {"POST", "PUT", "PATCH"}:
                    if "/api/" in url:
                        kwargs["json"] = payload["json"]
                    else:
                        data = dict(payload["data"])
                        data["file"] = (io.BytesIO(b"x"), "hijack.txt")
                        kwargs["data"] = data
                        kwargs["content_type"] = "multipart/form-data"
                resp = client.open(url, method=method, **kwargs)
                _assert_no_leak(resp, f"{method} {url} [{endpoint}]")
                checked += 1
    after = _snapshot(db, fin_world["ticket"].id)
    assert after == before
    assert checked > 200  # the matrix really ran over the whole map


def test_search_and_filters_do_not_leak(login, api, fin_world):
    browser = login("tech")
    number = fin_world["ticket"].number
    for url in (
        f"/ticketview/list/?_flt_0_number={number}",
        "/ticketview/list/?_flt_2_subject=7731",
        "/commentview/list/?_flt_2_body=7731",
        f"/customerview/show/{fin_world['customer'].id}",
    ):
        resp = browser.get(url)
        body = resp.get_data(as_text=True)
        assert resp.status_code == 200, url
        assert f"{SECRET} subject" not in body and f"{SECRET} comment" not in body, url
        assert f">{number}<" not in body, url
    client, headers = api("tech")
    q = f"(filters:!((col:subject,opr:ct,value:'{SECRET}')))"
    resp = client.get(f"/api/v1/ticket/?q={q}", headers=headers)
    assert resp.status_code == 200 and resp.json["count"] == 0


def test_positive_control_tech_sees_own_department(login, api, fin_world):
    """The matrix would be vacuous if tech saw nothing at all."""
    browser = login("tech")
    tech_ticket = fin_world["tech_ticket"]
    assert "TECH-VISIBLE-4411" in browser.get(f"/ticketview/show/{tech_ticket.id}").get_data(
        as_text=True
    )
    client, headers = api("tech")
    resp = client.get(f"/api/v1/ticket/{tech_ticket.id}", headers=headers)
    assert resp.status_code == 200 and resp.json["result"]["subject"] == "TECH-VISIBLE-4411"
    # ...and the FIN handler does see the FIN ticket through the same routes.
    fin = login("fin")
    assert SECRET in fin.get(f"/ticketview/show/{fin_world['ticket'].id}").get_data(as_text=True)
