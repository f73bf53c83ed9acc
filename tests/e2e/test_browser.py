"""End-to-end in a real headless Chromium: what a call-center user sees, in Chinese.

The session `app` (migrated, demo data) is served over HTTP; each user logs in through the
real login form in a browser of their own. Explicit waits only.
"""

from __future__ import annotations

import os
import re
import tempfile
import urllib.error
import urllib.request

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select
from sqlalchemy import func, select

from plugins.tickets.models import Customer, Department, Ticket
from plugins.tickets.services.numbering import local_day

pytestmark = pytest.mark.e2e

CALLER = "13800138000"
NUMBER_RE = re.compile(r"GD\d{8}-\d{4}")
PENDING_ACCEPT = "待签收"  # zh of "Pending acceptance"
REGISTERED = "受理登记"  # zh of "Registered" (trajectory action)
INTERNAL_NOTE = "内部备注"  # zh of "Internal note"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def shared() -> dict:
    """What one test leaves for the next (the ticket registered through the browser)."""
    return {}


# -- helpers ------------------------------------------------------------------------------


def details(page) -> dict[str, str]:
    """The show page's field table: label → value, as displayed."""
    out = {}
    for row in page.all(".panel.show table.table-bordered tr"):
        ths = row.find_elements(By.TAG_NAME, "th")
        tds = row.find_elements(By.TAG_NAME, "td")
        if ths and tds:
            out[ths[0].text.strip()] = tds[0].text.strip()
    return out


def trajectory_rows(page) -> list[list[str]]:
    return [
        [td.text.strip() for td in tr.find_elements(By.TAG_NAME, "td")]
        for tr in page.all("#trajectory tbody tr")
    ]


def flashes(page) -> list[str]:
    return [el.text.strip() for el in page.all(".alert")]


def pick_select2(page, field_id: str, label: str) -> None:
    """Choose an option of a Select2 widget the way a user does: open, type, Enter."""
    page.css(f"#{field_id} + .select2-container .select2-selection").click()
    search = page.visible(".select2-container--open .select2-search__field")
    search.send_keys(label)
    page.wait.until(
        ec.text_to_be_present_in_element(
            (By.CSS_SELECTOR, ".select2-container--open .select2-results__option--highlighted"),
            label,
        )
    )
    search.send_keys(Keys.ENTER)
    page.wait.until(
        ec.invisibility_of_element_located((By.CSS_SELECTOR, ".select2-container--open"))
    )


def fetch(page, href: str):
    """GET a URL with the browser's session cookies (outside the browser)."""
    cookie = "; ".join(f"{k}={v}" for k, v in page.session_cookies().items())
    request = urllib.request.Request(page.server(href), headers={"Cookie": cookie})
    try:
        return urllib.request.urlopen(request, timeout=10)  # the loopback live server
    except urllib.error.HTTPError as err:
        return err


def ticket_count(db) -> int:
    db.rollback()  # a fresh snapshot: the server thread commits in its own session
    return db.scalar(select(func.count()).select_from(Ticket))


# -- 1. intake with screen pop --------------------------------------------------------------


