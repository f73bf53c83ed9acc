"""ticket: index on created_at (newest-first lists for roles that see every ticket)

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_ticket_created", "ticket", ["created_at"], unique=False)


def downgrade():
    op.drop_index("ix_ticket_created", table_name="ticket")
