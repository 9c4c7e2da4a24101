"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25 23:42:07.590928
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "application_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_no", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("actor_role", sa.String(length=32), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("workflow_event", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_events")),
        sa.UniqueConstraint("workflow_event", name=op.f("uq_application_events_workflow_event")),
    )
    with op.batch_alter_table("application_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_application_events_application_no"), ["application_no"], unique=False
        )

    op.create_table(
        "dev_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dev_messages")),
    )
    with op.batch_alter_table("dev_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dev_messages_recipient"), ["recipient"], unique=False)

    op.create_table(
        "divisions",
        sa.Column("code", sa.String(length=6), nullable=False),
        sa.Column("name_zh", sa.String(length=64), nullable=False),
        sa.Column("name_en", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("parent_code", sa.String(length=6), nullable=True),
        sa.ForeignKeyConstraint(
            ["parent_code"], ["divisions.code"], name=op.f("fk_divisions_parent_code_divisions")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_divisions")),
    )
    op.create_table(
        "qualifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("certificate_no", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qualifications")),
        sa.UniqueConstraint("certificate_no", name=op.f("uq_qualifications_certificate_no")),
    )
    with op.batch_alter_table("qualifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_qualifications_id_number"), ["id_number"], unique=False
        )

    op.create_table(
        "commissions",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("division_code", sa.String(length=6), nullable=False),
        sa.ForeignKeyConstraint(
            ["division_code"],
            ["divisions.code"],
            name=op.f("fk_commissions_division_code_divisions"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_commissions")),
    )
    op.create_table(
        "institutions",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("division_code", sa.String(length=6), nullable=False),
        sa.Column("province_code", sa.String(length=6), nullable=False),
        sa.Column("commission_code", sa.String(length=16), nullable=False),
        sa.Column("auto_activate", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["commission_code"],
            ["commissions.code"],
            name=op.f("fk_institutions_commission_code_commissions"),
        ),
        sa.ForeignKeyConstraint(
            ["division_code"],
            ["divisions.code"],
            name=op.f("fk_institutions_division_code_divisions"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_institutions")),
    )
    with op.batch_alter_table("institutions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_institutions_division_code"), ["division_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_institutions_name"), ["name"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_institutions_province_code"), ["province_code"], unique=False
        )

    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=32), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=True),
        sa.Column("id_number", sa.String(length=18), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("institution_code", sa.String(length=32), nullable=True),
        sa.Column("commission_code", sa.String(length=16), nullable=True),
        sa.Column("activation_state", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["commission_code"],
            ["commissions.code"],
            name=op.f("fk_accounts_commission_code_commissions"),
        ),
        sa.ForeignKeyConstraint(
            ["institution_code"],
            ["institutions.code"],
            name=op.f("fk_accounts_institution_code_institutions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("id_number", name=op.f("uq_accounts_id_number")),
        sa.UniqueConstraint("username", name=op.f("uq_accounts_username")),
    )
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_accounts_activation", ["activation_state", "institution_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_accounts_institution_code"), ["institution_code"], unique=False
        )

    op.create_table(
        "legacy_sites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("institution_code", sa.String(length=32), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_code"],
            ["institutions.code"],
            name=op.f("fk_legacy_sites_institution_code_institutions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legacy_sites")),
        sa.UniqueConstraint(
            "id_number", "institution_code", name=op.f("uq_legacy_sites_id_number_institution_code")
        ),
    )
    with op.batch_alter_table("legacy_sites", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_legacy_sites_id_number"), ["id_number"], unique=False)

    op.create_table(
        "registrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("scope", sa.String(length=32), nullable=True),
        sa.Column("location_code", sa.String(length=6), nullable=False),
        sa.Column("institution_code", sa.String(length=32), nullable=False),
        sa.Column("certificate_no", sa.String(length=32), nullable=True),
        sa.Column("military_certificate_no", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("source_application_no", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["institution_code"],
            ["institutions.code"],
            name=op.f("fk_registrations_institution_code_institutions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registrations")),
        sa.UniqueConstraint("certificate_no", name=op.f("uq_registrations_certificate_no")),
        sa.UniqueConstraint(
            "source_application_no", name=op.f("uq_registrations_source_application_no")
        ),
    )
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registrations_id_number"), ["id_number"], unique=False)

    op.create_table(
        "applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_no", sa.String(length=20), nullable=True),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("filed_by", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=True),
        sa.Column("institution_code", sa.String(length=32), nullable=False),
        sa.Column("notify_institution_code", sa.String(length=32), nullable=True),
        sa.Column("commission_code", sa.String(length=16), nullable=False),
        sa.Column("province_code", sa.String(length=6), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("step_deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column("overdue", sa.Boolean(), nullable=False),
        sa.Column("certificate_no", sa.String(length=32), nullable=True),
        sa.Column("open_slot", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_applications_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["commission_code"],
            ["commissions.code"],
            name=op.f("fk_applications_commission_code_commissions"),
        ),
        sa.ForeignKeyConstraint(
            ["filed_by"], ["accounts.id"], name=op.f("fk_applications_filed_by_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["institution_code"],
            ["institutions.code"],
            name=op.f("fk_applications_institution_code_institutions"),
        ),
        sa.ForeignKeyConstraint(
            ["notify_institution_code"],
            ["institutions.code"],
            name=op.f("fk_applications_notify_institution_code_institutions"),
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_applications_registration_id_registrations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applications")),
        sa.UniqueConstraint("open_slot", name="uq_applications_open"),
        sa.UniqueConstraint("application_no", name=op.f("uq_applications_application_no")),
    )
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_applications_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_applications_commission_code"), ["commission_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_applications_institution_code"), ["institution_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_applications_state"), ["state"], unique=False)

    op.create_table(
        "filings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("institution_code", sa.String(length=32), nullable=False),
        sa.Column("start_on", sa.Date(), nullable=False),
        sa.Column("end_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source_application_no", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["institution_code"],
            ["institutions.code"],
            name=op.f("fk_filings_institution_code_institutions"),
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_filings_registration_id_registrations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_filings")),
        sa.UniqueConstraint("source_application_no", name=op.f("uq_filings_source_application_no")),
    )
    with op.batch_alter_table("filings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_filings_registration_id"), ["registration_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("filings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_filings_registration_id"))

    op.drop_table("filings")
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_applications_state"))
        batch_op.drop_index(batch_op.f("ix_applications_institution_code"))
        batch_op.drop_index(batch_op.f("ix_applications_commission_code"))
        batch_op.drop_index(batch_op.f("ix_applications_account_id"))

    op.drop_table("applications")
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registrations_id_number"))

    op.drop_table("registrations")
    with op.batch_alter_table("legacy_sites", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_legacy_sites_id_number"))

    op.drop_table("legacy_sites")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accounts_institution_code"))
        batch_op.drop_index("ix_accounts_activation")

    op.drop_table("accounts")
    with op.batch_alter_table("institutions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_institutions_province_code"))
        batch_op.drop_index(batch_op.f("ix_institutions_name"))
        batch_op.drop_index(batch_op.f("ix_institutions_division_code"))

    op.drop_table("institutions")
    op.drop_table("commissions")
    with op.batch_alter_table("qualifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qualifications_id_number"))

    op.drop_table("qualifications")
    op.drop_table("divisions")
    with op.batch_alter_table("dev_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dev_messages_recipient"))

    op.drop_table("dev_messages")
    with op.batch_alter_table("application_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_application_events_application_no"))

    op.drop_table("application_events")
