"""The nine online business applications, their states, clock and messages.

Every number of the application rules lives here once. Messages carry application numbers,
codes and account ids, never a name, ID number, phone or email: they end up in workflow history.
"""

from datetime import date, datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, Field

from registry.text import MultilineText, TextInput

INSTITUTION_WINDOW = timedelta(days=30)
DOCUMENTS_WINDOW = timedelta(days=60)
RESUBMIT_WINDOW = timedelta(days=60)
REMIND_BEFORE = timedelta(days=7)
REVIEW_WORKING_DAYS = 20
REVIEW_REMIND_WORKING_DAYS = 3
OVERDUE_REMINDER_EVERY = timedelta(days=7)
# An institution reports a ground for cancellation within 30 days of learning of it (Physicians
# Law 2021 art. 17; Registration Measures 2017 art. 18); a report later than that is flagged.
REPORT_WITHIN = timedelta(days=30)


class ApplicationType(StrEnum):
    registration = "registration"
    assistant_upgrade = "assistant_upgrade"
    military_transfer_in = "military_transfer_in"
    transfer_to_military = "transfer_to_military"
    change = "change"
    cancellation = "cancellation"
    filing = "filing"
    filing_cancellation = "filing_cancellation"
    legacy_multisite_cancellation = "legacy_multisite_cancellation"


TYPE_NAMES: dict[ApplicationType, tuple[str, str]] = {
    ApplicationType.registration: ("注册", "Registration"),
    ApplicationType.assistant_upgrade: ("助理医师升执业医师", "Assistant to practising physician"),
    ApplicationType.military_transfer_in: ("军队变更入", "Transfer in from the military"),
    ApplicationType.transfer_to_military: ("变更到军队", "Transfer to the military"),
    ApplicationType.change: ("变更", "Change"),
    ApplicationType.cancellation: ("注销", "Cancellation"),
    ApplicationType.filing: ("多执业机构备案", "Filing at a further institution"),
    ApplicationType.filing_cancellation: ("多执业机构取消备案", "Cancel a filing"),
    ApplicationType.legacy_multisite_cancellation: (
        "申请取消“多地点执业”",
        "Cancel a legacy multi-site record",
    ),
}

# Done only in person at the commission (or the body it names), never online.
OFFLINE_ONLY: dict[str, tuple[str, str]] = {
    "legacy_qualification_backfill": ("补录老人资格", "Back-filling old qualifications"),
    "hmt_qualification_recognition": (
        "港澳台医师内地资格认定",
        "Mainland qualification of Hong Kong, Macau and Taiwan physicians",
    ),
    "hmt_short_term_practice": (
        "港澳台医师内地短期行医",
        "Short-term practice of Hong Kong, Macau and Taiwan physicians",
    ),
    "foreign_short_term_practice": (
        "外国医师内地短期行医",
        "Short-term practice of foreign physicians",
    ),
}
OFFLINE_WHERE = (
    "请到卫生健康行政部门或其指定机构现场办理。",
    "Apply in person at the health commission or the body it designates.",
)

CANCELLATION_GROUNDS: dict[int, tuple[str, str]] = {
    1: ("死亡或者被宣告失踪", "death or declared missing"),
    2: ("受刑事处罚", "criminal punishment"),
    3: ("受吊销《医师执业证书》行政处罚", "licence revoked as an administrative penalty"),
    4: (
        "定期考核不合格，并经培训后再次考核仍不合格",
        "failed periodic assessment, failed again after training",
    ),
    5: ("连续两个考核周期未参加定期考核", "missed two assessment cycles"),
    6: ("中止医师执业活动满两年", "stopped practising for two years"),
    7: ("身体健康状况不适宜继续执业", "health unfit to practise"),
    8: (
        "出借、出租、抵押、转让、涂改《医师执业证书》",
        "lent, rented, pledged, transferred or altered the certificate",
    ),
    9: ("在医师资格考试中参与有组织作弊", "organised cheating in the qualification exam"),
    10: ("本人主动申请", "own request"),
}


class FiledAs(StrEnum):
    """On whose authority an application is filed: the physician's, the institution's (its duty
    to report grounds for cancellation) or the commission's own (依职权注销)."""

    physician = "physician"
    institution = "institution"
    commission = "commission"


FILED_AS_NAMES: dict[FiledAs, tuple[str, str]] = {
    FiledAs.physician: ("本人申请", "filed by the physician"),
    FiledAs.institution: ("医疗机构报告", "reported by the institution"),
    FiledAs.commission: ("卫生健康主管部门依职权注销", "cancelled by the commission ex officio"),
}