def test_agent_intake_with_caller_history(as_user, db, shared, shots_dir):
    page = as_user("agent")
    page.open(f"/ticketview/add?caller={CALLER}", "#caller-history")

    # Screen pop: the caller's customer and up to five of their tickets.
    panel = page.css("#caller-history")
    assert "来电人历史工单" in panel.text
    assert "张三" in panel.text
    numbers = [a.text for a in panel.find_elements(By.CSS_SELECTOR, "li a")]
    assert 1 <= len(numbers) <= 5, numbers
    assert all(NUMBER_RE.fullmatch(n) for n in numbers), numbers
    zhang = db.scalar(select(Customer).where(Customer.name == "张三"))
    his = set(db.scalars(select(Ticket.number).where(Ticket.customer_id == zhang.id)))
    assert set(numbers) <= his

    # The form is pre-filled with the caller number and the customer.
    assert page.css("#caller_number").get_attribute("value") == CALLER
    assert Select(page.css("#customer")).first_selected_option.text.startswith("张三")
    assert "张三" in page.css("#select2-customer-container").text
    page.screenshot(os.path.join(shots_dir, "add.png"))

    # Category through the Select2 widget, then subject and description.
    pick_select2(page, "category", "故障报修")
    assert Select(page.css("#category")).first_selected_option.text == "故障报修"
    page.css("#subject").send_keys("家里宽带无法上网（端到端测试）")
    page.css("#description").send_keys("来电人反映光猫红灯闪烁，已重启无效。")
    page.submit_and_wait(
        page.css("#model_form [type=submit]"),
        ec.presence_of_element_located((By.ID, "trajectory")),
    )

    assert re.search(r"/ticketview/show/\d+$", page.driver.current_url), page.driver.current_url
    fields = details(page)
    number = fields["工单编号"]
    assert NUMBER_RE.fullmatch(number), number
    ticket = db.scalar(select(Ticket).where(Ticket.number == number))
    assert ticket is not None
    assert number.startswith(f"GD{local_day(ticket.created_at)}-")
    assert any(f"工单 {number} 已受理登记" in f for f in flashes(page)), flashes(page)
    assert fields["标题"] == "家里宽带无法上网（端到端测试）"
    assert fields["分类"] == "故障报修"
    assert fields["状态"] == PENDING_ACCEPT
    assert "技术支持部" in fields["部门"]
    assert "张三" in fields["客户"]
    assert fields["来电号码"] == CALLER

    rows = trajectory_rows(page)
    assert len(rows) == 1, rows
    department, actor, status, action = rows[0][:4]
    assert action == REGISTERED
    assert actor == "坐席 王芳"
    assert status == PENDING_ACCEPT
    assert "技术支持部" in department

    shared["ticket_id"] = ticket.id


# -- 2. internal note and attachment ------------------------------------------------------


def test_internal_note_and_attachment(as_user, build, shared, shots_dir):
    page = as_user("agent")
    ticket_id = shared.get("ticket_id") or build.ticket("agent").id
    page.open(f"/ticketview/show/{ticket_id}", "#comments")
    before = len(trajectory_rows(page))
    assert page.all("#comments .comment-internal") == []

    note = "已电话回拨，客户下午三点前在家。"
    page.css("#comments textarea[name=body]").send_keys(note)
    assert not page.css("#comments input[name=is_public]").is_selected()
    page.submit_and_wait(
        page.css("#comments button[type=submit]"),
        ec.text_to_be_present_in_element((By.ID, "comments"), note),
    )
    assert any("已提交" in f for f in flashes(page)), flashes(page)
    item = page.css("#comments li.comment-internal")
    assert note in item.text
    assert INTERNAL_NOTE in item.text
    assert "坐席 王芳" in item.text
    rows = trajectory_rows(page)
    assert len(rows) == before + 1, rows
    assert rows[-1][3] == INTERNAL_NOTE

    # Upload a small text file through the form.
    content = "光猫型号：HG8245\n序列号：E2E-0001\n".encode()
    with tempfile.TemporaryDirectory(prefix="e2e-upload-") as tmp:
        path = os.path.join(tmp, "modem-info.txt")
        with open(path, "wb") as fh:
            fh.write(content)
        page.css("#attachments input[type=file]").send_keys(path)
        page.submit_and_wait(
            page.css("#attachments button[type=submit]"),
            ec.text_to_be_present_in_element((By.ID, "attachments"), "modem-info.txt"),
        )
    assert any("文件已上传" in f for f in flashes(page)), flashes(page)
    link = page.css("#attachments li a")
    assert link.text == "modem-info.txt"
    rows = trajectory_rows(page)
    assert len(rows) == before + 2, rows
    page.screenshot(os.path.join(shots_dir, "show.png"))

    # The download, with the browser's session, is forced to be a download.
    resp = fetch(page, link.get_attribute("href").removeprefix(page.server.url))
    assert resp.status == 200
    assert resp.headers["Content-Disposition"].startswith("attachment")
    assert "modem-info.txt" in resp.headers["Content-Disposition"]
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.read() == content


