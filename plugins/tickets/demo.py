"""Demo data: departments, users, categories, customers and 200 tickets.

Every demo password is `demo1234`; they are for the demo only. Tickets are registered
through the ticket service; their later states are replayed as trajectory rows so the
demo looks like two months of real work.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plugins.tickets.models import (
    Category,
    Comment,
    Customer,
    CustomerPhone,
    Department,
    StaffMembership,
    Ticket,
)
from plugins.tickets.models.base import utcnow
from plugins.tickets.services.actions import apply_action
from plugins.tickets.services.categories import refresh_tree
from plugins.tickets.services.phones import to_e164
from plugins.tickets.services.processes import sync_builtin
from plugins.tickets.services.tickets import create_ticket

DEMO_PASSWORD = "demo1234"

DEPARTMENTS = [
    ("CC", "客服中心"),
    ("TECH", "技术支持部"),
    ("FIN", "财务部"),
    ("AFTER", "售后服务部"),
]

# username, role, department code or None, duty, display name
USERS = [
    ("admin", "Admin", None, None, "系统管理员"),
    ("agent", "Agent", "CC", "handler", "坐席 王芳"),
    ("dispatcher", "Dispatcher", "CC", "handler", "派单员 李强"),
    ("tech", "Handler", "TECH", "handler", "技术 张伟"),
    ("techlead", "Supervisor", "TECH", "supervisor", "技术主管 刘洋"),
    ("fin", "Handler", "FIN", "handler", "财务 陈静"),
    ("after", "Handler", "AFTER", "handler", "售后 杨磊"),
    ("followup", "Follow-up", None, None, "回访员 赵敏"),
    ("qa", "QA", None, None, "质检员 黄丽"),
    ("manager", "Manager", None, None, "经理 周杰"),
]

# code, name, parent code, default department, follow-up required
CATEGORIES = [
    ("REPAIR", "故障报修", None, "TECH", True),
    ("REPAIR_BB", "宽带故障", "REPAIR", "TECH", True),
    ("REPAIR_TV", "电视故障", "REPAIR", "TECH", True),
    ("BILLING", "账单疑问", None, "FIN", False),
    ("COMPLAINT", "投诉", None, "AFTER", True),
    ("CONSULT", "咨询", None, None, False),
]

SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹"
GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "军", "丽", "强", "霞", "涛"]
STREETS = ["人民路", "解放路", "中山路", "建设路", "和平街", "长江路", "黄河路", "新华街"]
SUBJECTS = {
    "REPAIR": ["家里网络时断时续", "光猫指示灯闪红", "无法上网", "网速很慢"],
    "REPAIR_BB": ["宽带无法拨号", "宽带频繁掉线", "Wi-Fi 信号弱"],
    "REPAIR_TV": ["电视没有信号", "机顶盒无法开机"],
    "BILLING": ["本月话费异常", "重复扣费", "发票开具", "套餐费用疑问"],
    "COMPLAINT": ["维修人员迟到", "客服态度差", "多次报修未解决"],
    "CONSULT": ["套餐办理咨询", "营业厅地址", "宽带升级咨询", "停机保号咨询"],
}
CHANNELS = ["phone"] * 6 + ["web", "email", "portal", "wechat", "api"]
PRIORITIES = ["normal"] * 6 + ["low", "high", "high", "urgent"]


@dataclass
class DemoResult:
    users: int
    customers: int
    tickets: int


def is_empty(session: Session) -> bool:
    return session.scalar(select(func.count()).select_from(Department)) == 0


def seed(session: Session, sm, *, tickets: int = 200, seed_value: int = 20261123) -> DemoResult:
    """Load the demo data into an empty database (roles must exist: run `flask init`)."""
    rnd = random.Random(seed_value)
    now = utcnow()
    sync_builtin(session)
    depts = {code: Department(code=code, name=name, active=True) for code, name in DEPARTMENTS}
    session.add_all(depts.values())
    session.flush()

    users = {}
    for username, role_name, dept, duty, display in USERS:
        user = sm.find_user(username=username)
        if user is None:
            role = sm.find_role(role_name)
            user = sm.add_user(
                username, display, "", f"{username}@demo.example", role, password=DEMO_PASSWORD
            )
        users[username] = user
        if dept:
            session.add(StaffMembership(user_id=user.id, department_id=depts[dept].id, duty=duty))

    cats: dict[str, Category] = {}
    for order, (code, name, parent, dept, followup) in enumerate(CATEGORIES):
        cats[code] = Category(
            code=code,
            name=name,
            parent=cats.get(parent) if parent else None,
            default_department=depts[dept] if dept else None,
            followup_required=followup,
            active=True,
            sort_order=order,
        )
    session.add_all(cats.values())
    session.flush()
    refresh_tree(session)

    customers = []
    for i in range(30):
        if i == 0:
            name, phone = "张三", "13800138000"
        else:
            name = rnd.choice(SURNAMES) + rnd.choice(GIVEN) + rnd.choice(["", *GIVEN])
            phone = f"1{rnd.choice('3578')}{rnd.randrange(10**9):09d}"
        customer = Customer(
            name=name,
            email=f"customer{i}@demo.example",
            address=f"{rnd.choice(STREETS)}{rnd.randint(1, 300)}号",
            phones=[CustomerPhone(raw=phone, e164=to_e164(phone))],
        )
        customers.append(customer)
    session.add_all(customers)
    session.commit()

    creators = [users["agent"], users["agent"], users["dispatcher"]]
    handlers = {"TECH": users["tech"], "FIN": users["fin"], "AFTER": users["after"]}
    for i in range(tickets):
        created = now - dt.timedelta(minutes=rnd.randint(5, 60 * 24 * 60))
        if i == 0:
            created = now - dt.timedelta(hours=2)
        cat_code = rnd.choice(list(SUBJECTS))
        customer = customers[0] if i < 3 else rnd.choice(customers)
        ticket = create_ticket(
            session,
            rnd.choice(creators),
            {
                "subject": rnd.choice(SUBJECTS[cat_code]),
                "description": f"来电人反映：{rnd.choice(SUBJECTS[cat_code])}，请尽快处理。",
                "category_id": cats[cat_code].id,
                "customer_id": customer.id,
                "caller_number": customer.phones[0].raw,
                "priority": rnd.choice(PRIORITIES),
                "channel": rnd.choice(CHANNELS),
            },
            now=created,
        )
        _replay_history(session, rnd, ticket, cats, depts, handlers, users, created, now)
    session.commit()
    return DemoResult(users=len(USERS), customers=len(customers), tickets=tickets)


def _replay_history(session, rnd, ticket: Ticket, cats, depts, handlers, users, created, now):
    """Move a demo ticket along a plausible path through the one door, in the past."""
    age = now - created
    clock = [created]

    def act(user, name, **params):
        clock[0] += dt.timedelta(minutes=rnd.randint(5, 240))
        apply_action(session, user, ticket, name, params, ticket.version, now=clock[0])

    if ticket.status == "pending_dispatch":
        if age < dt.timedelta(hours=12) or rnd.random() < 0.3:
            return
        dept = depts[rnd.choice(["TECH", "FIN", "AFTER"])]
        act(users["dispatcher"], "dispatch", department_id=dept.id)
    if age < dt.timedelta(hours=4) or rnd.random() < 0.1:
        return
    handler = handlers[_dept_code(depts, ticket.department_id)]
    act(handler, "accept")
    if rnd.random() < 0.15:
        session.add(
            Comment(
                ticket_id=ticket.id,
                author_id=handler.id,
                body="已联系来电人，正在核实情况。",
                is_public=False,
                created_at=clock[0],
            )
        )
        session.commit()
    if age < dt.timedelta(days=2) or rnd.random() < 0.15:
        return
    act(handler, "resolve", result="已处理完毕，已告知来电人。")
    if ticket.status == "pending_followup":
        if age < dt.timedelta(days=4) or rnd.random() < 0.2:
            return
        act(
            users["followup"],
            "follow_up",
            satisfaction=rnd.choice(["satisfied", "satisfied", "basically_satisfied"]),
        )
    if ticket.status == "resolved" and age > dt.timedelta(days=10) and rnd.random() < 0.7:
        act(users["dispatcher"], "close")


def _dept_code(depts, department_id):
    return next(code for code, d in depts.items() if d.id == department_id)
