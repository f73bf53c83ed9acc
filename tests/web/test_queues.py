"""Work queues: the menu count and the list agree, within the user's scope."""

from __future__ import annotations

import re

from plugins.tickets.queues import QUEUES, count


def _rows(page: str) -> int:
    return len(re.findall(r'name="rowid"', page))


def _record_count(page: str) -> int:
    """The list's total ("Record Count: N"), whatever the page size."""
    found = re.search(r":</strong>\s*(\d+)", page)  # 记录数目: N
    assert found, "no record count on the page"
    return int(found.group(1))


def test_department_accept_queue_lists_and_counts_the_same(login, build, db):
    ticket = build.ticket("agent", "REPAIR", subject="QUEUE-ACCEPT-1")
    client = login("tech")
    page = client.get("/ticketview/list/?queue=accept&psize_TicketView=100").get_data(as_text=True)
    assert "QUEUE-ACCEPT-1" in page
    expected = count(db, build.user("tech"), "accept")
    # The page shows at most 100 rows (FAB_API_MAX_PAGE_SIZE), however many the suite made.
    assert _record_count(page) == expected and _rows(page) == min(expected, 100)
    # The menu shows the same number as a badge.
    assert re.search(rf'queue=accept">.*?<span class="badge">{expected}</span>', page, re.S)
    # Once accepted it leaves the queue and enters "my to-do".
    client.post(f"/ticketview/act/{ticket.id}/accept", data={"version": "1"})
    assert count(db, build.user("tech"), "accept") == expected - 1
    mine = client.get("/ticketview/list/?queue=mine&psize_TicketView=100").get_data(as_text=True)
    assert "QUEUE-ACCEPT-1" in mine


def test_queues_never_count_outside_scope(build, db):
    build.ticket("fin", "BILLING", subject="FIN-ONLY")
    tech = build.user("tech")
    for name in QUEUES:
        # every ticket a tech queue counts is one tech may see
        assert count(db, tech, name) <= count(db, build.user("dispatcher"), name) or name in (
            "mine",
            "accept",
            "created",
        )
    assert count(db, tech, "dispatch") == 0  # undispatched tickets belong to no department


def test_menu_shows_queues_by_role(login):
    dispatcher = login("dispatcher").get("/").get_data(as_text=True)
    assert "queue=dispatch" in dispatcher and "queue=followup" not in dispatcher
    followup = login("followup").get("/").get_data(as_text=True)
    assert "queue=followup" in followup and "queue=dispatch" not in followup


def test_bulk_accept_goes_through_the_process(login, build, db):
    from plugins.tickets.models import Ticket

    mine = build.ticket("agent", "REPAIR")
    fin = build.ticket("agent", "BILLING")
    pending = build.ticket("agent", "CONSULT")  # 待派单: accept is not possible there
    client = login("tech")
    client.post(
        "/ticketview/action_post",
        data={"action": "bulk_accept", "rowid": [str(mine.id), str(fin.id), str(pending.id)]},
    )
    db.expire_all()
    assert db.get(Ticket, mine.id).status == "in_progress"
    assert db.get(Ticket, fin.id).status == "pending_accept"  # out of tech's scope
    assert db.get(Ticket, pending.id).status == "pending_dispatch"


def test_overdue_queue(build, db):
    import datetime as dt

    from plugins.tickets.queues import count
    from plugins.tickets.services.tickets import create_ticket

    dispatcher = build.user("dispatcher")
    before = count(db, dispatcher, "overdue")
    old = create_ticket(
        db,
        build.user("agent"),
        {"subject": "很久以前", "category_id": build.category("REPAIR").id},
        now=dt.datetime(2020, 1, 1, 1, 0),
    )
    assert old.due_at < dt.datetime(2021, 1, 1)
    assert count(db, dispatcher, "overdue") == before + 1
