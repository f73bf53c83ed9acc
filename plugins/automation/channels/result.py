"""The outcome of one delivery attempt, shared by every channel.

Channels never raise for a failed delivery: the caller (an RQ job) records the attempt on
its delivery row and decides whether to retry from `retryable`, so the classification lives
in one place per channel instead of in every job's exception handling.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DeliveryResult:
    """One attempt's outcome.

    Attributes:
        ok: the receiver accepted the message.
        retryable: a later attempt may succeed (throttling, 5xx, timeouts, 4xx SMTP replies);
            always False when ok.
        status: HTTP status or SMTP reply code; None when no reply came (refused, timed out).
        error: why it failed (API error code and message, HTTP status, exception), or a
            warning on success (e.g. some mail recipients refused); None otherwise.
        response_body: the reply's body, cut to a bounded size, for the delivery log.
        retry_after: seconds the receiver asked us to wait (HTTP Retry-After), if any.
        throttled: the platform refused because we send too fast (HTTP 429, or a rate-limit
            code in the body): not this message's fault, so the robot rests and the message
            waits instead of counting a failed attempt.
    """

    ok: bool
    retryable: bool
    status: int | None
    error: str | None = None
    response_body: str | None = None
    retry_after: float | None = None
    throttled: bool = False
