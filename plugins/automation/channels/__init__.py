"""Notification channels: robot message formats and signatures, masking, and delivery.

Standard library only, no Flask: RQ jobs call these with plain values and record the
returned `DeliveryResult` on their delivery row (keyed by the idempotency key they pass).

    from plugins.automation.channels import RobotMessage, send_robot, send_email
"""

from __future__ import annotations

from plugins.automation.channels.mail import make_message_id, send_email
from plugins.automation.channels.masking import mask_id_number, mask_name, mask_phone, mask_text
from plugins.automation.channels.result import DeliveryResult
from plugins.automation.channels.robots import (
    RobotKind,
    RobotMessage,
    RobotRequest,
    build_request,
    send_robot,
)
from plugins.automation.channels.webhook import (
    DELIVERY_HEADER,
    Timeout,
    redact_url,
    send_webhook,
)

__all__ = [
    "DELIVERY_HEADER",
    "DeliveryResult",
    "RobotKind",
    "RobotMessage",
    "RobotRequest",
    "Timeout",
    "build_request",
    "make_message_id",
    "mask_id_number",
    "mask_name",
    "mask_phone",
    "mask_text",
    "redact_url",
    "send_email",
    "send_robot",
    "send_webhook",
]
