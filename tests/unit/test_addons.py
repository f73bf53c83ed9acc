"""Addon registration: every manager in ADDON_MANAGERS registered, or the app refuses to boot."""

from __future__ import annotations

import pytest

from app import AddonLoadError, create_app
from tests.conftest import TEST_CONFIG


def test_every_configured_addon_is_registered(app):
    managers = app.appbuilder.addon_managers
    assert set(app.config["ADDON_MANAGERS"]) <= set(managers)
    assert "plugins.tickets.manager.TicketsManager" in managers


def test_addon_views_and_apis_are_routed(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    for endpoint in (
        "TicketView.list",
        "TicketView.show",
        "TicketView.add",
        "CustomerView.list",
        "CategoryView.list",
        "DepartmentView.list",
        "StaffMembershipView.list",
        "TicketApi.get_list",
        "CustomerApi.lookup",
    ):
        assert endpoint in endpoints


def test_a_broken_addon_stops_the_app_from_booting(app):
    config = {**TEST_CONFIG, "ADDON_MANAGERS": ["plugins.nope.manager.NopeManager"]}
    with pytest.raises(AddonLoadError):
        create_app(config)


def test_no_download_route_that_serves_upload_folder(app):
    """FAB's ModelView ships /download/<filename>; none of ours exposes it."""
    ours = [r.rule for r in app.url_map.iter_rules() if r.endpoint.endswith(".download")]
    assert not [
        r
        for r in ours
        if r.split("/")[1]
        in {
            "ticketview",
            "customerview",
            "commentview",
            "categoryview",
            "departmentview",
            "staffmembershipview",
            "customerticketsview",
        }
    ]
