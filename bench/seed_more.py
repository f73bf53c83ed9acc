"""The rows around the bench tickets (number 'B…'): trajectory, comments, custom field values,
SLA clocks, and the showcase ticket. Consistent by construction, so foreign-key triggers are
switched off for the bulk statements (session_replication_role = replica; we are superuser).
"""

from __future__ import annotations

BENCH = "t.number LIKE 'B%%'"
SLA_POLICY = "压测 SLA"
SHOWCASE = "B000000001"


def bulk(cur, sql: str, params=None) -> None:
    cur.execute("SET session_replication_role = replica")
    try:
        cur.execute(sql, params)
    finally:
        cur.execute("SET session_replication_role = DEFAULT")


def trajectory(cur) -> None:
    """create → accept → resolve → close as far as each ticket's status went."""
    bulk(
        cur,
        f"""
        INSERT INTO ticket_event (ticket_id, actor_id, action, from_status, to_status,
            from_department_id, to_department_id, received_at, started_at, finished_at,
            required_by, note, created_at)
        SELECT t.id, CASE WHEN e.step = 1 THEN t.created_by_id ELSE t.assignee_id END,
            e.action, e.from_s,
            CASE WHEN e.step = 1 AND t.department_id IS NULL THEN 'pending_dispatch'
                 WHEN e.step = 3 AND t.status = 'pending_followup' THEN 'pending_followup'
                 ELSE e.to_s END,
            NULL, t.department_id, t.created_at + e.offs, t.created_at + e.offs,
            t.created_at + e.offs, t.created_at + e.offs + interval '3 days', NULL,
            t.created_at + e.offs
        FROM ticket t CROSS JOIN LATERAL (VALUES
            (1, 'create', NULL, 'pending_accept', interval '0'),
            (2, 'accept', 'pending_accept', 'in_progress', interval '1 hour'),
            (3, 'resolve', 'in_progress', 'resolved', interval '1 day'),
            (4, 'close', 'resolved', 'closed', interval '2 days'),
            (5, 'suspend', 'in_progress', 'suspended', interval '2 hours'),
            (6, 'request_extension', 'in_progress', 'extension_review', interval '2 hours'),
            (7, 'void', 'pending_accept', 'void', interval '1 hour')
        ) AS e(step, action, from_s, to_s, offs)
        WHERE {BENCH} AND (
            e.step = 1
            OR (e.step = 2 AND t.status NOT IN ('pending_accept', 'pending_dispatch', 'void'))
            OR (e.step = 3 AND t.status IN ('resolved', 'closed', 'pending_followup'))
            OR (e.step = 4 AND t.status = 'closed')
            OR (e.step = 5 AND t.status = 'suspended')
            OR (e.step = 6 AND t.status = 'extension_review')
            OR (e.step = 7 AND t.status = 'void'))
        """,
    )


def comments(cur) -> None:
    """0–4 comments a ticket (2 on average), replies and internal notes."""
    bulk(
        cur,
        f"""
        INSERT INTO ticket_comment (ticket_id, author_id, body, is_public, created_at)
        SELECT t.id, coalesce(t.assignee_id, t.created_by_id),
            (ARRAY['已联系客户，约定明天上门。', '客户表示问题已解决。', '等待备件到货。',
                   '已转交二线工程师排查。', '客户要求尽快回电。'])[1 + (t.id + k) % 5],
            (t.id + k) % 3 = 0, t.created_at + k * interval '3 hours'
        FROM ticket t CROSS JOIN LATERAL generate_series(1, (t.id::bigint * 7919 % 5)::int) AS k
        WHERE {BENCH}
        """,
    )


def fields(cur) -> None:
    """Two custom fields (a select and an integer) with a value on every bench ticket."""
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
    bulk(
        cur,
        f"""
        INSERT INTO ticket_field_value (ticket_id, field_id, value_text, value_number)
        SELECT t.id, f.id,
            CASE WHEN f.type = 'select' THEN (ARRAY['a','b','c','d','e'])[1 + t.id % 5] END,
            CASE WHEN f.type = 'integer' THEN t.id % 100 END
        FROM ticket t CROSS JOIN custom_field f
        WHERE {BENCH} AND f.code IN ('bench_area', 'bench_count')
        """,
    )


