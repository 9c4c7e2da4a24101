"""application_events.documents: the paper check item by item

Each paper check recorded on the timeline keeps what the officer found of every required
document (kind, present / missing / not acceptable, note), so the physician's page, the notice
and a reprinted form list what is missing. Older lines have none.

Revision ID: 0012_paper_check_items
Revises: 0011_dev_sends
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_paper_check_items"
down_revision: str | None = "0011_dev_sends"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("application_events") as batch:
        batch.add_column(sa.Column("documents", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("application_events") as batch:
        batch.drop_column("documents")
