"""HTTP delivery of a JSON webhook (robots and generic webhooks) with classified results.

http.client rather than urllib.request (requests is not a dependency): it gives separate
connect and read timeouts, and it never follows redirects, so a webhook target cannot
bounce the request to an internal address. The target host is resolved and checked by
`egress.guard` and the connection goes to the checked address (no DNS rebinding).
Robot APIs answer HTTP 200 with an error code in the body (errcode for WeCom and DingTalk,
code for Feishu): a non-zero code is a failure.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import re
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from plugins.automation.channels import egress
from plugins.automation.channels.result import DeliveryResult

DELIVERY_HEADER = "X-Delivery-Id"
USER_AGENT = "callcenter-tickets-notifier/1"
MAX_RESPONSE_BYTES = 64 * 1024
# API codes that mean "slow down" (china-domain.md §3): WeCom 45009 frequency limit,
# DingTalk 130101 send too fast (20 a minute), Feishu 11232 rate limited. (Feishu 9499 is
# "Bad Request" there, not throttling; DingTalk 660026 is not documented in our sources.)
THROTTLING_API_CODES = frozenset({45009, 130101, 11232})
# API codes worth a later try: throttling, and WeCom -1 system busy.
RETRYABLE_API_CODES = THROTTLING_API_CODES | {-1}
_CONTROL = re.compile(r"[\x00-\x20\x7f]")
_CODE_FIELDS = (("errcode", "errmsg"), ("code", "msg"), ("StatusCode", "StatusMessage"))


@dataclass(frozen=True)
class Timeout:
    """Seconds to wait to connect, and for each read of the reply (not the whole reply)."""

    connect: float = 4.0
    read: float = 10.0


DEFAULT_TIMEOUT = Timeout()


def send_webhook(
    url: str,
    payload: dict[str, Any],
    *,
    idempotency_key: str,
    timeout: Timeout = DEFAULT_TIMEOUT,
    allowed_networks: Iterable[str] | None = None,
) -> DeliveryResult:
    """POST `payload` as UTF-8 JSON to `url`, with `idempotency_key` in the X-Delivery-Id
    header so a receiver can drop the duplicates that at-least-once delivery produces.

    Never raises for network or HTTP failures: see `DeliveryResult`. The URL may carry a
    credential (WeCom key, DingTalk token), so no error message repeats it. An internal
    address is refused without a request (see `egress`); `allowed_networks` (CIDRs) lets
    some through, None meaning the OUTBOUND_ALLOWED_NETWORKS environment variable.
    """
    try:
        parts = urlsplit(url)
        supported = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:  # e.g. an unclosed "[" of an IPv6 literal
        supported = False
    if not supported:
        return DeliveryResult(False, False, None, "unsupported webhook URL")
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Accept": "application/json",
        "User-Agent": USER_AGENT,
        DELIVERY_HEADER: idempotency_key,
    }
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if _CONTROL.search(target) or _CONTROL.search(idempotency_key):
        return DeliveryResult(False, False, None, "control characters in URL or delivery id")
    try:
        checked = egress.guard(url, allowed_networks)
    except egress.OutboundBlocked as exc:
        return DeliveryResult(False, False, None, f"blocked: {exc}")
    except egress.ResolveFailed as exc:
        return DeliveryResult(False, True, None, str(exc))
    conn = egress.connection(checked, timeout=timeout.connect)
    phase = "connect"
    try:
        conn.connect()
        assert conn.sock is not None
        conn.sock.settimeout(timeout.read)
        phase = "response"
        conn.request("POST", target, body=body, headers=headers)
        response = conn.getresponse()
        raw = response.read(MAX_RESPONSE_BYTES)
        status, retry_after = response.status, response.getheader("Retry-After")
    except TimeoutError:
        return DeliveryResult(False, True, None, f"{phase} timed out")
    except ssl.SSLCertVerificationError as exc:
        return DeliveryResult(False, False, None, f"TLS certificate rejected: {exc.verify_message}")
    except (OSError, http.client.HTTPException) as exc:
        return DeliveryResult(False, True, None, f"{phase} failed: {type(exc).__name__}: {exc}")
    except ValueError as exc:  # a header or host that cannot go on the wire: retry won't help
        return DeliveryResult(False, False, None, f"invalid request: {exc}")
    finally:
        conn.close()
    return classify(status, raw.decode("utf-8", errors="replace"), retry_after)


def classify(status: int, body: str, retry_after: str | None = None) -> DeliveryResult:
    """The result of an HTTP reply: 2xx with a zero (or no) API code is success; throttling
    codes, 408, 429 and 5xx are retryable; other 4xx, 3xx and API codes are not. 429 and the
    throttling codes are also marked `throttled`."""
    wait = _retry_after_seconds(retry_after)
    if 200 <= status < 300:
        code, message = api_error(body)
        if code is None:
            return DeliveryResult(True, False, status, None, body)
        retryable = code in RETRYABLE_API_CODES
        error = f"{code} {message}".strip()
        throttled = code in THROTTLING_API_CODES
        return DeliveryResult(False, retryable, status, error, body, wait, throttled)
    retryable = status in (408, 429) or status >= 500
    error = f"HTTP {status}" + (" (redirect not followed)" if 300 <= status < 400 else "")
    return DeliveryResult(False, retryable, status, error, body, wait, status == 429)


def api_error(body: str) -> tuple[int | None, str]:
    """The non-zero error code and message of a robot API reply, or (None, "")."""
    try:
        data = json.loads(body)
    except ValueError:
        return None, ""
    if not isinstance(data, dict):
        return None, ""
    for code_field, message_field in _CODE_FIELDS:
        code = data.get(code_field)
        if isinstance(code, int) and not isinstance(code, bool):
            return (code, str(data.get(message_field) or "")) if code != 0 else (None, "")
    return None, ""


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


def redact_url(url: str) -> str:
    """`url` safe for logs: query values and a Feishu hook id replaced by ***."""
    parts = urlsplit(url)
    path = parts.path
    if "/hook/" in path:
        path = path[: path.index("/hook/") + len("/hook/")] + "***"
    query = "&".join(f"{key}=***" for key, _ in parse_qsl(parts.query, keep_blank_values=True))
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    try:
        netloc += f":{parts.port}" if parts.port else ""
    except ValueError:
        pass
    # Userinfo (user:password@) is dropped, never logged.
    return f"{parts.scheme}://{netloc}{path}" + (f"?{query}" if query else "")
