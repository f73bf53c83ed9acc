"""tickets: callback scheduling (预约回访)

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("ticket") as batch:
        batch.add_column(sa.Column("callback_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("callback_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("callback_reminded_at", sa.DateTime(), nullable=True))
        batch.add_column(
            sa.Column("followup_attempts", sa.Integer(), nullable=False, server_default="0")
        )
        batch.create_foreign_key(
            "fk_ticket_callback_by_id_ab_user", "ab_user", ["callback_by_id"], ["id"]
        )
        batch.create_index("ix_ticket_status_callback", ["status", "callback_at"])


def downgrade():
    with op.batch_alter_table("ticket") as batch:
        batch.drop_index("ix_ticket_status_callback")
        batch.drop_constraint("fk_ticket_callback_by_id_ab_user", type_="foreignkey")
        batch.drop_column("followup_attempts")
        batch.drop_column("callback_reminded_at")
        batch.drop_column("callback_by_id")
        batch.drop_column("callback_at")
