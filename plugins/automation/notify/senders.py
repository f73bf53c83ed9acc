"""Per-channel sending of one delivery row with the pure functions of `channels/`.

Reads settings (MAIL_*, OUTBOUND_ALLOWED_NETWORKS) and robot endpoints at send time, so a
fixed URL or secret applies to the next retry. Robot text is masked once more here: rows
written before a masking rule changed, or by a caller that bypassed the service, still leave
masked.
"""

from __future__ import annotations

from collections.abc import Mapping
from email.utils import parseaddr
from typing import Any

from sqlalchemy.orm import Session

from plugins.automation.channels import (
    RobotMessage,
    make_message_id,
    mask_text,
    send_email,
    send_robot,
    send_webhook,
)
from plugins.automation.channels.result import DeliveryResult
from plugins.automation.notify.models import Delivery, RobotEndpoint


def send(session: Session, row: Delivery, config: Mapping[str, Any]) -> DeliveryResult:
    """Send `row` over its channel; never raises for delivery failures."""
    if row.channel == "email":
        return _email(row, config)
    if row.channel in ("wecom", "dingtalk", "feishu", "webhook"):
        robot = session.get(RobotEndpoint, row.robot_id) if row.robot_id else None
        if robot is None or not robot.active:
            return DeliveryResult(False, False, None, "robot endpoint missing or inactive")
        return _robot(row, robot, config.get("OUTBOUND_ALLOWED_NETWORKS"))
    return DeliveryResult(False, False, None, f"channel {row.channel} is not sent by a job")


def _email(row: Delivery, config: Mapping[str, Any]) -> DeliveryResult:
    server = config.get("MAIL_SERVER")
    if not server:
        return DeliveryResult(False, True, None, "MAIL_SERVER is not configured")
    sender = config.get("MAIL_FROM") or "noreply@localhost"
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    user, password = config.get("MAIL_USERNAME"), config.get("MAIL_PASSWORD")
    return send_email(
        server, int(config.get("MAIL_PORT") or 25), sender, row.recipient, row.subject, row.body,
        message_id=make_message_id(row.idempotency_key, domain),
        security=config.get("MAIL_SECURITY") or "none",
        credentials=(user, password) if user and password else None,
    )  # fmt: skip


def _robot(row: Delivery, robot: RobotEndpoint, allowed: list[str] | None) -> DeliveryResult:
    subject, body = mask_text(row.subject or ""), mask_text(row.body or "")
    if robot.kind == "webhook":
        payload = {
            "delivery_id": row.id, "ticket_id": row.ticket_id, "subject": subject, "body": body,
        }  # fmt: skip
        return send_webhook(
            robot.url, payload, idempotency_key=row.idempotency_key, allowed_networks=allowed
        )
    text = f"{subject}\n{body}" if subject and body else subject or body
    return send_robot(
        robot.kind, robot.url, RobotMessage(text=text),
        idempotency_key=row.idempotency_key, secret=robot.secret or None,
        allowed_networks=allowed,
    )  # fmt: skip
