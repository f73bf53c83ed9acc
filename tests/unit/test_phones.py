import pytest

from plugins.tickets.services.phones import to_e164


@pytest.mark.parametrize(
    "raw, e164",
    [
        ("13800138000", "+8613800138000"),
        ("+86 138-0013-8000", "+8613800138000"),
        ("0086 13800138000", "+8613800138000"),
        ("010-12345678", "+861012345678"),
        ("+1 650 253 0000", "+16502530000"),
        ("", None),
        ("hello", None),
        ("123", None),
        (None, None),
    ],
)
def test_to_e164(raw, e164):
    assert to_e164(raw) == e164