# -- 3. validation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "subject", ["", "   "], ids=["empty-without-browser-check", "blank-spaces"]
)
def test_missing_subject_is_refused_in_chinese(as_user, db, subject):
    page = as_user("agent")
    page.open(f"/ticketview/add?caller={CALLER}", "#model_form")
    before = ticket_count(db)
    form = page.css("#model_form")
    if not subject:
        # The browser itself refuses an empty required field...
        assert page.css("#subject").get_property("validity")["valueMissing"] is True
        assert page.driver.execute_script("return arguments[0].checkValidity()", form) is False
        # ...so switch its check off to see what the server says.
        page.driver.execute_script("arguments[0].noValidate = true", form)
    else:
        page.css("#subject").send_keys(subject)  # passes the browser's check
    page.css("#description").send_keys("只有描述，没有标题")
    page.submit_and_wait(
        page.css("#model_form [type=submit]"),
        ec.presence_of_element_located((By.ID, "model_form")),
    )

    assert "/ticketview/add" in page.driver.current_url
    cell = page.css("#subject").find_element(By.XPATH, "./ancestor::td[1]")
    error = " ".join(el.text.strip() for el in cell.find_elements(By.CSS_SELECTOR, ".alert-danger"))
    assert error, "no message next to the subject field"
    assert CJK.search(error) and not re.search(r"[A-Za-z]", error), error
    # The intake is not lost: caller, customer, description and screen pop are kept.
    assert page.css("#caller_number").get_attribute("value") == CALLER
    assert Select(page.css("#customer")).first_selected_option.text.startswith("张三")
    assert page.css("#description").get_attribute("value") == "只有描述，没有标题"
    assert "张三" in page.css("#caller-history").text
    assert ticket_count(db) == before


# -- 4. scoping -----------------------------------------------------------------------------


def test_tech_sees_no_finance_ticket(as_user, db):
    tech_dept = db.scalar(select(Department).where(Department.code == "TECH"))
    fin_dept = db.scalar(select(Department).where(Department.code == "FIN"))
    fin_ticket = db.scalar(
        select(Ticket).where(Ticket.department_id == fin_dept.id).order_by(Ticket.id).limit(1)
    )
    assert fin_ticket is not None
    tech_total = db.scalar(
        select(func.count()).select_from(Ticket).where(Ticket.department_id == tech_dept.id)
    )

    page = as_user("tech")
    page.open("/ticketview/list/?psize_TicketView=500", "table.table-hover")
    headers = [th.text.strip() for th in page.all("table.table-hover thead th")]
    col = headers.index("部门")
    departments = page.driver.execute_script(
        "return [...document.querySelectorAll('table.table-hover tbody tr')]"
        ".map(tr => tr.cells[arguments[0]].innerText.trim())",
        col,
    )
    assert departments, "tech sees no ticket at all"
    assert len(departments) == tech_total  # all of them on one page
    assert re.search(rf"记录数目:\s*{tech_total}\b", page.css("body").text)
    assert all("技术支持部" in d for d in departments), set(departments)
    assert not any("财务部" in d for d in departments)
    assert fin_ticket.number not in page.driver.page_source

    # A finance ticket's page, opened by its address: not found, and nothing of it shown.
    page.open(f"/ticketview/show/{fin_ticket.id}")
    text = page.css("body").text
    assert fin_ticket.number not in page.driver.page_source
    assert re.search(r"Not Found|404|不存在|未找到|拒绝", text), text
    assert fetch(page, f"/ticketview/show/{fin_ticket.id}").status == 404
