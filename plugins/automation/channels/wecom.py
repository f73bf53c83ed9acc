"""WeCom (企业微信) group robot: request bodies and the webhook address.

The `key` in the URL is the robot's only credential (there is no signature scheme), so the
URL is a secret: keep it out of logs (see `webhook.redact_url`). Text is masked here, because
every message built by this module leaves for a third-party group chat.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from plugins.automation.channels.limits import truncate_utf8
from plugins.automation.channels.masking import mask_text

DEFAULT_BASE_URL = "https://qyapi.weixin.qq.com"
SEND_PATH = "/cgi-bin/webhook/send"
TEXT_MAX_BYTES = 2048
MARKDOWN_MAX_BYTES = 4096
MENTION_ALL = "@all"


def webhook_url(key: str, *, base_url: str = DEFAULT_BASE_URL) -> str:
    """The send address of a robot; `base_url` points tests at a loopback server."""
    return f"{base_url.rstrip('/')}{SEND_PATH}?{urlencode({'key': key})}"


def text(
    content: str,
    *,
    mentioned_list: Sequence[str] = (),
    mentioned_mobile_list: Sequence[str] = (),
) -> dict[str, Any]:
    """A text message; mentions go in the lists (user ids or mobiles, "@all" for everyone),
    not in the content, and are therefore not masked."""
    body: dict[str, Any] = {"content": truncate_utf8(mask_text(content), TEXT_MAX_BYTES)}
    if mentioned_list:
        body["mentioned_list"] = list(mentioned_list)
    if mentioned_mobile_list:
        body["mentioned_mobile_list"] = list(mentioned_mobile_list)
    return {"msgtype": "text", "text": body}


def markdown(content: str, *, mention_user_ids: Sequence[str] = ()) -> dict[str, Any]:
    """A markdown message (headings, bold, links, quotes, <font color="info|comment|warning">).

    Markdown messages take no mention lists; a user is mentioned by `<@userid>` in the content,
    which is appended after masking. Mentions by mobile are not possible here.
    """
    mentions = "".join(f"\n<@{user_id}>" for user_id in mention_user_ids)
    limit = MARKDOWN_MAX_BYTES - len(mentions.encode("utf-8"))
    return {
        "msgtype": "markdown",
        "markdown": {"content": truncate_utf8(mask_text(content), limit) + mentions},
    }
