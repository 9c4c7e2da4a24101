"""Database tables: the system of record for people, institutions and registrations.

SQL stays portable between SQLite (one machine) and PostgreSQL (production).
"""

from datetime import UTC, date, datetime
from functools import cache

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.orm.attributes import set_committed_value


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
    # Where physicians bring their paper documents (notices and pages name it).
    address_zh: Mapped[str | None] = mapped_column(String(200))
    address_en: Mapped[str | None] = mapped_column(String(200))


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
    # Raised when every session must end (a new password, a stolen refresh token): tokens carry
    # the number they were issued under, and one issued under an older number no longer works.
    token_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    __table_args__ = (
        Index("ix_accounts_activation", "activation_state", "institution_code"),
        # the institution's inbox (registry.inbox): activations waiting, oldest first
        Index("ix_accounts_inbox", "institution_code", "activation_state", "created_at"),
    )


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
    A cancelled registration keeps its ground (1–10) and the date the ground arose (unknown for
    some cancelled before these were recorded). ``department_id`` is the department the
    physician chose at this registration's primary institution.
    """

    __tablename__ = "registrations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
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
    cancellation_ground: Mapped[int | None] = mapped_column(Integer)
    ground_arose_on: Mapped[date | None] = mapped_column(Date)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))


class RegistrationBar(Base):
    """A ground on which registration is refused (不予注册, Physicians Law 2021 art. 16) for a
    person, from ``starts_on`` until ``ends_on`` (the day the period has run; NULL: until an
    officer lifts it, as for a lack of civil capacity).

    Made by the completion of a cancellation whose ground starts a period
    (``source_application_no``), or recorded by a commission officer (``recorded_by``).
    """

    __tablename__ = "registration_bars"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    ground: Mapped[str] = mapped_column(String(32))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    source_application_no: Mapped[str | None] = mapped_column(String(20), unique=True)
    commission_code: Mapped[str | None] = mapped_column(ForeignKey("commissions.code"))
    recorded_by: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    lifted_on: Mapped[date | None] = mapped_column(Date)
    lifted_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Certificate(Base):
    """An electronic practice certificate (电子证照) as issued: the registration's facts at the
    time, signed (``registry.certificates``). One row per registration and version of its facts
    and signing key, so downloading again returns the same certificate, and a certificate whose
    facts no longer match its registration is known as superseded."""

    __tablename__ = "certificates"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id"), index=True)
    certificate_no: Mapped[str] = mapped_column(String(32), index=True)
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the facts, issue date aside
    key_id: Mapped[str] = mapped_column(String(32))
    token: Mapped[str] = mapped_column(Text)  # the signed facts (compact JWS), as in the QR code
    check_code: Mapped[str] = mapped_column(String(16), unique=True)  # printed; from the signature
    issued_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    __table_args__ = (UniqueConstraint("registration_id", "digest", "key_id"),)


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

    ``open_slot`` names what the application is about (a registration, or a physician's new
    location) while it is open and is NULL once it is closed: its unique constraint is what
    refuses a second open application on the same thing, even when two arrive at once.
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
    # The workflow's claim, mirrored for the inboxes (registry.claims); lapsed once past until.
    claimed_by: Mapped[int | None] = mapped_column(Integer)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    claim_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    __table_args__ = (
        UniqueConstraint("open_slot", name="uq_applications_open"),
        # the institution's inbox (registry.inbox): applications to confirm by deadline
        Index("ix_applications_inbox", "institution_code", "state", "step_deadline"),
    )


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
    # A refusal by a rule at completion: the rule's code; ``comment`` holds its words in
    # Chinese and ``comment_en`` in English.
    reason_code: Mapped[str | None] = mapped_column(String(64))
    comment_en: Mapped[str | None] = mapped_column(Text)
    # A paper check: [{"kind", "status", "note"}] per required document (0012).
    documents: Mapped[list | None] = mapped_column(JSON)


class DevMessage(Base):
    """What the dev SMS gateway and the local SMTP sink received: the dev 'phone and inbox'."""

    __tablename__ = "dev_messages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(8))  # sms | email
    recipient: Mapped[str] = mapped_column(String(254), index=True)
    subject: Mapped[str | None] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The email's Message-ID: a resent copy of the same message is stored once per recipient.
    message_id: Mapped[str | None] = mapped_column(String(255), index=True)


class DevSend(Base):
    """Every SMS the dev gateway sent and every email the dev SMTP sink accepted, before any
    de-duplication: the same message twice here would be two on a phone, or in a mailbox that
    does not drop a copy by its Message-ID. ``message_key``: the email's Message-ID, or the
    SMS's sending activity and recipient (hashed); none for a message sent outside an activity.
    """

    __tablename__ = "dev_sends"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(8))  # sms | email
    recipient: Mapped[str] = mapped_column(String(254))
    message_key: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Delivery(Base):
    """One message sent by an activity: a retried activity skips what it sent already.

    The key is the activity's identity, the channel and a keyed SHA-256 of the recipient, so the
    log holds no phone or email (``activities.messaging.Deliverer``).
    """

    __tablename__ = "deliveries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workflow_id: Mapped[str] = mapped_column(String(255))
    run_id: Mapped[str] = mapped_column(String(64))
    activity_id: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(8))  # sms | email
    recipient_hash: Mapped[str] = mapped_column(String(64))
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    __table_args__ = (
        UniqueConstraint(
            "workflow_id",
            "run_id",
            "activity_id",
            "channel",
            "recipient_hash",
            name="uq_deliveries_key",
        ),
    )


class AuditEvent(Base):
    """Append-only: who did what to which record, and when (the database refuses changes)."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    action: Mapped[str] = mapped_column(String(48))
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_role: Mapped[str] = mapped_column(String(32))
    physician_id: Mapped[int | None] = mapped_column(Integer, index=True)
    institution_code: Mapped[str | None] = mapped_column(String(32), index=True)
    application_no: Mapped[str | None] = mapped_column(String(20), index=True)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    dedupe_key: Mapped[str | None] = mapped_column(String(96), unique=True)


