"""Notifications: tell people where they already are (in-app, email, WeCom, DingTalk, Feishu,
webhook). Every sender — triggers, SLA escalations, 催办 — goes through one call:

    from plugins.automation.notify.service import request_notification

    rows = request_notification(
        session,                      # the caller's session; nothing is committed here
        ticket_id=ticket.id,          # or None
        template="sla_warn",          # optional NotificationTemplate code (replaces subject/body)
        subject="工单 {ticket.number} 即将超时",   # canned-reply placeholders, plus `context` keys
        body="{工单标题} — 第 {level} 级",
        recipients=[{"user_id": 3}, {"role": "Supervisor", "department_id": 2},
                    {"department_supervisors": 2}, {"email": "x@y"}, {"robot_id": 5}],
        channel="email",              # in_app | email | wecom | dingtalk | feishu | webhook
        idempotency_key=f"evt-{event.id}:rule-{rule.id}",  # stable per logical notification
        context={"level": "2"},
    )  # -> list[Delivery], one per resolved recipient of that channel

Call it once per channel. Rows are unique by (key, channel, recipient): a second call with
the same key returns the first call's rows and sends nothing new. In-app rows are written in
your transaction; the others are sent after your commit by `notify.jobs.send_delivery`
(claim, send, record; backoff 30 s, 2 min, 10 min, 1 h; failed after 5 attempts) and a
sweeper catches rows whose enqueue was lost. Robot messages are masked (138****8000).
Raises NotificationError (bad channel / key) or RecipientError (unknown recipient spec).
"""
