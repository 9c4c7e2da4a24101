"""Database tables: the system of record for people, institutions and registrations.

SQL stays portable between SQLite (one machine) and PostgreSQL (production).
"""

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    # Named constraints, so that migrations can alter them on SQLite and PostgreSQL alike.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class Division(Base):
    """A GB/T 2260 administrative division (or the nation, code 000000)."""

    __tablename__ = "divisions"
    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(16))  # national | province | city | county
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("divisions.code"))


class Commission(Base):
    """A health commission (卫生健康委) that licenses institutions in its division."""

    __tablename__ = "commissions"
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    division_code: Mapped[str] = mapped_column(ForeignKey("divisions.code"))


class Institution(Base):
    """A hospital or clinic; physicians practise there, its staff confirm their paperwork."""

    __tablename__ = "institutions"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), index=True)
    division_code: Mapped[str] = mapped_column(ForeignKey("divisions.code"), index=True)
    province_code: Mapped[str] = mapped_column(String(6), index=True)
    commission_code: Mapped[str] = mapped_column(ForeignKey("commissions.code"))
    auto_activate: Mapped[bool] = mapped_column(Boolean, default=False)


class Account(Base):
    """A login: a physician (with the identity used for matching) or a staff member."""

    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(32), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))
    name: Mapped[str | None] = mapped_column(String(64))
    id_number: Mapped[str | None] = mapped_column(String(18), unique=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    institution_code: Mapped[str | None] = mapped_column(
        ForeignKey("institutions.code"), index=True
    )
    commission_code: Mapped[str | None] = mapped_column(ForeignKey("commissions.code"))
    activation_state: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    activated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_accounts_activation", "activation_state", "institution_code"),)


class Qualification(Base):
    """A 医师资格 record from the national exam, imported in batches."""

    __tablename__ = "qualifications"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    certificate_no: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    level: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(16))
    issued_on: Mapped[date] = mapped_column(Date)


class Registration(Base):
    """A practice registration (执业注册): where and as what a physician may practise.

    ``location_code`` is the institution's province for a practising physician and its county
    for an assistant. ``source_application_no`` makes completing an application idempotent.
    """

    __tablename__ = "registrations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(16))
    scope: Mapped[str | None] = mapped_column(String(32))
    location_code: Mapped[str] = mapped_column(String(6))
    institution_code: Mapped[str] = mapped_column(ForeignKey("institutions.code"))
    certificate_no: Mapped[str | None] = mapped_column(String(32), unique=True)
    military_certificate_no: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="active")
    registered_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    source_application_no: Mapped[str | None] = mapped_column(String(20), unique=True)


class Filing(Base):
    """A further practice institution (多执业机构备案) beside a registration's primary one."""

    __tablename__ = "filings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id"), index=True)
    institution_code: Mapped[str] = mapped_column(ForeignKey("institutions.code"))
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="active")
    source_application_no: Mapped[str | None] = mapped_column(String(20), unique=True)


class LegacySite(Base):
    """A record of the former multi-site policy (多地点执业): listed and cancelled, never added."""

    __tablename__ = "legacy_sites"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[str] = mapped_column(String(64))
    institution_code: Mapped[str] = mapped_column(ForeignKey("institutions.code"))
    registered_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="active")
    __table_args__ = (UniqueConstraint("id_number", "institution_code"),)


class Application(Base):
    """A business application (业务申请). The workflow ``application-<no>`` drives it; this row
    mirrors its state for lists and inboxes.

    ``open_slot`` names what the application is about (a registration, a new location) while it
    is open and is NULL once it is closed: the unique (account, slot) constraint is what refuses
    a second open application on the same thing, even when two arrive at the same instant.
    """

    __tablename__ = "applications"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_no: Mapped[str | None] = mapped_column(String(20), unique=True)
    type: Mapped[str] = mapped_column(String(40))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    filed_by: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id"))
    institution_code: Mapped[str] = mapped_column(ForeignKey("institutions.code"), index=True)
    notify_institution_code: Mapped[str | None] = mapped_column(ForeignKey("institutions.code"))
    commission_code: Mapped[str] = mapped_column(ForeignKey("commissions.code"), index=True)
    province_code: Mapped[str] = mapped_column(String(6))
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(32), index=True)
    step_deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    certificate_no: Mapped[str | None] = mapped_column(String(32))
    open_slot: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    __table_args__ = (UniqueConstraint("account_id", "open_slot", name="uq_applications_open"),)


class ApplicationEvent(Base):
    """One line of an application's timeline: who did what, when, with which comment."""

    __tablename__ = "application_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_no: Mapped[str] = mapped_column(String(20), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    action: Mapped[str] = mapped_column(String(32))
    actor_role: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(32))
    comment: Mapped[str | None] = mapped_column(Text)
    workflow_event: Mapped[str] = mapped_column(String(64), unique=True)


class DevMessage(Base):
    """What the dev SMS gateway and the local SMTP sink received: the dev 'phone and inbox'."""

    __tablename__ = "dev_messages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(8))  # sms | email
    recipient: Mapped[str] = mapped_column(String(254), index=True)
    subject: Mapped[str | None] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
