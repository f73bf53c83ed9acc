"""Whole lives of a ticket, state by state, using only the engine.

Each step: (action, duties, params, facts, expected state, expected effects). The walk checks
that the action is offered to those duties before taking it, as the ticket page would.
"""

from __future__ import annotations

from datetime import UTC, datetime

from workflows import available_actions, decide, initial_state

DEPT = {"has_department": True}
FOLLOWUP = {"has_department": True, "category_requires_followup": True}


def _walk(process, state, steps):
    trail = [state]
    for action, duties, params, facts, expected, effects in steps:
        offered = [a.name for a in available_actions(process, state, duties)]
        assert action in offered, (state, action, offered)
        decision = decide(process, state, action, duties, params, facts)
        assert (decision.to_state, decision.effects) == (expected, effects), (state, action)
        assert process.states[expected].label.zh
        state = decision.to_state
        trail.append(state)
    return trail


def test_call_center_walk_from_the_issue(call_center):
    """REPAIR ticket → TECH 待签收 → accept → transfer to FIN → return → dispatch to TECH →
    resolve → 不满意 → 重办 → resolve → 满意 → close → archive."""
    state, effects = initial_state(call_center, {"has_department": True})
    assert (state, effects) == ("pending_accept", ("route_by_category",))
    handler, dispatcher = {"handler"}, {"dispatcher"}
    trail = _walk(
        call_center,
        state,
        [
            ("accept", handler, {}, DEPT, "in_progress", ("assign_actor",)),
            (
                "transfer",
                handler,
                {"department_id": "2", "reason": "属财务问题"},
                DEPT,
                "pending_accept",
                ("set_department", "clear_assignee"),
            ),
            (
                "return",
                handler,
                {"reason": "非本部门职责"},
                DEPT,
                "pending_dispatch",
                ("clear_department", "clear_assignee"),
            ),
            (
                "urge",
                {"agent"},
                {"note": "市民再次来电"},
                {},
                "pending_dispatch",
                ("count_urge", "notify_holder"),
            ),
            (
                "dispatch",
                dispatcher,
                {"department_id": 1},
                {},
                "pending_accept",
                ("set_department",),
            ),
            ("accept", handler, {}, DEPT, "in_progress", ("assign_actor",)),
            (
                "resolve",
                handler,
                {"result": "已更换路由器"},
                FOLLOWUP,
                "pending_followup",
                ("set_resolved",),
            ),
            (
                "follow_up",
                {"follow_up"},
                {"satisfaction": "dissatisfied", "note": "网络仍不稳定"},
                FOLLOWUP,
                "in_progress",
                ("record_satisfaction", "mark_redo"),
            ),
            (
                "resolve",
                handler,
                {"result": "已更换光猫"},
                FOLLOWUP,
                "pending_followup",
                ("set_resolved",),
            ),
            (
                "follow_up",
                {"follow_up"},
                {"satisfaction": "satisfied"},
                FOLLOWUP,
                "resolved",
                ("record_satisfaction",),
            ),
            ("close", {"follow_up"}, {}, {}, "closed", ("set_closed",)),
            ("archive", {"system"}, {}, {}, "archived", ("set_archived",)),
        ],
    )
    assert trail[-1] == "archived"
    assert available_actions(call_center, "archived", {"supervisor", "dispatcher", "system"}) == []


def test_call_center_extension_suspension_and_reopen(call_center):
    handler, supervisor = {"handler"}, {"supervisor"}
    _walk(
        call_center,
        "in_progress",
        [
            (
                "request_extension",
                handler,
                {"until": "2025-03-07T18:00", "reason": "需等待配件"},
                DEPT,
                "extension_review",
                ("request_extension",),
            ),
            (
                "reject_extension",
                supervisor,
                {"reason": "时间过长"},
                DEPT,
                "in_progress",
                ("clear_extension",),
            ),
            (
                "request_extension",
                handler,
                {"until": "2025-03-05T18:00", "reason": "需等待配件"},
                DEPT,
                "extension_review",
                ("request_extension",),
            ),
            ("approve_extension", supervisor, {}, DEPT, "in_progress", ("apply_extension",)),
            ("suspend", handler, {"reason": "联系不上市民"}, DEPT, "suspended", ()),
            (
                "supervise",
                {"dispatcher"},
                {"level": "1"},
                DEPT,
                "suspended",
                ("set_supervise_level",),
            ),
            ("resume", handler, {}, DEPT, "in_progress", ()),
            ("resolve", handler, {"result": "已处理"}, DEPT, "resolved", ("set_resolved",)),
            (
                "reopen",
                {"agent"},
                {"reason": "问题再次出现"},
                DEPT,
                "pending_accept",
                ("reopen", "clear_assignee"),
            ),
            ("merge", {"dispatcher"}, {"into_ticket_id": "42"}, DEPT, "merged", ("merge_into",)),
        ],
    )


