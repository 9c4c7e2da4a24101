"""profile: security codes and events, departments, personal information, photos, reviews

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 23:57:25.794661
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "departments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("institution_code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_code"],
            ["institutions.code"],
            name=op.f("fk_departments_institution_code_institutions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_departments")),
        sa.UniqueConstraint(
            "institution_code", "name", name=op.f("uq_departments_institution_code_name")
        ),
    )
    with op.batch_alter_table("departments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_departments_institution_code"), ["institution_code"], unique=False
        )

    op.create_table(
        "contact_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("target", sa.String(length=254), nullable=True),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.String(length=32), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_contact_codes_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_codes")),
        sa.UniqueConstraint(
            "account_id", "purpose", name=op.f("uq_contact_codes_account_id_purpose")
        ),
    )
    op.create_table(
        "physician_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("media_type", sa.String(length=32), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_physician_photos_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_physician_photos")),
    )
    with op.batch_alter_table("physician_photos", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_physician_photos_account_id"), ["account_id"], unique=False
        )

    op.create_table(
        "physician_profiles",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("ethnicity", sa.String(length=16), nullable=True),
        sa.Column("education", sa.String(length=16), nullable=True),
        sa.Column("degree", sa.String(length=16), nullable=True),
        sa.Column("professional_title", sa.String(length=16), nullable=True),
        sa.Column("mailing_address", sa.String(length=200), nullable=True),
        sa.Column("postcode", sa.String(length=6), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_physician_profiles_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_physician_profiles_department_id_departments"),
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_physician_profiles")),
    )
    op.create_table(
        "profile_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("institution_code", sa.String(length=32), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("photo_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("open_slot", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_profile_reviews_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["institution_code"],
            ["institutions.code"],
            name=op.f("fk_profile_reviews_institution_code_institutions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_profile_reviews")),
        sa.UniqueConstraint("account_id", "open_slot", name="uq_profile_reviews_open"),
    )
    with op.batch_alter_table("profile_reviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_profile_reviews_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_profile_reviews_institution_code"), ["institution_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_profile_reviews_state"), ["state"], unique=False)

    op.create_table(
        "security_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("previous", sa.String(length=254), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_security_events_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_events")),
    )
    with op.batch_alter_table("security_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_security_events_account_id"), ["account_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("security_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_security_events_account_id"))

    op.drop_table("security_events")
    with op.batch_alter_table("profile_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_profile_reviews_state"))
        batch_op.drop_index(batch_op.f("ix_profile_reviews_institution_code"))
        batch_op.drop_index(batch_op.f("ix_profile_reviews_account_id"))

    op.drop_table("profile_reviews")
    op.drop_table("physician_profiles")
    with op.batch_alter_table("physician_photos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_physician_photos_account_id"))

    op.drop_table("physician_photos")
    op.drop_table("contact_codes")
    with op.batch_alter_table("departments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_departments_institution_code"))

    op.drop_table("departments")
