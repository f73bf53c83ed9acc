"""automation: triggers (rules on events) and their run log

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "automation_trigger",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("conditions", sa.JSON(), nullable=False),
        sa.Column("actions", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_index("ix_trigger_active_order", "automation_trigger", ["active", "sort_order", "id"])
    op.create_table(
        "automation_trigger_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trigger_id", sa.Integer(), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("result", sa.String(length=20), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["trigger_id"], ["automation_trigger.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["outbox_id"], ["ticket_outbox.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("trigger_id", "outbox_id", name="uq_trigger_run_event"),
    )
    op.create_index(
        op.f("ix_automation_trigger_run_trigger_id"), "automation_trigger_run", ["trigger_id"]
    )
    op.create_index(
        op.f("ix_automation_trigger_run_ticket_id"), "automation_trigger_run", ["ticket_id"]
    )


def downgrade():
    op.drop_table("automation_trigger_run")
    op.drop_index("ix_trigger_active_order", table_name="automation_trigger")
    op.drop_table("automation_trigger")
