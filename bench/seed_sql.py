"""Bulk seeding for benchmarks: N tickets with a realistic spread, their trajectory, comments,
custom field values and SLA clocks, made by PostgreSQL itself (generate_series), so a million
tickets load in minutes.

Usage: python -m bench.seed_sql --url postgresql://postgres@127.0.0.1:5432/tickets_bench --n 1000000
The database must be migrated and seeded with the demo data (`flask db upgrade && flask init
&& flask seed-demo`); reference data (20 categories, 200 staff, 30,000 customers) is topped
up by bench.seed_ref, then the bulk rows spread over it:

- created over the last 365 days, office hours (08–20 Beijing); open tickets are recent;
- ~83% closed, 6% resolved, 1% void, ~10% open (待签收, 处理中, 待回访, 待派单, 挂起, 延期审核);
- categories skewed (a few take most calls), department = the category's, assignee = a
  member of that department once accepted, 80% with a known customer (some call often);
- trajectory as the process writes it (create, accept, resolve, close: ~3 rows a ticket),
  0–4 comments a ticket (2 on average), two custom field values a ticket;
- one SLA clock per open ticket, 1% of them due (for the sweep measure);
- ticket B000000001: TECH, 处理中, 20 trajectory rows and 10 comments (the ticket-page measure).
"""

from __future__ import annotations

import argparse
import time

import psycopg

from bench import seed_more
from bench.seed_ref import seed_reference

# (status, cumulative share): ~10% open.
STATUS_SPREAD = [
    ("pending_accept", 0.030),
    ("in_progress", 0.075),
    ("pending_followup", 0.085),
    ("pending_dispatch", 0.090),
    ("suspended", 0.095),
    ("extension_review", 0.100),
    ("resolved", 0.160),
    ("void", 0.170),
    ("closed", 1.0),
]


def _status_case(column: str) -> str:
    parts = " ".join(f"WHEN {column} < {share} THEN '{s}'" for s, share in STATUS_SPREAD)
    return f"CASE {parts} END"


def seed(url: str, n: int) -> dict[str, float]:
    timings: dict[str, float] = {}
    with psycopg.connect(url, autocommit=True) as conn:
        cur = conn.cursor()
        cur.execute("SELECT setseed(0.42)")
        steps = [
            ("reference_s", lambda: seed_reference(cur)),
            ("tickets_s", lambda: _tickets(cur, n)),
            ("trajectory_s", lambda: seed_more.trajectory(cur)),
            ("comments_s", lambda: seed_more.comments(cur)),
            ("field_values_s", lambda: seed_more.fields(cur)),
            ("sla_clocks_s", lambda: seed_more.sla_clocks(cur)),
            ("showcase_s", lambda: seed_more.showcase(cur)),
            ("analyze_s", lambda: cur.execute("VACUUM ANALYZE")),
        ]
        for name, step in steps:
            start = time.perf_counter()
            step()
            timings[name] = round(time.perf_counter() - start, 1)
            print(f"  seed {name[:-2]}: {timings[name]} s", flush=True)
    return timings


def _tickets(cur, n: int) -> None:
    seed_more.bulk(
        cur,
        f"""
        WITH cats AS (
            SELECT array_agg(c.id ORDER BY md5(c.code)) AS ids,
                   array_agg(coalesce(c.default_department_id, cc.id)
                             ORDER BY md5(c.code)) AS depts
            FROM category c, (SELECT id FROM department WHERE code = 'CC') cc
            WHERE c.active
        ), staff AS (
            SELECT department_id AS d, array_agg(user_id ORDER BY user_id) AS u
            FROM staff_membership GROUP BY department_id
        ), agents AS (
            SELECT array_agg(m.user_id ORDER BY m.user_id) AS u FROM staff_membership m
            JOIN department d ON d.id = m.department_id WHERE d.code = 'CC'
        ), custs AS (
            SELECT min(id) AS lo, max(id) - min(id) AS span FROM customer
        ), proc AS (
            SELECT min(id) AS pid FROM process_definition WHERE key = 'call_center'
        ), g AS (
            SELECT g, random() AS rs,
                1 + floor(power(random(), 1.8) * array_length(cats.ids, 1))::int AS ci,
                random() AS ra, random() AS rc, random() AS rt, random() AS rh
            FROM generate_series(1, {int(n)}) AS g, cats
        ), t AS (
            SELECT g.*, {_status_case("g.rs")} AS status, now() AT TIME ZONE 'UTC' AS now,
                cats.ids[ci] AS category_id, cats.depts[ci] AS dept,
                date_trunc('day', now() AT TIME ZONE 'UTC'
                    - CASE WHEN g.rs < 0.1 THEN power(g.rt, 3) * 14
                           ELSE 1 + g.rt * 364 END * interval '1 day')
                    + g.rh * interval '12 hours' AS created
            FROM g, cats
        )
        INSERT INTO ticket (number, subject, description, channel, priority, status,
            category_id, department_id, assignee_id, customer_id, caller_number, caller_e164,
            created_by_id, created_at, updated_at, accepted_at, resolved_at, closed_at, due_at,
            version, process_id, supervise_level, urge_count, redo_count, is_spam,
            satisfaction)
        SELECT 'B' || lpad(t.g::text, 9, '0'), '批量工单 ' || t.g, '客户来电反映问题，请尽快处理。',
            (ARRAY['phone','phone','phone','phone','web','email','portal','wechat','api'])
                [1 + t.g % 9],
            (ARRAY['normal','normal','normal','normal','low','high','urgent'])[1 + t.g % 7],
            t.status, t.category_id,
            CASE WHEN t.status = 'pending_dispatch' THEN NULL ELSE t.dept END,
            CASE WHEN t.status IN ('pending_accept', 'pending_dispatch') THEN NULL
                 ELSE s.u[1 + floor(t.ra * array_length(s.u, 1))::int] END,
            CASE WHEN t.rc < 0.8
                 THEN custs.lo + floor(power(t.rc / 0.8, 2) * custs.span)::int END,
            '139' || lpad((t.g % 30000)::text, 8, '0'),
            '+86139' || lpad((t.g % 30000)::text, 8, '0'),
            agents.u[1 + t.g % array_length(agents.u, 1)],
            t.created, least(t.created + interval '2 days', t.now),
            CASE WHEN t.status NOT IN ('pending_accept', 'pending_dispatch')
                 THEN least(t.created + interval '1 hour', t.now) END,
            CASE WHEN t.status IN ('resolved', 'closed', 'pending_followup')
                 THEN least(t.created + interval '1 day', t.now) END,
            CASE WHEN t.status = 'closed' THEN least(t.created + interval '2 days', t.now) END,
            t.created + interval '3 days',
            1, proc.pid, 0, 0, 0, false,
            CASE WHEN t.status = 'closed' AND t.ra < 0.5 THEN 'satisfied' END
        FROM t LEFT JOIN staff s ON s.d = t.dept, agents, custs, proc
        """,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--n", type=int, default=1_000_000)
    args = parser.parse_args()
    print(seed(args.url, args.n))


if __name__ == "__main__":
    main()
