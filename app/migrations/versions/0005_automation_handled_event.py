"""automation: handled outbox events (idempotency claims)

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "automation_handled_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("handler", sa.String(length=100), nullable=False),
        sa.Column("handled_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["ticket_outbox.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id", "handler", name="uq_handled_event_handler"),
    )


def downgrade():
    op.drop_table("automation_handled_event")
