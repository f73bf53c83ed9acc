"""Which policy governs a ticket, and its targets as workflows.SlaTarget values.

Policies are data (admins edit them), so targets are validated here with the same errors
the screens show, keyed by metric.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from plugins.automation.sla.models import METRICS, SlaPolicy
from plugins.tickets.models import Category, Ticket
from workflows.calendar_base import CalendarError
from workflows.sla_target import SlaTarget

#: Target kinds as admins write them → (SlaTarget kind, minutes per unit).
KINDS: dict[str, tuple[str, int]] = {
    "working_hours": ("working_minutes", 60),
    "calendar_hours": ("calendar_minutes", 60),
    "working_minutes": ("working_minutes", 1),
    "calendar_minutes": ("calendar_minutes", 1),
    "working_days": ("working_days", 1),
}
METRIC_LABELS = {
    "accept": _l("Accept (签收)"),
    "first_reply": _l("First reply"),
    "resolve": _l("Resolve (办结)"),
    "follow_up": _l("Follow-up (回访)"),
}
KIND_LABELS = {
    "working_hours": _l("Working hours"),
    "calendar_hours": _l("Calendar hours"),
    "working_minutes": _l("Working minutes"),
    "calendar_minutes": _l("Calendar minutes"),
    "working_days": _l("End of the Nth working day"),
}


def target_of(spec: dict[str, Any]) -> SlaTarget:
    """One target from its JSON; raises CalendarError with a translated reason."""
    if not isinstance(spec, dict) or spec.get("kind") not in KINDS:
        raise CalendarError(_("The kind must be one of: %(kinds)s.", kinds=", ".join(KINDS)))
    kind, factor = KINDS[spec["kind"]]
    amount = spec.get("amount")
    if kind == "working_days":
        if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
            raise CalendarError(_("A number of working days is a whole number of 0 or more."))
    elif not isinstance(amount, int | float) or isinstance(amount, bool) or amount <= 0:
        raise CalendarError(_("The amount must be a number above 0."))
    warn = spec.get("warn_percent", 75)
    if not isinstance(warn, int | float) or isinstance(warn, bool) or not 0 <= warn <= 100:
        raise CalendarError(_("The warning percentage must be from 0 to 100."))
    return SlaTarget(kind, amount * factor, warn)  # type: ignore[arg-type]


def validate_targets(targets: Any) -> dict[str, str]:
    """{metric: problem} for a policy's targets JSON ({} when valid)."""
    if not isinstance(targets, dict):
        return {"targets": str(_l("Targets must be an object keyed by metric."))}
    errors = {}
    for metric, spec in targets.items():
        if metric not in METRICS:
            errors[metric] = str(_l("Unknown metric."))
            continue
        try:
            target_of(spec)
        except (CalendarError, TypeError) as err:
            errors[metric] = str(err)
    return errors


def targets_of(policy: SlaPolicy) -> dict[str, SlaTarget]:
    """The policy's valid targets (an invalid one is skipped, never fatal in a job)."""
    out = {}
    for metric in METRICS:
        spec = (policy.targets or {}).get(metric)
        if spec:
            try:
                out[metric] = target_of(spec)
            except (CalendarError, TypeError):
                continue
    return out


def _category_chain(session: Session, category_id: int) -> set[int]:
    """The category and its ancestors: a policy on a parent covers its children."""
    found: set[int] = set()
    current = session.get(Category, category_id)
    while current is not None and current.id not in found:
        found.add(current.id)
        current = current.parent
    return found


def match_policy(session: Session, ticket: Ticket) -> SlaPolicy | None:
    """The first active policy (by order, then id) whose category and priority fit."""
    chain = _category_chain(session, ticket.category_id)
    policies = session.scalars(
        select(SlaPolicy)
        .where(SlaPolicy.active.is_(True))
        .order_by(SlaPolicy.sort_order, SlaPolicy.id)
    )
    for policy in policies:
        if policy.category_id is not None and policy.category_id not in chain:
            continue
        if policy.priority and policy.priority != ticket.priority:
            continue
        return policy
    return None
