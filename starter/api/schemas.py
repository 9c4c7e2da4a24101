"""Request and response bodies of the API."""

from datetime import date, datetime

from pydantic import BaseModel, Field

from registry.activation import ActivationState, Channel


class SignupRequest(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=256)
    name: str = Field(max_length=64, description="姓名，与资格/执业信息一致")
    id_number: str = Field(max_length=32, description="居民身份证号码")
    phone: str = Field(max_length=32)
    email: str = Field(max_length=254)
    institution_code: str | None = Field(None, max_length=32, description="主要执业机构代码")


class SignupResponse(BaseModel):
    account_id: int
    activation_state: ActivationState


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    role: str


class InstitutionOut(BaseModel):
    code: str
    name: str
    division_code: str
    province_code: str
    province_name: str
    commission_code: str
    auto_activate: bool


class NextStep(BaseModel):
    code: str
    message: str


class PendingCodeOut(BaseModel):
    purpose: str
    channel: Channel | None
    expires_at: datetime
    resend_after: datetime


class ActivationOut(BaseModel):
    state: ActivationState
    deadline: datetime | None = None
    verified_channel: Channel | None = None
    pending_codes: list[PendingCodeOut] = []
    attempts_left: int | None = None
    locked_until: datetime | None = None


class QualificationOut(BaseModel):
    certificate_no: str
    level: str
    category: str
    issued_on: date


class MeResponse(BaseModel):
    account_id: int
    username: str
    role: str
    name: str | None = None
    id_number: str | None = None
    phone: str | None = None
    email: str | None = None
    institution: InstitutionOut | None = None
    commission_code: str | None = None
    qualifications: list[QualificationOut] = []
    activation: ActivationOut | None = None
    next_step: NextStep | None = None


class VerificationSend(BaseModel):
    channel: Channel


class VerificationConfirm(BaseModel):
    channel: Channel
    code: str = Field(max_length=16)


class ActivationCodeEntry(BaseModel):
    code: str = Field(max_length=16)


class CodeSentOut(BaseModel):
    expires_at: datetime
    resend_after: datetime


class CodeAccepted(BaseModel):
    accepted: bool = True
    activation_state: ActivationState


class PendingActivation(BaseModel):
    account_id: int
    name: str
    id_number: str
    phone: str | None
    since: datetime
    activation_code_sent: bool = False


class InboxResponse(BaseModel):
    activations: list[PendingActivation]


class InstitutionSettingsIn(BaseModel):
    auto_activate: bool


class DevMessageOut(BaseModel):
    channel: str
    to: str
    subject: str | None
    body: str
    sent_at: datetime
