"""质检 screens: the reviewer's list and review page, "My QA results" with the appeal, and
the supervisors' appeals. Thin: every rule is in plugins.quality.services."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from plugins.quality.services import access, appeals, reviews, scorecards
from plugins.quality.views import flash_error
from plugins.tickets.context import actor, session
from plugins.tickets.models import Comment
from plugins.tickets.services import history
from plugins.tickets.services.errors import DomainError, NotFound, ValidationFailed

PERMISSIONS = {
    "list": "review", "pick": "review", "review": "review",
    "show": "read", "mine": "read", "appeal": "appeal",
    "appeals": "decide", "decide": "decide",
}  # fmt: skip
STATUS_LABELS = {
    "submitted": _l("Submitted"),
    "appealed": _l("Appealed"),
    "upheld": _l("Appeal rejected, score upheld"),
    "changed": _l("Appeal accepted, score changed"),
}


def _render_list(view: BaseView, template: str, **context):
    return view.render_template(template, statuses=STATUS_LABELS, **context)


class QaReviewView(BaseView):
    route_base = "/qa/reviews"
    class_permission_name = "QaReview"
    method_permission_name = PERMISSIONS
    default_view = "list"
    title = _l("QA reviews")

    @expose("/")
    @has_access
    def list(self):
        db, user = session(), actor()
        return _render_list(
            self, "quality/reviews.html", title=self.title,
            samples=reviews.pending_samples(db, user), rows=reviews.visible(db, user, limit=100),
        )  # fmt: skip

    @expose("/pick", methods=["POST"])
    @has_access
    def pick(self):
        """QA picks any ticket in reach by number; lands on its review page."""
        db = session()
        try:
            ticket = reviews.find_ticket(db, actor(), request.form.get("ticket", ""))
            sample = reviews.pick(db, actor(), ticket)
        except DomainError as err:
            db.rollback()
            flash_error(err)
            return redirect(url_for(".list"))
        return redirect(url_for(".review", sample_id=sample.id))

    @expose("/review/<int:sample_id>", methods=["GET", "POST"])
    @has_access
    def review(self, sample_id: int):
        db, user = session(), actor()
        try:
            sample = reviews.get_sample(db, user, sample_id)
        except DomainError:
            abort(404)
        if sample.review is not None:
            return redirect(url_for(".show", review_id=sample.review.id))
        cards = scorecards.applicable(db, sample.ticket)
        chosen = request.values.get("scorecard_id", type=int)
        card = next((c for c in cards if c.id == chosen), cards[0] if cards else None)
        errors: dict[str, str] = {}
        if request.method == "POST":
            form = request.form
            entries = {
                item.id: {
                    "points": form.get(f"points_{item.id}", "").strip() or None,
                    "failed": form.get(f"failed_{item.id}") == "y",
                    "comment": form.get(f"comment_{item.id}", ""),
                }
                for item in (card.current.items if card else [])
            }
            try:
                done = reviews.submit(db, user, sample, chosen, entries, form.get("comment"))
            except ValidationFailed as err:
                db.rollback()
                flash(str(err.message), "danger")
                errors = {k: str(v) for k, v in err.fields.items()}
            except DomainError as err:
                db.rollback()
                flash_error(err)
                return redirect(url_for(".list"))
            else:
                flash(_("Review submitted: %(score)s points.", score=f"{done.score:g}"),
                      "success")  # fmt: skip
                return redirect(url_for(".show", review_id=done.id))
        ticket = sample.ticket
        comments = db.scalars(
            select(Comment).options(joinedload(Comment.author))
            .where(Comment.ticket_id == ticket.id).order_by(Comment.created_at, Comment.id)
        ).all()  # fmt: skip
        return self.render_template(
            "quality/review.html", title=_("Review ticket %(number)s", number=ticket.number),
            sample=sample, ticket=ticket, comments=comments, nodes=history.nodes(db, ticket),
            cards=cards, card=card, errors=errors, form=request.form,
        )  # fmt: skip

    @expose("/show/<int:review_id>")
    @has_access
    def show(self, review_id: int):
        db, user = session(), actor()
        try:
            row = reviews.get_review(db, user, review_id)
        except NotFound:
            abort(404)
        return self.render_template(
            "quality/result.html", title=_("QA result"), row=row, statuses=STATUS_LABELS,
            can_appeal=row.reviewed_user_id == user.id and row.status == "submitted",
            can_decide=row.status == "appealed" and access.can_decide(db, user, row),
        )  # fmt: skip

    @expose("/appeal/<int:review_id>", methods=["POST"])
    @has_access
    def appeal(self, review_id: int):
        db, user = session(), actor()
        try:
            row = reviews.get_review(db, user, review_id)
            appeals.appeal(db, user, row, request.form.get("reason"))
        except NotFound:
            abort(404)
        except DomainError as err:
            db.rollback()
            flash_error(err)
        else:
            flash(_("Your appeal has been sent to the supervisor."), "success")
        return redirect(url_for(".show", review_id=review_id))

    @expose("/decide/<int:review_id>", methods=["POST"])
    @has_access
    def decide(self, review_id: int):
        db, user, form = session(), actor(), request.form
        try:
            row = reviews.get_review(db, user, review_id)
            appeals.decide(db, user, row, form.get("decision"), form.get("note"),
                           form.get("score"))  # fmt: skip
        except NotFound:
            abort(404)
        except DomainError as err:
            db.rollback()
            flash_error(err)
        else:
            flash(_("The appeal has been decided."), "success")
        return redirect(url_for(".show", review_id=review_id))


class MyQaResultsView(BaseView):
    route_base = "/qa/mine"
    class_permission_name = "QaReview"
    method_permission_name = PERMISSIONS
    default_view = "mine"

    @expose("/")
    @has_access
    def mine(self):
        return _render_list(
            self, "quality/mine.html", title=_("My QA results"),
            rows=reviews.visible(session(), actor(), mine=True),
        )  # fmt: skip


class QaAppealsView(BaseView):
    route_base = "/qa/appeals"
    class_permission_name = "QaReview"
    method_permission_name = PERMISSIONS
    default_view = "appeals"

    @expose("/")
    @has_access
    def appeals(self):
        return _render_list(
            self, "quality/appeals.html", title=_("QA appeals"),
            rows=appeals.open_appeals(session(), actor()),
        )  # fmt: skip
