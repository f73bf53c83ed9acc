"""Phone numbers: normalise to E.164 for lookup, keep what the user typed."""

from __future__ import annotations

import phonenumbers

DEFAULT_REGION = "CN"


def to_e164(raw: str | None) -> str | None:
    """E.164 form of a phone number, or None when it is not a possible number.

    Mainland numbers may be typed bare (13800138000), with +86 or 0086, with spaces or
    dashes; landlines with their area code (010-12345678).
    """
    if not raw:
        return None
    text = raw.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        parsed = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
