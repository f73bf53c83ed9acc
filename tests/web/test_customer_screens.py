"""Customer screens: phones normalised on save, bad numbers refused per field."""

from __future__ import annotations

from sqlalchemy import func, select

from plugins.tickets.models import Customer


def test_customer_with_phones_is_found_by_lookup(login, api, db):
    client = login("agent")
    resp = client.post(
        "/customerview/add",
        data={"name": "王五", "phone_numbers": "139-2222-3333\n010 8888 9999", "email": ""},
    )
    assert resp.status_code == 302
    customer = db.scalar(select(Customer).where(Customer.name == "王五"))
    assert sorted((p.raw, p.e164) for p in customer.phones) == [
        ("010 8888 9999", "+861088889999"),
        ("139-2222-3333", "+8613922223333"),
    ]
    c, headers = api("agent")
    found = c.get("/api/v1/customer/lookup?phone=13922223333", headers=headers).json
    assert [r["name"] for r in found["result"]] == ["王五"]


def test_bad_phone_keeps_the_form_and_saves_nothing(login, db):
    client = login("agent")
    before = db.scalar(select(func.count()).select_from(Customer))
    resp = client.post(
        "/customerview/add", data={"name": "赵六", "phone_numbers": "13800138000\nnot-a-phone"}
    )
    assert resp.status_code == 200
    assert "not-a-phone" in resp.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(Customer)) == before


def test_handlers_read_customers_but_cannot_add(login):
    client = login("tech")
    assert client.get("/customerview/list/").status_code == 200
    assert client.get("/customerview/add").status_code in (302, 403)
