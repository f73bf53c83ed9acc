"""automation: time-based automations, their once-per-ticket run log, ticket time indexes

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "automation_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("conditions", sa.JSON(), nullable=False),
        sa.Column("actions", sa.JSON(), nullable=False),
        sa.Column("last_run_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_index("ix_automation_active_order", "automation_rule", ["active", "sort_order", "id"])
    op.create_table(
        "automation_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("automation_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("result", sa.String(length=20), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["automation_id"], ["automation_rule.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("automation_id", "ticket_id", name="uq_automation_run_ticket"),
    )
    op.create_index(op.f("ix_automation_run_ticket_id"), "automation_run", ["ticket_id"])
    # Time conditions are ranges on these columns (created_at and due_at had indexes).
    op.create_index("ix_ticket_updated", "ticket", ["updated_at"])
    op.create_index("ix_ticket_node_entered", "ticket", ["node_entered_at"])


def downgrade():
    op.drop_index("ix_ticket_node_entered", table_name="ticket")
    op.drop_index("ix_ticket_updated", table_name="ticket")
    op.drop_table("automation_run")
    op.drop_index("ix_automation_active_order", table_name="automation_rule")
    op.drop_table("automation_rule")
