"""commissions.address_zh/address_en: notices and pages tell the physician where to go

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("commissions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("address_zh", sa.String(200), nullable=True))
        batch_op.add_column(sa.Column("address_en", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("commissions", schema=None) as batch_op:
        batch_op.drop_column("address_en")
        batch_op.drop_column("address_zh")
