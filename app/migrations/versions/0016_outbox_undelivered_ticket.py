"""performance: undelivered outbox rows by ticket

Revision ID: 0016
Revises: 0015

The SLA sweep asks which of up to 500 due tickets have an event not yet delivered (their
clocks may lag). Through ix_ticket_outbox_ticket_id that read every row of those tickets'
history from the heap to test delivered_at (14-26 ms at a million tickets); this partial
index holds only the undelivered rows.
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_outbox_undelivered_ticket",
        "ticket_outbox",
        ["ticket_id"],
        postgresql_where=sa.text("delivered_at IS NULL"),
        sqlite_where=sa.text("delivered_at IS NULL"),
    )


def downgrade():
    op.drop_index("ix_outbox_undelivered_ticket", table_name="ticket_outbox")
