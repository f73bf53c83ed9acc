"""End-to-end in a real headless Chromium: the process screens, in Chinese.

The ticket page's 办理 panel (one button per action the user may take now, a form for
actions with parameters), the 我的工作 queues with their count badges, and 工单查询.
Each user works in their own browser (see conftest.py); explicit waits only.
"""

from __future__ import annotations

import os
import re

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait
from sqlalchemy import func, select

from plugins.tickets.models import Customer, CustomerPhone, Ticket, TicketEvent
from plugins.tickets.scoping import read_scope
from plugins.tickets.services.phones import to_e164

pytestmark = pytest.mark.e2e

CALLER = "13800138000"
WAIT_SECONDS = 10
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")
NOT_FOUND = "未找到，或您无权查看。"  # zh of "Not found, or you may not see it."
TRAJECTORY_HEADERS = [
    "处理节点",
    "处理用户",
    "处理状态",
    "操作",
    "到达时间",
    "开始处理时间",
    "结束处理时间",
    "要求结束时间",
    "用时",
    "备注",
]
TECH, FIN = "技术支持部", "财务部"
AGENT, TECHIE, FINANCE = "坐席 王芳", "技术 张伟", "财务 陈静"
DISPATCHER, FOLLOWUP = "派单员 李强", "回访员 赵敏"
QUEUE_ITEMS = {
    "tech": ["我的待办", "部门待签收", "超时工单"],
    "dispatcher": ["我的待办", "待派单", "超时工单", "我创建的"],
    "followup": ["我的待办", "待回访", "我的预约回访", "超时工单"],
}


# -- helpers ------------------------------------------------------------------------------


def flashes(page, kind: str = "") -> list[str]:
    """Flash messages as shown (without the close button's ×)."""
    selector = f".alert-{kind}" if kind else ".alert"
    return [el.text.replace("×", "").strip() for el in page.all(selector)]


def flashed(driver) -> bool:
    return bool(driver.find_elements(By.CSS_SELECTOR, ".alert"))


def until(page, condition):
    """Wait like page.wait, but polling every 50 ms (Bootstrap's animations are short)."""
    return WebDriverWait(page.driver, WAIT_SECONDS, poll_frequency=0.05).until(condition)


def submit(page, button) -> None:
    """Click a submit button; wait for the next page and its flash message."""
    old = page.css("html")
    button.click()
    until(page, ec.staleness_of(old))
    until(page, flashed)


def details(page) -> dict[str, str]:
    """The show page's field table: label → value, as displayed (one script)."""
    return dict(
        page.driver.execute_script(
            "return [...document.querySelectorAll('.panel.show table.table-bordered tr')]"
            ".filter(tr => tr.querySelector('th') && tr.querySelector('td'))"
            ".map(tr => [tr.querySelector('th').innerText.trim(),"
            " tr.querySelector('td').innerText.trim()])"
        )
    )


def status(page) -> str:
    return details(page)["状态"]


def trajectory(page) -> list[list[str]]:
    """Rows of the trajectory table, all columns as text (one script, not a call per cell)."""
    return page.driver.execute_script(
        "return [...document.querySelectorAll('#trajectory tbody tr')]"
        ".map(tr => [...tr.cells].map(td => td.innerText.trim()))"
    )


def all_text(page, selector: str) -> str:
    """Everything an element says, hidden parts (closed forms, options) included."""
    return page.driver.execute_script(
        "return document.querySelector(arguments[0]).textContent", selector
    )


def buttons(page) -> list[str]:
    """Ids of the 办理 panel's buttons, in order."""
    return [b.get_attribute("id") for b in page.all("#actions [id^=btn-]")]


def show(page, ticket_id: int) -> None:
    page.open(f"/ticketview/show/{ticket_id}", "#trajectory")


def open_form(page, name: str):
    """Click an action's button (unless its form is open already) and wait until its
    Bootstrap collapse form is open."""
    if not page.all(f"#act-{name}.collapse.in"):
        page.css(f"#actions #btn-{name}").click()
    until(page, ec.presence_of_element_located((By.CSS_SELECTOR, f"#act-{name}.collapse.in")))
    return page.css(f"#act-{name} form")


