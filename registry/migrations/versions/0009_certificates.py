"""certificates: electronic practice certificates as issued; registrations looked up by name

Revision ID: 0009_certificates
Revises: 0008_web_sessions
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_certificates"
down_revision: str | None = "0008_web_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("certificate_no", sa.String(32), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("check_code", sa.String(16), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name="fk_certificates_registration_id_registrations",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_certificates"),
        sa.UniqueConstraint("check_code", name="uq_certificates_check_code"),
        sa.UniqueConstraint(
            "registration_id",
            "digest",
            "key_id",
            name="uq_certificates_registration_id_digest_key_id",
        ),
    )
    op.create_index("ix_certificates_registration_id", "certificates", ["registration_id"])
    op.create_index("ix_certificates_certificate_no", "certificates", ["certificate_no"])
    # The public register looks physicians up by name (with a certificate or an institution).
    op.create_index("ix_registrations_name", "registrations", ["name"])


def downgrade() -> None:
    op.drop_index("ix_registrations_name", table_name="registrations")
    op.drop_index("ix_certificates_certificate_no", table_name="certificates")
    op.drop_index("ix_certificates_registration_id", table_name="certificates")
    op.drop_table("certificates")
