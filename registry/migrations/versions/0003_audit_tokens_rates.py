"""audit trail, refresh tokens, rate counters

Revision ID: 0003
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The audit trail is append-only in the database itself, not only by convention.
_APPEND_ONLY = {
    "sqlite": [
        """CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
           BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END""",
        """CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
           BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END""",
    ],
    "postgresql": [
        """CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS
           $$ BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$""",
        """CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
           FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()""",
    ],
}


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=48), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_role", sa.String(length=32), nullable=False),
        sa.Column("physician_id", sa.Integer(), nullable=True),
        sa.Column("institution_code", sa.String(length=32), nullable=True),
        sa.Column("application_no", sa.String(length=20), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=96), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_audit_events_dedupe_key")),
    )
    for column in ("at", "physician_id", "institution_code", "application_no"):
        op.create_index(op.f(f"ix_audit_events_{column}"), "audit_events", [column])
    op.create_table(
        "refresh_tokens",
        sa.Column("jti", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_refresh_tokens_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("jti", name=op.f("pk_refresh_tokens")),
    )
    op.create_index(op.f("ix_refresh_tokens_account_id"), "refresh_tokens", ["account_id"])
    op.create_table(
        "rate_counters",
        sa.Column("key", sa.String(length=96), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_counters")),
    )
    for statement in _APPEND_ONLY.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("rate_counters")
    op.drop_table("refresh_tokens")
    op.drop_table("audit_events")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_events_append_only()")
