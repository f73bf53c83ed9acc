"""Report timings at a million tickets, with the plans PostgreSQL chose.

Usage (database made as bench/seed_sql.py says, then seeded with --n 1000000):
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/tickets_reports_bench \
        python -m bench.reports [--runs 3] [--explain]

Each case runs the report through the same service the page and the API call (as the
manager, who sees every department, and as a department supervisor), best of --runs after
one warm-up. --explain prints EXPLAIN (ANALYZE, BUFFERS) of every statement a report sends.
Targets: "per department per day over 90 days" and "per category per month over a year"
under 300 ms; every report under a second. Results go to bench/results/reports-*.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import time

from sqlalchemy import event, text

TARGET_MS = 300
LIMIT_MS = 1000

# (report, group_by, days back from today, extra query args)
CASES = [
    ("by_department", "day", 90, {}),
    ("by_category", "month", 365, {}),
    ("volume", "day", 90, {}),
    ("volume", "month", 365, {}),
    ("by_staff", "week", 90, {}),
    ("by_channel", "day", 90, {}),
    ("timeliness", "day", 90, {}),
    ("node_times", "day", 90, {}),
    ("sla", "month", 365, {}),
    ("transfers", "week", 90, {}),
    ("followup", "day", 90, {}),
    ("rates", "month", 365, {}),
    ("heatmap", "day", 90, {}),
    ("by_department", "day", 90, {"channel": "phone"}),
]
TARGETED = {("by_department", "day", 90), ("by_category", "month", 365)}


def _capture(engine, sink: list):
    def before(conn, cursor, statement, parameters, context, executemany):
        sink.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", before)
    return lambda: event.remove(engine, "before_cursor_execute", before)


def _explain(session, statements: list) -> list[str]:
    out = []
    conn = session.connection()
    for statement, params in statements:
        if not statement.lstrip().upper().startswith("SELECT") or "ab_user" in statement:
            continue
        rows = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, params)
        out.append("\n".join(r[0] for r in rows))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--as", dest="users", default="manager,techlead")
    parser.add_argument("--only", default="", help="comma-separated report names")
    args = parser.parse_args()

    from app import create_app
    from app.extensions import db
    from plugins.reports.runner import run

    app = create_app()
    results = []
    with app.app_context():
        session = db.session
        engine = session.get_bind()
        total = session.execute(text("SELECT count(*) FROM ticket")).scalar()
        events = session.execute(text("SELECT count(*) FROM ticket_event")).scalar()
        print(f"tickets: {total:,}  trajectory rows: {events:,}")
        today = dt.date.today()
        for username in args.users.split(","):
            user = app.appbuilder.sm.find_user(username=username)
            for name, group_by, days, extra in CASES:
                if args.only and name not in args.only.split(","):
                    continue
                query = {
                    "from": (today - dt.timedelta(days=days - 1)).isoformat(),
                    "to": today.isoformat(),
                    "group_by": group_by,
                    **extra,
                }
                run(session, user, name, query, tz_name="Asia/Shanghai")  # warm-up
                timings = []
                for _ in range(args.runs):
                    captured: list = []
                    stop = _capture(engine, captured)
                    start = time.perf_counter()
                    data = run(session, user, name, query, tz_name="Asia/Shanghai")
                    timings.append((time.perf_counter() - start) * 1000)
                    stop()
                    session.rollback()
                best = min(timings)
                limit = TARGET_MS if (name, group_by, days) in TARGETED and not extra else LIMIT_MS
                verdict = "ok" if best <= limit else "SLOW"
                label = f"{name} {group_by} {days}d {extra or ''}".strip()
                print(f"{username:9} {label:42} {best:8.1f} ms  rows {len(data['rows']):5}"
                      f"  (limit {limit} ms) {verdict}")  # fmt: skip
                row = {
                    "user": username,
                    "report": name,
                    "group_by": group_by,
                    "days": days,
                    "extra": extra,
                    "best_ms": round(best, 1),
                    "limit_ms": limit,
                    "rows": len(data["rows"]),
                    "runs_ms": [round(t, 1) for t in timings],
                }
                if args.explain:
                    plans = _explain(session, captured)
                    session.rollback()
                    row["plans"] = plans
                    for plan in plans:
                        print("    " + plan.replace("\n", "\n    "))
                results.append(row)
    os.makedirs("bench/results", exist_ok=True)
    path = f"bench/results/reports-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    with open(path, "w") as fh:
        json.dump({"tickets": total, "trajectory_rows": events, "results": results}, fh, indent=1)
    print(f"written {path}")


if __name__ == "__main__":
    main()
