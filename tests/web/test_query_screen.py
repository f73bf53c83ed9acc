"""工单查询: criteria combine, results stay within scope, bad input gets a message."""

from __future__ import annotations


def _body(client, query):
    resp = client.get(f"/ticketquery/?{query}")
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def test_query_by_phone_number_and_department(login, build):
    customer = build.customer(name="查询客户", phone="13766665555")
    ticket = build.ticket("agent", "REPAIR", subject="QUERY-PHONE-1", customer_id=customer.id)
    client = login("dispatcher")
    assert "QUERY-PHONE-1" in _body(client, "phone=137-6666-5555")
    assert "QUERY-PHONE-1" in _body(client, f"number={ticket.number}")
    tech = build.department("TECH").id
    fin = build.department("FIN").id
    assert "QUERY-PHONE-1" in _body(client, f"department_id={tech}&customer=查询")
    assert "QUERY-PHONE-1" not in _body(client, f"department_id={fin}&customer=查询")


def test_query_respects_scope(login, build):
    build.ticket("fin", "BILLING", subject="QUERY-FIN-ONLY")
    assert "QUERY-FIN-ONLY" not in _body(login("tech"), "customer=&status=pending_accept")
    assert "QUERY-FIN-ONLY" in _body(login("fin"), "status=pending_accept")


def test_query_bad_dates_are_explained(login):
    body = _body(login("agent"), "date_from=2026-13-45&date_to=2026-01-01")
    assert "2026-11-23" in body  # the hint shows the expected format