def sla_clocks(cur) -> None:
    """A catch-all policy (办结 in 3 calendar days) and one clock per open bench ticket;
    ~1% of them (id % 33 = 0 among the third older than 4 days) due now, the rest due later."""
    cur.execute(
        """
        INSERT INTO sla_policy (name, active, sort_order, category_id, priority, targets,
            created_at)
        SELECT %s, true, 999, NULL, NULL,
            '{"resolve": {"kind": "calendar_minutes", "amount": 4320, "warn_percent": 75}}',
            now()
        WHERE NOT EXISTS (SELECT 1 FROM sla_policy WHERE name = %s)
        """,
        (SLA_POLICY, SLA_POLICY),
    )
    bulk(
        cur,
        f"""
        INSERT INTO sla_clock (ticket_id, metric, cycle, policy_id, kind, budget_minutes,
            consumed_minutes, warn_percent, segments, extensions, paused, unofficial_years,
            started_at, warn_at, due_at, warned_at, updated_at)
        SELECT t.id, 'resolve', 1, p.id, 'calendar_minutes', 4320, 0, 75, '[]', '[]',
            t.status = 'suspended', '[]', t.created_at, d.due - interval '18 hours', d.due,
            CASE WHEN d.due < now() THEN d.due - interval '18 hours' END,
            now() AT TIME ZONE 'UTC'
        FROM ticket t, sla_policy p, LATERAL (
            SELECT CASE WHEN t.id %% 33 = 0 AND t.created_at < now() - interval '4 days'
                        THEN (now() AT TIME ZONE 'UTC') - interval '1 minute'
                        ELSE (now() AT TIME ZONE 'UTC') + (1 + t.id %% 30) * interval '1 day'
                   END AS due) d
        WHERE {BENCH} AND p.name = %s AND t.status IN (
            'pending_accept', 'in_progress', 'pending_followup', 'pending_dispatch',
            'suspended', 'extension_review')
        """,
        (SLA_POLICY,),
    )


def showcase(cur) -> None:
    """B000000001: TECH, 处理中, held by `tech`, with 20 trajectory rows and 10 comments."""
    cur.execute(
        """
        UPDATE ticket SET status = 'in_progress',
            department_id = (SELECT id FROM department WHERE code = 'TECH'),
            assignee_id = (SELECT id FROM ab_user WHERE username = 'tech'),
            closed_at = NULL, resolved_at = NULL
        WHERE number = %s
        """,
        (SHOWCASE,),
    )
    for table in ("ticket_event", "ticket_comment", "sla_clock"):
        cur.execute(
            f"DELETE FROM {table} WHERE ticket_id = (SELECT id FROM ticket WHERE number = %s)",
            (SHOWCASE,),
        )
    cur.execute(
        """
        INSERT INTO ticket_event (ticket_id, actor_id, action, from_status, to_status,
            to_department_id, received_at, note, created_at)
        SELECT t.id, t.assignee_id,
            CASE WHEN k = 1 THEN 'create' WHEN k %% 2 = 0 THEN 'accept' ELSE 'transfer' END,
            CASE WHEN k = 1 THEN NULL WHEN k %% 2 = 0 THEN 'pending_accept'
                 ELSE 'in_progress' END,
            CASE WHEN k %% 2 = 0 THEN 'in_progress' ELSE 'pending_accept' END,
            t.department_id, t.created_at + k * interval '1 hour', '第 ' || k || ' 步',
            t.created_at + k * interval '1 hour'
        FROM ticket t, generate_series(1, 20) k WHERE t.number = %s
        """,
        (SHOWCASE,),
    )
    cur.execute(
        """
        INSERT INTO ticket_comment (ticket_id, author_id, body, is_public, created_at)
        SELECT t.id, t.assignee_id, '处理进展第 ' || k || ' 条：已联系客户。', k %% 2 = 0,
            t.created_at + k * interval '2 hours'
        FROM ticket t, generate_series(1, 10) k WHERE t.number = %s
        """,
        (SHOWCASE,),
    )