def fill(form, fields: dict[str, str]) -> None:
    """Selects by their visible text, everything else by typing."""
    for name, value in fields.items():
        field = form.find_element(By.NAME, name)
        if field.tag_name == "select":
            Select(field).select_by_visible_text(value)
        else:
            field.clear()
            field.send_keys(value)


def take(page, name: str, **fields: str) -> list[str]:
    """Take a process action from the 办理 panel as a user does; returns the flashes."""
    if fields:
        form = open_form(page, name)
        fill(form, fields)
        button = form.find_element(By.CSS_SELECTOR, "[type=submit]")
    else:
        button = page.css(f"#actions #btn-{name}")
    submit(page, button)
    return flashes(page)


def done(status_label: str) -> str:
    return f"操作成功，工单现为“{status_label}”。"


def fresh(db, ticket_id: int) -> Ticket:
    db.rollback()  # a fresh snapshot: the server thread commits in its own session
    return db.get(Ticket, ticket_id)


def open_work_menu(page) -> dict[str, str]:
    """Open the 我的工作 dropdown like a user; its items → their badge text."""
    toggle = page.driver.find_element(
        By.XPATH, "//a[contains(@class,'dropdown-toggle')][contains(normalize-space(), '我的工作')]"
    )
    toggle.click()
    menu = toggle.find_element(By.XPATH, "following-sibling::ul")
    until(page, ec.visibility_of(menu))
    items = {}
    for link in menu.find_elements(By.CSS_SELECTOR, "li > a"):
        badge = link.find_elements(By.CSS_SELECTOR, ".badge")
        label = link.text.strip()
        if badge:
            label = label.removesuffix(badge[0].text).strip()
        items[label] = badge[0].text.strip() if badge else ""
    return items


def accept_queue_badge(page) -> int:
    page.open("/ticketview/list/?queue=accept&psize_TicketView=100", "table")
    return int(open_work_menu(page)["部门待签收"])


# -- 1. the 办理 panel: one REPAIR ticket through the whole process ---------------------------


