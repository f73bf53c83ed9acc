"""/api/v1/scorecard/ and /api/v1/qa_review/: declarations; the services do the work.

get and get_list come from ModelRestApi with explicit columns (reviews scoped by a base
filter on the review rule); writes go through the services so a bad body is a translated
422 with `errors` by field, a refused one 403/404/409 — never a 500.
"""

from __future__ import annotations

from flask import Response
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext as _

from app.sqla import SQLAInterface
from plugins.quality.models import QaReview, Scorecard
from plugins.quality.services import access, appeals, reviews, scorecards
from plugins.tickets.api.base import TranslatedApi, domain_errors
from plugins.tickets.context import actor, session
from plugins.tickets.services.errors import ValidationFailed

SCORECARD_FORMAT = """
Body: {"name", "description", "active", "scoring": "points"|"weighted", "pass_score",
"department_ids": [..], "category_ids": [..] (empty = all), "items": [{"label_zh",
"label_en", "points" (max points, or weight when weighted), "guidance", "critical"}]}.
Changing scoring, pass_score or items of a version with reviews creates a new version.
"""
REVIEW_FORMAT = """
Body: {"ticket_id", "scorecard_id", "comment", "scores": [{"item_id", "points" (0..max, or
0..100 when weighted), "failed" (critical items only: zeroes the review), "comment"}]}.
"""


class ReviewScopeFilter(BaseFilter):
    name = "review scope"
    arg_name = "review_scope"

    def apply(self, query, value):
        return query.filter(access.review_clause(session(), actor()))


