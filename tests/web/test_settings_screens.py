"""Settings screens: the category tree, departments, staff membership."""

from __future__ import annotations

from sqlalchemy import select

from plugins.tickets.models import Category, StaffMembership


def test_category_tree_lists_children_indented_under_their_parent(login, build, db):
    client = login("admin")
    repair = build.category("REPAIR")
    resp = client.post(
        "/categoryview/add",
        data={
            "code": "REPAIR_FIBER",
            "name": "光纤故障",
            "parent": str(repair.id),
            "default_department": str(build.department("TECH").id),
            "active": "y",
            "sort_order": "9",
        },
    )
    assert resp.status_code == 302
    db.expire_all()
    fiber = db.scalar(select(Category).where(Category.code == "REPAIR_FIBER"))
    assert fiber.depth == 1 and fiber.tree_path.startswith(repair.tree_path)
    page = client.get("/categoryview/list/").get_data(as_text=True)
    # parent first, child after it, indented
    assert page.index("故障报修") < page.index("光纤故障") < page.index("账单疑问")
    assert "\u3000└ 光纤故障" in page


def test_category_cannot_be_its_own_ancestor(login, build, db):
    client = login("admin")
    repair = build.category("REPAIR")
    child = build.category("REPAIR_BB")
    client.post(
        f"/categoryview/edit/{repair.id}",
        data={
            "code": "REPAIR",
            "name": "故障报修",
            "parent": str(child.id),
            "active": "y",
            "sort_order": "0",
        },
    )
    db.expire_all()
    assert db.get(Category, repair.id).parent_id is None


def test_staff_membership_gives_department_scope(login, build, db):
    client = login("admin")
    after = build.department("AFTER")
    tech_user = build.user("techlead")
    resp = client.post(
        "/staffmembershipview/add",
        data={"user": str(tech_user.id), "department": str(after.id), "duty": "supervisor"},
    )
    assert resp.status_code == 302
    ticket = build.ticket("after", "COMPLAINT", subject="AFTER-FOR-TECHLEAD")
    try:
        assert "AFTER-FOR-TECHLEAD" in login("techlead").get(
            f"/ticketview/show/{ticket.id}"
        ).get_data(as_text=True)
    finally:
        row = db.scalar(
            select(StaffMembership).where(
                StaffMembership.user_id == tech_user.id, StaffMembership.department_id == after.id
            )
        )
        db.delete(row)
        db.commit()


def test_handlers_cannot_change_settings(login):
    client = login("tech")
    for url in ("/departmentview/add", "/staffmembershipview/list/", "/categoryview/add"):
        resp = client.get(url)
        assert resp.status_code in (302, 403), url