def test_repair_ticket_walks_through_the_process(as_user, build, db, shots_dir):
    ticket = build.ticket("agent", "REPAIR", subject="宽带断网（流程端到端）")
    tid, number = ticket.id, ticket.number
    expected = [[TECH, AGENT, "待签收", "受理登记", ""]]

    def step(page, department, user, change, action, note=""):
        """One more trajectory row: 处理节点, 处理用户, 处理状态, 操作 and 备注 as shown."""
        expected.append([department, user, change, action, note])
        rows = trajectory(page)
        assert [[r[0], r[1], r[2], r[3], r[9]] for r in rows] == expected

    # tech: 签收.
    page = as_user("tech")
    show(page, tid)
    assert page.css("#actions .panel-heading").text.startswith("办理")
    headers = [th.text.strip() for th in page.all("#trajectory thead th")]
    assert headers == TRAJECTORY_HEADERS
    assert "btn-accept" in buttons(page)
    # Without parameters: a plain submit button; with them: a toggle for its form.
    assert page.css("#btn-accept").get_attribute("type") == "submit"
    assert page.css("#btn-transfer").get_attribute("data-toggle") == "collapse"
    assert not page.css("#act-transfer").is_displayed()
    assert done("处理中") in take(page, "accept")
    assert status(page) == "处理中"
    step(page, TECH, TECHIE, "待签收 → 处理中", "签收")
    assert "btn-accept" not in buttons(page)
    assert {"btn-resolve", "btn-transfer", "btn-return"} <= set(buttons(page))

    # The form fields follow the parameter types.
    form = open_form(page, "request_extension")
    assert form.find_element(By.NAME, "until").get_attribute("type") == "datetime-local"
    assert form.find_element(By.NAME, "reason").tag_name == "textarea"

    # 转办 without a reason (the browser's own check switched off): refused in Chinese.
    before = fresh(db, tid).version
    form = open_form(page, "transfer")
    assert form.find_element(By.NAME, "reason").get_attribute("required") == "true"
    department = Select(form.find_element(By.NAME, "department_id"))
    assert department.first_selected_option.text == "请选择"
    assert {FIN, TECH} <= {o.text for o in department.options}
    fill(form, {"department_id": FIN})
    page.driver.execute_script("arguments[0].noValidate = true", form)
    submit(page, form.find_element(By.CSS_SELECTOR, "[type=submit]"))
    errors = flashes(page, "danger")
    assert errors and all(CJK.search(e) and not LATIN.search(e) for e in errors), errors
    page.screenshot(os.path.join(shots_dir, "transfer-refused.png"))
    assert not flashes(page, "success")
    assert status(page) == "处理中"
    assert len(trajectory(page)) == len(expected)
    after = fresh(db, tid)
    assert (after.status, after.version) == ("in_progress", before)
    assert after.department.name == TECH

    # 转办 to 财务部 with a reason; the form open for the screenshot first.
    form = open_form(page, "transfer")
    fill(form, {"department_id": FIN, "reason": "属于账单问题，转财务部处理"})
    page.screenshot(os.path.join(shots_dir, "ticket-actions.png"))
    page.css("#actions").screenshot(os.path.join(shots_dir, "ticket-actions-panel.png"))
    assert not LATIN.search(all_text(page, "#actions")), all_text(page, "#actions")
    submit(page, form.find_element(By.CSS_SELECTOR, "[type=submit]"))
    assert done("待签收") in flashes(page, "success")
    # Out of tech's reach now: back to the ticket list, not onto a page tech may not see.
    assert "/ticketview/list/" in page.driver.current_url
    assert NOT_FOUND not in page.css("body").text
    moved = fresh(db, tid)
    assert (moved.status, moved.department.name, moved.assignee_id) == ("pending_accept", FIN, None)
    # The ticket left tech's departments: reloaded, the page is gone for tech, in Chinese.
    page.open(f"/ticketview/show/{tid}", "body")
    assert NOT_FOUND in page.css("body").text
    assert number not in page.driver.page_source
    assert page.all("#actions") == []

    # fin: 退回 to the dispatcher.
    page = as_user("fin")
    show(page, tid)
    step(page, TECH, TECHIE, "处理中 → 待签收", "转办", "属于账单问题，转财务部处理")
    assert status(page) == "待签收"
    assert done("待派单") in take(page, "return", reason="不是财务问题，请重新派单")
    # Back to the dispatcher without a department: out of fin's reach at once, so fin
    # lands on the ticket list under the success flash.
    assert "/ticketview/list/" in page.driver.current_url
    page.screenshot(os.path.join(shots_dir, "after-return.png"))
    assert fresh(db, tid).status == "pending_dispatch"

    # dispatcher: 派单 to 技术支持部.
    page = as_user("dispatcher")
    show(page, tid)
    step(page, FIN, FINANCE, "待签收 → 待派单", "退回", "不是财务问题，请重新派单")
    assert status(page) == "待派单"
    assert done("待签收") in take(page, "dispatch", department_id=TECH)
    step(page, "", DISPATCHER, "待派单 → 待签收", "派单")
    assert TECH in details(page)["部门"]

    # tech: 签收, then 办结.
    page = as_user("tech")
    show(page, tid)
    take(page, "accept")
    step(page, TECH, TECHIE, "待签收 → 处理中", "签收")
    assert done("待回访") in take(page, "resolve", result="已更换光猫，恢复上网")
    step(page, TECH, TECHIE, "处理中 → 待回访", "办结", "已更换光猫，恢复上网")
    assert buttons(page) == []  # nothing for tech while the follow-up is due

    # followup: 回访 不满意 → 重办 by the same department.
    page = as_user("followup")
    show(page, tid)
    form = open_form(page, "follow_up")
    satisfaction = Select(form.find_element(By.NAME, "satisfaction"))
    assert [o.text for o in satisfaction.options] == ["请选择", "满意", "基本满意", "不满意"]
    assert done("处理中") in take(page, "follow_up", satisfaction="不满意", note="仍然断网")
    step(page, TECH, FOLLOWUP, "待回访 → 处理中", "回访", "仍然断网")

    # tech: 办结 again; followup: 满意 → 已办结.
    page = as_user("tech")
    show(page, tid)
    assert done("待回访") in take(page, "resolve", result="上门检修线路，已恢复")
    step(page, TECH, TECHIE, "处理中 → 待回访", "办结", "上门检修线路，已恢复")
    page = as_user("followup")
    show(page, tid)
    assert done("已办结") in take(page, "follow_up", satisfaction="满意")
    step(page, TECH, FOLLOWUP, "待回访 → 已办结", "回访")

    # dispatcher: 关闭, then 归档 behind a confirmation (cancel first: nothing changes).
    page = as_user("dispatcher")
    show(page, tid)
    assert done("已关闭") in take(page, "close")
    step(page, TECH, DISPATCHER, "已办结 → 已关闭", "关闭")
    page.css("#btn-archive").click()
    alert = until(page, ec.alert_is_present())
    assert alert.text == "归档后工单只读，确定归档吗？"
    alert.dismiss()
    assert fresh(db, tid).status == "closed"
    old = page.css("html")
    page.css("#btn-archive").click()
    until(page, ec.alert_is_present()).accept()
    until(page, ec.staleness_of(old))
    until(page, flashed)
    assert done("已归档") in flashes(page, "success")
    assert status(page) == "已归档"
    step(page, TECH, DISPATCHER, "已关闭 → 已归档", "归档")
    assert page.all("#actions") == []

    final = fresh(db, tid)
    assert final.status == "archived"
    actions = db.scalars(
        select(TicketEvent.action).where(TicketEvent.ticket_id == tid).order_by(TicketEvent.id)
    ).all()
    assert actions == [
        "create", "accept", "transfer", "return", "dispatch", "accept", "resolve",
        "follow_up", "resolve", "follow_up", "close", "archive",
    ]  # fmt: skip
    # Every node closed with its times; the one failed 转办 left no row.
    assert all(row[4] and row[5] and row[6] for row in trajectory(page))