class ScorecardApi(TranslatedApi):
    resource_name = "scorecard"
    datamodel = SQLAInterface(Scorecard)
    class_permission_name = "Scorecard"
    include_route_methods = {"get", "get_list", "post", "put", "items"}
    method_permission_name = {**TranslatedApi.method_permission_name, "items": "read"}
    list_columns = ["id", "name", "description", "active", "updated_at"]
    show_columns = ["id", "name", "description", "active", "created_at", "updated_at"]
    add_columns = edit_columns = ["name", "description", "active"]  # documentation only
    order_columns = ["id", "name", "updated_at"]
    search_columns = ["name", "active"]
    openapi_spec_methods = {
        "post": {"post": {"description": "Create a scorecard.\n" + SCORECARD_FORMAT}},
        "put": {"put": {"description": "Change a scorecard.\n" + SCORECARD_FORMAT}},
    }

    @expose("/<int:pk>/items", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    @domain_errors
    def items(self, pk: int) -> Response:
        """The scorecard with its current version and items.
        ---
        get:
          parameters:
          - {in: path, name: pk, schema: {type: integer}}
          responses:
            200: {description: 'scorecard with version, scoring, pass_score and items'}
            404: {description: Not found}
        """
        return self.response(200, result=scorecards.as_dict(scorecards.get(session(), pk)))

    @expose("/", methods=["POST"])
    @protect()
    @safe
    @permission_name("post")
    @domain_errors
    def post(self) -> Response:
        """Create a scorecard (admins).
        ---
        post:
          requestBody:
            content:
              application/json:
                schema: {type: object}
                example: {"name": "通用质检表", "scoring": "points", "pass_score": 80,
                  "items": [{"label_zh": "服务态度", "label_en": "Courtesy", "points": 60},
                  {"label_zh": "信息泄露", "label_en": "Data leak", "points": 40,
                  "critical": true}]}
          responses:
            201: {description: Created}
            403: {description: Not an administrator}
            422: {description: '`errors` by field, e.g. items[0].points'}
        """
        row = scorecards.save(session(), actor(), self.require_body())
        return self.response(201, id=row.id, result=scorecards.as_dict(row))

    @expose("/<int:pk>", methods=["PUT"])
    @protect()
    @safe
    @permission_name("put")
    @domain_errors
    def put(self, pk: int) -> Response:
        """Change a scorecard; keys left out keep their values.
        ---
        put:
          parameters:
          - {in: path, name: pk, schema: {type: integer}}
          responses:
            200: {description: Saved (result.version says which version is current)}
            404: {description: Not found}
            422: {description: '`errors` by field'}
        """
        db = session()
        row = scorecards.save(db, actor(), self.require_body(), scorecards.get(db, pk))
        return self.response(200, id=row.id, result=scorecards.as_dict(row))


def _entries(body: dict) -> dict[int, dict]:
    raw = body.get("scores")
    if not isinstance(raw, list) or not all(
        isinstance(e, dict) and isinstance(e.get("item_id"), int) for e in raw
    ):
        raise ValidationFailed(
            _("Please correct the errors below."),
            {"scores": _("Expected a list of {item_id, points} objects.")},
        )
    return {e["item_id"]: e for e in raw}


class QaReviewApi(TranslatedApi):
    resource_name = "qa_review"
    datamodel = SQLAInterface(QaReview)
    class_permission_name = "QaReview"
    include_route_methods = {"get", "get_list", "post", "appeal", "decide"}
    method_permission_name = {
        **TranslatedApi.method_permission_name,
        "post": "review",
        "appeal": "appeal",
        "decide": "decide",
    }
    base_filters = [["id", ReviewScopeFilter, lambda: None]]
    base_order = ("submitted_at", "desc")
    list_columns = [
        "id", "ticket_id", "version_id", "reviewer_id", "reviewed_user_id", "department_id",
        "status", "score", "max_score", "passed", "critical_failed", "submitted_at",
    ]  # fmt: skip
    show_columns = [*list_columns, "comment"]
    order_columns = ["id", "submitted_at", "score"]
    search_columns = ["status", "reviewed_user_id", "department_id", "passed"]
    openapi_spec_methods = {"post": {"post": {"description": "Submit a review.\n" + REVIEW_FORMAT}}}

    @expose("/", methods=["POST"])
    @protect()
    @safe
    @permission_name("post")
    @domain_errors
    def post(self) -> Response:
        """Review a ticket (QA): picks it if not sampled yet, scores it, submits.
        ---
        post:
          requestBody:
            content:
              application/json:
                schema: {type: object}
                example: {"ticket_id": 1, "scorecard_id": 1, "comment": "整体良好",
                  "scores": [{"item_id": 1, "points": 55}, {"item_id": 2, "points": 40}]}
          responses:
            201: {description: Submitted; result has score, passed, critical_failed}
            404: {description: No such ticket in your reach}
            409: {description: Already reviewed}
            422: {description: '`errors` by field, e.g. item_3'}
        """
        db, user, body = session(), actor(), self.require_body()
        ticket_id = body.get("ticket_id")
        if not isinstance(ticket_id, int):
            raise ValidationFailed(
                _("Please correct the errors below."),
                {"ticket_id": _("Choose a ticket.")},
            )
        ticket = reviews.reviewable_ticket(db, user, ticket_id)
        sample = reviews.pick(db, user, ticket)
        review = reviews.submit(db, user, sample, body.get("scorecard_id"), _entries(body),
                                body.get("comment"))  # fmt: skip
        return self.response(201, id=review.id, result=reviews.as_dict(review))

    @expose("/<int:pk>/appeal", methods=["POST"])
    @protect()
    @safe
    @permission_name("appeal")
    @domain_errors
    def appeal(self, pk: int) -> Response:
        """Appeal (申诉) once, as the reviewed person, with a reason.
        ---
        post:
          parameters:
          - {in: path, name: pk, schema: {type: integer}}
          requestBody:
            content:
              application/json:
                schema: {type: object}
                example: {"reason": "来电人已确认问题解决"}
          responses:
            200: {description: Appealed}
            403: {description: Not the reviewed person}
            409: {description: Already appealed}
            422: {description: No reason}
        """
        db, user, body = session(), actor(), self.require_body()
        review = reviews.get_review(db, user, pk)
        appeals.appeal(db, user, review, body.get("reason"))
        return self.response(200, result=reviews.as_dict(review))

    @expose("/<int:pk>/decide", methods=["POST"])
    @protect()
    @safe
    @permission_name("decide")
    @domain_errors
    def decide(self, pk: int) -> Response:
        """Decide an appeal (supervisor of the department, or admin).
        ---
        post:
          parameters:
          - {in: path, name: pk, schema: {type: integer}}
          requestBody:
            content:
              application/json:
                schema: {type: object}
                example: {"decision": "changed", "score": 85, "note": "录音核实，予以调整"}
          responses:
            200: {description: Decided}
            403: {description: Not a supervisor of this department}
            409: {description: No open appeal}
            422: {description: Bad decision or score}
        """
        db, user, body = session(), actor(), self.require_body()
        review = reviews.get_review(db, user, pk)
        appeals.decide(db, user, review, body.get("decision"), body.get("note"), body.get("score"))
        return self.response(200, result=reviews.as_dict(review))
