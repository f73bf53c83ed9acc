"""Saving notification channels (robot endpoints) for /api/v1/channel/.

The URL and the secret are credentials: the secret is write-only (never read back, kept
when left out or empty on a change) and the URL is read back redacted like on the screen.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from plugins.automation.channels import redact_url
from plugins.automation.channels.egress import check_outbound_url
from plugins.automation.notify.models import ROBOT_KINDS, RobotEndpoint
from plugins.tickets.models import Department
from plugins.tickets.services.errors import NotFound, ValidationFailed

FIELDS = ("name", "kind", "url", "secret", "department_id", "active")
NAME_MAX, URL_MAX, SECRET_MAX = 100, 500, 255


def as_dict(row: RobotEndpoint) -> dict[str, Any]:
    return {
        "id": row.id, "name": row.name, "kind": row.kind, "url": redact_url(row.url or ""),
        "has_secret": bool(row.secret), "department_id": row.department_id,
        "active": row.active,
    }  # fmt: skip


def get(session: Session, pk: Any) -> RobotEndpoint:
    ok = isinstance(pk, int) and not isinstance(pk, bool)
    row = session.get(RobotEndpoint, pk) if ok else None
    if row is None:
        raise NotFound(_("No such channel."))
    return row


def _url_ok(value: Any) -> bool:
    if not isinstance(value, str) or not value or len(value) > URL_MAX or value != value.strip():
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _egress_error(url: str) -> str | None:
    """The outbound guard's message when `url` points inside (the screen's check too)."""
    try:
        check_outbound_url(url)
    except ValidationFailed as err:
        return str(err.fields.get("url") or err.message)
    return None


def _check(session: Session, values: Mapping[str, Any], row: RobotEndpoint | None) -> dict:
    errors = {str(k): _("This field cannot be set here.") for k in values if k not in FIELDS}
    merged = {k: values[k] if k in values else (getattr(row, k) if row else None) for k in FIELDS}
    name = merged["name"].strip() if isinstance(merged["name"], str) else ""
    if not name or len(name) > NAME_MAX:
        errors["name"] = _("Enter a name of at most %(n)d characters.", n=NAME_MAX)
    merged["name"] = name
    if merged["kind"] not in ROBOT_KINDS:
        errors["kind"] = _("One of: %(names)s.", names=", ".join(ROBOT_KINDS))
    if not _url_ok(merged["url"]):
        errors["url"] = _("Enter an http(s) address of at most %(max)s characters.", max=URL_MAX)
    elif (blocked := _egress_error(merged["url"])) is not None:
        errors["url"] = blocked
    secret = values.get("secret")
    if secret in (None, ""):
        merged["secret"] = row.secret if row else None  # write-only: blank keeps it
    elif not isinstance(secret, str) or len(secret) > SECRET_MAX:
        errors["secret"] = _("Enter a text of at most %(max)s characters.", max=SECRET_MAX)
    dept = merged["department_id"]
    if dept is not None and ("department_id" in values or row is None):
        ok = isinstance(dept, int) and not isinstance(dept, bool)
        found = session.get(Department, dept) if ok else None
        if found is None or not found.active:
            errors["department_id"] = _("Choose an active department (its id).")
    merged["active"] = True if merged["active"] is None else merged["active"]
    if not isinstance(merged["active"], bool):
        errors["active"] = _("Must be true or false.")
    if errors:
        raise ValidationFailed(_("Please correct the errors below."), errors)
    return merged


def create(session: Session, values: Mapping[str, Any]) -> RobotEndpoint:
    row = RobotEndpoint(**_check(session, values, None))
    session.add(row)
    session.commit()
    return row


def update(session: Session, row: RobotEndpoint, values: Mapping[str, Any]) -> RobotEndpoint:
    for key, value in _check(session, values, row).items():
        setattr(row, key, value)
    session.commit()
    return row


def delete(session: Session, row: RobotEndpoint) -> None:
    """Deliveries keep their rows (robot_id becomes null)."""
    session.delete(row)
    session.commit()
