"""Request and response bodies of the API."""

from datetime import date, datetime

from pydantic import BaseModel, Field

from registry.activation import ActivationState, Channel
from registry.text import MultilineText, TextInput
from starter.api.profile_schemas import (
    DepartmentOut,
    PhotoStatusOut,
    ProfileOut,
    ReviewOut,
)


class SignupRequest(BaseModel):
    username: TextInput = Field(max_length=64)
    password: TextInput = Field(max_length=256)
    name: TextInput = Field(max_length=64, description="姓名，与资格/执业信息一致")
    id_number: TextInput = Field(max_length=32, description="居民身份证号码")
    phone: TextInput = Field(max_length=32)
    email: TextInput = Field(max_length=254)
    institution_code: TextInput | None = Field(None, max_length=32, description="主要执业机构代码")


class SignupResponse(BaseModel):
    account_id: int
    activation_state: ActivationState


class TokenResponse(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="seconds the access token is valid")
    role: str


class RefreshRequest(BaseModel):
    refresh_token: TextInput = Field(max_length=2048)


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
    registrations: list["RegistrationOut"] = []
    legacy_sites: list["LegacySiteOut"] = []
    profile: ProfileOut | None = None
    department: DepartmentOut | None = None
    photo: PhotoStatusOut | None = None
    pending_reviews: list[ReviewOut] = []


class VerificationSend(BaseModel):
    channel: Channel


class VerificationConfirm(BaseModel):
    channel: Channel
    code: TextInput = Field(max_length=16)


class ActivationCodeEntry(BaseModel):
    code: TextInput = Field(max_length=16)


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
    applications: list["ApplicationOut"] = []
    reviews: list[ReviewOut] = []


class InstitutionSettingsIn(BaseModel):
    auto_activate: bool


class DevMessageOut(BaseModel):
    channel: str
    to: str
    subject: str | None
    body: str
    sent_at: datetime


class ApplicationTypeOut(BaseModel):
    code: str
    name_zh: str
    name_en: str
    staff_may_file: bool
    officer_may_file: bool = Field(False, description="卫生健康委审批人员可依职权提交（注销）")
    fields: dict


class OfflineBusinessOut(BaseModel):
    code: str
    name_zh: str
    name_en: str
    where_zh: str
    where_en: str


class ApplicationTypesResponse(BaseModel):
    online: list[ApplicationTypeOut]
    offline_only: list[OfflineBusinessOut]
    cancellation_grounds: dict[int, tuple[str, str]]
    cancellation_grounds_by_filer: dict[str, list[int]] = Field(
        default_factory=dict,
        description="physician: 10; institution and commission (依职权): 1–9",
    )


class TimelineEntry(BaseModel):
    at: datetime
    action: str
    actor_role: str
    state: str
    comment: str | None = Field(description="理由（规则拒绝时为书面理由，按请求语言）")
    reason_code: str | None = Field(None, description="规则拒绝的错误代码（供程序使用）")


class ApplicationOut(BaseModel):
    application_no: str
    type: str
    type_name: str
    state: str
    state_name: str
    applicant: str | None = Field(None, description="姓名（非本人可见时已遮蔽）")
    registration_id: int | None
    institution_code: str
    commission_code: str
    fields: dict
    step_deadline: datetime | None
    overdue: bool
    certificate_no: str | None
    created_at: datetime
    filed_as: str | None = Field(
        None, description="physician | institution（医疗机构报告）| commission（依职权）"
    )
    reported_late: bool | None = Field(None, description="医疗机构在知道注销情形之日起30日后才报告")
    timeline: list[TimelineEntry] = []


class ApplicationCreated(BaseModel):
    application_no: str
    state: str


class DecisionIn(BaseModel):
    decision: TextInput = Field(pattern="^(approve|reject|return)$")
    comment: MultilineText | None = Field(None, max_length=1000)


class DocumentCheckIn(BaseModel):
    kind: TextInput = Field(
        max_length=40, description="a required document's kind (GET …/documents)"
    )
    status: TextInput = Field(pattern="^(present|missing|not_acceptable)$")
    note: MultilineText | None = Field(
        None, max_length=500, description="required when not_acceptable"
    )


class PaperCheckIn(BaseModel):
    items: list[DocumentCheckIn] | None = Field(
        None,
        max_length=40,
        description="每项所需材料的核验结果：齐全、缺少或不符合要求。全部齐全即受理（20个工作日起算），"
        "否则退回补正并列明所缺材料",
    )
    documents_complete: bool | None = Field(
        None,
        description="deprecated: a yes/no without items; false needs a comment and returns the "
        "application with it",
    )
    comment: MultilineText | None = Field(None, max_length=1000)


class ResubmitIn(BaseModel):
    comment: MultilineText | None = Field(None, max_length=1000)


class DecisionOut(BaseModel):
    application_no: str
    state: str
    certificate_no: str | None = None
    step_deadline: datetime | None = None


class FilingOut(BaseModel):
    id: int
    institution_code: str
    start_on: date
    end_on: date | None
    status: str


class RegistrationOut(BaseModel):
    id: int
    level: str
    category: str
    scope: str | None
    location_code: str
    institution_code: str
    certificate_no: str | None
    status: str
    registered_on: date
    ended_on: date | None = None
    military_certificate_no: str | None = Field(None, description="军队医师执业证书编号")
    cancellation_ground: int | None = Field(None, description="注销情形 1–10")
    ground_arose_on: date | None = Field(None, description="注销情形发生之日")
    department_id: int | None = Field(None, description="在该注册的主要执业机构所选科室")
    filings: list[FilingOut] = []


class LegacySiteOut(BaseModel):
    id: int
    institution_code: str
    registered_on: date
    status: str


InboxResponse.model_rebuild()
MeResponse.model_rebuild()