# Who may file which ground: the physician only their own request (10); the institution and the
# commission the grounds 1–9 that the law makes them report or act on.
GROUNDS_BY_FILER: dict[FiledAs, frozenset[int]] = {
    FiledAs.physician: frozenset({10}),
    FiledAs.institution: frozenset(range(1, 10)),
    FiledAs.commission: frozenset(range(1, 10)),
}
# The ground (2) of a criminal punishment: its refusal period runs from the end of the sentence.
CRIMINAL_GROUND = 2


class ApplicationState(StrEnum):
    awaiting_institution = "awaiting_institution"
    returned = "returned"
    awaiting_documents = "awaiting_documents"
    under_review = "under_review"
    completed = "completed"
    rejected = "rejected"
    withdrawn = "withdrawn"
    expired = "expired"


TERMINAL = frozenset(
    {
        ApplicationState.completed,
        ApplicationState.rejected,
        ApplicationState.withdrawn,
        ApplicationState.expired,
    }
)

STATE_NAMES: dict[ApplicationState, tuple[str, str]] = {
    ApplicationState.awaiting_institution: ("待医疗机构确认", "Awaiting the institution"),
    ApplicationState.returned: ("已退回补正", "Returned for correction"),
    ApplicationState.awaiting_documents: (
        "待现场提交纸质材料",
        "Awaiting the paper documents in person",
    ),
    ApplicationState.under_review: ("卫生健康委审核中", "Under review by the commission"),
    ApplicationState.completed: ("已办结", "Completed"),
    ApplicationState.rejected: ("未通过", "Rejected"),
    ApplicationState.withdrawn: ("已撤回", "Withdrawn"),
    ApplicationState.expired: ("已过期", "Expired"),
}


class Decision(StrEnum):
    approve = "approve"
    reject = "reject"
    return_ = "return"


# --- fields each type takes ------------------------------------------------------------------


class RegistrationFields(BaseModel):
    institution_code: TextInput = Field(max_length=32, description="主要执业机构")
    category: TextInput = Field(max_length=16, description="执业类别")
    scope: TextInput = Field(max_length=32, description="执业范围")


class AssistantUpgradeFields(BaseModel):
    registration_id: int = Field(description="助理医师注册")


class MilitaryTransferInFields(RegistrationFields):
    military_certificate_no: TextInput = Field(max_length=32, description="军队医师执业证书编号")
    level: TextInput = Field("physician", max_length=16, description="physician | assistant")


class TransferToMilitaryFields(BaseModel):
    registration_id: int = Field(description="主要注册；完成后全部注册失效")
    military_unit: TextInput = Field(max_length=64, description="调入的军队单位")


class ChangeFields(BaseModel):
    registration_id: int
    institution_code: TextInput | None = Field(None, max_length=32, description="新的主要执业机构")
    category: TextInput | None = Field(None, max_length=16)
    scope: TextInput | None = Field(None, max_length=32)


class CancellationFields(BaseModel):
    registration_id: int
    ground: int = Field(description="注销情形 1–10：本人申请只能为10，医疗机构与卫生健康委为1–9")
    ground_arose_on: date | None = Field(
        None, description="情形发生（知道或者应当知道）之日；情形1–9必填"
    )
    sentence_ends_on: date | None = Field(
        None, description="刑罚执行完毕之日（情形2必填，可为将来日期）"
    )
    practice_ban_ends_on: date | None = Field(
        None, description="被依法禁止从事医师职业的期限届满之日（情形2，如有）"
    )
    comment: MultilineText | None = Field(None, max_length=500)


class FilingFields(BaseModel):
    registration_id: int
    institution_code: TextInput = Field(max_length=32, description="备案机构")
    start_on: date
    end_on: date | None = None


class FilingCancellationFields(BaseModel):
    filing_id: int


class LegacyCancellationFields(BaseModel):
    legacy_site_id: int


FIELDS: dict[ApplicationType, type[BaseModel]] = {
    ApplicationType.registration: RegistrationFields,
    ApplicationType.assistant_upgrade: AssistantUpgradeFields,
    ApplicationType.military_transfer_in: MilitaryTransferInFields,
    ApplicationType.transfer_to_military: TransferToMilitaryFields,
    ApplicationType.change: ChangeFields,
    ApplicationType.cancellation: CancellationFields,
    ApplicationType.filing: FilingFields,
    ApplicationType.filing_cancellation: FilingCancellationFields,
    ApplicationType.legacy_multisite_cancellation: LegacyCancellationFields,
}


# --- workflow input and messages -------------------------------------------------------------


class Actor(BaseModel):
    """Who acts: an account and the institution or commission it speaks for."""

    account_id: int
    role: str
    institution_code: str | None = None
    commission_code: str | None = None


