"""quality: scorecards, reviews, appeals

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "qa_scorecard",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "qa_scorecard_department",
        sa.Column("scorecard_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["scorecard_id"], ["qa_scorecard.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["department_id"], ["department.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("scorecard_id", "department_id"),
    )
    op.create_table(
        "qa_scorecard_category",
        sa.Column("scorecard_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["scorecard_id"], ["qa_scorecard.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["category_id"], ["category.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("scorecard_id", "category_id"),
    )
    op.create_table(
        "qa_scorecard_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scorecard_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("scoring", sa.String(length=16), nullable=False),
        sa.Column("pass_score", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["scorecard_id"], ["qa_scorecard.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("scorecard_id", "number", name="uq_qa_version_number"),
    )
    op.create_table(
        "qa_scorecard_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label_zh", sa.String(length=200), nullable=False),
        sa.Column("label_en", sa.String(length=200), nullable=False),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("guidance", sa.Text(), nullable=True),
        sa.Column("critical", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["qa_scorecard_version.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("version_id", "position", name="uq_qa_item_position"),
    )
    op.create_table(
        "qa_sample",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("handler_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("picked_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["handler_id"], ["ab_user.id"]),
        sa.ForeignKeyConstraint(["department_id"], ["department.id"]),
        sa.ForeignKeyConstraint(["picked_by_id"], ["ab_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ticket_id", name="uq_qa_sample_ticket"),
    )
    op.create_index("ix_qa_sample_handler_period", "qa_sample", ["handler_id", "period_start"])
    op.create_index(op.f("ix_qa_sample_department_id"), "qa_sample", ["department_id"])
    op.create_table(
        "qa_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sample_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("reviewed_user_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("max_score", sa.Float(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("critical_failed", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["sample_id"], ["qa_sample.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["version_id"], ["qa_scorecard_version.id"]),
        sa.ForeignKeyConstraint(["reviewer_id"], ["ab_user.id"]),
        sa.ForeignKeyConstraint(["reviewed_user_id"], ["ab_user.id"]),
        sa.ForeignKeyConstraint(["department_id"], ["department.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sample_id", name="uq_qa_review_sample"),
    )
    op.create_index("ix_qa_review_person_time", "qa_review", ["reviewed_user_id", "submitted_at"])
    op.create_index("ix_qa_review_dept_time", "qa_review", ["department_id", "submitted_at"])
    op.create_index("ix_qa_review_status", "qa_review", ["status"])
    op.create_index("ix_qa_review_submitted", "qa_review", ["submitted_at"])
    op.create_table(
        "qa_review_score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("failed", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["review_id"], ["qa_review.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["item_id"], ["qa_scorecard_item.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("review_id", "item_id", name="uq_qa_score_item"),
    )
    op.create_table(
        "qa_appeal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("appellant_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decision", sa.String(length=16), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("old_score", sa.Float(), nullable=False),
        sa.Column("new_score", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["review_id"], ["qa_review.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["appellant_id"], ["ab_user.id"]),
        sa.ForeignKeyConstraint(["decided_by_id"], ["ab_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("review_id", name="uq_qa_appeal_review"),
    )


def downgrade():
    op.drop_table("qa_appeal")
    op.drop_table("qa_review_score")
    op.drop_index("ix_qa_review_submitted", table_name="qa_review")
    op.drop_index("ix_qa_review_status", table_name="qa_review")
    op.drop_index("ix_qa_review_dept_time", table_name="qa_review")
    op.drop_index("ix_qa_review_person_time", table_name="qa_review")
    op.drop_table("qa_review")
    op.drop_index(op.f("ix_qa_sample_department_id"), table_name="qa_sample")
    op.drop_index("ix_qa_sample_handler_period", table_name="qa_sample")
    op.drop_table("qa_sample")
    op.drop_table("qa_scorecard_item")
    op.drop_table("qa_scorecard_version")
    op.drop_table("qa_scorecard_category")
    op.drop_table("qa_scorecard_department")
    op.drop_table("qa_scorecard")
