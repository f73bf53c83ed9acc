"""reports: roll-ups for resolved / closed, per staff and node times

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def _dept() -> sa.Column:
    return sa.Column("department_id", sa.Integer(), nullable=True)


def _dept_fk() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["department_id"], ["department.id"], ondelete="CASCADE")


def upgrade():
    op.create_table(
        "report_daily_done",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("at_day", sa.Date(), nullable=False),
        _dept(),
        sa.Column("resolved", sa.Integer(), nullable=False),
        sa.Column("closed", sa.Integer(), nullable=False),
        _dept_fk(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_report_daily_done_day", "report_daily_done", ["day"])
    op.create_index("ix_report_daily_done_at_day", "report_daily_done", ["at_day", "department_id"])
    op.create_table(
        "report_daily_staff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        _dept(),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("open", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["assignee_id"], ["ab_user.id"], ondelete="CASCADE"),
        _dept_fk(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_report_daily_staff_day", "report_daily_staff", ["day", "department_id"])
    op.create_table(
        "report_daily_node",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("at_day", sa.Date(), nullable=False),
        _dept(),
        sa.Column("node", sa.String(length=32), nullable=True),
        sa.Column("nodes", sa.Integer(), nullable=False),
        sa.Column("timed", sa.Integer(), nullable=False),
        sa.Column("minutes", sa.Float(), nullable=False),
        sa.Column("with_deadline", sa.Integer(), nullable=False),
        sa.Column("overdue", sa.Integer(), nullable=False),
        _dept_fk(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_report_daily_node_day", "report_daily_node", ["day"])
    op.create_index("ix_report_daily_node_at_day", "report_daily_node", ["at_day", "department_id"])
    # The new roll-ups are empty: make the next report rebuild all of them.
    op.execute("UPDATE report_rollup_state SET watermark = NULL")


def downgrade():
    op.drop_index("ix_report_daily_node_at_day", table_name="report_daily_node")
    op.drop_index("ix_report_daily_node_day", table_name="report_daily_node")
    op.drop_table("report_daily_node")
    op.drop_index("ix_report_daily_staff_day", table_name="report_daily_staff")
    op.drop_table("report_daily_staff")
    op.drop_index("ix_report_daily_done_at_day", table_name="report_daily_done")
    op.drop_index("ix_report_daily_done_day", table_name="report_daily_done")
    op.drop_table("report_daily_done")
