"""The closed vocabularies a process definition may use: duties, clocks, parameter types,
effects and parameter error keys.

They are fixed here, not in the YAML, because the integration has to implement each of them:
a definition may combine effects freely, but it cannot invent one the caller does not know.
Every entry carries a zh/en label so screens and the editor can explain them without a
translation catalog.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Label:
    """A text in both interface languages. Definitions carry their own labels (zh first)."""

    zh: str
    en: str

    def get(self, lang: str = "zh") -> str:
        """The text in `lang`; anything that is not English falls back to zh, the main locale."""
        return self.en if lang.lower().startswith("en") else self.zh

    def as_dict(self) -> dict[str, str]:
        return {"zh": self.zh, "en": self.en}


#: Who may take an action. "handler" and "supervisor" mean of the department holding the
#: ticket: the integration computes an actor's duties for one ticket and passes them in.
DUTIES: dict[str, Label] = {
    "agent": Label("话务员", "Agent"),
    "dispatcher": Label("派单员", "Dispatcher"),
    "handler": Label("承办人", "Handler"),
    "supervisor": Label("部门主管", "Supervisor"),
    "follow_up": Label("回访员", "Follow-up agent"),
    "system": Label("系统", "System"),
}

#: What the SLA clock does while a ticket sits in a state.
CLOCKS: dict[str, Label] = {
    "run": Label("计时", "Running"),
    "pause": Label("暂停计时", "Paused"),
    "stop": Label("停止计时", "Stopped"),
}

#: Parameter types and what `decide()` turns them into.
PARAM_TYPES: dict[str, Label] = {
    "text": Label("文本", "Text"),
    "choice": Label("选项", "Choice"),
    "department": Label("部门", "Department"),
    "ticket": Label("工单", "Ticket"),
    "datetime": Label("日期时间", "Date and time"),
    "integer": Label("整数", "Integer"),
}

#: The keys of per-parameter errors in `InvalidParams.errors`; the integration shows the label.
PARAM_ERRORS: dict[str, Label] = {
    "required": Label("必填", "This field is required"),
    "unknown": Label("不支持该参数", "Unknown parameter"),
    "not_text": Label("应为文本", "Must be text"),
    "too_long": Label("内容过长", "Too long"),
    "not_a_choice": Label("不是有效选项", "Not a valid choice"),
    "not_an_id": Label("不是有效编号", "Not a valid id"),
    "not_a_datetime": Label("不是有效的日期时间", "Not a valid date and time"),
    "not_an_integer": Label("应为整数", "Must be an integer"),
}

#: Deadline units a state may declare; the SLA engine interprets them.
DEADLINE_UNITS: dict[str, Label] = {
    "hours": Label("小时", "hours"),
    "working_hours": Label("个工作小时", "working hours"),
    "working_days": Label("个工作日", "working days"),
}


@dataclass(frozen=True)
class Effect:
    """A side effect the caller applies after a transition.

    `param` names the action parameter the effect reads, so the loader can refuse a
    definition whose action lacks it (e.g. set_department without department_id).
    """

    name: str
    label: Label
    param: str | None = None


def _effects(*items: Effect) -> dict[str, Effect]:
    return {item.name: item for item in items}


EFFECTS: dict[str, Effect] = _effects(
    Effect("route_by_category", Label("按分类默认部门派单", "Route to the category's department")),
    Effect(
        "set_department", Label("转到所选部门", "Move to the chosen department"), "department_id"
    ),
    Effect("clear_department", Label("退回派单（清除承办单位）", "Back to dispatch")),
    Effect("assign_actor", Label("处理人设为本人", "Assign to the actor")),
    Effect("clear_assignee", Label("清除处理人", "Clear the assignee")),
    Effect("set_resolved", Label("记录办结时间和结果", "Record the resolution")),
    Effect("set_closed", Label("记录关闭时间", "Record the closing time")),
    Effect("count_urge", Label("催办次数加一", "Count the reminder")),
    Effect("notify_holder", Label("通知承办单位", "Notify the holding department")),
    Effect("set_supervise_level", Label("设置督办级别", "Set the supervision level"), "level"),
    Effect(
        "request_extension", Label("记录申请的延期时间", "Store the requested deadline"), "until"
    ),
    Effect("apply_extension", Label("按申请延长办理时限", "Move the deadline as requested")),
    Effect("clear_extension", Label("清除延期申请", "Discard the extension request")),
    Effect("merge_into", Label("并入主工单", "Merge into the master ticket"), "into_ticket_id"),
    Effect("mark_spam", Label("标记为骚扰/垃圾工单", "Mark as spam")),
    Effect("reopen", Label("重开次数加一", "Count the reopening")),
    Effect("mark_redo", Label("重办次数加一", "Count the re-handling")),
    Effect("record_satisfaction", Label("记录满意度", "Record the satisfaction"), "satisfaction"),
    Effect(
        "book_callback",
        Label("预约回访时间（顺延到工作时间）", "Book a call-back (moved into working hours)"),
        "callback_at",
    ),
    Effect("set_archived", Label("归档（只读）", "Archive (read-only)")),
)