class ApplicationStart(BaseModel):
    application_no: str
    type: ApplicationType
    filed_by: Actor
    account_id: int | None
    institution_code: str
    notify_institution_code: str | None = None
    commission_code: str
    province_code: str


class InstitutionDecision(BaseModel):
    actor: Actor
    decision: Decision
    comment: str | None = None


class DocumentStatus(StrEnum):
    """What the officer finds of one required paper document at the counter."""

    present = "present"
    missing = "missing"
    not_acceptable = "not_acceptable"  # brought, but not as required (a note says why)


class DocumentCheck(BaseModel):
    """One required document (``registry.documents.DocumentKind``) as the officer found it."""

    kind: str = Field(max_length=40)
    status: DocumentStatus
    note: str | None = Field(None, max_length=500)


class PaperCheck(BaseModel):
    """The paper check at the counter: each required document present, missing or not
    acceptable (``items``). The older shape, a yes/no in ``documents_complete`` with a
    comment, is still taken from callers that send it."""

    actor: Actor
    documents_complete: bool | None = None
    comment: str | None = None
    items: list[DocumentCheck] = Field(default_factory=list, max_length=40)

    @property
    def complete(self) -> bool:
        if self.items:
            return all(item.status == DocumentStatus.present for item in self.items)
        return bool(self.documents_complete)


class CommissionDecision(BaseModel):
    actor: Actor
    decision: Decision
    comment: str | None = None


class Withdrawal(BaseModel):
    actor: Actor


class Resubmission(BaseModel):
    actor: Actor
    comment: str | None = None


class Transition(BaseModel):
    """One recorded step: the new state and the timeline line that explains it."""

    application_no: str
    sequence: int
    state: ApplicationState
    action: str
    actor_role: str
    actor_id: int | None = None
    comment: str | None = None
    at: datetime
    step_deadline: datetime | None = None
    overdue: bool = False
    # A refusal by a rule: its code (for machines) beside the words in ``comment`` (Chinese)
    # and ``comment_en``.
    reason_code: str | None = None
    comment_en: str | None = None
    # A paper check: each required document as the officer found it.
    documents: list[DocumentCheck] | None = None


class NoticeEvent(StrEnum):
    """What a notice about an application tells (``registry.notices`` has the words)."""

    submitted = "submitted"
    filed_by_institution = "filed_by_institution"  # its own report: no confirmation step
    filed_collectively = "filed_collectively"  # a row of a collective registration (集体办理)
    ex_officio = "ex_officio"  # the commission opened a cancellation on its own authority
    institution_approved = "institution_approved"
    institution_rejected = "institution_rejected"
    returned = "returned"
    resubmitted = "resubmitted"
    documents_incomplete = "documents_incomplete"  # older workflows: a note, no return
    documents_returned = "documents_returned"  # returned (补正), the missing items listed
    documents_resubmitted = "documents_resubmitted"  # back to the counter with the rest
    documents_accepted = "documents_accepted"
    completed = "completed"
    rejected = "rejected"
    withdrawn = "withdrawn"
    expired = "expired"
    reminder = "reminder"
    overdue = "overdue"


class Audience(StrEnum):
    """Who a notice goes to; the activity looks the people up when it sends."""

    physician = "physician"  # the physician the application (or review) is about
    institution = "institution"  # staff of the deciding institution
    old_institution = "old_institution"  # staff of the institution a change moves away from
    commission = "commission"  # officers of the deciding commission


class Notice(BaseModel):
    """Tell the people concerned about a step (recipients are looked up by the activity).

    ``params`` may carry ``comment_zh`` and ``comment_en``: written reasons in each language,
    used instead of ``comment`` in that language's line."""

    application_no: str
    event: NoticeEvent
    audiences: list[Audience]
    params: dict[str, str] = {}


class Completion(BaseModel):
    """The registry changed (or, if the world changed meanwhile, why it could not).

    A refusal comes as the rule's code and its written reasons in Chinese and English (Physicians
    Law 2021 art. 16: reasons in writing to the applicant and the institution).
    ``stale_reviews``: open profile reviews addressed to an institution that, after this
    completion, is no longer the physician's; the workflow ends them."""

    completed: bool
    certificate_no: str | None = None
    refusal_code: str | None = None
    refusal_zh: str | None = None
    refusal_en: str | None = None
    stale_reviews: list[int] = []


class ApplicationOutcome(BaseModel):
    state: ApplicationState
    certificate_no: str | None = None


class DecisionResult(BaseModel):
    state: ApplicationState
    certificate_no: str | None = None
    step_deadline: datetime | None = None
