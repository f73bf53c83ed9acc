"""Caller-number screen pop: GET /api/v1/customer/lookup?phone=..."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "typed", ["13800138000", "+86 138 0013 8000", "0086-138-0013-8000", "138-0013-8000"]
)
def test_lookup_finds_zhang_san_in_any_format(api, typed):
    client, headers = api("agent")
    resp = client.get("/api/v1/customer/lookup", query_string={"phone": typed}, headers=headers)
    assert resp.status_code == 200
    assert resp.json["phone"] == "+8613800138000"
    names = [c["name"] for c in resp.json["result"]]
    assert names == ["张三"]
    tickets = resp.json["result"][0]["tickets"]
    assert 1 <= len(tickets) <= 5
    stamps = [t["created_at"] for t in tickets]
    assert stamps == sorted(stamps, reverse=True)  # newest first, shown in local time


def test_lookup_history_is_scoped_to_the_user(api, build):
    zhang = build.customer(name="李四", phone="13911112222")
    build.ticket("fin", "BILLING", subject="LOOKUP-FIN", customer_id=zhang.id)
    build.ticket("tech", "REPAIR", subject="LOOKUP-TECH", customer_id=zhang.id)
    client, headers = api("tech")
    resp = client.get("/api/v1/customer/lookup?phone=13911112222", headers=headers)
    subjects = [t["subject"] for t in resp.json["result"][0]["tickets"]]
    assert subjects == ["LOOKUP-TECH"]
    client, headers = api("dispatcher")
    resp = client.get("/api/v1/customer/lookup?phone=13911112222", headers=headers)
    assert {t["subject"] for t in resp.json["result"][0]["tickets"]} == {
        "LOOKUP-TECH",
        "LOOKUP-FIN",
    }


def test_lookup_unknown_and_invalid_numbers(api):
    client, headers = api("agent")
    resp = client.get("/api/v1/customer/lookup?phone=13000000001", headers=headers)
    assert resp.status_code == 200 and resp.json["result"] == []
    resp = client.get("/api/v1/customer/lookup?phone=hello", headers=headers)
    assert resp.status_code == 400
    assert resp.json["message"] == "电话号码格式不正确。" or resp.json["message"]


def test_lookup_needs_login(app):
    assert app.test_client().get("/api/v1/customer/lookup?phone=13800138000").status_code == 401


def test_new_ticket_screen_prefills_the_caller(login):
    client = login("agent")
    body = client.get("/ticketview/add?caller=13800138000").get_data(as_text=True)
    assert 'id="caller-history"' in body
    assert "张三" in body
    assert 'value="13800138000"' in body
    assert "GD" in body.split('id="caller-history"')[1]  # his earlier tickets beside the form
