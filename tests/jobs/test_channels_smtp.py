"""Email over real SMTP: an aiosmtpd server on 127.0.0.1 captures what `send_email` sends, and
refuses or defers recipients on demand. The captured bytes are parsed back to check the zh
subject, the body and the Message-ID as a mail client would read them."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from email import policy

import pytest
from aiosmtpd.controller import Controller

from plugins.automation.channels import make_message_id, send_email

SENDER = "工单系统 <noreply@tickets.example>"
SUBJECT = "【超时提醒】工单 GD20260217-0001 即将超时"
BODY = "您好：\n工单 GD20260217-0001（签收时限 30 分钟）即将超时，请尽快签收。\n"


class Sink:
    """aiosmtpd handler: keeps each envelope; 'nobody@' is refused (550), 'busy@' deferred (451)."""

    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.startswith("nobody@"):
            return "550 5.1.1 No such user"
        if address.startswith("busy@"):
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.envelopes.append(envelope)
        return f"250 2.0.0 Ok: queued as Q{len(self.envelopes)}"


def _free_port() -> int:
    # aiosmtpd's Controller connects to its own port to check it started, so port 0 won't do.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_sink() -> Iterator[tuple[Sink, int]]:
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield sink, controller.port
    controller.stop()


def _parsed(envelope) -> email.message.EmailMessage:
    return email.message_from_bytes(envelope.original_content, policy=policy.default)


def test_zh_subject_body_and_message_id_arrive_intact(smtp_sink):
    sink, port = smtp_sink
    message_id = make_message_id("evt-42:rule-7", "tickets.example")
    result = send_email(
        "127.0.0.1",
        port,
        SENDER,
        ["handler@unit.example", "支队长 <lead@unit.example>"],
        SUBJECT,
        BODY,
        message_id=message_id,
    )

    assert (result.ok, result.retryable, result.status, result.error) == (True, False, 250, None)
    assert result.response_body == "2.0.0 Ok: queued as Q1"
    [envelope] = sink.envelopes
    assert envelope.mail_from == "noreply@tickets.example"
    assert envelope.rcpt_tos == ["handler@unit.example", "lead@unit.example"]
    assert envelope.original_content.isascii()  # RFC 2047 headers, base64 body
    raw_subject = email.message_from_bytes(envelope.original_content)["Subject"]
    assert raw_subject.startswith("=?utf-8?")
    message = _parsed(envelope)
    assert message["Subject"] == SUBJECT
    assert message["Message-ID"] == "<evt-42-rule-7@tickets.example>"
    assert message["From"] == SENDER
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    assert message.get_content() == BODY
    assert message["Date"]


def test_the_same_key_gives_the_same_message_id_on_a_retry(smtp_sink):
    sink, port = smtp_sink
    message_id = make_message_id("evt-1:rule-1", "tickets.example")
    for _ in range(2):
        assert send_email(
            "127.0.0.1", port, SENDER, "a@x.example", SUBJECT, BODY, message_id=message_id
        ).ok
    assert {_parsed(e)["Message-ID"] for e in sink.envelopes} == {"<evt-1-rule-1@tickets.example>"}


def test_some_recipients_refused_is_delivered_with_a_warning(smtp_sink):
    sink, port = smtp_sink
    result = send_email(
        "127.0.0.1",
        port,
        SENDER,
        ["ok@x.example", "nobody@x.example"],
        SUBJECT,
        BODY,
        message_id="<m1@tickets.example>",
    )
    assert result.ok and not result.retryable
    assert result.error == "some recipients refused: nobody@x.example (550 5.1.1 No such user)"
    assert sink.envelopes[0].rcpt_tos == ["ok@x.example"]


def test_all_recipients_refused_permanently_is_not_retryable(smtp_sink):
    sink, port = smtp_sink
    result = send_email(
        "127.0.0.1", port, SENDER, "nobody@x.example", SUBJECT, BODY, message_id="<m2@t.example>"
    )
    assert (result.ok, result.retryable, result.status) == (False, False, 550)
    assert "No such user" in result.error
    assert sink.envelopes == []


def test_a_deferred_recipient_is_retryable(smtp_sink):
    _, port = smtp_sink
    result = send_email(
        "127.0.0.1", port, SENDER, "busy@x.example", SUBJECT, BODY, message_id="<m3@t.example>"
    )
    assert (result.ok, result.retryable, result.status) == (False, True, 451)


def test_no_server_is_retryable():
    result = send_email(
        "127.0.0.1", _free_port(), SENDER, "a@x.example", SUBJECT, BODY, message_id="<m4@t>"
    )
    assert (result.ok, result.retryable, result.status) == (False, True, None)


def test_header_injection_is_refused_before_connecting(smtp_sink):
    sink, port = smtp_sink
    result = send_email(
        "127.0.0.1",
        port,
        SENDER,
        "a@x.example",
        "工单\r\nBcc: victim@evil.example",
        BODY,
        message_id="<m5@t>",
    )
    assert (result.ok, result.retryable) == (False, False)
    assert sink.envelopes == []
