"""Masking conventions of china-domain.md §4.3: mobiles 138****8000, landlines keep the area
code, ID numbers keep a few characters, names keep the surname."""

from __future__ import annotations

import pytest

from plugins.automation.channels import mask_id_number, mask_name, mask_phone, mask_text


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("13800138000", "138****8000"),
        ("+8613800138000", "138****8000"),
        ("+86 138-0013-8000", "138****8000"),
        ("0086 13800138000", "138****8000"),
        ("8613800138000", "138****8000"),
        ("(+86)13800138000", "138****8000"),
        ("010-62265678", "010-****5678"),
        ("0755-88889999", "0755-****9999"),
        ("075588889999", "0755-****9999"),
        ("010-62265678-123", "010-****5678-123"),
        ("12345", "12345"),
        ("110", "110"),
        ("400-812-3123", "400-812-3123"),
        ("", ""),
    ],
)
def test_mask_phone(raw, masked):
    assert mask_phone(raw) == masked


def test_mask_id_number():
    assert mask_id_number("340304199001011234") == "3*************1234"
    assert mask_id_number("34030419900101123x", head=6, tail=4) == "340304********123X"
    assert mask_id_number("340304900101123") == "3**********1123"


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("张三丰", "张*丰"),
        ("欧阳娜娜", "欧**娜"),
        ("王", "*"),
        ("John Smith", "J*** S****"),
    ],
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked


def test_mask_text_finds_numbers_and_leaves_ticket_numbers():
    text = (
        "工单 GD20260217-0001：来电人 13800138000（备用 +86 139-1234-5678），"
        "身份证 34030419900101123X，座机 0755-88889999，tel13700001111，"
        "银行卡 6222021234567890123，热线 12345，2026-02-17 09:00"
    )
    assert mask_text(text) == (
        "工单 GD20260217-0001：来电人 138****8000（备用 139****5678），"
        "身份证 3*************123X，座机 0755-****9999，tel137****1111，"
        "银行卡 ***************0123，热线 12345，2026-02-17 09:00"
    )


def test_no_eleven_digit_mobile_survives_mask_text():
    import re

    text = " ".join(f"1{d}{d}00{d}{d}8000" for d in "3456789")
    assert not re.search(r"1[3-9]\d{9}", mask_text(text))
