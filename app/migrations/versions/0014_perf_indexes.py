"""performance: indexes found by the benchmark at a million tickets

Revision ID: 0014
Revises: 0013

- ticket (department_id, status, due_at) and (status, due_at): the overdue count in the
  menu (running states with due_at passed) reads only the index; before, a handler's count
  fetched ~26,000 ticket rows from the heap at 1M tickets.
- ticket_field_value (ticket_id, field_id, value_text): a saved view's custom-field test
  (EXISTS … value_text = x) is answered from the index, without a heap fetch per ticket.
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_ticket_dept_status_due", "ticket", ["department_id", "status", "due_at"]),
    ("ix_ticket_status_due", "ticket", ["status", "due_at"]),
    ("ix_field_value_ticket_text", "ticket_field_value", ["ticket_id", "field_id", "value_text"]),
)


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade():
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
