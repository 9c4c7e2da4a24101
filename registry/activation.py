"""Account activation: its states, its clock and the messages its workflow exchanges.

Every number of the activation rules lives here once; the workflow enforces them and the API
reports them. Messages carry account ids and code digests, never a name, an ID number, a phone,
an email or a plain code: they end up in workflow history.
"""

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel

QUALIFICATION_WAIT = timedelta(days=90)
QUALIFICATION_RECHECK = timedelta(days=1)
ACTIVATION_WINDOW = timedelta(days=30)
VERIFICATION_CODE_TTL = timedelta(minutes=5)
ACTIVATION_CODE_TTL = timedelta(days=7)
RESEND_INTERVAL = timedelta(seconds=60)
MAX_WRONG_CODES = 5
LOCKOUT = timedelta(minutes=30)


class ActivationState(StrEnum):
    awaiting_qualification = "awaiting_qualification"
    awaiting_verification = "awaiting_verification"
    awaiting_institution = "awaiting_institution"
    active = "active"
    expired = "expired"


STATE_NAMES: dict[ActivationState, tuple[str, str]] = {
    ActivationState.awaiting_qualification: (
        "等待资格数据",
        "Waiting for the qualification record",
    ),
    ActivationState.awaiting_verification: (
        "等待手机或邮箱验证",
        "Waiting for phone or email verification",
    ),
    ActivationState.awaiting_institution: (
        "等待医疗机构激活",
        "Waiting for the institution to activate",
    ),
    ActivationState.active: ("已激活", "Active"),
    ActivationState.expired: ("已过期", "Expired"),
}


class Channel(StrEnum):
    sms = "sms"
    email = "email"


class CodePurpose(StrEnum):
    verification = "verification"
    activation = "activation"


class Notice(StrEnum):
    """Events the physician is told about by SMS and email."""

    qualification_found = "qualification_found"
    activated = "activated"
    expired = "expired"


# --- workflow input and messages -------------------------------------------------------------


class ActivationStart(BaseModel):
    account_id: int
    institution_code: str | None = None


class QualificationMatch(BaseModel):
    """What matching the account's name and ID number found (no personal data)."""

    found: bool
    institution_code: str | None = None
    province_code: str | None = None
    auto_activate: bool = False


class StateChange(BaseModel):
    account_id: int
    state: ActivationState
    institution_code: str | None = None


class CodeDelivery(BaseModel):
    """Ask an activity to make a code, send it, and return only its digest."""

    account_id: int
    purpose: CodePurpose
    channels: list[Channel]


class NoticeDelivery(BaseModel):
    account_id: int
    notice: Notice


class VerificationRequest(BaseModel):
    channel: Channel


class ActivationCodeRequest(BaseModel):
    """Issued by institution staff; carries the staff member's institution for the validator."""

    institution_code: str


class CodeEntry(BaseModel):
    """A code the physician typed, as its digest (see ``registry.codes``)."""

    channel: Channel | None = None
    digest: str


class CodeSent(BaseModel):
    expires_at: datetime
    resend_after: datetime


class CodeCheck(BaseModel):
    accepted: bool
    attempts_left: int
    locked_until: datetime | None = None
    next_state: ActivationState | None = None  # where an accepted code takes the account


class PendingCodeStatus(BaseModel):
    purpose: CodePurpose
    channel: Channel | None
    expires_at: datetime
    resend_after: datetime


class ActivationStatus(BaseModel):
    """The live state of one activation, answered by the workflow's query."""

    state: ActivationState
    institution_code: str | None
    deadline: datetime | None
    verified_channel: Channel | None
    pending_codes: list[PendingCodeStatus]
    attempts_left: int
    locked_until: datetime | None
    auto_activate: bool


class ActivationOutcome(BaseModel):
    state: ActivationState


class InstitutionSettings(BaseModel):
    """Signalled to waiting activations when their institution changes its settings."""

    auto_activate: bool
