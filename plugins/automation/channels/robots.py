"""One message, three robots: build the signed request for a kind of robot, and send it.

Notification rules keep one channel-neutral `RobotMessage`; this module maps it onto each
platform's shape. Signing happens here, at send time, because DingTalk and Feishu refuse a
signature more than an hour old: a retry must be a freshly signed request, never a replay.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from plugins.automation.channels import dingtalk, feishu, wecom
from plugins.automation.channels.result import DeliveryResult
from plugins.automation.channels.webhook import DEFAULT_TIMEOUT, Timeout, send_webhook


class RobotKind(StrEnum):
    WECOM = "wecom"
    DINGTALK = "dingtalk"
    FEISHU = "feishu"


@dataclass(frozen=True)
class RobotMessage:
    """A channel-neutral message. Text and title are masked by the builders.

    Attributes:
        text: the body, plain text or markdown (see `markdown`).
        title: heading for markdown (WeCom: prepended as "## title"; DingTalk: the preview;
            Feishu: the card header).
        markdown: send as markdown (Feishu: an interactive card).
        mention_mobiles: staff mobiles to @ (WeCom text, DingTalk; not WeCom markdown or
            Feishu, which mention by user id only). Sent unmasked: they are the staff
            members' own numbers, which the platform needs to find them in the group.
        mention_user_ids: platform user ids to @ (WeCom userid, DingTalk userId, Feishu open id).
        mention_all: @ everyone (not in WeCom markdown, which has no such mention).
    """

    text: str
    title: str = ""
    markdown: bool = False
    mention_mobiles: tuple[str, ...] = ()
    mention_user_ids: tuple[str, ...] = ()
    mention_all: bool = False


@dataclass(frozen=True)
class RobotRequest:
    """What goes on the wire: the (signed) URL and the JSON body."""

    url: str
    payload: dict[str, Any]


def build_request(
    kind: RobotKind | str,
    url: str,
    message: RobotMessage,
    *,
    secret: str | None = None,
    now: float | None = None,
) -> RobotRequest:
    """The request for `message` to the robot at `url`, signed with `secret` (DingTalk 加签,
    Feishu 签名校验; WeCom has none) at `now` (epoch seconds, default the current time)."""
    kind = RobotKind(kind)
    moment = time.time() if now is None else now
    if kind is RobotKind.WECOM:
        return RobotRequest(url, _wecom(message))
    if kind is RobotKind.DINGTALK:
        payload = _dingtalk(message)
        if secret:
            url = dingtalk.signed_url(url, secret, timestamp_ms=round(moment * 1000))
        return RobotRequest(url, payload)
    payload = _feishu(message)
    if secret:
        payload = feishu.signed(payload, secret, timestamp_s=int(moment))
    return RobotRequest(url, payload)


def send_robot(
    kind: RobotKind | str,
    url: str,
    message: RobotMessage,
    *,
    idempotency_key: str,
    secret: str | None = None,
    timeout: Timeout = DEFAULT_TIMEOUT,
    allowed_networks: Iterable[str] | None = None,
) -> DeliveryResult:
    """Build, sign (now) and send one robot message; see `webhook.send_webhook`."""
    request = build_request(kind, url, message, secret=secret)
    return send_webhook(
        request.url, request.payload, idempotency_key=idempotency_key, timeout=timeout,
        allowed_networks=allowed_networks,
    )  # fmt: skip


def _wecom(message: RobotMessage) -> dict[str, Any]:
    if message.markdown:
        content = f"## {message.title}\n{message.text}" if message.title else message.text
        # WeCom markdown can mention user ids only (no mobiles, no @all).
        return wecom.markdown(content, mention_user_ids=message.mention_user_ids)
    everyone = [wecom.MENTION_ALL] if message.mention_all else []
    return wecom.text(
        message.text,
        mentioned_list=[*message.mention_user_ids, *everyone],
        mentioned_mobile_list=list(message.mention_mobiles),
    )


def _dingtalk(message: RobotMessage) -> dict[str, Any]:
    mentions = {
        "at_mobiles": message.mention_mobiles,
        "at_user_ids": message.mention_user_ids,
        "at_all": message.mention_all,
    }
    if message.markdown:
        # The title is the conversation-list preview: fall back to the first line.
        first_line = message.text.strip().splitlines()[0] if message.text.strip() else ""
        title = message.title or first_line.lstrip("#> ")[:64]
        return dingtalk.markdown(title, message.text, **mentions)
    return dingtalk.text(message.text, **mentions)


def _feishu(message: RobotMessage) -> dict[str, Any]:
    if message.markdown:
        return feishu.card(
            message.title,
            message.text,
            at_user_ids=message.mention_user_ids,
            at_all=message.mention_all,
        )
    return feishu.text(
        message.text, at_user_ids=message.mention_user_ids, at_all=message.mention_all
    )
