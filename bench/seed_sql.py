"""Bulk seeding for benchmarks: N tickets, their trajectory and custom field values, made by
PostgreSQL itself (generate_series), so a million rows load in well under a minute.

Usage: python -m bench.seed_sql --url postgresql://postgres@127.0.0.1:5432/tickets_bench --n 1000000
The database must be migrated and seeded with the demo data (`flask db upgrade && flask init
&& flask seed-demo`); the bulk rows reuse its departments, categories, users and customers.
"""

from __future__ import annotations

import argparse
import time

import psycopg

STATUSES = ["closed"] * 7 + ["resolved", "pending_accept", "in_progress"]


def seed(url: str, n: int, *, tickets: bool = True) -> dict[str, float]:
    timings = {}
    with psycopg.connect(url, autocommit=True) as conn:
        cur = conn.cursor()
        start = time.perf_counter()
        if tickets:
            _tickets(cur, n)
        timings["tickets_s"] = time.perf_counter() - start
        _fields(cur, timings)
        cur.execute("ANALYZE")
    return timings


def _tickets(cur, n: int) -> None:
    cur.execute(
        """
            WITH ids AS (
                SELECT array_agg(id ORDER BY id) AS depts FROM department
            ), cats AS (
                SELECT array_agg(id ORDER BY id) AS cats FROM category
            ), custs AS (
                SELECT array_agg(id ORDER BY id) AS custs FROM customer
            ), users AS (
                SELECT array_agg(id ORDER BY id) AS users FROM ab_user
            ), proc AS (
                SELECT min(id) AS pid FROM process_definition WHERE key = 'call_center'
            )
            INSERT INTO ticket (number, subject, description, channel, priority, status,
                category_id, department_id, assignee_id, customer_id, created_by_id,
                created_at, updated_at, due_at, version, process_id, supervise_level,
                urge_count, redo_count, is_spam)
            SELECT 'B' || lpad(g::text, 9, '0'), '批量工单 ' || g, '',
                (ARRAY['phone','phone','phone','web','email','portal','wechat','api'])[1 + g % 8],
                (ARRAY['normal','normal','normal','low','high','urgent'])[1 + g % 6],
                (ARRAY[{statuses}])[1 + (g * 7) % 10],
                cats[1 + g % array_length(cats, 1)],
                depts[1 + g % array_length(depts, 1)],
                users[1 + g % array_length(users, 1)],
                custs[1 + g % array_length(custs, 1)],
                users[1 + (g * 3) % array_length(users, 1)],
                now() - (g % 525600) * interval '1 minute',
                now() - (g % 525600) * interval '1 minute',
                now() - (g % 525600) * interval '1 minute' + interval '3 days',
                1, pid, 0, 0, 0, false
            FROM generate_series(1, {n}) AS g, ids, cats, custs, users, proc
            """.format(n=int(n), statuses=", ".join(f"'{s}'" for s in STATUSES))
    )


def _fields(cur, timings: dict[str, float]) -> None:
    cur.execute(
        """
            INSERT INTO custom_field (code, label_zh, label_en, type, required, options,
                active, sort_order, customer_visible, created_at)
            SELECT 'bench_area', '压测区域', 'Bench area', 'select', 'never',
                '[{"value":"a","label":"A"},{"value":"b","label":"B"},{"value":"c","label":"C"},
                  {"value":"d","label":"D"},{"value":"e","label":"E"}]'::json,
                false, 90, false, now()
            WHERE NOT EXISTS (SELECT 1 FROM custom_field WHERE code = 'bench_area')
            UNION ALL
            SELECT 'bench_count', '压测次数', 'Bench count', 'integer', 'never', NULL,
                false, 91, false, now()
            WHERE NOT EXISTS (SELECT 1 FROM custom_field WHERE code = 'bench_count')
            """
    )
    start = time.perf_counter()
    cur.execute(
        """
            INSERT INTO ticket_field_value (ticket_id, field_id, value_text, value_number)
            SELECT t.id, f.id,
                CASE WHEN f.type IN ('select','cascade','text','regex')
                     THEN (ARRAY['a','b','c','d','e'])[1 + t.id % 5] END,
                CASE WHEN f.type IN ('integer','decimal') THEN t.id % 100 END
            FROM ticket t CROSS JOIN custom_field f
            WHERE t.number LIKE 'B%' AND f.code IN ('bench_area', 'bench_count')
            """
    )
    timings["field_values_s"] = time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--fields-only", action="store_true")
    args = parser.parse_args()
    print(seed(args.url, args.n, tickets=not args.fields_only))


if __name__ == "__main__":
    main()
