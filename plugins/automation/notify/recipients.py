"""Turn recipient specs ({"user_id": 3}, {"role": ..., "department_id": ...}, ...) into
concrete targets for one channel.

Resolution happens when the notification is requested, inside the caller's transaction, so
the delivery rows record who was told (a later change of duty does not re-route old mail).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_appbuilder.security.sqla.models import Role, User
from sqlalchemy import select
from sqlalchemy.orm import Session

from plugins.automation.notify.models import RobotEndpoint
from plugins.tickets.models import StaffMembership

USER_SPECS = frozenset(
    {"user_id", "role", "department_supervisors", "department_handlers", "department_id"}
)
ROBOT_CHANNELS = frozenset({"wecom", "dingtalk", "feishu", "webhook"})


class RecipientError(ValueError):
    """A recipient spec that names nothing we know how to resolve."""


@dataclass(frozen=True)
class Target:
    """One resolved recipient: `key` is stable and goes into the idempotency key."""

    key: str
    user_id: int | None = None
    robot_id: int | None = None
    address: str | None = None


def users_of(session: Session, spec: dict) -> list[int]:
    """User ids a user-kind spec names (active users only)."""
    if "user_id" in spec:
        ids = [int(spec["user_id"])]
    elif "department_supervisors" in spec:
        ids = list(
            session.scalars(
                select(StaffMembership.user_id).where(
                    StaffMembership.department_id == int(spec["department_supervisors"]),
                    StaffMembership.duty == "supervisor",
                )
            )
        )
    elif "department_handlers" in spec:
        ids = list(
            session.scalars(
                select(StaffMembership.user_id).where(
                    StaffMembership.department_id == int(spec["department_handlers"]),
                    StaffMembership.duty == "handler",
                )
            )
        )
    elif "role" in spec:
        stmt = select(User.id).join(User.roles).where(Role.name == spec["role"])
        if spec.get("department_id") is not None:
            members = select(StaffMembership.user_id).where(
                StaffMembership.department_id == int(spec["department_id"])
            )
            stmt = stmt.where(User.id.in_(members))
        ids = list(session.scalars(stmt))
    elif "department_id" in spec:
        ids = list(
            session.scalars(
                select(StaffMembership.user_id).where(
                    StaffMembership.department_id == int(spec["department_id"])
                )
            )
        )
    else:
        return []
    if not ids:
        return []
    active = session.scalars(select(User.id).where(User.id.in_(ids), User.active.is_(True)))
    return sorted(set(active))


def resolve(session: Session, channel: str, specs: list[dict]) -> list[Target]:
    """Targets for `channel`, deduplicated, in a stable order. Specs that cannot reach this
    channel (an email address for in-app, a user for a robot) are skipped, not errors: a
    rule may list mixed recipients and send over several channels."""
    out: dict[str, Target] = {}
    for spec in specs:
        if not isinstance(spec, dict):
            raise RecipientError(f"recipient must be an object: {spec!r}")
        if channel in ROBOT_CHANNELS:
            if "robot_id" in spec:
                robot = session.get(RobotEndpoint, int(spec["robot_id"]))
                if robot is not None and robot.active:
                    out[f"robot:{robot.id}"] = Target(f"robot:{robot.id}", robot_id=robot.id)
            continue
        if "email" in spec:
            if channel == "email":
                address = str(spec["email"]).strip()
                if address:
                    out[address.lower()] = Target(address.lower(), address=address)
            continue
        if "robot_id" in spec:
            continue
        if not USER_SPECS & set(spec):
            raise RecipientError(f"unknown recipient: {spec!r}")
        for user_id in users_of(session, spec):
            if channel == "email":
                user = session.get(User, user_id)
                if user is None or not user.email:
                    continue
                out[f"user:{user_id}"] = Target(f"user:{user_id}", user_id, address=user.email)
            else:
                out[f"user:{user_id}"] = Target(f"user:{user_id}", user_id)
    return list(out.values())
