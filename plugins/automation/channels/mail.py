"""Email delivery over SMTP (smtplib) with classified results.

Headers are RFC 2047-encoded UTF-8 (a zh subject arrives readable in every client) and the
body is base64 UTF-8 text, so the whole message is 7-bit clean for any relay. The Message-ID
is derived from the delivery's idempotency key, so a message sent twice by an at-least-once
job carries the same id and mail clients and archives can fold the duplicate. SMTP's own
reply classes decide retries: 4xx temporary, 5xx permanent.
"""

from __future__ import annotations

import datetime as dt
import re
import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Literal

from plugins.automation.channels.result import DeliveryResult

Security = Literal["none", "starttls", "ssl"]
DEFAULT_TIMEOUT = 20.0
_UNSAFE_ID_CHARS = re.compile(r"[^A-Za-z0-9._\-]")


class _ReplyMixin:
    """Keeps the reply to DATA (e.g. "250 2.0.0 Ok: queued as 4F1A2"), which smtplib drops,
    for the delivery log."""

    data_reply: tuple[int, bytes] | None = None

    def data(self, msg):  # type: ignore[no-untyped-def]
        reply = super().data(msg)  # type: ignore[misc]
        self.data_reply = reply
        return reply


class _SMTP(_ReplyMixin, smtplib.SMTP):
    pass


class _SMTPSSL(_ReplyMixin, smtplib.SMTP_SSL):
    pass


def make_message_id(idempotency_key: str, domain: str) -> str:
    """A Message-ID for a delivery: `<key@domain>`, the key reduced to safe characters."""
    return f"<{_UNSAFE_ID_CHARS.sub('-', idempotency_key)}@{domain}>"


def build_message(
    sender: str, to: Sequence[str], subject: str, body: str, *, message_id: str
) -> EmailMessage:
    """The MIME message. Raises ValueError for a header with a line break (header injection)."""
    for value in (sender, subject, message_id, *to):
        if "\r" in value or "\n" in value:
            raise ValueError("header values may not contain line breaks")
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    message["Message-ID"] = message_id if message_id.startswith("<") else f"<{message_id}>"
    # base64, not 8bit: 7-bit clean for any relay, whether or not it offers 8BITMIME.
    message.set_content(body, charset="utf-8", cte="base64")
    return message


def send_email(
    smtp_host: str,
    port: int,
    sender: str,
    to: str | Sequence[str],
    subject: str,
    body: str,
    *,
    message_id: str,
    security: Security = "none",
    credentials: tuple[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> DeliveryResult:
    """Send one plain-text message; never raises for delivery failures (see DeliveryResult).

    Args:
        to: one address or several.
        message_id: e.g. from `make_message_id(idempotency_key, domain)`.
        security: "starttls" upgrades a plain connection, "ssl" is implicit TLS (port 465).
        credentials: (user, password) for AUTH, if the server needs it.
        timeout: seconds for the connection and each exchange with the server.
    """
    recipients = [to] if isinstance(to, str) else list(to)
    try:
        message = build_message(sender, recipients, subject, body, message_id=message_id)
    except ValueError as exc:
        return DeliveryResult(False, False, None, str(exc))
    try:
        smtp = (
            _SMTPSSL(smtp_host, port, timeout=timeout, context=ssl.create_default_context())
            if security == "ssl"
            else _SMTP(smtp_host, port, timeout=timeout)
        )
        with smtp:
            if security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if credentials:
                smtp.login(*credentials)
            refused = smtp.send_message(
                message,
                from_addr=parseaddr(sender)[1],
                to_addrs=[parseaddr(address)[1] for address in recipients],
            )
            reply = smtp.data_reply
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        retryable = all(400 <= code < 500 for code in codes)
        status = codes[0] if codes else None
        return DeliveryResult(
            False, retryable, status, "all recipients refused: " + _refusals(exc.recipients)
        )
    except smtplib.SMTPResponseException as exc:
        # Sender refused, DATA refused, bad greeting, HELO or AUTH failure: the reply class
        # says whether it is temporary.
        message_text = _text(exc.smtp_error)
        retryable = 400 <= exc.smtp_code < 500
        return DeliveryResult(False, retryable, exc.smtp_code, f"{exc.smtp_code} {message_text}")
    except smtplib.SMTPNotSupportedError as exc:
        return DeliveryResult(False, False, None, f"not supported by the server: {exc}")
    except ssl.SSLCertVerificationError as exc:
        return DeliveryResult(False, False, None, f"TLS certificate rejected: {exc.verify_message}")
    except TimeoutError:
        return DeliveryResult(False, True, None, "timed out")
    except OSError as exc:  # refused, reset, disconnected (SMTPServerDisconnected too)
        return DeliveryResult(False, True, None, f"{type(exc).__name__}: {exc}")
    status, reply_text = (reply[0], _text(reply[1])) if reply else (250, None)
    warning = "some recipients refused: " + _refusals(refused) if refused else None
    return DeliveryResult(True, False, status, warning, reply_text)


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", errors="replace") if isinstance(value, bytes) else str(value)


def _refusals(refused: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(f"{addr} ({code} {_text(msg)})" for addr, (code, msg) in refused.items())