class RefreshToken(Base):
    """A refresh token's id; rotated on every use, all revoked if a used one comes back."""

    __tablename__ = "refresh_tokens"
    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used: Mapped[bool] = mapped_column(Boolean, default=False)


class RateCounter(Base):
    """Attempts per key in a fixed window, shared by every API process."""

    __tablename__ = "rate_counters"
    key: Mapped[str] = mapped_column(String(96), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    count: Mapped[int] = mapped_column(Integer, default=0)


class WebSession(Base):
    """A sign-in to the portal. The browser holds a random token; the table only its SHA-256.

    ``token_version`` is the account's at sign-in: a new password raises the account's, and
    every session signed in before it ends. The CSRF secret is per session.
    """

    __tablename__ = "web_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    token_version: Mapped[int] = mapped_column(Integer)
    csrf_secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


# --- profile: security codes, personal information, photo, department ------------------------


class ContactCode(Base):
    """A pending one-time code for a new phone or email, or a password reset.

    One row per (account, purpose): a resend replaces the digest and the nonce but keeps the
    wrong-attempt count, so asking again never buys more tries. Only the digest is stored; the
    nonce names the delivery from which the sender derives the code (``registry.security``).
    """

    __tablename__ = "contact_codes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    purpose: Mapped[str] = mapped_column(String(32))  # phone_change | email_change | ...
    channel: Mapped[str] = mapped_column(String(8))  # sms | email
    target: Mapped[str | None] = mapped_column(String(254))  # the new phone or email
    digest: Mapped[str] = mapped_column(String(64))
    nonce: Mapped[str] = mapped_column(String(32))
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    __table_args__ = (UniqueConstraint("account_id", "purpose"),)


class SecurityEvent(Base):
    """A change of password, phone or email, kept to tell the old contact about it."""

    __tablename__ = "security_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    event: Mapped[str] = mapped_column(String(32))
    previous: Mapped[str | None] = mapped_column(String(254))  # the replaced phone or email
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Department(Base):
    """A department (科室) an institution's staff keep; removed ones are only deactivated."""

    __tablename__ = "departments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    institution_code: Mapped[str] = mapped_column(ForeignKey("institutions.code"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    __table_args__ = (UniqueConstraint("institution_code", "name"),)


class PhysicianProfile(Base):
    """The practice-registration copy of a physician's personal information (never the
    qualification record): changed only by an approved review, except the department."""

    __tablename__ = "physician_profiles"
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    ethnicity: Mapped[str | None] = mapped_column(String(16))
    education: Mapped[str | None] = mapped_column(String(16))
    degree: Mapped[str | None] = mapped_column(String(16))
    professional_title: Mapped[str | None] = mapped_column(String(16))
    mailing_address: Mapped[str | None] = mapped_column(String(200))
    postcode: Mapped[str | None] = mapped_column(String(6))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PhysicianPhoto(Base):
    """A photo, re-encoded without metadata. Per physician at most one ``approved`` and the
    newest upload; older uploads are deleted once a newer one is under review."""

    __tablename__ = "physician_photos"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))  # pending|approved|rejected|expired|withdrawn
    media_type: Mapped[str] = mapped_column(String(32))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ProfileReview(Base):
    """A personal-information change or a photo awaiting the institution. The workflow
    ``profile-review-<id>`` drives it; this row mirrors its state for inboxes.

    ``open_slot`` is the kind while the review is open and NULL once closed: the unique
    (account, slot) constraint refuses a second open review of the same kind.
    """

    __tablename__ = "profile_reviews"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # personal_info | photo
    institution_code: Mapped[str] = mapped_column(ForeignKey("institutions.code"), index=True)
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    photo_id: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(32), index=True)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    open_slot: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    __table_args__ = (
        UniqueConstraint("account_id", "open_slot", name="uq_profile_reviews_open"),
        # the institution's inbox (registry.inbox): reviews to decide by deadline
        Index("ix_profile_reviews_inbox", "institution_code", "state", "deadline"),
    )


