"""The one scoping rule, role by role, on plain objects (no request)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from plugins.tickets.scoping import read_scope, write_scope


def _user(db, build, username):
    return build.user(username)


def _ticket(department_id, created_by_id=None):
    return SimpleNamespace(department_id=department_id, created_by_id=created_by_id)


@pytest.mark.parametrize(
    "username, dept, sees, changes",
    [
        ("tech", "TECH", True, True),
        ("tech", "FIN", False, False),
        ("techlead", "TECH", True, True),
        ("techlead", "AFTER", False, False),
        ("fin", "FIN", True, True),
        ("fin", "TECH", False, False),
        ("agent", "CC", True, True),
        ("agent", "FIN", False, False),
        ("dispatcher", "FIN", True, True),
        ("followup", "AFTER", True, True),
        ("admin", "FIN", True, True),
        ("qa", "FIN", True, False),
        ("manager", "TECH", True, False),
    ],
)
def test_matrix(db, build, username, dept, sees, changes):
    user = build.user(username)
    ticket = _ticket(build.department(dept).id)
    assert read_scope(db, user).contains(ticket) is sees
    assert write_scope(db, user).contains(ticket) is changes


def test_agent_sees_own_intake_anywhere(db, build):
    agent = build.user("agent")
    routed_to_fin = _ticket(build.department("FIN").id, created_by_id=agent.id)
    assert read_scope(db, agent).contains(routed_to_fin)
    assert not read_scope(db, build.user("tech")).contains(routed_to_fin)


def test_undispatched_tickets_belong_to_no_department(db, build):
    pending = _ticket(None)
    assert not read_scope(db, build.user("tech")).contains(pending)
    assert read_scope(db, build.user("dispatcher")).contains(pending)


def test_anonymous_and_inactive_users_reach_nothing(db, build):
    assert not read_scope(db, None).contains(_ticket(build.department("TECH").id))
    inactive = SimpleNamespace(is_authenticated=True, is_active=False, roles=[], id=1)
    assert not read_scope(db, inactive).contains(_ticket(build.department("TECH").id))


def test_sql_clause_and_python_rule_agree(db, build):
    """The SQL condition and contains() are one rule: check them against each other."""
    from sqlalchemy import select

    from plugins.tickets.models import Ticket

    tickets = db.scalars(select(Ticket).limit(200)).all()
    for username in ("tech", "agent", "fin", "after", "manager"):
        scope = read_scope(db, build.user(username))
        by_sql = set(db.scalars(select(Ticket.id).where(scope.clause())))
        by_python = {t.id for t in tickets if scope.contains(t)}
        assert by_python == by_sql & {t.id for t in tickets}
