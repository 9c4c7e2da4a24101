"""batches: collective registrations (集体办理) and their rows

Revision ID: 0013_batches
Revises: 0012_paper_check_items
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_batches"
down_revision: str | None = "0012_paper_check_items"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "batches",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("institution_code", sa.String(length=32), nullable=False),
        sa.Column("filed_by", sa.Integer(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_code"],
            ["institutions.code"],
            name=op.f("fk_batches_institution_code_institutions"),
        ),
        sa.ForeignKeyConstraint(
            ["filed_by"], ["accounts.id"], name=op.f("fk_batches_filed_by_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batches")),
    )
    op.create_index(op.f("ix_batches_institution_code"), "batches", ["institution_code"])
    op.create_table(
        "batch_rows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.String(length=32), nullable=False),
        sa.Column("row_no", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("id_number", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("application_no", sa.String(length=20), nullable=True),
        sa.Column("reason_code", sa.String(length=64), nullable=True),
        sa.Column("reason_zh", sa.Text(), nullable=True),
        sa.Column("reason_en", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name=op.f("fk_batch_rows_batch_id_batches")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batch_rows")),
        sa.UniqueConstraint("batch_id", "row_no", name=op.f("uq_batch_rows_batch_id_row_no")),
    )
    op.create_index(op.f("ix_batch_rows_batch_id"), "batch_rows", ["batch_id"])


def downgrade() -> None:
    op.drop_table("batch_rows")
    op.drop_table("batches")
