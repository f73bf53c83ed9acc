"""Measures 1–5 over HTTP: intake, the 部门待签收 queue (page and API), the ticket page, the
accept action, and a saved-view query with a custom field."""

from __future__ import annotations

import json
import urllib.parse

from bench.measures import client, wrk
from bench.measures.fixtures import AGENT, HANDLER, Fixtures


def _check(path: str, **auth) -> None:
    """One request first: a measure of a redirect or an error page would be meaningless."""
    status, data = client.call("GET", path, **auth)
    if status != 200:
        raise RuntimeError(f"GET {path} answered {status}: {str(data)[:300]}")


def intake(fx: Fixtures, seconds: int) -> dict:
    token = client.jwt(AGENT)
    body = {"subject": "压测来电 {n}", "description": "宽带无法上网，请尽快处理。",
            "category_id": fx.intake_category_id, "caller_number": "13800138000",
            "priority": "normal", "channel": "phone"}  # fmt: skip
    status, data = client.call("POST", "/api/v1/ticket/", body=body, token=token)
    if status != 201:
        raise RuntimeError(f"intake answered {status}: {str(data)[:300]}")
    return wrk.run("/api/v1/ticket/", concurrency=8, seconds=seconds, method="POST",
                   body=json.dumps(body, ensure_ascii=False), token=token)  # fmt: skip


def queue_page(fx: Fixtures, seconds: int) -> dict:
    cookie = client.session_cookie(HANDLER)
    path = "/ticketview/list/?queue=accept"
    _check(path, cookie=cookie)
    return wrk.run(path, concurrency=4, seconds=seconds, cookie=cookie)


def queue_api_path(fx: Fixtures) -> str:
    rison = (
        f"(filters:!((col:department_id,opr:eq,value:{fx.tech_id}),"
        "(col:status,opr:eq,value:pending_accept)),"
        "order_column:created_at,order_direction:desc,page:0,page_size:20)"
    )
    return "/api/v1/ticket/?q=" + urllib.parse.quote(rison, safe="(),!:")


def queue_api(fx: Fixtures, seconds: int) -> dict:
    token = client.jwt(HANDLER)
    path = queue_api_path(fx)
    _check(path, token=token)
    return wrk.run(path, concurrency=4, seconds=seconds, token=token)


def ticket_page(fx: Fixtures, seconds: int) -> dict:
    cookie = client.session_cookie(HANDLER)
    path = f"/ticketview/show/{fx.showcase_id}"
    _check(path, cookie=cookie)
    return wrk.run(path, concurrency=4, seconds=seconds, cookie=cookie)


def action(fx: Fixtures, seconds: int) -> dict:
    """`accept` on distinct 待签收 tickets (each can be accepted once), 2 at a time."""
    token = client.jwt(HANDLER)
    todo = [("POST", f"/api/v1/ticket/{pk}/actions/accept",
             {"body": {"version": version}, "token": token})
            for pk, version in fx.to_accept]  # fmt: skip
    if not todo:
        return {"skipped": "no 待签收 tickets left in TECH"}
    return {"tool": "python", "concurrency": 2, **client.load(todo, 2)}


def saved_view(fx: Fixtures) -> int:
    """A personal view of three filters, one on a custom field (created once)."""
    token = client.jwt(HANDLER)
    name = "压测：处理中 紧急/高 区域 a"
    status, data = client.call("GET", "/api/v1/saved_view/?q=(page_size:100)", token=token)
    for row in data.get("result", []) if isinstance(data, dict) else []:
        if row.get("name") == name:
            return row["id"]
    conditions = {"match": "all", "conditions": [
        {"field": "status", "op": "eq", "value": "in_progress"},
        {"field": "priority", "op": "in", "value": ["high", "urgent"]},
        {"field": "custom.bench_area", "op": "eq", "value": "a"},
    ]}  # fmt: skip
    body = {"name": name, "conditions": conditions, "visibility": "personal"}
    status, data = client.call("POST", "/api/v1/saved_view/", body=body, token=token)
    if status != 201:
        raise RuntimeError(f"saved view answered {status}: {str(data)[:300]}")
    return data["id"]


def query(fx: Fixtures, seconds: int) -> dict:
    view_id = saved_view(fx)
    cookie = client.session_cookie(HANDLER)
    path = f"/savedviews/{view_id}/"
    _check(path, cookie=cookie)
    return wrk.run(path, concurrency=4, seconds=seconds, cookie=cookie)
