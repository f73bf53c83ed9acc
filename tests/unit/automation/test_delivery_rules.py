"""How replies are classified, URLs redacted and mail built (no network here; the loopback
servers in tests/jobs exercise the same code over real sockets)."""

from __future__ import annotations

import email
from email import policy

import pytest

from plugins.automation.channels import redact_url
from plugins.automation.channels.limits import truncate_utf8
from plugins.automation.channels.mail import build_message, make_message_id
from plugins.automation.channels.webhook import api_error, classify


@pytest.mark.parametrize(
    ("status", "body", "ok", "retryable", "error"),
    [
        (200, '{"errcode":0,"errmsg":"ok"}', True, False, None),
        (200, '{"code":0,"msg":"success","data":{}}', True, False, None),
        (200, '{"StatusCode":0,"StatusMessage":"success"}', True, False, None),
        (204, "", True, False, None),
        (200, "not json", True, False, None),
        (
            200,
            '{"errcode":310000,"errmsg":"sign not match"}',
            False,
            False,
            "310000 sign not match",
        ),
        (
            200,
            '{"errcode":93000,"errmsg":"invalid webhook url"}',
            False,
            False,
            "93000 invalid webhook url",
        ),
        (200, '{"code":19021,"msg":"sign match fail"}', False, False, "19021 sign match fail"),
        (200, '{"errcode":130101,"errmsg":"send too fast"}', False, True, "130101 send too fast"),
        (
            200,
            '{"errcode":45009,"errmsg":"api freq out of limit"}',
            False,
            True,
            "45009 api freq out of limit",
        ),
        (200, '{"code":11232,"msg":"frequency limited"}', False, True, "11232 frequency limited"),
        (429, "", False, True, "HTTP 429"),
        (500, "oops", False, True, "HTTP 500"),
        (503, "", False, True, "HTTP 503"),
        (408, "", False, True, "HTTP 408"),
        (400, "", False, False, "HTTP 400"),
        (404, "", False, False, "HTTP 404"),
        (302, "", False, False, "HTTP 302 (redirect not followed)"),
    ],
)
def test_classify(status, body, ok, retryable, error):
    result = classify(status, body)
    assert (result.ok, result.retryable, result.status, result.error) == (
        ok,
        retryable,
        status,
        error,
    )
    assert result.response_body == body


def test_api_error_ignores_non_integer_codes():
    assert api_error('{"code":"OK"}') == (None, "")
    assert api_error('{"code":true}') == (None, "")
    assert api_error("[1,2]") == (None, "")


def test_retry_after_is_read():
    assert classify(429, "", "30").retry_after == 30.0
    assert classify(429, "", "Wed, 21 Oct 2015 07:28:00 GMT").retry_after == 0.0
    assert classify(429, "", "soon").retry_after is None


def test_redact_url_hides_credentials():
    assert redact_url("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc") == (
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=***"
    )
    assert redact_url("https://oapi.dingtalk.com/robot/send?access_token=t&timestamp=1&sign=s") == (
        "https://oapi.dingtalk.com/robot/send?access_token=***&timestamp=***&sign=***"
    )
    assert redact_url("https://user:pw@open.feishu.cn:8443/open-apis/bot/v2/hook/abc-123") == (
        "https://open.feishu.cn:8443/open-apis/bot/v2/hook/***"
    )


def test_truncate_utf8_keeps_characters_whole():
    assert truncate_utf8("工单", 6) == "工单"
    assert truncate_utf8("工单超时", 8) == "工…"
    assert truncate_utf8("abc", 2) == ""


def test_message_id_from_the_idempotency_key():
    assert make_message_id("evt-12:rule-3", "tickets.example") == "<evt-12-rule-3@tickets.example>"


def test_mail_headers_are_encoded_and_injection_refused():
    message = build_message(
        "工单系统 <noreply@tickets.example>",
        ["a@example.com", "b@example.com"],
        "工单 GD20260217-0001 即将超时",
        "您好：\n工单即将超时。",
        message_id="<d-1@tickets.example>",
    )
    raw = message.as_bytes()
    assert raw.isascii()
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert parsed["Subject"] == "工单 GD20260217-0001 即将超时"
    assert parsed["To"] == "a@example.com, b@example.com"
    assert parsed.get_content() == "您好：\n工单即将超时。\n"
    with pytest.raises(ValueError):
        build_message("a@x", ["b@x"], "hi\r\nBcc: evil@x", "body", message_id="<m@x>")
