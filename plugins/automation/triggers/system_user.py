"""The system user: the actor of triggers, timers and automations in the trajectory.

Role Admin, so the one scoping rule lets it reach every ticket; its duties are only
`system` (plugins/tickets/services/duties.py), so the process definitions say exactly
which actions a rule may take. It stays active (the scoping rule gives an inactive user
nothing) but its stored password is not a hash at all, so no password can match it and
nobody logs in as it. The SLA part (automation/sla/system_user.py) finds the same user.
"""

from __future__ import annotations

import secrets

from plugins.tickets.services.duties import SYSTEM_USERNAME


def ensure_system_user(sm) -> object:
    """Create the user if it is missing (idempotent; `flask init` and the demo seed)."""
    user = sm.find_user(username=SYSTEM_USERNAME)
    if user is not None:
        return user
    user = sm.add_user(
        SYSTEM_USERNAME, "系统", "", "system@localhost.invalid", sm.find_role(sm.auth_role_admin),
        password=secrets.token_urlsafe(48),
    )  # fmt: skip
    if user:
        user.password = "!" + secrets.token_hex(32)  # not a hash format: never matches
        sm.session.commit()
    return user or sm.find_user(username=SYSTEM_USERNAME)