# --- SQLite keeps no time zone ------------------------------------------------------------------
# Every moment is stored in UTC; SQLite hands it back without its zone. Loaded rows get it back,
# so that the API's timestamps are the same RFC 3339 date-times on SQLite as on PostgreSQL.


@cache
def _zoned_columns(cls: type) -> tuple[str, ...]:
    return tuple(
        attr.key
        for attr in inspect(cls).column_attrs
        if isinstance(attr.columns[0].type, DateTime) and attr.columns[0].type.timezone
    )


@event.listens_for(Base, "load", propagate=True)
def _utc_on_load(instance: Base, _context) -> None:
    for key in _zoned_columns(type(instance)):
        value = instance.__dict__.get(key)
        if value is not None and value.tzinfo is None:
            set_committed_value(instance, key, value.replace(tzinfo=UTC))


@event.listens_for(Base, "refresh", propagate=True)
def _utc_on_refresh(instance: Base, context, _attrs) -> None:
    _utc_on_load(instance, context)


# --- institutions at scale: collective registration (集体办理) --------------------------------


class Batch(Base):
    """A collective registration: one file an institution uploaded, one batch workflow.

    The id is a digest of the institution and the file's bytes, so the same file uploaded again
    is the same batch (and starts nothing twice); it names no person.
    """

    __tablename__ = "batches"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    institution_code: Mapped[str] = mapped_column(ForeignKey("institutions.code"), index=True)
    filed_by: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    rows: Mapped[int] = mapped_column(Integer)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class BatchRow(Base):
    """One physician of a batch as uploaded, and what became of them: ``pending`` until the
    batch workflow reaches the row, then ``started`` (with the application) or ``refused``
    (with the rule's code and its words)."""

    __tablename__ = "batch_rows"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.id"), index=True)
    row_no: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(64))
    id_number: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(32))
    scope: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    application_no: Mapped[str | None] = mapped_column(String(20))
    reason_code: Mapped[str | None] = mapped_column(String(64))
    reason_zh: Mapped[str | None] = mapped_column(Text)
    reason_en: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (UniqueConstraint("batch_id", "row_no"),)