def test_merge_by_ticket_number(as_user, build, db):
    """A `ticket` parameter takes the number people read out, not a database id."""
    master = build.ticket("agent", "REPAIR", subject="主工单（合并端到端）")
    duplicate = build.ticket("agent", "REPAIR", subject="重复来电（合并端到端）")
    page = as_user("dispatcher")
    show(page, duplicate.id)
    form = open_form(page, "supervise")
    level = Select(form.find_element(By.NAME, "level"))
    assert [o.text for o in level.options] == ["请选择", "一级督办", "二级督办", "三级督办"]
    assert not LATIN.search(all_text(page, "#actions")), all_text(page, "#actions")
    form = open_form(page, "merge")
    into = form.find_element(By.NAME, "into_ticket_id")
    assert into.get_attribute("type") == "text"
    assert re.fullmatch(r"GD\d{8}-\d{4}", into.get_attribute("placeholder"))
    fill(form, {"into_ticket_id": master.number})
    submit(page, form.find_element(By.CSS_SELECTOR, "[type=submit]"))
    assert done("已合并") in flashes(page, "success")
    merged = fresh(db, duplicate.id)
    assert (merged.status, merged.merged_into_id) == ("merged", master.id)
    assert trajectory(page)[-1][3] == "合并"


# -- 2. 我的工作: queues with count badges ------------------------------------------------------


@pytest.mark.parametrize("username", sorted(QUEUE_ITEMS))
def test_work_menu_items_by_role(as_user, username):
    page = as_user(username)
    page.open("/", "body")
    items = open_work_menu(page)
    assert list(items) == QUEUE_ITEMS[username]
    assert all(badge.isdigit() for badge in items.values()), items


