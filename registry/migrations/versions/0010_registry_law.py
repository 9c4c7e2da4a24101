"""the registry as the law says: refusal grounds, cancellation grounds, written reasons

Registrations keep their cancellation ground and the date it arose, and the department chosen
at their primary institution; ``registration_bars`` holds the grounds on which registration is
refused (Physicians Law 2021 art. 16); the timeline keeps a refusal's rule code beside its words.

Existing data: a cancelled registration takes the ground of the cancellation application that
ended it (else 10, own request, the date unknown), and one cancelled on ground 2, 3 or 4 starts
its refusal period from the cancellation; applications record on whose authority they were
filed; a department chosen at the institution of an active registration moves to that
registration; a refusal at completion recorded as ``rule:<code>`` gets its words.

Revision ID: 0010_registry_law
Revises: 0009_certificates
"""

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0010_registry_law"
down_revision: str | None = "0009_certificates"
branch_labels: str | Sequence[str] | None = None
# departments and physician_profiles come from 0002, on the other branch of 0001
depends_on: str | Sequence[str] | None = "0002"

_registrations = sa.table(
    "registrations",
    sa.column("id", sa.Integer),
    sa.column("id_number", sa.String),
    sa.column("institution_code", sa.String),
    sa.column("status", sa.String),
    sa.column("ended_on", sa.Date),
    sa.column("cancellation_ground", sa.Integer),
    sa.column("ground_arose_on", sa.Date),
    sa.column("department_id", sa.Integer),
)
_applications = sa.table(
    "applications",
    sa.column("id", sa.Integer),
    sa.column("application_no", sa.String),
    sa.column("type", sa.String),
    sa.column("registration_id", sa.Integer),
    sa.column("filed_by", sa.Integer),
    sa.column("commission_code", sa.String),
    sa.column("state", sa.String),
    sa.column("details", sa.JSON),
)
_accounts = sa.table(
    "accounts",
    sa.column("id", sa.Integer),
    sa.column("role", sa.String),
    sa.column("id_number", sa.String),
)
_profiles = sa.table(
    "physician_profiles",
    sa.column("account_id", sa.Integer),
    sa.column("department_id", sa.Integer),
)
_departments = sa.table(
    "departments",
    sa.column("id", sa.Integer),
    sa.column("institution_code", sa.String),
)
_events = sa.table(
    "application_events",
    sa.column("id", sa.Integer),
    sa.column("action", sa.String),
    sa.column("comment", sa.Text),
    sa.column("reason_code", sa.String),
    sa.column("comment_en", sa.Text),
)
_bars = sa.table(
    "registration_bars",
    sa.column("id_number", sa.String),
    sa.column("ground", sa.String),
    sa.column("starts_on", sa.Date),
    sa.column("ends_on", sa.Date),
    sa.column("source_application_no", sa.String),
    sa.column("commission_code", sa.String),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
_FILED_AS = {
    "physician": "physician",
    "institution_staff": "institution",
    "commission_officer": "commission",
}


def upgrade() -> None:
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cancellation_ground", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("ground_arose_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("department_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_registrations_department_id_departments"),
            "departments",
            ["department_id"],
            ["id"],
        )
    op.create_table(
        "registration_bars",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("ground", sa.String(length=32), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("source_application_no", sa.String(length=20), nullable=True),
        sa.Column("commission_code", sa.String(length=16), nullable=True),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("lifted_on", sa.Date(), nullable=True),
        sa.Column("lifted_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["commission_code"],
            ["commissions.code"],
            name=op.f("fk_registration_bars_commission_code_commissions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registration_bars")),
        sa.UniqueConstraint(
            "source_application_no", name=op.f("uq_registration_bars_source_application_no")
        ),
    )
    with op.batch_alter_table("registration_bars", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_registration_bars_id_number"), ["id_number"], unique=False
        )
    with op.batch_alter_table("application_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reason_code", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("comment_en", sa.Text(), nullable=True))

    connection = op.get_bind()
    _filed_as(connection)
    _cancellation_grounds(connection)
    _departments_per_registration(connection)
    _refusals_in_words(connection)


def _filed_as(connection) -> None:
    """Each application records on whose authority it was filed: the filer's role."""
    roles = dict(connection.execute(sa.select(_accounts.c.id, _accounts.c.role)).all())
    rows = connection.execute(
        sa.select(_applications.c.id, _applications.c.filed_by, _applications.c.details)
    ).all()
    changed = []
    for row in rows:
        details = dict(row.details or {})
        if "filed_as" not in details:
            details["filed_as"] = _FILED_AS.get(roles.get(row.filed_by, ""), "physician")
            changed.append({"row_id": row.id, "details": details})
    if changed:
        connection.execute(
            _applications.update()
            .where(_applications.c.id == sa.bindparam("row_id"))
            .values(details=sa.bindparam("details")),
            changed,
        )


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _cancellation_grounds(connection) -> None:
    """Cancelled registrations: the ground of the application that cancelled them, else 10;
    grounds 2 and 3 (two years) and 4 (one year) start their refusal period from the
    cancellation, the dates of the ground being unknown before now."""
    cancelled = connection.execute(
        sa.select(_registrations.c.id, _registrations.c.id_number, _registrations.c.ended_on).where(
            _registrations.c.status == "cancelled"
        )
    ).all()
    by_registration = {
        row.registration_id: row
        for row in connection.execute(
            sa.select(
                _applications.c.registration_id,
                _applications.c.application_no,
                _applications.c.commission_code,
                _applications.c.details,
            ).where(
                _applications.c.type == "cancellation",
                _applications.c.state == "completed",
            )
        )
    }
    for registration in cancelled:
        application = by_registration.get(registration.id)
        fields = (application.details or {}).get("fields", {}) if application else {}
        ground = int(fields.get("ground") or 10)
        arose = fields.get("ground_arose_on")
        connection.execute(
            _registrations.update()
            .where(_registrations.c.id == registration.id)
            .values(
                cancellation_ground=ground,
                ground_arose_on=date.fromisoformat(arose) if arose else None,
            )
        )
        years = {2: 2, 3: 2, 4: 1}.get(ground)
        start = registration.ended_on
        if years is None or start is None or application is None:
            continue
        connection.execute(
            _bars.insert().values(
                id_number=registration.id_number,
                ground={2: "criminal_punishment", 3: "certificate_revoked"}.get(
                    ground, "failed_assessment"
                ),
                starts_on=start,
                ends_on=_add_years(start, years),
                source_application_no=application.application_no,
                commission_code=application.commission_code,
                created_at=datetime.now(UTC),
            )
        )


def _departments_per_registration(connection) -> None:
    """A department chosen at the primary institution of an active registration is that
    registration's; the profile keeps its own for the sign-up institution."""
    rows = connection.execute(
        sa.select(_registrations.c.id, _profiles.c.department_id)
        .select_from(_profiles)
        .join(_accounts, _accounts.c.id == _profiles.c.account_id)
        .join(_departments, _departments.c.id == _profiles.c.department_id)
        .join(
            _registrations,
            (_registrations.c.id_number == _accounts.c.id_number)
            & (_registrations.c.institution_code == _departments.c.institution_code),
        )
        .where(_registrations.c.status == "active", _registrations.c.department_id.is_(None))
    ).all()
    for registration_id, department_id in rows:
        connection.execute(
            _registrations.update()
            .where(_registrations.c.id == registration_id)
            .values(department_id=department_id)
        )


_RULE = re.compile(r"rule:([a-z_]+)")


def _refusals_in_words(connection) -> None:
    """``rule:<code>`` on the timeline becomes the rule's words (its details, not recorded
    then, shown as —), the code kept beside them."""
    from registry.errors import CATALOG

    rows = connection.execute(
        sa.select(_events.c.id, _events.c.comment).where(
            _events.c.action == "refused_at_completion"
        )
    ).all()
    for row in rows:
        match = _RULE.fullmatch(row.comment or "")
        if match is None or match[1] not in CATALOG:
            continue
        _, zh, en = CATALOG[match[1]]
        connection.execute(
            _events.update()
            .where(_events.c.id == row.id)
            .values(
                reason_code=match[1],
                comment=re.sub(r"\{[a-z_]+\}", "—", zh),
                comment_en=re.sub(r"\{[a-z_]+\}", "—", en),
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("application_events", schema=None) as batch_op:
        batch_op.drop_column("comment_en")
        batch_op.drop_column("reason_code")
    with op.batch_alter_table("registration_bars", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registration_bars_id_number"))
    op.drop_table("registration_bars")
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_registrations_department_id_departments"), type_="foreignkey"
        )
        batch_op.drop_column("department_id")
        batch_op.drop_column("ground_arose_on")
        batch_op.drop_column("cancellation_ground")
