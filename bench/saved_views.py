"""Saved views at scale: COUNT and first page of typical views, as users of each scope.

Usage (a database seeded with bench.seed_sql, e.g. a million tickets):
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/tickets_bench \\
        python -m bench.saved_views [--repeat 5]

Prints the median milliseconds per view and user, and the plan of the slowest COUNT.
"""

from __future__ import annotations

import argparse
import statistics
import time

from sqlalchemy import func, select, text

from plugins.tickets.models import Department, SavedView, Ticket

VIEWS = {
    "TECH 紧急未签收": {
        "conditions": [
            {"field": "department_id", "op": "eq", "value": "TECH"},
            {"field": "priority", "op": "eq", "value": "urgent"},
            {"field": "status", "op": "eq", "value": "pending_accept"},
        ]
    },
    "my departments, last 24 h": {
        "conditions": [
            {"field": "department_id", "op": "eq", "value": "my_departments"},
            {"field": "created_at", "op": "within_last_hours", "value": 24},
        ]
    },
    "overdue": {"conditions": [{"field": "due_at", "op": "overdue"}]},
    "custom: area a and count > 90": {
        "conditions": [
            {"field": "custom.bench_area", "op": "eq", "value": "a"},
            {"field": "custom.bench_count", "op": "gt", "value": 90},
        ]
    },
    "custom any: area in (a, b) or urgent": {
        "match": "any",
        "conditions": [
            {"field": "custom.bench_area", "op": "in", "value": ["a", "b"]},
            {"field": "priority", "op": "eq", "value": "urgent"},
        ],
    },
}


def _resolve(db, data: dict) -> dict:
    tech = db.scalar(select(Department.id).where(Department.code == "TECH"))
    items = [dict(c, value=tech) if c.get("value") == "TECH" else c for c in data["conditions"]]
    return {"match": data.get("match", "all"), "conditions": items}


def _time(fn, repeat: int) -> tuple[float, object]:
    samples, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from app import create_app
    from app.extensions import db as _db
    from plugins.tickets.services import views_sql
    from plugins.tickets.services.view_fields import view_fields

    app = create_app()
    with app.app_context():
        db = _db.session
        total = db.scalar(select(func.count()).select_from(Ticket))
        print(f"{total} tickets")
        fields = view_fields(db)
        users = {name: app.appbuilder.sm.find_user(username=name) for name in ("admin", "tech")}
        worst = (0.0, None, None)
        for name, data in VIEWS.items():
            view = SavedView(name=name, conditions=_resolve(db, data), columns=[], sort=None)
            for username, user in users.items():
                ms_count, count = _time(
                    lambda v=view, u=user: views_sql.count(db, u, v, fields), args.repeat
                )
                ms_page, _rows = _time(
                    lambda v=view, u=user: views_sql.tickets(db, u, v, 0, 25, fields),
                    args.repeat,
                )
                print(
                    f"{name:40} {username:6} count={count:>8} "
                    f"COUNT {ms_count:8.1f} ms   page {ms_page:8.1f} ms"
                )
                if ms_count > worst[0]:
                    worst = (ms_count, view, user)
        _, view, user = worst
        stmt = (
            select(func.count()).select_from(Ticket).where(*views_sql.where(db, user, view, fields))
        )
        sql = stmt.compile(db.get_bind(), compile_kwargs={"literal_binds": True})
        print(f"\nslowest COUNT: {view.name} as {user.username}")
        for (line,) in db.execute(text(f"EXPLAIN ANALYZE {sql}")):
            print("  " + line)


if __name__ == "__main__":
    main()
