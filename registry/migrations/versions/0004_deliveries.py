"""delivery log of sent messages; Message-ID of stored dev emails

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workflow_id", sa.String(length=255), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("activity_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("recipient_hash", sa.String(length=64), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint(
            "workflow_id",
            "run_id",
            "activity_id",
            "channel",
            "recipient_hash",
            name="uq_deliveries_key",
        ),
    )
    with op.batch_alter_table("dev_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("message_id", sa.String(length=255), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_dev_messages_message_id"), ["message_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("dev_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dev_messages_message_id"))
        batch_op.drop_column("message_id")
    op.drop_table("deliveries")
