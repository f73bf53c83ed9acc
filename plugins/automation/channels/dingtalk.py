"""DingTalk (钉钉) custom robot: 加签 signature, request bodies and the webhook address.

Signature (DingTalk's own snippet): HMAC-SHA256 keyed with the secret over
"<timestamp_ms>\\n<secret>", base64, then URL-encoded into the `sign` query parameter beside
`timestamp` (milliseconds). DingTalk refuses a timestamp more than an hour off, so a retry
must be signed again: `signed_url` replaces any earlier timestamp/sign.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qsl, quote_plus, urlencode, urlsplit, urlunsplit

from plugins.automation.channels.masking import mask_text

DEFAULT_BASE_URL = "https://oapi.dingtalk.com"
SEND_PATH = "/robot/send"


def webhook_url(access_token: str, *, base_url: str = DEFAULT_BASE_URL) -> str:
    """The send address of a robot; `base_url` points tests at a loopback server."""
    return f"{base_url.rstrip('/')}{SEND_PATH}?{urlencode({'access_token': access_token})}"


def sign(timestamp_ms: int, secret: str) -> str:
    """The base64 signature (not yet URL-encoded) for a millisecond timestamp."""
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), string_to_sign, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signed_url(url: str, secret: str, *, timestamp_ms: int | None = None) -> str:
    """`url` with `timestamp` and `sign` query parameters for now (or `timestamp_ms`).

    The signature must be URL-encoded: unencoded, its "+" reads as a space and "/" and "="
    break the query, and DingTalk answers 310000 "sign not match".
    """
    ts = round(time.time() * 1000) if timestamp_ms is None else timestamp_ms
    parts = urlsplit(url)
    kept = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k not in ("timestamp", "sign")
    ]
    query = urlencode(kept + [("timestamp", str(ts))]) + "&sign=" + quote_plus(sign(ts, secret))
    return urlunsplit(parts._replace(query=query))


def _at(at_mobiles: Sequence[str], at_user_ids: Sequence[str], at_all: bool) -> dict[str, Any]:
    return {"atMobiles": list(at_mobiles), "atUserIds": list(at_user_ids), "isAtAll": at_all}


def _mention_prefix(at_mobiles: Sequence[str], at_user_ids: Sequence[str]) -> str:
    # A mention renders only if "@<mobile>" / "@<userId>" also appears in the content.
    names = [*at_mobiles, *at_user_ids]
    return "".join(f"@{name} " for name in names)


def text(
    content: str,
    *,
    at_mobiles: Sequence[str] = (),
    at_user_ids: Sequence[str] = (),
    at_all: bool = False,
) -> dict[str, Any]:
    """A text message; mentions are prefixed after masking, so they stay usable."""
    return {
        "msgtype": "text",
        "text": {"content": _mention_prefix(at_mobiles, at_user_ids) + mask_text(content)},
        "at": _at(at_mobiles, at_user_ids, at_all),
    }


def markdown(
    title: str,
    content: str,
    *,
    at_mobiles: Sequence[str] = (),
    at_user_ids: Sequence[str] = (),
    at_all: bool = False,
) -> dict[str, Any]:
    """A markdown message; `title` is only the preview in the conversation list, so put the
    robot's keyword (if it uses keyword security) in both."""
    mentions = _mention_prefix(at_mobiles, at_user_ids).strip()
    body = mask_text(content) + (f"\n\n{mentions}" if mentions else "")
    return {
        "msgtype": "markdown",
        "markdown": {"title": mask_text(title), "text": body},
        "at": _at(at_mobiles, at_user_ids, at_all),
    }
