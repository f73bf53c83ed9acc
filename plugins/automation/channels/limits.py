"""Size limits of the robot APIs, applied before sending.

The platforms reject (or silently cut) oversized messages; cutting here, on a character
boundary and with a visible ellipsis, keeps the start of the message (ticket number, title)
and keeps UTF-8 valid, which a byte-level cut by the platform would not.
"""

from __future__ import annotations

ELLIPSIS = "…"


def truncate_utf8(text: str, max_bytes: int) -> str:
    """`text` cut so that its UTF-8 encoding fits in `max_bytes`, ending with "…" if cut."""
    encoded = text.encode("utf-8")
    if len(encoded) <= max_bytes:
        return text
    room = max_bytes - len(ELLIPSIS.encode("utf-8"))
    if room <= 0:
        return ""
    # errors="ignore" drops a multi-byte character split by the cut.
    return encoded[:room].decode("utf-8", errors="ignore") + ELLIPSIS
