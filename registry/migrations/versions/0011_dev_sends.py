"""dev_sends: every SMS and email the dev gateway and sink took, before de-duplication

Revision ID: 0011_dev_sends
Revises: 0010_registry_law
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_dev_sends"
down_revision: str | None = "0010_registry_law"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dev_sends",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("message_key", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dev_sends")),
    )


def downgrade() -> None:
    op.drop_table("dev_sends")
