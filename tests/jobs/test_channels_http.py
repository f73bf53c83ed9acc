"""Robot webhooks over real HTTP: a `http.server` on 127.0.0.1 records each request and answers
as a robot API would (errcode in a 200 body, 5xx, a slow reply, a redirect), and, for the
signature checks, verifies DingTalk and Feishu signatures with its own implementation of the
platforms' rules. No mocks: the client code under test opens real sockets."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from plugins.automation.channels import (
    RobotKind,
    RobotMessage,
    Timeout,
    build_request,
    dingtalk,
    feishu,
    send_robot,
    send_webhook,
    wecom,
)


@dataclass
class Recorded:
    path: str
    query: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self):
        return json.loads(self.body.decode("utf-8"))

    @property
    def params(self) -> dict[str, list[str]]:
        return parse_qs(self.query)


@dataclass
class Reply:
    status: int = 200
    body: object = field(default_factory=lambda: {"errcode": 0, "errmsg": "ok"})
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


Responder = Callable[[Recorded], Reply]


class RobotServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[Recorded] = []
        self.responder: Responder = lambda request: Reply()
        self.stopping = threading.Event()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def answer(self, reply: Reply | Responder) -> None:
        self.responder = reply if callable(reply) else (lambda request: reply)


class _Handler(BaseHTTPRequestHandler):
    server: RobotServer

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length", 0))
        recorded = Recorded(parts.path, parts.query, dict(self.headers), self.rfile.read(length))
        self.server.requests.append(recorded)
        reply = self.server.responder(recorded)
        if reply.delay:
            self.server.stopping.wait(reply.delay)
        body = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
        try:
            self.send_response(reply.status)
            for name, value in {"Content-Type": "application/json", **reply.headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the client gave up (timeout test)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def robot_server() -> Iterator[RobotServer]:
    server = RobotServer()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.stopping.set()
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


# --- independent verifiers, written from the platforms' docs (china-domain.md §3.4) ---------


def dingtalk_verifier(secret: str) -> Responder:
    def respond(request: Recorded) -> Reply:
        params = request.params
        timestamp, sign = params["timestamp"][0], params["sign"][0]
        if abs(int(timestamp) - time.time() * 1000) > 3600 * 1000:
            return Reply(body={"errcode": 310000, "errmsg": "invalid timestamp"})
        expected = base64.b64encode(
            hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
        ).decode()
        if not hmac.compare_digest(sign, expected):
            return Reply(body={"errcode": 310000, "errmsg": "sign not match"})
        return Reply(body={"errcode": 0, "errmsg": "ok"})

    return respond


def feishu_verifier(secret: str) -> Responder:
    def respond(request: Recorded) -> Reply:
        body = request.json
        timestamp, sign = body.get("timestamp", ""), body.get("sign", "")
        key = f"{timestamp}\n{secret}".encode()
        expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
        fresh = timestamp.isdigit() and abs(int(timestamp) - time.time()) < 3600
        if not fresh or not hmac.compare_digest(sign, expected):
            return Reply(
                body={
                    "code": 19021,
                    "msg": "sign match fail or timestamp is not within one hour from current time",
                }
            )
        return Reply(body={"code": 0, "msg": "success", "data": {}})

    return respond


MESSAGE = RobotMessage(
    text="工单 GD20260217-0001 即将超时（签收时限 30 分钟），来电人 13800138000",
    mention_mobiles=("13900001111",),
)


# --- exact requests per robot ----------------------------------------------------------------


def test_wecom_text_request_and_delivery_id(robot_server):
    url = wecom.webhook_url("wecom-key-1", base_url=robot_server.base_url)
    result = send_robot(RobotKind.WECOM, url, MESSAGE, idempotency_key="evt-7:rule-2")

    assert result.ok and not result.retryable and result.status == 200
    assert json.loads(result.response_body) == {"errcode": 0, "errmsg": "ok"}
    [request] = robot_server.requests
    assert request.path == "/cgi-bin/webhook/send"
    assert request.params == {"key": ["wecom-key-1"]}
    assert request.headers["X-Delivery-Id"] == "evt-7:rule-2"
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    assert request.json == {
        "msgtype": "text",
        "text": {
            "content": "工单 GD20260217-0001 即将超时（签收时限 30 分钟），来电人 138****8000",
            "mentioned_mobile_list": ["13900001111"],
        },
    }
    assert "工单".encode() in request.body  # UTF-8 on the wire
    assert b"13800138000" not in request.body


def test_wecom_markdown_request(robot_server):
    url = wecom.webhook_url("k", base_url=robot_server.base_url)
    message = RobotMessage(
        text='> 工单:<font color="warning">GD20260217-0001</font>', title="超时提醒", markdown=True
    )
    assert send_robot("wecom", url, message, idempotency_key="d-md").ok
    assert robot_server.requests[0].json == {
        "msgtype": "markdown",
        "markdown": {"content": '## 超时提醒\n> 工单:<font color="warning">GD20260217-0001</font>'},
    }


def test_dingtalk_signed_request_matches_the_vector(robot_server):
    url = dingtalk.webhook_url("ding-token", base_url=robot_server.base_url)
    request = build_request("dingtalk", url, MESSAGE, secret="SECtestsecret", now=1700000000)
    result = send_webhook(request.url, request.payload, idempotency_key="d-2")

    assert result.ok
    [seen] = robot_server.requests
    assert seen.path == "/robot/send"
    assert seen.query == (
        "access_token=ding-token&timestamp=1700000000000"
        "&sign=7LVwF0dAF3%2F%2BMRRulbpE4y72Ogzykc6bS2nG4I99T4s%3D"
    )
    assert seen.params["sign"] == ["7LVwF0dAF3/+MRRulbpE4y72Ogzykc6bS2nG4I99T4s="]
    assert seen.headers["X-Delivery-Id"] == "d-2"
    assert seen.json == {
        "msgtype": "text",
        "text": {
            "content": "@13900001111 工单 GD20260217-0001 即将超时（签收时限 30 分钟），"
            "来电人 138****8000"
        },
        "at": {"atMobiles": ["13900001111"], "atUserIds": [], "isAtAll": False},
    }


def test_dingtalk_fresh_signature_accepted_wrong_secret_refused(robot_server):
    robot_server.answer(dingtalk_verifier("SECright"))
    url = dingtalk.webhook_url("t", base_url=robot_server.base_url)

    good = send_robot("dingtalk", url, MESSAGE, secret="SECright", idempotency_key="d-3")
    bad = send_robot("dingtalk", url, MESSAGE, secret="SECwrong", idempotency_key="d-4")

    assert good.ok, good.error
    assert (bad.ok, bad.retryable, bad.status, bad.error) == (
        False,
        False,
        200,
        "310000 sign not match",
    )


def test_dingtalk_stale_timestamp_refused(robot_server):
    robot_server.answer(dingtalk_verifier("SECright"))
    url = dingtalk.webhook_url("t", base_url=robot_server.base_url)
    stale = build_request("dingtalk", url, MESSAGE, secret="SECright", now=time.time() - 4000)
    result = send_webhook(stale.url, stale.payload, idempotency_key="d-5")
    assert (result.ok, result.retryable, result.error) == (False, False, "310000 invalid timestamp")


def test_feishu_signed_request_matches_the_vector(robot_server):
    robot_server.answer(Reply(body={"code": 0, "msg": "success", "data": {}}))
    url = feishu.webhook_url("hook-1", base_url=robot_server.base_url)
    request = build_request("feishu", url, MESSAGE, secret="fs-test-secret", now=1700000000)
    result = send_webhook(request.url, request.payload, idempotency_key="d-6")

    assert result.ok
    [seen] = robot_server.requests
    assert seen.path == "/open-apis/bot/v2/hook/hook-1"
    assert seen.query == ""
    assert seen.headers["X-Delivery-Id"] == "d-6"
    assert seen.json == {
        "timestamp": "1700000000",
        "sign": "3HqDa4HUcXCZBXJyyDBeD0kNnJQT43b9Vtdmi0Rogbk=",
        "msg_type": "text",
        "content": {
            "text": "工单 GD20260217-0001 即将超时（签收时限 30 分钟），来电人 138****8000"
        },
    }


def test_feishu_fresh_signature_accepted_wrong_secret_refused(robot_server):
    robot_server.answer(feishu_verifier("SECRET"))
    url = feishu.webhook_url("h", base_url=robot_server.base_url)
    card = RobotMessage(text="**工单** GD20260217-0001", title="超时提醒", markdown=True)

    good = send_robot("feishu", url, card, secret="SECRET", idempotency_key="d-7")
    bad = send_robot("feishu", url, card, secret="other", idempotency_key="d-8")

    assert good.ok, good.error
    assert robot_server.requests[0].json["msg_type"] == "interactive"
    assert not bad.ok and not bad.retryable and bad.error.startswith("19021 sign match fail")


# --- classification over the wire -------------------------------------------------------------


def test_api_error_in_a_200_body_is_a_failure(robot_server):
    robot_server.answer(Reply(body={"errcode": 310000, "errmsg": "keywords not in content"}))
    url = dingtalk.webhook_url("t", base_url=robot_server.base_url)
    result = send_webhook(url, {"msgtype": "text"}, idempotency_key="d-9")
    assert (result.ok, result.retryable, result.status) == (False, False, 200)
    assert result.error == "310000 keywords not in content"
    assert "keywords not in content" in result.response_body


def test_throttling_code_is_retryable(robot_server):
    robot_server.answer(Reply(body={"errcode": 130101, "errmsg": "send too fast"}))
    result = send_webhook(robot_server.base_url + "/robot/send", {}, idempotency_key="d-10")
    assert (result.ok, result.retryable, result.error) == (False, True, "130101 send too fast")


def test_server_error_is_retryable(robot_server):
    robot_server.answer(Reply(status=500, body=b"internal error"))
    result = send_webhook(robot_server.base_url + "/x", {"a": 1}, idempotency_key="d-11")
    assert (result.ok, result.retryable, result.status, result.error) == (
        False,
        True,
        500,
        "HTTP 500",
    )
    assert result.response_body == "internal error"


def test_429_is_retryable_with_retry_after(robot_server):
    robot_server.answer(Reply(status=429, body=b"", headers={"Retry-After": "7"}))
    result = send_webhook(robot_server.base_url + "/x", {}, idempotency_key="d-12")
    assert (result.ok, result.retryable, result.status, result.retry_after) == (
        False,
        True,
        429,
        7.0,
    )


def test_client_error_is_not_retryable(robot_server):
    robot_server.answer(Reply(status=400, body=b'{"error":"bad"}'))
    result = send_webhook(robot_server.base_url + "/x", {}, idempotency_key="d-13")
    assert (result.ok, result.retryable, result.status) == (False, False, 400)


def test_redirect_is_not_followed(robot_server):
    robot_server.answer(
        lambda request: (
            Reply(status=302, body=b"", headers={"Location": "/internal"})
            if request.path == "/hook"
            else Reply()
        )
    )
    result = send_webhook(robot_server.base_url + "/hook", {}, idempotency_key="d-14")
    assert (result.ok, result.retryable, result.status) == (False, False, 302)
    assert [r.path for r in robot_server.requests] == ["/hook"]


def test_slow_reply_times_out_and_is_retryable(robot_server):
    robot_server.answer(Reply(delay=3.0))
    started = time.monotonic()
    result = send_webhook(
        robot_server.base_url + "/slow",
        {"msgtype": "text"},
        idempotency_key="d-15",
        timeout=Timeout(connect=1.0, read=0.3),
    )
    elapsed = time.monotonic() - started
    assert (result.ok, result.retryable, result.status) == (False, True, None)
    assert result.error == "response timed out"
    assert elapsed < 2.0
    assert robot_server.requests[0].headers["X-Delivery-Id"] == "d-15"


def test_refused_connection_is_retryable():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = send_webhook(f"http://127.0.0.1:{port}/x", {}, idempotency_key="d-16")
    assert (result.ok, result.retryable, result.status) == (False, True, None)
    assert result.error.startswith("connect failed: ConnectionRefusedError")


def test_retries_carry_the_same_delivery_id_and_a_fresh_signature(robot_server):
    robot_server.answer(dingtalk_verifier("SECright"))
    url = dingtalk.webhook_url("t", base_url=robot_server.base_url)
    first = build_request("dingtalk", url, MESSAGE, secret="SECright", now=time.time() - 10)
    send_webhook(first.url, first.payload, idempotency_key="evt-1:rule-1")
    send_robot("dingtalk", url, MESSAGE, secret="SECright", idempotency_key="evt-1:rule-1")
    a, b = robot_server.requests
    assert a.headers["X-Delivery-Id"] == b.headers["X-Delivery-Id"] == "evt-1:rule-1"
    assert a.params["timestamp"] != b.params["timestamp"]
    assert a.params["sign"] != b.params["sign"]


def test_unsupported_url_is_refused_without_a_request():
    result = send_webhook("ftp://127.0.0.1/x", {}, idempotency_key="d-17")
    assert (result.ok, result.retryable, result.error) == (False, False, "unsupported webhook URL")


def test_control_characters_are_refused_without_a_request(robot_server):
    result = send_webhook(robot_server.base_url + "/x", {}, idempotency_key="d-18\r\nX-Injected: 1")
    assert (result.ok, result.retryable) == (False, False)
    assert robot_server.requests == []
