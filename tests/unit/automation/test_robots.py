"""Robot formats and signatures against the known-answer vectors of china-domain.md §3.4.

The vectors are written out literally (not recomputed with our own code) so a change to the
signing code that still agrees with itself cannot pass.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import parse_qs, urlsplit

import pytest

from plugins.automation.channels import (
    RobotKind,
    RobotMessage,
    build_request,
    dingtalk,
    feishu,
    wecom,
)


@pytest.mark.parametrize(
    ("timestamp_ms", "secret", "expected"),
    [
        (1700000000000, "SECtestsecret", "7LVwF0dAF3/+MRRulbpE4y72Ogzykc6bS2nG4I99T4s="),
        (1700000000000, "SECxxx", "plK5HYD7pW0AMQz3PBPzNXBlZe9ZIHa2a52gMYB3lHs="),
    ],
)
def test_dingtalk_sign_vectors(timestamp_ms, secret, expected):
    assert dingtalk.sign(timestamp_ms, secret) == expected


@pytest.mark.parametrize(
    ("timestamp_s", "secret", "expected"),
    [
        (1700000000, "fs-test-secret", "3HqDa4HUcXCZBXJyyDBeD0kNnJQT43b9Vtdmi0Rogbk="),
        (1700000000, "SECRET", "9st/5TeJu7lS2mv/qJq3skcz1M5+oBrSVM/mQRjuq8Q="),
    ],
)
def test_feishu_sign_vectors(timestamp_s, secret, expected):
    assert feishu.sign(timestamp_s, secret) == expected


def test_dingtalk_signed_url_is_url_encoded_in_the_query():
    url = dingtalk.signed_url(
        "https://oapi.dingtalk.com/robot/send?access_token=tok",
        "SECtestsecret",
        timestamp_ms=1700000000000,
    )
    assert url == (
        "https://oapi.dingtalk.com/robot/send?access_token=tok&timestamp=1700000000000"
        "&sign=7LVwF0dAF3%2F%2BMRRulbpE4y72Ogzykc6bS2nG4I99T4s%3D"
    )
    query = parse_qs(urlsplit(url).query)
    assert query["sign"] == ["7LVwF0dAF3/+MRRulbpE4y72Ogzykc6bS2nG4I99T4s="]


def test_dingtalk_url_shows_the_padding_as_percent_3d():
    url = dingtalk.signed_url(
        "http://h/robot/send?access_token=t", "SECxxx", timestamp_ms=1700000000000
    )
    assert url.endswith("&sign=plK5HYD7pW0AMQz3PBPzNXBlZe9ZIHa2a52gMYB3lHs%3D")


def test_dingtalk_resigning_replaces_the_old_signature():
    once = dingtalk.signed_url("http://h/robot/send?access_token=t", "SECxxx", timestamp_ms=1)
    twice = dingtalk.signed_url(once, "SECxxx", timestamp_ms=1700000000000)
    query = parse_qs(urlsplit(twice).query)
    assert query == {
        "access_token": ["t"],
        "timestamp": ["1700000000000"],
        "sign": ["plK5HYD7pW0AMQz3PBPzNXBlZe9ZIHa2a52gMYB3lHs="],
    }


def test_the_two_schemes_differ():
    """The pitfall: Feishu uses "ts\\nsecret" as the KEY over an empty message, DingTalk uses
    the secret as the key over "ts\\nsecret". A DingTalk-style Feishu signature is wrong."""
    dingtalk_style = base64.b64encode(
        hmac.new(b"SECRET", b"1700000000\nSECRET", hashlib.sha256).digest()
    ).decode()
    assert feishu.sign(1700000000, "SECRET") != dingtalk_style


def test_feishu_signed_body_carries_timestamp_as_string_and_sign():
    payload = feishu.signed(feishu.text("工单即将超时"), "fs-test-secret", timestamp_s=1700000000)
    assert payload == {
        "timestamp": "1700000000",
        "sign": "3HqDa4HUcXCZBXJyyDBeD0kNnJQT43b9Vtdmi0Rogbk=",
        "msg_type": "text",
        "content": {"text": "工单即将超时"},
    }
    assert list(payload)[:2] == ["timestamp", "sign"]


def test_webhook_urls_take_a_base_url():
    assert wecom.webhook_url("k-1") == "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k-1"
    assert wecom.webhook_url("k", base_url="http://127.0.0.1:8/") == (
        "http://127.0.0.1:8/cgi-bin/webhook/send?key=k"
    )
    assert dingtalk.webhook_url("t") == "https://oapi.dingtalk.com/robot/send?access_token=t"
    assert feishu.webhook_url("h") == "https://open.feishu.cn/open-apis/bot/v2/hook/h"


def test_wecom_text_and_markdown_shapes():
    assert wecom.text(
        "工单 GD20260217-0001 即将超时，来电 13800138000",
        mentioned_list=["zhangsan", "@all"],
        mentioned_mobile_list=["13800001111"],
    ) == {
        "msgtype": "text",
        "text": {
            "content": "工单 GD20260217-0001 即将超时，来电 138****8000",
            "mentioned_list": ["zhangsan", "@all"],
            "mentioned_mobile_list": ["13800001111"],
        },
    }
    assert wecom.markdown(
        '## 超时提醒\n> 工单:<font color="warning">GD20260217-0001</font>',
        mention_user_ids=["zhangsan"],
    ) == {
        "msgtype": "markdown",
        "markdown": {
            "content": (
                '## 超时提醒\n> 工单:<font color="warning">GD20260217-0001</font>\n<@zhangsan>'
            )
        },
    }


def test_wecom_text_is_cut_to_2048_utf8_bytes():
    payload = wecom.text("超" * 1000)
    content = payload["text"]["content"]
    assert len(content.encode("utf-8")) <= 2048
    assert content.endswith("…")


def test_dingtalk_text_and_markdown_shapes():
    assert dingtalk.text("工单即将超时", at_mobiles=["13800138000"]) == {
        "msgtype": "text",
        "text": {"content": "@13800138000 工单即将超时"},
        "at": {"atMobiles": ["13800138000"], "atUserIds": [], "isAtAll": False},
    }
    assert dingtalk.markdown("超时提醒", "#### 超时提醒\n> 工单 GD20260217-0001", at_all=True) == {
        "msgtype": "markdown",
        "markdown": {"title": "超时提醒", "text": "#### 超时提醒\n> 工单 GD20260217-0001"},
        "at": {"atMobiles": [], "atUserIds": [], "isAtAll": True},
    }


def test_feishu_text_post_and_card_shapes():
    assert feishu.text("工单即将超时", at_all=True) == {
        "msg_type": "text",
        "content": {"text": '工单即将超时 <at user_id="all">所有人</at>'},
    }
    assert feishu.post(
        "超时提醒",
        [
            [
                feishu.text_element("工单 GD20260217-0001 来电 13800138000 "),
                feishu.link_element("查看", "https://tickets.example/t/1"),
                feishu.at_element("all"),
            ]
        ],
    ) == {
        "msg_type": "post",
        "content": {
            "post": {
                "zh_cn": {
                    "title": "超时提醒",
                    "content": [
                        [
                            {"tag": "text", "text": "工单 GD20260217-0001 来电 138****8000 "},
                            {"tag": "a", "text": "查看", "href": "https://tickets.example/t/1"},
                            {"tag": "at", "user_id": "all"},
                        ]
                    ],
                }
            }
        },
    }
    assert feishu.card("超时提醒", "**工单** GD20260217-0001", template="red") == {
        "msg_type": "interactive",
        "card": {
            "header": {"title": {"tag": "plain_text", "content": "超时提醒"}, "template": "red"},
            "elements": [
                {"tag": "div", "text": {"tag": "lark_md", "content": "**工单** GD20260217-0001"}}
            ],
        },
    }


MESSAGE = RobotMessage(
    text="工单 GD20260217-0001 即将超时，来电人 13800138000",
    title="超时提醒",
    mention_mobiles=("13900001111",),
)


def test_build_request_masks_and_signs_per_robot():
    wecom_req = build_request(RobotKind.WECOM, "http://h/cgi-bin/webhook/send?key=k", MESSAGE)
    assert wecom_req.url == "http://h/cgi-bin/webhook/send?key=k"
    assert wecom_req.payload["text"] == {
        "content": "工单 GD20260217-0001 即将超时，来电人 138****8000",
        "mentioned_mobile_list": ["13900001111"],
    }

    ding = build_request(
        "dingtalk", "http://h/robot/send?access_token=t", MESSAGE, secret="SECxxx", now=1700000000
    )
    assert ding.url.endswith(
        "&timestamp=1700000000000&sign=plK5HYD7pW0AMQz3PBPzNXBlZe9ZIHa2a52gMYB3lHs%3D"
    )
    assert ding.payload["text"]["content"] == "@13900001111 " + wecom_req.payload["text"]["content"]

    fs = build_request(
        "feishu", "http://h/open-apis/bot/v2/hook/x", MESSAGE, secret="SECRET", now=1700000000.9
    )
    assert fs.payload["timestamp"] == "1700000000"
    assert fs.payload["sign"] == "9st/5TeJu7lS2mv/qJq3skcz1M5+oBrSVM/mQRjuq8Q="
    assert "138****8000" in fs.payload["content"]["text"]


def test_build_request_markdown_per_robot():
    md = RobotMessage(
        text="> 工单 GD20260217-0001\n> 来电 13800138000", title="超时提醒", markdown=True
    )
    assert build_request("wecom", "http://h", md).payload == {
        "msgtype": "markdown",
        "markdown": {"content": "## 超时提醒\n> 工单 GD20260217-0001\n> 来电 138****8000"},
    }
    assert build_request("dingtalk", "http://h", md).payload["markdown"] == {
        "title": "超时提醒",
        "text": "> 工单 GD20260217-0001\n> 来电 138****8000",
    }
    untitled = RobotMessage(text="## 超时提醒\n正文", markdown=True)
    assert (
        build_request("dingtalk", "http://h", untitled).payload["markdown"]["title"] == "超时提醒"
    )
    card = build_request("feishu", "http://h", md).payload
    assert card["msg_type"] == "interactive"
    assert card["card"]["elements"][0]["text"]["content"].endswith("138****8000")


def test_unsigned_requests_carry_no_signature():
    assert (
        "sign" not in build_request("dingtalk", "http://h/robot/send?access_token=t", MESSAGE).url
    )
    assert "sign" not in build_request("feishu", "http://h/hook/x", MESSAGE).payload


def test_unknown_robot_kind_is_refused():
    with pytest.raises(ValueError):
        build_request("slack", "http://h", MESSAGE)
