"""The bell and 我的通知 for a desk user; robot endpoints keep their secret write-only."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from plugins.automation.notify.models import InAppNotification, RobotEndpoint
from plugins.automation.notify.service import request_notification


def test_bell_count_and_mark_read(login, build, db):
    tech = build.user("tech")
    request_notification(
        db, ticket_id=None, subject="工单催办提醒", body="请尽快处理",
        recipients=[{"user_id": tech.id}], channel="in_app", idempotency_key=uuid.uuid4().hex,
    )  # fmt: skip
    db.commit()
    unread = db.scalars(
        select(InAppNotification).where(
            InAppNotification.user_id == tech.id, InAppNotification.read_at.is_(None)
        )
    ).all()
    client = login("tech")
    page = client.get("/notifications/").get_data(as_text=True)
    assert "工单催办提醒" in page
    assert "fa-bell" in page and f'<span class="badge">{len(unread)}</span>' in page
    mine = unread[-1]
    assert client.post(f"/notifications/{mine.id}/read").status_code == 302
    db.expire_all()
    assert db.get(InAppNotification, mine.id).read_at is not None
    # Someone else's notification cannot be marked (nor probed).
    assert login("agent").post(f"/notifications/{unread[0].id}/read").status_code == 404 or (
        len(unread) == 1
    )
    client.post("/notifications/read_all")
    page = client.get("/notifications/").get_data(as_text=True)
    assert "Mark all as read" not in page and "全部标为已读" not in page


def test_robot_secret_is_write_only(login, db):
    admin = login("admin")
    name = f"钉钉群-{uuid.uuid4().hex[:4]}"
    resp = admin.post(
        "/robotendpointview/add",
        data={"name": name, "kind": "dingtalk", "url": "https://oapi.dingtalk.com/robot/send?access_token=TOKEN123",
              "secret": "SECtopsecret", "active": "y"},
    )  # fmt: skip
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    robot = db.scalars(select(RobotEndpoint).where(RobotEndpoint.name == name)).one()
    assert robot.secret == "SECtopsecret"
    for url in ("/robotendpointview/list/", f"/robotendpointview/show/{robot.id}",
                f"/robotendpointview/edit/{robot.id}"):  # fmt: skip
        body = admin.get(url).get_data(as_text=True)
        assert "SECtopsecret" not in body, url
    assert "TOKEN123" not in admin.get("/robotendpointview/list/").get_data(as_text=True)
    # Saving the form with a blank secret keeps the stored one.
    admin.post(
        f"/robotendpointview/edit/{robot.id}",
        data={"name": name, "kind": "dingtalk", "url": robot.url, "secret": "", "active": "y"},
    )
    db.expire_all()
    assert db.get(RobotEndpoint, robot.id).secret == "SECtopsecret"
    assert login("tech").get("/robotendpointview/list/").status_code in (302, 403)