def test_accept_queue_badge_matches_the_list(as_user, build, db, shots_dir):
    build.ticket("agent", "REPAIR", subject="待签收队列（端到端）")  # at least one waiting
    page = as_user("tech")
    badge = accept_queue_badge(page)
    assert badge >= 1
    rows = page.all("table.table-hover tbody tr")
    assert len(rows) == badge < 100
    assert re.search(rf"记录数目:\s*{badge}\b", page.css("body").text)
    assert page.css(".panel-primary > .panel-heading").text.strip() == "部门待签收"
    headers = [th.text.strip() for th in page.all("table.table-hover thead th")]
    col = headers.index("状态")
    assert {r.find_elements(By.TAG_NAME, "td")[col].text.strip() for r in rows} == {"待签收"}
    page.screenshot(os.path.join(shots_dir, "queue-accept.png"))

    # Accept the first one from its page: the badge drops by one.
    link = rows[0].find_element(By.CSS_SELECTOR, "a[href*='/ticketview/show/']")
    page.open(link.get_attribute("href").removeprefix(page.server.url), "#actions")
    assert done("处理中") in take(page, "accept")
    assert accept_queue_badge(page) == badge - 1
    assert len(page.all("table.table-hover tbody tr")) == badge - 1


# -- 3. 工单查询 ------------------------------------------------------------------------------


def test_query_by_phone_lists_only_visible_tickets_of_the_caller(as_user, build, db, shots_dir):
    zhang = db.scalar(select(Customer).where(Customer.name == "张三"))
    mine = build.ticket("agent", "REPAIR", customer_id=zhang.id, caller_number=CALLER)
    theirs = build.ticket("agent", "BILLING", customer_id=zhang.id, caller_number=CALLER)

    page = as_user("tech")
    page.open("/ticketquery/", "#query-form")
    page.css("#query-form input[name=phone]").send_keys(CALLER)
    page.submit_and_wait(
        page.css("#query-form [type=submit]"),
        ec.presence_of_element_located((By.ID, "query-results")),
    )
    rows = page.driver.execute_script(
        "return [...document.querySelectorAll('#query-results tbody tr')]"
        ".map(tr => [...tr.cells].map(td => td.innerText.trim()))"
    )

    db.rollback()
    tech = build.user("tech")
    e164 = to_e164(CALLER)
    phones = select(CustomerPhone.customer_id).where(CustomerPhone.e164 == e164)
    expected = set(
        db.scalars(
            select(Ticket.number).where(
                read_scope(db, tech).clause(),
                (Ticket.caller_e164 == e164) | Ticket.customer_id.in_(phones),
            )
        )
    )
    assert len(expected) < 50  # one page of results
    assert {r[0] for r in rows} == expected
    assert len(rows) == len(expected)
    assert mine.number in expected and theirs.number not in expected
    assert {r[2] for r in rows} == {"张三"}
    assert {r[4] for r in rows} == {TECH}
    assert f"共找到 {len(expected)} 张工单" in page.css("#query-results .panel-heading").text
    everyone = db.scalar(
        select(func.count()).select_from(Ticket).where(Ticket.customer_id == zhang.id)
    )
    assert everyone > len(expected)  # some of 张三's tickets are out of tech's reach
    assert page.css("#query-form input[name=phone]").get_attribute("value") == CALLER
    page.screenshot(os.path.join(shots_dir, "query.png"))

    # An end date before the start date: a Chinese message by the field, no results.
    page.driver.execute_script(
        "const f = document.getElementById('query-form');"
        "f.date_from.value = '2026-11-23'; f.date_to.value = '2026-11-01';"
    )
    page.submit_and_wait(
        page.css("#query-form [type=submit]"),
        ec.presence_of_element_located((By.CSS_SELECTOR, "#query-form .help-block")),
    )
    message = page.css("#query-form .help-block").text.strip()
    assert message == "截止日期早于起始日期。"
    assert page.all("#query-results tbody tr") == []
    page.screenshot(os.path.join(shots_dir, "query-bad-dates.png"))
