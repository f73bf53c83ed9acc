"""QA (质检) tables: scorecards with versions and items, samples, reviews, appeals.

A scorecard is the admin's named thing (name, scope, on/off); what a review is scored on
is a *version* (scoring mode, pass mark, items). Editing the items of a version that has
reviews creates a new version, so old reviews keep the items they were scored on.
"""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from plugins.tickets.models import Category, Department, Ticket
from plugins.tickets.models.base import utcnow

scorecard_department = Table(
    "qa_scorecard_department",
    Model.metadata,
    Column("scorecard_id", ForeignKey("qa_scorecard.id", ondelete="CASCADE"), primary_key=True),
    Column("department_id", ForeignKey("department.id", ondelete="CASCADE"), primary_key=True),
)
scorecard_category = Table(
    "qa_scorecard_category",
    Model.metadata,
    Column("scorecard_id", ForeignKey("qa_scorecard.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("category.id", ondelete="CASCADE"), primary_key=True),
)


class Scorecard(Model):
    __tablename__ = "qa_scorecard"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True, nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    departments: Mapped[list[Department]] = relationship(secondary=scorecard_department)
    categories: Mapped[list[Category]] = relationship(secondary=scorecard_category)
    versions: Mapped[list[ScorecardVersion]] = relationship(
        back_populates="scorecard", order_by="ScorecardVersion.number"
    )

    @property
    def current(self) -> ScorecardVersion | None:
        return self.versions[-1] if self.versions else None

    def __repr__(self) -> str:
        return self.name


class ScorecardVersion(Model):
    __tablename__ = "qa_scorecard_version"
    __table_args__ = (UniqueConstraint("scorecard_id", "number", name="uq_qa_version_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(
        ForeignKey("qa_scorecard.id", ondelete="CASCADE"), nullable=False
    )
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    # points: total = Σ points awarded; weighted: each item 0–100, total = weighted mean (%).
    scoring: Mapped[str] = mapped_column(String(16), default="points", nullable=False)
    pass_score: Mapped[float] = mapped_column(Float, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    scorecard: Mapped[Scorecard] = relationship(back_populates="versions")
    items: Mapped[list[ScorecardItem]] = relationship(
        order_by="ScorecardItem.position", cascade="all, delete-orphan"
    )

    @property
    def max_score(self) -> float:
        if self.scoring == "weighted":
            return 100.0
        return float(sum(item.points for item in self.items))


class ScorecardItem(Model):
    __tablename__ = "qa_scorecard_item"
    __table_args__ = (UniqueConstraint("version_id", "position", name="uq_qa_item_position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("qa_scorecard_version.id", ondelete="CASCADE"), nullable=False
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    label_zh: Mapped[str] = mapped_column(String(200), nullable=False)
    label_en: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    # Max points (points mode) or weight (weighted mode).
    points: Mapped[float] = mapped_column(Float, nullable=False)
    guidance: Mapped[str | None] = mapped_column(Text)
    # A failed critical item (红线) zeroes the whole review.
    critical: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)


class QaSample(Model):
    """A ticket picked for review: by the weekly job or by QA staff. Once per ticket."""

    __tablename__ = "qa_sample"
    __table_args__ = (
        UniqueConstraint("ticket_id", name="uq_qa_sample_ticket"),
        Index("ix_qa_sample_handler_period", "handler_id", "period_start"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("ticket.id", ondelete="CASCADE"), nullable=False
    )
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    period_start: Mapped[dt.date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(16), default="auto", nullable=False)
    picked_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    ticket: Mapped[Ticket] = relationship(Ticket)
    handler: Mapped[User | None] = relationship(User, foreign_keys=[handler_id])
    department: Mapped[Department | None] = relationship(Department)
    review: Mapped[QaReview | None] = relationship(back_populates="sample", uselist=False)


class QaReview(Model):
    """One review per sample: submitted → appealed → upheld / changed."""

    __tablename__ = "qa_review"
    __table_args__ = (
        UniqueConstraint("sample_id", name="uq_qa_review_sample"),
        # Figures and "my results": by person or department over a time range.
        Index("ix_qa_review_person_time", "reviewed_user_id", "submitted_at"),
        Index("ix_qa_review_dept_time", "department_id", "submitted_at"),
        Index("ix_qa_review_status", "status"),
        # Figures and lists for roles that see every review: a range on the time alone.
        Index("ix_qa_review_submitted", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sample_id: Mapped[int] = mapped_column(
        ForeignKey("qa_sample.id", ondelete="CASCADE"), nullable=False
    )
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("ticket.id", ondelete="CASCADE"), nullable=False
    )
    version_id: Mapped[int] = mapped_column(ForeignKey("qa_scorecard_version.id"), nullable=False)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False)
    reviewed_user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    status: Mapped[str] = mapped_column(String(16), default="submitted", nullable=False)
    score: Mapped[float] = mapped_column(Float, nullable=False)
    max_score: Mapped[float] = mapped_column(Float, nullable=False)
    passed: Mapped[bool] = mapped_column(Boolean, nullable=False)
    critical_failed: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    comment: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)

    sample: Mapped[QaSample] = relationship(back_populates="review")
    ticket: Mapped[Ticket] = relationship(Ticket)
    version: Mapped[ScorecardVersion] = relationship(ScorecardVersion)
    reviewer: Mapped[User] = relationship(User, foreign_keys=[reviewer_id])
    reviewed_user: Mapped[User | None] = relationship(User, foreign_keys=[reviewed_user_id])
    department: Mapped[Department | None] = relationship(Department)
    scores: Mapped[list[QaReviewScore]] = relationship(cascade="all, delete-orphan")
    appeal: Mapped[QaAppeal | None] = relationship(back_populates="review", uselist=False)


class QaReviewScore(Model):
    __tablename__ = "qa_review_score"
    __table_args__ = (UniqueConstraint("review_id", "item_id", name="uq_qa_score_item"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("qa_review.id", ondelete="CASCADE"), nullable=False
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("qa_scorecard_item.id"), nullable=False)
    points: Mapped[float] = mapped_column(Float, nullable=False)
    failed: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    comment: Mapped[str | None] = mapped_column(Text)

    item: Mapped[ScorecardItem] = relationship(ScorecardItem)


class QaAppeal(Model):
    """申诉: one per review, by the reviewed person; a supervisor or admin decides."""

    __tablename__ = "qa_appeal"
    __table_args__ = (UniqueConstraint("review_id", name="uq_qa_appeal_review"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("qa_review.id", ondelete="CASCADE"), nullable=False
    )
    appellant_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    decision: Mapped[str | None] = mapped_column(String(16))
    decision_note: Mapped[str | None] = mapped_column(Text)
    old_score: Mapped[float] = mapped_column(Float, nullable=False)
    new_score: Mapped[float | None] = mapped_column(Float)

    review: Mapped[QaReview] = relationship(back_populates="appeal")
    appellant: Mapped[User] = relationship(User, foreign_keys=[appellant_id])
    decided_by: Mapped[User | None] = relationship(User, foreign_keys=[decided_by_id])
