"""Reference data a back office of a million tickets has: 20 categories, 200 staff spread over
the departments, 30,000 customers with phones. Idempotent: each step tops up to its target.

All rows are made by PostgreSQL (generate_series) in one statement per table.
"""

from __future__ import annotations

CATEGORIES = 20
STAFF = 200
CUSTOMERS = 30_000

# Children added under the demo's roots: (code, name, parent code).
CHILD_CATEGORIES = [
    ("REPAIR_NET", "网络中断", "REPAIR"),
    ("REPAIR_PHONE", "固话故障", "REPAIR"),
    ("REPAIR_MOBILE", "手机信号", "REPAIR"),
    ("REPAIR_IPTV", "IPTV 卡顿", "REPAIR"),
    ("BILLING_FEE", "费用争议", "BILLING"),
    ("BILLING_REFUND", "退费申请", "BILLING"),
    ("BILLING_INVOICE", "发票问题", "BILLING"),
    ("COMPLAINT_SVC", "服务态度", "COMPLAINT"),
    ("COMPLAINT_INST", "装机超时", "COMPLAINT"),
    ("COMPLAINT_QUAL", "质量投诉", "COMPLAINT"),
    ("CONSULT_PKG", "套餐咨询", "CONSULT"),
    ("CONSULT_BIZ", "业务办理", "CONSULT"),
    ("CONSULT_POLICY", "政策咨询", "CONSULT"),
    ("CONSULT_OTHER", "其他咨询", "CONSULT"),
]


def seed_reference(cur) -> None:
    _categories(cur)
    _staff(cur)
    _customers(cur)


def _categories(cur) -> None:
    for code, name, parent in CHILD_CATEGORIES:
        cur.execute(
            """
            INSERT INTO category (code, name, parent_id, default_department_id, process_key,
                followup_required, active, sort_order, depth, tree_path, created_at)
            SELECT %s, %s, p.id, p.default_department_id, NULL, false, true, 10, 1, '', now()
            FROM category p WHERE p.code = %s
              AND NOT EXISTS (SELECT 1 FROM category WHERE code = %s)
            """,
            (code, name, parent, code),
        )
    # tree_path as the product builds it: <sort 5 digits>.<id 7 digits>/ per level.
    cur.execute(
        """
        UPDATE category c SET tree_path = p.tree_path
            || lpad(c.sort_order::text, 5, '0') || '.' || lpad(c.id::text, 7, '0') || '/'
        FROM category p WHERE c.parent_id = p.id AND c.tree_path = ''
        """
    )


def _staff(cur) -> None:
    """Handlers up to STAFF members, round-robin over departments; password of `tech`."""
    cur.execute("SELECT count(DISTINCT user_id) FROM staff_membership")
    missing = STAFF - cur.fetchone()[0]
    if missing <= 0:
        return
    cur.execute(
        """
        INSERT INTO ab_user (first_name, last_name, username, password, active, email,
            login_count, fail_login_count, created_on, changed_on)
        SELECT '员工', lpad(g::text, 3, '0'), 'bench' || lpad(g::text, 3, '0'),
            (SELECT password FROM ab_user WHERE username = 'tech'), true,
            'bench' || g || '@bench.invalid', 0, 0, now(), now()
        FROM generate_series(1, %s) g
        ON CONFLICT (username) DO NOTHING
        """,
        (missing,),
    )
    cur.execute(
        """
        INSERT INTO ab_user_role (user_id, role_id)
        SELECT u.id, r.id FROM ab_user u, ab_role r
        WHERE u.username LIKE 'bench%%' AND r.name = 'Handler'
          AND NOT EXISTS (SELECT 1 FROM ab_user_role x WHERE x.user_id = u.id)
        """
    )
    cur.execute(
        """
        WITH d AS (SELECT array_agg(id ORDER BY id) ids FROM department)
        INSERT INTO staff_membership (user_id, department_id, duty)
        SELECT u.id, d.ids[1 + u.id % array_length(d.ids, 1)],
            CASE WHEN u.id % 10 = 0 THEN 'supervisor' ELSE 'handler' END
        FROM ab_user u, d
        WHERE u.username LIKE 'bench%%'
          AND NOT EXISTS (SELECT 1 FROM staff_membership m WHERE m.user_id = u.id)
        """
    )


def _customers(cur) -> None:
    cur.execute("SELECT count(*) FROM customer")
    missing = CUSTOMERS - cur.fetchone()[0]
    if missing <= 0:
        return
    cur.execute(
        """
        INSERT INTO customer (name, email, address, notes, created_at)
        SELECT '客户' || g, NULL, '上海市某区某路 ' || g || ' 号', NULL,
            now() - (random() * 730) * interval '1 day'
        FROM generate_series(1, %s) g
        """,
        (missing,),
    )
    cur.execute(
        """
        INSERT INTO customer_phone (customer_id, raw, e164)
        SELECT c.id, '139' || lpad(c.id::text, 8, '0'), '+86139' || lpad(c.id::text, 8, '0')
        FROM customer c
        WHERE NOT EXISTS (SELECT 1 FROM customer_phone p WHERE p.customer_id = c.id)
        """
    )
