"""Database tables: the system of record for people, institutions and registrations.

SQL stays portable between SQLite (one machine) and PostgreSQL (production).
"""

from datetime import UTC, date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


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
    """A practice registration (执业注册): where and as what a physician may practise."""

    __tablename__ = "registrations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(16))
    location_code: Mapped[str] = mapped_column(String(6))
    institution_code: Mapped[str] = mapped_column(ForeignKey("institutions.code"))
    certificate_no: Mapped[str | None] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="active")
    registered_on: Mapped[date] = mapped_column(Date)


class DevMessage(Base):
    """What the dev SMS gateway and the local SMTP sink received: the dev 'phone and inbox'."""

    __tablename__ = "dev_messages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(8))  # sms | email
    recipient: Mapped[str] = mapped_column(String(254), index=True)
    subject: Mapped[str | None] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