def test_call_center_quick_resolve_on_the_call(call_center):
    state, _ = initial_state(call_center, {"has_department": False})
    _walk(
        call_center,
        state,
        [
            ("resolve", {"agent"}, {"result": "已告知办理流程"}, {}, "resolved", ("set_resolved",)),
            ("close", {"system"}, {}, {}, "closed", ("set_closed",)),
            (
                "reopen",
                {"agent"},
                {"reason": "市民不认可"},
                {},
                "pending_dispatch",
                ("reopen", "clear_assignee"),
            ),
            ("void", {"agent"}, {"reason": "spam"}, {}, "void", ("mark_spam",)),
        ],
    )


def test_hotline_walk_with_return_review_extension_suspension_and_redo(hotline):
    """12345: 派单 → 签收 → 退回 (驳回) → 签收 → 延期 → 挂起/恢复 → 办结 → 审核退回 (重办)
    → 办结 → 审核通过 → 回访不满意 (重办) → 办结 → 审核通过 → 回访满意 → 关闭 → 归档."""
    state, effects = initial_state(hotline, {"has_department": False})
    assert (state, effects) == ("pending_dispatch", ())
    handler, dispatcher, supervisor = {"handler"}, {"dispatcher"}, {"supervisor"}
    trail = _walk(
        hotline,
        state,
        [
            (
                "dispatch",
                dispatcher,
                {"department_id": 5},
                {},
                "pending_accept",
                ("set_department",),
            ),
            ("accept", handler, {}, DEPT, "in_progress", ("assign_actor",)),
            ("return", handler, {"reason": "不属于本单位职责"}, DEPT, "return_review", ()),
            (
                "reject_return",
                dispatcher,
                {"reason": "属本单位职责"},
                DEPT,
                "pending_accept",
                ("clear_assignee",),
            ),
            ("accept", handler, {}, DEPT, "in_progress", ("assign_actor",)),
            (
                "request_extension",
                handler,
                {"until": "2025-03-10T17:30:00+08:00", "reason": "需现场勘查"},
                DEPT,
                "extension_review",
                ("request_extension",),
            ),
            ("approve_extension", supervisor, {}, DEPT, "in_progress", ("apply_extension",)),
            ("suspend", handler, {"reason": "等待第三方检测"}, DEPT, "suspended", ()),
            ("resume", handler, {}, DEPT, "in_progress", ()),
            ("resolve", handler, {"result": "已答复"}, DEPT, "pending_review", ("set_resolved",)),
            (
                "review_reject",
                dispatcher,
                {"reason": "答复不完整"},
                DEPT,
                "in_progress",
                ("mark_redo",),
            ),
            (
                "resolve",
                handler,
                {"result": "已完整答复"},
                DEPT,
                "pending_review",
                ("set_resolved",),
            ),
            ("review_pass", dispatcher, {}, DEPT, "pending_followup", ()),
            (
                "follow_up",
                {"follow_up"},
                {"satisfaction": "dissatisfied"},
                DEPT,
                "in_progress",
                ("record_satisfaction", "mark_redo"),
            ),
            (
                "resolve",
                handler,
                {"result": "已再次处理"},
                DEPT,
                "pending_review",
                ("set_resolved",),
            ),
            ("review_pass", dispatcher, {"note": "答复规范"}, DEPT, "pending_followup", ()),
            (
                "follow_up",
                {"follow_up"},
                {"satisfaction": "basically_satisfied"},
                DEPT,
                "resolved",
                ("record_satisfaction",),
            ),
            ("close", {"system"}, {}, {}, "closed", ("set_closed",)),
            ("archive", {"system"}, {}, {}, "archived", ("set_archived",)),
        ],
    )
    assert "suspended" in trail and "extension_review" in trail
    assert hotline.states["suspended"].clock == "pause"


def test_hotline_return_approved_goes_back_to_dispatch(hotline):
    _walk(
        hotline,
        "pending_accept",
        [
            ("return", {"supervisor"}, {"reason": "属地不符"}, DEPT, "return_review", ()),
            (
                "approve_return",
                {"dispatcher"},
                {},
                DEPT,
                "pending_dispatch",
                ("clear_department", "clear_assignee"),
            ),
            (
                "dispatch",
                {"dispatcher"},
                {"department_id": 9},
                {},
                "pending_accept",
                ("set_department",),
            ),
        ],
    )


def test_hotline_extension_until_is_utc(hotline):
    decision = decide(
        hotline,
        "in_progress",
        "request_extension",
        {"handler"},
        {"until": "2025-03-10T17:30:00+08:00", "reason": "需现场勘查"},
        DEPT,
    )
    assert decision.params["until"] == datetime(2025, 3, 10, 9, 30, tzinfo=UTC)
