"""reports: export jobs and roll-ups

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    _upgrade_export_jobs()
    _upgrade_statistics()


def downgrade():
    _downgrade_statistics()
    _downgrade_export_jobs()


# --- exports: report_export_job (plugins/reports/exports/models.py) -------------------


def _upgrade_export_jobs():
    op.create_table(
        "report_export_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("fmt", sa.String(length=8), nullable=False),
        sa.Column("args", sa.JSON(), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["owner_id"], ["ab_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_report_export_job_owner_created", "report_export_job", ["owner_id", "created_at"]
    )
    op.create_index(
        "ix_report_export_job_status_expires", "report_export_job", ["status", "expires_at"]
    )


def _downgrade_export_jobs():
    op.drop_index("ix_report_export_job_status_expires", table_name="report_export_job")
    op.drop_index("ix_report_export_job_owner_created", table_name="report_export_job")
    op.drop_table("report_export_job")


# --- statistics: date-range indexes (plugins/reports/indexes.py) and daily roll-ups ------
STATISTICS_INDEXES = (
    ("ix_ticket_resolved_at", "ticket", ["resolved_at"]),
    ("ix_ticket_closed_at", "ticket", ["closed_at"]),
    ("ix_ticket_event_created", "ticket_event", ["created_at"]),
    ("ix_ticket_event_action_created", "ticket_event", ["action", "created_at"]),
    ("ix_sla_clock_started", "sla_clock", ["started_at"]),
)


def _upgrade_statistics():
    for name, table, columns in STATISTICS_INDEXES:
        op.create_index(name, table, columns)
    # Daily roll-ups (plugins/reports/models.py), rebuilt from the tickets on first use.
    op.create_table(
        "report_daily_ticket",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("open", sa.Integer(), nullable=False),
        sa.Column("responded", sa.Integer(), nullable=False),
        sa.Column("rated", sa.Integer(), nullable=False),
        sa.Column("content", sa.Integer(), nullable=False),
        sa.Column("reopened", sa.Integer(), nullable=False),
        sa.Column("redone", sa.Integer(), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("accept_minutes", sa.Float(), nullable=False),
        sa.Column("resolved", sa.Integer(), nullable=False),
        sa.Column("resolve_minutes", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["category_id"], ["category.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["department_id"], ["department.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_report_daily_ticket_day", "report_daily_ticket", ["day", "department_id"])
    op.create_table(
        "report_rollup_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("watermark", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )


def _downgrade_statistics():
    op.drop_table("report_rollup_state")
    op.drop_index("ix_report_daily_ticket_day", table_name="report_daily_ticket")
    op.drop_table("report_daily_ticket")
    for name, table, _columns in reversed(STATISTICS_INDEXES):
        op.drop_index(name, table_name=table)
