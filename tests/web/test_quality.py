"""质检: scorecards (versioned), the review screen, critical items, appeals decided only by a
supervisor, QA figures equal to an independent count, and the two REST resources."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy import delete, func, select

from plugins.quality.models import (
    QaAppeal,
    QaReview,
    QaReviewScore,
    QaSample,
    Scorecard,
    ScorecardItem,
    ScorecardVersion,
    scorecard_category,
    scorecard_department,
)
from plugins.quality.services import appeals, reviews, scorecards
from plugins.quality.services.figures import qa_figures
from plugins.tickets.models import Ticket
from plugins.tickets.models.base import utcnow
from plugins.tickets.services.actions import apply_action
from plugins.tickets.services.errors import Conflict, Forbidden, ValidationFailed
from plugins.tickets.services.tickets import create_ticket

_n = itertools.count(1)
CARD = {
    "name": "通用质检表",
    "scoring": "points",
    "pass_score": 80,
    "items": [
        {"label_zh": "服务态度", "label_en": "Courtesy", "points": 60, "guidance": "礼貌用语"},
        {"label_zh": "信息泄露", "label_en": "Data leak", "points": 40, "critical": True},
    ],
}


def wipe_quality(db) -> None:
    for table in (QaAppeal, QaReviewScore, QaReview, QaSample, ScorecardItem, ScorecardVersion):
        db.execute(delete(table))
    db.execute(delete(scorecard_department))
    db.execute(delete(scorecard_category))
    db.execute(delete(Scorecard))
    db.commit()


@pytest.fixture(autouse=True)
def clean(db):
    wipe_quality(db)
    yield
    db.rollback()
    wipe_quality(db)


def resolved(db, build, category: str = "REPAIR", handler: str = "tech", at=None) -> Ticket:
    """A ticket accepted and resolved (办结) by `handler` at `at`."""
    at = at or utcnow() - dt.timedelta(hours=2)
    data = {"subject": f"质检测试 {next(_n)}", "category_id": build.category(category).id}
    ticket = create_ticket(db, build.user("agent"), data, now=at - dt.timedelta(minutes=30))
    user = build.user(handler)
    apply_action(db, user, ticket, "accept", {}, ticket.version, now=at - dt.timedelta(minutes=20))
    apply_action(db, user, ticket, "resolve", {"result": "已处理"}, ticket.version, now=at)
    return ticket


def card(db, build, **changes) -> Scorecard:
    return scorecards.save(db, build.user("admin"), {**CARD, **changes})


def review(db, build, ticket, row, points=(50, 40), failed=False, at=None):
    qa = build.user("qa")
    sample = reviews.pick(db, qa, ticket)
    items = row.current.items
    entries = {items[0].id: {"points": points[0]}, items[1].id: {"points": points[1],
               "failed": failed}}  # fmt: skip
    return reviews.submit(db, qa, sample, row.id, entries, "整体良好", now=at)


def test_scorecard_screens_create_edit_and_version(login, build, db):
    admin = login("admin")
    form = {"name": "热线质检表", "scoring": "points", "pass_score": "80", "active": "y",
            "item-0-label_zh": "开场白", "item-0-points": "30",
            "item-1-label_zh": "问题解决", "item-1-points": "70", "item-1-critical": "y",
            "item-2-label_zh": "", "item-2-points": ""}  # fmt: skip
    resp = admin.post("/qa/scorecards/add", data=form, follow_redirects=True)
    assert resp.status_code == 200
    row = db.scalar(select(Scorecard).where(Scorecard.name == "热线质检表"))
    assert [(i.label_zh, i.points, i.critical) for i in row.current.items] == [
        ("开场白", 30, False), ("问题解决", 70, True)]  # fmt: skip
    assert "热线质检表" in admin.get("/qa/scorecards/").get_data(as_text=True)

    # No review yet: editing changes version 1 in place.
    form["item-0-points"] = "20"
    form["item-1-points"] = "80"
    admin.post(f"/qa/scorecards/edit/{row.id}", data=form)
    db.expire_all()
    assert [v.number for v in row.versions] == [1]
    assert [i.points for i in row.current.items] == [20, 80]

    # Once reviewed, an edit creates version 2; the review keeps version 1's items.
    done = review(db, build, resolved(db, build), row, points=(20, 70))
    form["item-2-label_zh"], form["item-2-points"] = "结束语", "10"
    form["item-1-points"] = "70"
    admin.post(f"/qa/scorecards/edit/{row.id}", data=form)
    db.expire_all()
    assert [v.number for v in row.versions] == [1, 2]
    assert [i.label_zh for i in row.current.items] == ["开场白", "问题解决", "结束语"]
    assert done.version.number == 1 and len(done.version.items) == 2
    page = login("qa").get(f"/qa/reviews/show/{done.id}").get_data(as_text=True)
    assert "v1" in page and "结束语" not in page and "90" in page
    # Renaming only (no item change) adds no version.
    admin.post(f"/qa/scorecards/edit/{row.id}", data={**form, "name": "热线质检表（新）"})
    db.expire_all()
    assert [v.number for v in row.versions] == [1, 2] and row.name == "热线质检表（新）"


def test_bad_scorecard_input_is_a_translated_error_and_changes_nothing(login, db):
    admin = login("admin")
    resp = admin.post("/qa/scorecards/add", data={
        "name": "", "scoring": "points", "pass_score": "abc",
        "item-0-label_zh": "开场白", "item-0-points": "很多"})  # fmt: skip
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    assert "请改正以下错误。" in page and "items[0].points" in page and "pass_score" in page
    assert db.scalar(select(func.count()).select_from(Scorecard)) == 0
    with pytest.raises(ValidationFailed) as err:
        scorecards.validate(db, {**CARD, "pass_score": 101}, None)
    assert "pass_score" in err.value.fields
    # Only admins change scorecards, whatever the screen.
    with pytest.raises(Forbidden):
        scorecards.save(db, _user(db, "qa"), CARD)
    assert login("qa").post("/qa/scorecards/add", data={"name": "x"}).status_code in (302, 403)


def _user(db, username):
    from flask import current_app

    return current_app.appbuilder.sm.find_user(username=username)


def test_review_screen_shows_ticket_and_scores_it(login, build, db):
    row = card(db, build)
    ticket = resolved(db, build)
    qa = login("qa")
    resp = qa.post("/qa/reviews/pick", data={"ticket": ticket.number})
    assert resp.status_code == 302 and "/qa/reviews/review/" in resp.location
    page = qa.get(resp.location).get_data(as_text=True)
    assert (
        ticket.subject in page and "工单轨迹" in page and "服务态度" in page and "礼貌用语" in page
    )
    items = row.current.items
    # Out of range: a translated error, nothing saved.
    bad = qa.post(resp.location, data={"scorecard_id": row.id, f"points_{items[0].id}": "61",
                                       f"points_{items[1].id}": "40"})  # fmt: skip
    assert bad.status_code == 200 and "请改正以下错误。" in bad.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(QaReview)) == 0
    data = {"scorecard_id": row.id, f"points_{items[0].id}": "45.5",
            f"points_{items[1].id}": "40", "comment": "不错"}  # fmt: skip
    ok = qa.post(resp.location, data=data)
    assert ok.status_code == 302
    done = db.scalar(select(QaReview).where(QaReview.ticket_id == ticket.id))
    assert (done.score, done.max_score, done.passed) == (85.5, 100, True)
    assert done.reviewed_user_id == build.user("tech").id
    assert done.department_id == build.department("TECH").id
    # The reviewed person sees it under My QA results; another handler does not.
    assert ticket.number in login("tech").get("/qa/mine/").get_data(as_text=True)
    assert ticket.number not in login("fin").get("/qa/mine/").get_data(as_text=True)
    assert login("fin").get(f"/qa/reviews/show/{done.id}").status_code == 404
    # Reviewing twice is refused.
    with pytest.raises(Conflict):
        review(db, build, ticket, row)


def test_failed_critical_item_scores_zero(build, db):
    row = card(db, build)
    done = review(db, build, resolved(db, build), row, points=(60, 40), failed=True)
    assert (done.score, done.passed, done.critical_failed) == (0, False, True)
    # Weighted scorecards too, and a non-critical item cannot be "failed".
    weighted = card(
        db,
        build,
        name="加权表",
        scoring="weighted",
        pass_score=60,
        items=[{"label_zh": "态度", "points": 1}, {"label_zh": "准确", "points": 3}],
    )
    items = weighted.current.items
    ticket = resolved(db, build, "BILLING", "fin")
    sample = reviews.pick(db, build.user("qa"), ticket)
    with pytest.raises(ValidationFailed) as err:
        reviews.submit(
            db,
            build.user("qa"),
            sample,
            weighted.id,
            {items[0].id: {"points": 100, "failed": True}, items[1].id: {"points": 50}},
        )
    assert f"item_{items[0].id}" in err.value.fields
    db.rollback()
    scored = reviews.submit(
        db,
        build.user("qa"),
        sample,
        weighted.id,
        {items[0].id: {"points": 100}, items[1].id: {"points": 50}},
    )
    assert scored.score == 62.5 and scored.passed  # (1×100 + 3×50) / 4


def test_appeal_once_and_only_a_supervisor_changes_the_score(login, build, db):
    row = card(db, build)
    done = review(db, build, resolved(db, build), row, points=(30, 40))
    assert (done.score, done.passed) == (70, False)
    # Only the reviewed person appeals.
    with pytest.raises(Forbidden):
        appeals.appeal(db, build.user("fin"), done, "不是我")
    tech = login("tech")
    empty = tech.post(f"/qa/reviews/appeal/{done.id}", data={"reason": " "}, follow_redirects=True)
    assert "请改正以下错误。" in empty.get_data(as_text=True)
    tech.post(f"/qa/reviews/appeal/{done.id}", data={"reason": "来电人已确认解决"})
    tech.post(f"/qa/reviews/appeal/{done.id}", data={"reason": "再申诉一次"})
    rows = db.scalars(select(QaAppeal).where(QaAppeal.review_id == done.id)).all()
    assert [a.reason for a in rows] == ["来电人已确认解决"]
    # The reviewed person, another handler and QA cannot decide; the score stays.
    with pytest.raises(Forbidden):
        appeals.decide(db, build.user("tech"), done, "changed", "自己改", 100)
    assert login("fin").post(f"/qa/reviews/decide/{done.id}",
                             data={"decision": "changed", "score": "100", "note": "x"}
                             ).status_code in (302, 403)  # fmt: skip
    login("qa").post(f"/qa/reviews/decide/{done.id}",
                     data={"decision": "changed", "score": "100", "note": "x"})  # fmt: skip
    db.expire_all()
    assert (done.score, done.status) == (70, "appealed")
    # The supervisor of TECH sees it among appeals and changes it; the record keeps both.
    lead = login("techlead")
    assert "质检测试" in lead.get("/qa/appeals/").get_data(as_text=True)
    bad = lead.post(f"/qa/reviews/decide/{done.id}",
                    data={"decision": "changed", "score": "150", "note": "核实"},
                    follow_redirects=True)  # fmt: skip
    assert "请改正以下错误。" in bad.get_data(as_text=True)
    lead.post(f"/qa/reviews/decide/{done.id}",
              data={"decision": "changed", "score": "85", "note": "录音核实"})  # fmt: skip
    db.expire_all()
    assert (done.score, done.passed, done.status) == (85, True, "changed")
    assert (done.appeal.old_score, done.appeal.new_score) == (70, 85)
    assert done.appeal.decided_by_id == build.user("techlead").id
    with pytest.raises(Conflict):
        appeals.decide(db, build.user("techlead"), done, "upheld", "再改")


def test_figures_equal_an_independent_count(build, db):
    row = card(db, build)
    base = dt.datetime(2021, 3, 10, 4)
    plan = [("tech", "REPAIR", (55, 40), False, 0), ("tech", "REPAIR", (20, 40), False, 1),
            ("tech", "REPAIR", (60, 40), True, 25), ("fin", "BILLING", (60, 40), False, 2),
            ("after", "COMPLAINT", (30, 30), False, 30)]  # fmt: skip
    done = []
    for handler, category, points, failed, days in plan:
        ticket = resolved(
            db, build, category, handler, at=base + dt.timedelta(days=days) - dt.timedelta(hours=5)
        )
        done.append(
            review(db, build, ticket, row, points, failed, at=base + dt.timedelta(days=days))
        )
    manager = build.user("manager")
    frm, to = dt.date(2021, 3, 1), dt.date(2021, 4, 30)

    def expected(key):
        groups: dict = {}
        for r in done:
            groups.setdefault(key(r), []).append(r)
        return {k: (len(v), round(sum(100 * r.score / r.max_score for r in v) / len(v), 2),
                    round(100 * sum(r.passed for r in v) / len(v), 2),
                    sum(r.critical_failed for r in v)) for k, v in groups.items()}  # fmt: skip

    def got(group_by, actor=manager):
        return {f.key: (f.reviews, f.average, f.pass_rate, f.critical_failures)
                for f in qa_figures(db, actor, frm, to, group_by)}  # fmt: skip

    assert got("person") == expected(lambda r: str(r.reviewed_user_id))
    assert got("department") == expected(lambda r: str(r.department_id))
    assert got("month") == expected(
        lambda r: (r.submitted_at + dt.timedelta(hours=8)).strftime("%Y-%m")
    )
    assert got("person")[str(build.user("tech").id)] == (3, 51.67, 33.33, 1)  # 95, 60, 0
    # Scoped: the TECH supervisor sees TECH only; a handler only themself.
    assert set(got("department", build.user("techlead"))) == {str(build.department("TECH").id)}
    assert set(got("person", build.user("fin"))) == {str(build.user("fin").id)}
    with pytest.raises(ValidationFailed):
        qa_figures(db, manager, to, frm, "person")


def test_figures_screen_and_menus_per_role(login, build, db):
    row = card(db, build)
    review(db, build, resolved(db, build), row)
    today = (utcnow() + dt.timedelta(hours=8)).date().isoformat()
    page = login("manager").get(f"/qa/figures/?from=2020-01-01&to={today}&group_by=department")
    assert page.status_code == 200 and "技术支持部" in page.get_data(as_text=True)
    bad = login("manager").get("/qa/figures/?from=yesterday")
    assert bad.status_code == 200
    assert login("manager").get("/qa/reviews/").status_code in (302, 403)
    assert login("tech").get("/qa/figures/").status_code in (302, 403)
    assert login("qa").get("/qa/reviews/").status_code == 200
    assert login("qa").get("/qa/scorecards/").status_code == 200
    assert login("techlead").get("/qa/appeals/").status_code == 200
    assert login("agent").get("/qa/mine/").status_code == 200


def test_rest_scorecards_and_reviews(api, build, db):
    client, admin = api("admin")
    bad = client.post("/api/v1/scorecard/", json={"name": "", "items": [{"points": -1}]},
                      headers=admin)  # fmt: skip
    assert bad.status_code == 422 and "items[0].points" in bad.json["errors"]
    assert client.post("/api/v1/scorecard/", data="x", headers=admin).status_code == 400
    made = client.post("/api/v1/scorecard/", json=CARD, headers=admin)
    assert made.status_code == 201 and made.json["result"]["version"] == 1
    card_id, items = made.json["id"], made.json["result"]["items"]
    qa_client, qa = api("qa")
    assert qa_client.post("/api/v1/scorecard/", json=CARD, headers=qa).status_code == 403
    listed = qa_client.get(f"/api/v1/scorecard/{card_id}/items", headers=qa)
    assert [i["label_zh"] for i in listed.json["result"]["items"]] == ["服务态度", "信息泄露"]

    ticket = resolved(db, build)
    body = {"ticket_id": ticket.id, "scorecard_id": card_id,
            "scores": [{"item_id": items[0]["id"], "points": 50},
                       {"item_id": items[1]["id"], "points": 40, "failed": True}]}  # fmt: skip
    posted = qa_client.post("/api/v1/qa_review/", json=body, headers=qa)
    assert posted.status_code == 201, posted.json
    assert posted.json["result"]["score"] == 0 and posted.json["result"]["critical_failed"]
    review_id = posted.json["id"]
    assert qa_client.post("/api/v1/qa_review/", json=body, headers=qa).status_code == 409
    tech_client, tech = api("tech")
    assert tech_client.post("/api/v1/qa_review/", json=body, headers=tech).status_code == 403
    mine = tech_client.get("/api/v1/qa_review/", headers=tech).json
    assert [r["id"] for r in mine["result"]] == [review_id]
    fin_client, fin = api("fin")
    assert fin_client.get("/api/v1/qa_review/", headers=fin).json["count"] == 0
    assert fin_client.get(f"/api/v1/qa_review/{review_id}", headers=fin).status_code == 404
    assert "password" not in str(
        tech_client.get(f"/api/v1/qa_review/{review_id}", headers=tech).json
    )

    assert tech_client.post(f"/api/v1/qa_review/{review_id}/appeal", json={},
                            headers=tech).status_code == 422  # fmt: skip
    ok = tech_client.post(f"/api/v1/qa_review/{review_id}/appeal", json={"reason": "未泄露"},
                          headers=tech)  # fmt: skip
    assert ok.status_code == 200 and ok.json["result"]["status"] == "appealed"
    again = tech_client.post(f"/api/v1/qa_review/{review_id}/appeal", json={"reason": "再来"},
                             headers=tech)  # fmt: skip
    assert again.status_code == 409 and again.json["message"]
    assert (
        qa_client.post(
            f"/api/v1/qa_review/{review_id}/decide",
            json={"decision": "upheld", "note": "x"},
            headers=qa,
        ).status_code
        == 403
    )
    lead_client, lead = api("techlead")
    decided = lead_client.post(
        f"/api/v1/qa_review/{review_id}/decide",
        json={"decision": "upheld", "note": "维持"},
        headers=lead,
    )
    assert decided.status_code == 200 and decided.json["result"]["status"] == "upheld"
    assert decided.json["result"]["score"] == 0

    spec = client.get("/api/v1/_openapi", headers=admin).json
    assert "/api/v1/scorecard/" in spec["paths"]
    assert "/api/v1/qa_review/{pk}/appeal" in spec["paths"]


def test_ticket_page_panel_and_appeal_badge(login, build, db):
    row = card(db, build)
    ticket = resolved(db, build)
    qa_page = login("qa").get(f"/ticketview/show/{ticket.id}").get_data(as_text=True)
    assert 'id="qa-panel"' in qa_page and "/qa/reviews/pick" in qa_page
    assert 'id="qa-panel"' not in login("tech").get(f"/ticketview/show/{ticket.id}").get_data(
        as_text=True
    )
    done = review(db, build, ticket, row, points=(30, 40))
    tech_page = login("tech").get(f"/ticketview/show/{ticket.id}").get_data(as_text=True)
    assert 'id="qa-panel"' in tech_page and f"/qa/reviews/show/{done.id}" in tech_page
    appeals.appeal(db, build.user("tech"), done, "请复核")
    from plugins.quality.services.appeals import open_appeals

    assert [r.id for r in open_appeals(db, build.user("techlead"))] == [done.id]
    assert open_appeals(db, build.user("tech")) == []  # not a supervisor, and their own


@pytest.mark.parametrize(
    "body",
    [
        {"ticket_id": "x"},
        {"ticket_id": 0, "scorecard_id": 1, "scores": []},
        {"scorecard_id": "1", "scores": "many"},
        {"scores": [{"item_id": "a", "points": 1}]},
    ],
)
def test_bad_review_bodies_are_4xx_with_a_message(api, build, db, body):
    card(db, build)
    ticket = resolved(db, build)
    client, qa = api("qa")
    body = {"ticket_id": ticket.id, **body} if "ticket_id" not in body else body
    resp = client.post("/api/v1/qa_review/", json=body, headers=qa)
    assert 400 <= resp.status_code < 500 and resp.json["message"]
    assert db.scalar(select(func.count()).select_from(QaReview)) == 0


def test_bad_screen_input_never_500(login, build, db):
    row = card(db, build)
    done = review(db, build, resolved(db, build), row)
    qa = login("qa")
    assert qa.get("/qa/reviews/review/999999").status_code == 404
    assert qa.get("/qa/reviews/show/999999").status_code == 404
    resp = qa.post("/qa/reviews/pick", data={"ticket": "GD-nope"}, follow_redirects=True)
    assert resp.status_code == 200 and "工单不存在。" in resp.get_data(as_text=True)
    lead = login("techlead")
    resp = lead.post(f"/qa/reviews/decide/{done.id}", data={"decision": "x"}, follow_redirects=True)
    assert resp.status_code == 200  # no open appeal: a message, nothing changes
    assert login("manager").get("/qa/figures/?group_by=week").status_code == 200


ENGLISH = ["Pick a ticket to review", "Waiting for review", "Recent reviews", "Reviewed person",
           "Submit review", "Overall comment", "Appeal this result", "Decide the appeal",
           "Pass score", "Critical failures", "QA figures", "My QA results", "New scorecard",
           "Scorecard", "Not passed", "Quality"]  # fmt: skip


def test_screens_read_in_zh(login, build, db):
    row = card(db, build)
    ticket = resolved(db, build)
    done = review(db, build, ticket, row, points=(30, 40))
    other = reviews.pick(db, build.user("qa"), resolved(db, build, "BILLING", "fin"))
    appeals.appeal(db, build.user("tech"), done, "请复核")
    pages = [("qa", "/qa/reviews/"), ("qa", f"/qa/reviews/review/{other.id}"),
             ("tech", "/qa/mine/"), ("techlead", f"/qa/reviews/show/{done.id}"),
             ("techlead", "/qa/appeals/"), ("manager", "/qa/figures/?from=2020-01-01"),
             ("admin", "/qa/scorecards/"), ("admin", f"/qa/scorecards/edit/{row.id}")]  # fmt: skip
    for user, url in pages:
        resp = login(user).get(url)
        assert resp.status_code == 200, url
        html = resp.get_data(as_text=True)
        assert "质检" in html, url
        left = [s for s in ENGLISH if f">{s}<" in html or f"{s}：" in html or f" {s} " in html]
        assert left == [], (url, left)
