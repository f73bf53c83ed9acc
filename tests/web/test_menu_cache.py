"""The per-process caches behind every page: menu counts and the menu per user
(app/menu_badges.py), and role → permission pairs (app/security.py)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import delete

from plugins.tickets.queues import count


def _badge(page: str, queue: str) -> int:
    found = re.search(rf'queue={queue}">.*?<span class="badge">(\d+)</span>', page, re.S)
    assert found, f"no badge for {queue}"
    return int(found.group(1))


@pytest.fixture
def cached_menu(app):
    app.config["MENU_COUNT_CACHE_SECONDS"] = 60
    yield
    app.config["MENU_COUNT_CACHE_SECONDS"] = 0
    app.extensions.pop("user_cache", None)


def test_counts_are_kept_until_the_users_own_change(cached_menu, build, db, login):
    tech = login("tech")
    before = _badge(tech.get("/").get_data(as_text=True), "accept")
    assert before == count(db, build.user("tech"), "accept")
    # Someone else's change: the cached badge stays (for at most the cache's time) ...
    ticket = build.ticket("agent", "REPAIR", subject="CACHE-1")
    db.commit()
    assert count(db, build.user("tech"), "accept") == before + 1
    assert _badge(tech.get("/").get_data(as_text=True), "accept") == before
    # ... another user's menu is their own, computed now.
    lead = login("techlead").get("/").get_data(as_text=True)
    assert _badge(lead, "accept") == count(db, build.user("techlead"), "accept")
    # The user's own change refreshes their menu on their next page.
    resp = tech.post(f"/ticketview/act/{ticket.id}/accept", data={"version": "1"})
    assert resp.status_code == 302
    assert _badge(tech.get("/").get_data(as_text=True), "accept") == before


def test_cache_off_reads_every_time(app, build, db, login):
    assert app.config["MENU_COUNT_CACHE_SECONDS"] == 0
    tech = login("tech")
    before = _badge(tech.get("/").get_data(as_text=True), "accept")
    build.ticket("agent", "REPAIR", subject="CACHE-2")
    db.commit()
    assert _badge(tech.get("/").get_data(as_text=True), "accept") == before + 1


def test_menu_is_per_user_and_locale(cached_menu, login):
    dispatcher = login("dispatcher")
    followup = login("followup")
    assert "queue=dispatch" in dispatcher.get("/").get_data(as_text=True)
    page = followup.get("/").get_data(as_text=True)
    assert "queue=followup" in page and "queue=dispatch" not in page
    english = dispatcher.get("/lang/en", follow_redirects=True).get_data(as_text=True)
    chinese = dispatcher.get("/lang/zh", follow_redirects=True).get_data(as_text=True)
    assert "My Work" in english and "我的工作" in chinese


def test_a_permission_removed_in_process_applies_at_once(app, db, api):
    """The role → permission cache is dropped when roles or permissions are flushed here;
    another worker sees a change within PERMISSION_CACHE_SECONDS."""
    from flask_appbuilder.security.sqla.models import assoc_permissionview_role

    sm = app.appbuilder.sm
    role = sm.find_role("CacheProbe") or sm.add_role("CacheProbe")
    pv = sm.add_permission_view_menu("can_read", "Ticket")
    sm.add_permission_role(role, pv)
    if sm.find_user(username="probe") is None:
        sm.add_user("probe", "Probe", "User", "probe@demo.example", role, password="demo1234")
    listing = "/api/v1/ticket/?q=(page_size:1)"
    client, headers = api("probe")
    assert client.get(listing, headers=headers).status_code == 200
    # Removed through the ORM in this process: the cache is dropped at the flush.
    sm.del_permission_role(role, pv)
    assert client.get(listing, headers=headers).status_code == 403
    # Given back by raw SQL (as another process would): seen once the entry expires.
    db.execute(assoc_permissionview_role.insert().values(permission_view_id=pv.id, role_id=role.id))
    db.commit()
    assert client.get(listing, headers=headers).status_code == 403
    sm.permission_cache.clear()  # what the expiry does
    assert client.get(listing, headers=headers).status_code == 200
    # With the cache off every call reads the database.
    app.config["PERMISSION_CACHE_SECONDS"] = 0
    try:
        db.execute(
            delete(assoc_permissionview_role).where(assoc_permissionview_role.c.role_id == role.id)
        )
        db.commit()
        assert client.get(listing, headers=headers).status_code == 403
    finally:
        app.config["PERMISSION_CACHE_SECONDS"] = 10
        db.delete(sm.find_user(username="probe"))
        db.delete(sm.find_role("CacheProbe"))
        db.commit()
