"""Feishu (飞书) / Lark custom bot: signature, request bodies and the webhook address.

The signature differs from DingTalk's: "<timestamp_s>\\n<secret>" is the HMAC-SHA256 *key*
and the message is empty; the base64 result goes in the JSON body beside `timestamp`
(seconds, as a string), not in the URL, and is not URL-encoded. Copying DingTalk's scheme
gets 19021 "sign match fail". A retry must be signed again (one hour of validity).

Webhook bots have no markdown message type: markdown goes in an interactive card with a
`lark_md` element (`card`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Sequence
from typing import Any

from plugins.automation.channels.limits import truncate_utf8
from plugins.automation.channels.masking import mask_text

DEFAULT_BASE_URL = "https://open.feishu.cn"
HOOK_PATH = "/open-apis/bot/v2/hook/"
# The body limit is 20 KB; the rest is left for the JSON envelope and escaping.
TEXT_MAX_BYTES = 16 * 1024
MENTION_ALL = "all"


def webhook_url(hook_id: str, *, base_url: str = DEFAULT_BASE_URL) -> str:
    """The send address of a bot; `base_url` points tests at a loopback server."""
    return f"{base_url.rstrip('/')}{HOOK_PATH}{hook_id}"


def sign(timestamp_s: int, secret: str) -> str:
    """The base64 signature for a timestamp in seconds."""
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def signed(payload: dict[str, Any], secret: str, *, timestamp_s: int | None = None) -> dict:
    """`payload` with `timestamp` (a string, as the official example sends) and `sign` first."""
    ts = int(time.time()) if timestamp_s is None else timestamp_s
    unsigned = {k: v for k, v in payload.items() if k not in ("timestamp", "sign")}
    return {"timestamp": str(ts), "sign": sign(ts, secret), **unsigned}


def _text_mentions(at_user_ids: Sequence[str], at_all: bool) -> str:
    tags = [f'<at user_id="{user_id}"></at>' for user_id in at_user_ids]
    if at_all:
        tags.append(f'<at user_id="{MENTION_ALL}">所有人</at>')
    return "".join(f" {tag}" for tag in tags)


def text(content: str, *, at_user_ids: Sequence[str] = (), at_all: bool = False) -> dict:
    """A text message; mentions (open ids, or everyone) are appended after masking."""
    mentions = _text_mentions(at_user_ids, at_all)
    limit = TEXT_MAX_BYTES - len(mentions.encode("utf-8"))
    return {
        "msg_type": "text",
        "content": {"text": truncate_utf8(mask_text(content), limit) + mentions},
    }


def text_element(value: str) -> dict[str, str]:
    """A plain-text run of a rich-text (post) paragraph."""
    return {"tag": "text", "text": value}


def link_element(value: str, href: str) -> dict[str, str]:
    """A link run of a post paragraph (e.g. to the ticket page)."""
    return {"tag": "a", "text": value, "href": href}


def at_element(user_id: str) -> dict[str, str]:
    """A mention run of a post paragraph; "all" mentions everyone."""
    return {"tag": "at", "user_id": user_id}


def _masked(element: dict[str, str]) -> dict[str, str]:
    if element.get("tag") in ("text", "a") and "text" in element:
        return {**element, "text": mask_text(element["text"])}
    return dict(element)


def post(title: str, paragraphs: Sequence[Sequence[dict[str, str]]]) -> dict[str, Any]:
    """A rich-text (post) message in zh_cn; each paragraph is a list of runs."""
    content = [[_masked(element) for element in paragraph] for paragraph in paragraphs]
    return {
        "msg_type": "post",
        "content": {"post": {"zh_cn": {"title": mask_text(title), "content": content}}},
    }


def card(
    title: str,
    markdown: str,
    *,
    template: str = "blue",
    at_user_ids: Sequence[str] = (),
    at_all: bool = False,
) -> dict[str, Any]:
    """An interactive card with a header (if titled) and one `lark_md` block: the markdown
    message.

    `template` colours the header (blue, orange, red, ...); `card` is a JSON object here
    (only the app-bot IM API takes it as a string).
    """
    ids = [*at_user_ids, *([MENTION_ALL] if at_all else [])]
    mentions = "".join(f" <at id={user_id}></at>" for user_id in ids)
    limit = TEXT_MAX_BYTES - len(mentions.encode("utf-8"))
    block = {"tag": "lark_md", "content": truncate_utf8(mask_text(markdown), limit) + mentions}
    body: dict[str, Any] = {"elements": [{"tag": "div", "text": block}]}
    if title:
        header_title = {"tag": "plain_text", "content": mask_text(title)}
        body = {"header": {"title": header_title, "template": template}, **body}
    return {"msg_type": "interactive", "card": body}
