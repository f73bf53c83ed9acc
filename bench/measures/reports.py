"""Measure 6: the two report shapes through GET /api/v1/report/<name>, as the manager (all
tickets): per department per day over 90 days, per category per month over a year."""

from __future__ import annotations

import datetime as dt
import time

from bench.measures import client
from bench.measures.fixtures import MANAGER

REPEAT = 15


def _params(days: int, group_by: str) -> str:
    today = dt.date.today()
    return f"from={today - dt.timedelta(days=days - 1)}&to={today}&group_by={group_by}"


def measure() -> dict:
    token = client.jwt(MANAGER)
    out = {}
    for key, path in (
        ("dept_day_90d", "/api/v1/report/by_department?" + _params(90, "day")),
        ("category_month_1y", "/api/v1/report/by_category?" + _params(365, "month")),
    ):
        start = time.perf_counter()  # the first call may build the daily roll-ups
        status, data = client.call("GET", path, token=token, timeout=900)
        first_ms = round((time.perf_counter() - start) * 1000, 1)
        if status != 200:
            out[key] = {"skipped": f"{path} answered {status}: {str(data)[:200]}"}
            continue
        rows = len(data.get("rows", [])) if isinstance(data, dict) else None
        todo = [("GET", path, {"token": token})] * REPEAT
        out[key] = {"tool": "python", "concurrency": 1, "rows": rows, "first_call_ms": first_ms,
                    **client.load(todo, 1)}  # fmt: skip
    return out
