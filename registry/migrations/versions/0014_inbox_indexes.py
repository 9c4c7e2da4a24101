"""inbox indexes: each kind of waiting work by (institution, state, deadline), so a page of an
institution's inbox reads an index range per kind instead of sorting every waiting row

Revision ID: 0014_inbox_indexes
Revises: 0013_batches
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014_inbox_indexes"
down_revision: str | None = "0013_batches"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_applications_inbox", "applications", ["institution_code", "state", "step_deadline"]),
    ("ix_profile_reviews_inbox", "profile_reviews", ["institution_code", "state", "deadline"]),
    ("ix_accounts_inbox", "accounts", ["institution_code", "activation_state", "created_at"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in INDEXES:
        op.drop_index(name, table_name=table)
