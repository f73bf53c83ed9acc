"""What the measures need from the bench database: ids, a saved view, tickets to accept."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from bench.seed_more import SHOWCASE

HANDLER = "tech"  # a TECH handler: the 部门待签收 queue, the ticket page, the accept action
AGENT = "agent"  # registers tickets (intake)
MANAGER = "manager"  # sees every ticket (reports)


@dataclass
class Fixtures:
    tech_id: int
    intake_category_id: int
    showcase_id: int
    to_accept: list[tuple[int, int]]  # (id, version)
    tickets: int


def load(url: str, accept_limit: int = 400) -> Fixtures:
    with psycopg.connect(url) as conn:
        one = lambda sql, *a: conn.execute(sql, a).fetchone()[0]  # noqa: E731
        tech = one("SELECT id FROM department WHERE code = 'TECH'")
        # Any 待签收 ticket of TECH (seeded ones, then those earlier intake runs registered:
        # every run accepts up to accept_limit of them), with the version to send.
        accept = conn.execute(
            """SELECT id, version FROM ticket WHERE department_id = %s
               AND status = 'pending_accept' ORDER BY id DESC LIMIT %s""",
            (tech, accept_limit),
        ).fetchall()
        return Fixtures(
            tech_id=tech,
            intake_category_id=one("SELECT id FROM category WHERE code = 'REPAIR_BB'"),
            showcase_id=one("SELECT id FROM ticket WHERE number = %s", SHOWCASE),
            to_accept=[(r[0], r[1]) for r in accept],
            tickets=one("SELECT count(*) FROM ticket"),
        )
