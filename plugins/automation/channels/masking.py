"""Masking of personal data before it leaves for a third-party platform.

A message to a WeCom, DingTalk or Feishu group is a disclosure to that platform and to every
member of the group, so phone numbers and ID numbers never go out in clear (PIPL Art. 51,
GB/T 35273 display limitation). No national format exists; these are the de-facto
conventions: mobiles keep the first 3 and last 4 digits (138****8000), landlines keep the area
code and the last 4 (0755-****9999), ID numbers keep a few characters at both ends, names keep
the surname (张*, 张*丰).

`mask_text` scans free text (subjects, replies, notes) for numbers; names cannot be found in
free text, so templates mask name placeholders with `mask_name` before rendering.
"""

from __future__ import annotations

import re

STARS = "****"

# Digit boundaries only (not letter boundaries): "tel13800138000" must be masked too, and
# ticket numbers (GD20260217-0001) never hold an 11-digit run starting 13–19.
_ID_NUMBER = re.compile(r"(?<!\d)(\d{17}[\dXx]|\d{15})(?![\dXx])")
_LONG_DIGITS = re.compile(r"(?<!\d)\d{16,19}(?!\d)")  # bank cards and other long numbers
_MOBILE = re.compile(r"(?<![\d+])(?:(?:\+|00)?86[-\s]?)?(1[3-9]\d)[-\s]?\d{4}[-\s]?(\d{4})(?!\d)")
# 010 and 02x have 3-digit area codes, every other area code has 4 digits.
_LANDLINE = re.compile(
    r"(?<!\d)(0(?:[12]\d|[3-9]\d{2}))[-\s]?\d{3,4}[-\s]?(\d{4})((?:-|转)\d{1,6})?(?!\d)"
)
_MOBILE_DIGITS = re.compile(r"1[3-9]\d{9}")


def mask_phone(value: str) -> str:
    """Mask one phone number as typed by a user (mobile, landline, with +86/0086/86 prefixes).

    Numbers of fewer than 7 digits (12345, 110, 95588) and 400/800 numbers are service
    numbers, not personal data, and are returned unchanged; anything else unrecognised keeps
    only its last 4 digits.
    """
    if not value:
        return value
    text = value.strip()
    if _MOBILE.fullmatch(text):
        return _MOBILE.sub(_mask_mobile, text)
    if _LANDLINE.fullmatch(text):
        return _LANDLINE.sub(_mask_landline, text)
    digits = re.sub(r"\D", "", text)
    if len(digits) < 7 or (len(digits) == 10 and digits[:3] in ("400", "800")):
        return value
    for prefix in ("0086", "86"):
        rest = digits[len(prefix) :]
        if digits.startswith(prefix) and _MOBILE_DIGITS.fullmatch(rest):
            return f"{rest[:3]}{STARS}{rest[-4:]}"
    if _MOBILE_DIGITS.fullmatch(digits):
        return f"{digits[:3]}{STARS}{digits[-4:]}"
    return f"{STARS}{digits[-4:]}"


def _mask_mobile(match: re.Match[str]) -> str:
    return f"{match.group(1)}{STARS}{match.group(2)}"


def _mask_landline(match: re.Match[str]) -> str:
    return f"{match.group(1)}-{STARS}{match.group(2)}{match.group(3) or ''}"


def mask_id_number(value: str, *, head: int = 1, tail: int = 4) -> str:
    """Mask a resident ID number (18 characters, or the old 15 digits), keeping `head` and
    `tail` characters.

    The default 1+4 is the strictest convention in use (agents); supervisors' screens may ask
    for 6+4. The length is kept so a reader still recognises an ID number.
    """
    if not value:
        return value
    text = value.strip().upper()
    if len(text) <= head + tail:
        return "*" * len(text)
    return text[:head] + "*" * (len(text) - head - tail) + (text[-tail:] if tail else "")


def mask_name(value: str) -> str:
    """Mask a person's name, keeping the surname: 张三 → 张*, 张三丰 → 张*丰, 欧阳娜娜 → 欧**娜.

    Longer names keep their first and last characters; Latin names keep the initial of each
    word (John Smith → J*** S****).
    """
    if not value:
        return value
    text = value.strip()
    if " " in text:
        return " ".join(w[0] + "*" * (len(w) - 1) for w in text.split())
    if len(text) == 1:
        return "*"
    if len(text) == 2:
        return text[0] + "*"
    return text[0] + "*" * (len(text) - 2) + text[-1]


def mask_text(text: str) -> str:
    """Mask every ID number, long account number, mobile and landline found in free text.

    Order matters: long runs first, so an 18-digit ID is not read as a phone number plus digits.
    """
    if not text:
        return text
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group(1)), text)
    text = _LONG_DIGITS.sub(lambda m: "*" * (len(m.group(0)) - 4) + m.group(0)[-4:], text)
    text = _MOBILE.sub(_mask_mobile, text)
    return _LANDLINE.sub(_mask_landline, text)
