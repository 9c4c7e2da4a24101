"""The paper documents a physician brings to the commission, per business and per application.

The list rests on the Registration Measures (《医师执业注册管理办法》, 国家卫生计生委令第13号,
2017) and the Physicians Law (《中华人民共和国医师法》, 2021). Art. 12 of the Measures names the
form, the photo and the proof of employment, and leaves "other materials" to the provinces
(art. 12(4)); the qualification certificate, the identity document and the health certificate
are what every province asks under that clause (the national list of 1999, 《医师执业注册暂行
办法》 art. 7, named them outright). Each item carries its basis in both languages, so the
pages, the notices and the printed form cite the same article.

``required`` is pure: it decides the list from an application's facts (``Facts``), including
the items that depend on them — the training proof of a late first registration, the proof of a
cancellation ground, the documents of a new institution or category. ``facts_of`` reads those
facts from the database.
"""

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from registry.application_types import (
    ApplicationState,
    ApplicationType,
    DocumentCheck,
    DocumentStatus,
)
from registry.errors import DomainError, Localized
from registry.models import Application, Qualification, Registration, utcnow
from registry.reference import CHINA_TIME

T = ApplicationType
ZhEn = tuple[str, str]

MEASURES = ("《医师执业注册管理办法》（2017）", "Registration Measures (2017)")
LAW = ("《医师法》（2021）", "Physicians Law (2021)")

# A first registration this long after the qualification, or a return after this long without
# practising, needs proof of training and a passed assessment (Measures art. 12, para. 2;
# Physicians Law art. 19).
TRAINING_AFTER_YEARS = 2
HEALTH_CERTIFICATE_MONTHS = 6


class DocumentKind(StrEnum):
    application_form = "application_form"
    photo = "photo"
    qualification_certificate = "qualification_certificate"
    health_certificate = "health_certificate"
    identity_document = "identity_document"
    employment_proof = "employment_proof"
    training_proof = "training_proof"
    practice_certificate = "practice_certificate"
    military_practice_certificate = "military_practice_certificate"
    military_release = "military_release"
    military_acceptance = "military_acceptance"
    filing_agreement = "filing_agreement"
    cancellation_evidence = "cancellation_evidence"
    institution_report = "institution_report"


def _cite(source: ZhEn, article_zh: str, article_en: str) -> ZhEn:
    return f"{source[0]}{article_zh}", f"{source[1]}, {article_en}"


@dataclass(frozen=True)
class Document:
    """One paper document: what it is, what exactly to bring, and the rule that asks for it."""

    kind: DocumentKind
    name: ZhEn
    detail: ZhEn
    basis: ZhEn
    reason: ZhEn | None = None  # why this application needs it, for the conditional ones

    def text(self, lang: str) -> dict[str, str | None]:
        """The document in one language: name, detail, basis, reason."""
        i = lang == "en"
        return {
            "kind": self.kind.value,
            "name": self.name[i],
            "detail": self.detail[i],
            "basis": self.basis[i],
            "reason": self.reason[i] if self.reason else None,
        }


K = DocumentKind
CATALOG: dict[DocumentKind, Document] = {
    K.application_form: Document(
        K.application_form,
        ("医师执业注册申请审核表", "Application and review form"),
        ("本系统打印的申请审核表，经医疗机构确认，本人签字", "The form printed here, confirmed "
         "by the institution and signed by you"),
        _cite(MEASURES, "第十二条第（一）项", "art. 12(1)"),
    ),
    K.photo: Document(
        K.photo,
        ("近期免冠照片", "Recent photos"),
        ("近6个月内2寸白底免冠正面半身照片2张", "Two 2-inch bareheaded, front-facing half-length "
         "photos on white, taken in the last 6 months"),
        _cite(MEASURES, "第十二条第（二）项", "art. 12(2)"),
    ),
    K.qualification_certificate: Document(
        K.qualification_certificate,
        ("《医师资格证书》", "Qualification certificate"),
        ("原件及复印件（原件核验后退还）", "The original and a copy (the original is returned)"),
        _cite(MEASURES, "第十二条第（四）项；《医师法》第十三条", "art. 12(4); Physicians Law "
              "art. 13"),
    ),
    K.health_certificate: Document(
        K.health_certificate,
        ("健康体检证明", "Health certificate"),
        ("医疗机构出具的健康体检表，出具不超过6个月", "A medical examination report by a "
         "hospital, issued no more than 6 months ago"),
        _cite(MEASURES, "第十二条第（四）项、第六条第（四）项", "art. 12(4) and art. 6(4)"),
    ),
    K.identity_document: Document(
        K.identity_document,
        ("居民身份证", "Resident identity card"),
        ("原件及复印件（原件核验后退还）", "The original and a copy (the original is returned)"),
        _cite(MEASURES, "第十二条第（四）项", "art. 12(4)"),
    ),
    K.employment_proof: Document(
        K.employment_proof,
        ("聘用证明", "Proof of employment"),
        ("主要执业机构出具并盖章的聘用证明", "Issued and stamped by your primary institution"),
        _cite(MEASURES, "第十二条第（三）项", "art. 12(3)"),
    ),
    K.training_proof: Document(
        K.training_proof,
        ("培训考核合格证明", "Proof of training and a passed assessment"),
        ("在省级以上卫生健康行政部门指定机构接受培训并经考核合格的证明", "Training at a body "
         "designated by a provincial health commission, and a passed assessment"),
        _cite(MEASURES, "第十二条第二款；《医师法》第十九条", "art. 12 para. 2; Physicians Law "
              "art. 19"),
    ),
    K.practice_certificate: Document(
        K.practice_certificate,
        ("《医师执业证书》原件", "Original practice certificate"),
        ("现持有的《医师执业证书》原件", "The practice certificate you now hold"),
        _cite(MEASURES, "第二十条", "art. 20"),
    ),
    K.military_practice_certificate: Document(
        K.military_practice_certificate,
        ("军队医师执业证书", "Military practice certificate"),
        ("原件及复印件，编号与申请所填一致", "The original and a copy; its number as in the "
         "application"),
        _cite(LAW, "附则（军队医师按国务院、中央军事委员会的规定）；办法第十二条第（四）项",
              "closing provisions (military physicians under State Council and Central Military "
              "Commission rules); Measures art. 12(4)"),
    ),
    K.military_release: Document(
        K.military_release,
        ("军队转业、退役或调出证明", "Military release papers"),
        ("军队卫生部门或安置部门出具的转业、复员、退休移交或调出证明", "Demobilisation, "
         "retirement hand-over or transfer papers from the military health or resettlement "
         "office"),
        _cite(LAW, "附则；办法第十二条第（四）项", "closing provisions; Measures art. 12(4)"),
    ),
    K.military_acceptance: Document(
        K.military_acceptance,
        ("军队单位接收证明", "Military unit's acceptance"),
        ("调入军队单位出具的接收函或调令", "The receiving unit's acceptance letter or transfer "
         "order"),
        _cite(LAW, "附则；办法第二十条", "closing provisions; Measures art. 20"),
    ),
    K.filing_agreement: Document(
        K.filing_agreement,
        ("备案机构同意执业证明", "Further institution's consent"),
        ("拟备案机构出具并盖章的同意执业证明或协议", "The consent or agreement of the institution "
         "you file at, stamped by it"),
        _cite(MEASURES, "第十条", "art. 10"),
    ),
    K.cancellation_evidence: Document(
        K.cancellation_evidence,
        ("注销情形证明材料", "Evidence of the ground"),
        ("证明注销情形的材料", "Papers that show the ground for cancellation"),
        _cite(MEASURES, "第十八条；《医师法》第十七条", "art. 18; Physicians Law art. 17"),
    ),
    K.institution_report: Document(
        K.institution_report,
        ("医疗机构书面报告", "Institution's written report"),
        ("机构盖章的注销报告，自知道注销情形之日起30日内提交", "The institution's stamped report, "
         "within 30 days of learning of the ground"),
        _cite(MEASURES, "第十八条；《医师法》第十七条第二款", "art. 18; Physicians Law art. 17 "
              "para. 2"),
    ),
}  # fmt: skip

# What shows each cancellation ground (the ten of Measures art. 18); own request needs none.
GROUND_EVIDENCE: dict[int, ZhEn] = {
    1: ("死亡证明，或人民法院宣告失踪的判决书", "A death certificate, or the court's declaration "
        "of the physician as missing"),
    2: ("刑事判决书或裁定书", "The criminal judgement"),
    3: ("吊销《医师执业证书》的行政处罚决定书", "The penalty decision revoking the certificate"),
    4: ("定期考核不合格及培训后再次考核不合格的结果", "The failed assessment and the failed "
        "re-assessment after training"),
    5: ("考核机构出具的连续两个周期未参加定期考核的证明", "The assessment body's record of two "
        "missed cycles"),
    6: ("中止执业活动满两年的证明", "Proof that practice stopped two full years ago"),
    7: ("医疗机构出具的健康状况不适宜继续执业的证明", "A hospital's certificate that the "
        "physician's health no longer allows practice"),
    8: ("出借、出租、抵押、转让、涂改证书的查处材料", "The findings on the certificate lent, "
        "rented, pledged, transferred or altered"),
    9: ("医师资格考试有组织作弊的处理决定", "The decision on organised cheating in the "
        "qualification exam"),
}  # fmt: skip


@dataclass(frozen=True)
class Facts:
    """What the conditional items depend on, read from an application (``facts_of``)."""

    type: ApplicationType
    submitted_on: date
    filed_by_institution: bool = False
    # The qualification a registration rests on (its level and category): when it was issued.
    qualification_issued_on: date | None = None
    # Any registration of the physician before this application (a first registration or not).
    earlier_registrations: bool = False
    # With none of them active any more: the day the last one ended.
    last_practice_ended_on: date | None = None
    changes_institution: bool = False
    changes_category: bool = False
    cancellation_ground: int | None = None


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def training_reason(facts: Facts) -> ZhEn | None:
    """Why a registration needs the training proof, or None (Measures art. 12 para. 2)."""
    if facts.type != T.registration:
        return None
    issued = facts.qualification_issued_on
    if (
        not facts.earlier_registrations
        and issued is not None
        and facts.submitted_on > add_years(issued, TRAINING_AFTER_YEARS)
    ):
        return (
            f"首次注册距取得医师资格（{issued:%Y-%m-%d}）已超过{TRAINING_AFTER_YEARS}年",
            f"first registration more than {TRAINING_AFTER_YEARS} years after the "
            f"qualification ({issued:%Y-%m-%d})",
        )
    ended = facts.last_practice_ended_on
    if ended is not None and facts.submitted_on > add_years(ended, TRAINING_AFTER_YEARS):
        return (
            f"中止执业活动（{ended:%Y-%m-%d}起）已满{TRAINING_AFTER_YEARS}年",
            f"no practice for over {TRAINING_AFTER_YEARS} years (since {ended:%Y-%m-%d})",
        )
    return None


def health_certificate_earliest(on: date) -> date:
    """The earliest issue date a health certificate brought on ``on`` may have."""
    month = on.month - HEALTH_CERTIFICATE_MONTHS
    year, month = (on.year, month) if month > 0 else (on.year - 1, month + 12)
    for day in range(on.day, 0, -1):  # 31 August → 28 or 29 February
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _health(on: date) -> Document:
    earliest = health_certificate_earliest(on)
    zh, en = CATALOG[K.health_certificate].detail
    return replace(
        CATALOG[K.health_certificate],
        detail=(
            f"{zh}（{on:%Y-%m-%d}提交的，出具日期不早于{earliest:%Y-%m-%d}）",
            f"{en} (brought on {on:%Y-%m-%d}: issued on or after {earliest:%Y-%m-%d})",
        ),
    )


def _practice_certificate(detail: ZhEn, basis: ZhEn) -> Document:
    return replace(CATALOG[K.practice_certificate], detail=detail, basis=basis)


_FIRST_REGISTRATION = (K.photo, K.qualification_certificate, K.health_certificate,
                       K.identity_document, K.employment_proof)  # fmt: skip


def required(facts: Facts, on: date | None = None) -> list[Document]:
    """The documents this application needs, in the order the officer checks them.

    ``on``: the day they are brought (today if not given), which dates the health certificate.
    """
    on = on or facts.submitted_on
    kinds: list[DocumentKind | Document] = [K.application_form]
    if facts.type in (T.registration, T.assistant_upgrade, T.military_transfer_in):
        kinds += _FIRST_REGISTRATION
        if reason := training_reason(facts):
            kinds.append(replace(CATALOG[K.training_proof], reason=reason))
        if facts.type == T.assistant_upgrade:
            kinds.append(
                _practice_certificate(
                    ("原《医师执业证书》（执业助理医师）原件，交回", "Your assistant physician's "
                     "certificate, to be handed in"),
                    _cite(MEASURES, "第十五条", "art. 15"),
                )
            )  # fmt: skip
        if facts.type == T.military_transfer_in:
            kinds += [K.military_practice_certificate, K.military_release]
    elif facts.type == T.transfer_to_military:
        kinds += [
            K.identity_document,
            _practice_certificate(
                ("在地方注册的全部《医师执业证书》原件，办结后失效", "Every civilian practice "
                 "certificate you hold; all lose their validity on completion"),
                _cite(MEASURES, "第二十条", "art. 20"),
            ),
            K.military_acceptance,
        ]  # fmt: skip
    elif facts.type == T.change:
        kinds += [K.identity_document, K.practice_certificate]
        if facts.changes_institution:  # a new primary institution registers anew (art. 20)
            moved = ("变更主要执业机构", "a new primary institution")
            kinds += [
                replace(CATALOG[K.photo], reason=moved),
                replace(CATALOG[K.employment_proof], reason=moved,
                        detail=("新的主要执业机构出具并盖章的聘用证明", "Issued and stamped by "
                                "your new primary institution")),
            ]  # fmt: skip
        if facts.changes_category:
            kinds.append(
                replace(
                    CATALOG[K.qualification_certificate],
                    reason=("变更执业类别，须持有该类别的医师资格", "a new category needs a "
                            "qualification in it"),
                )
            )  # fmt: skip
    elif facts.type == T.cancellation:
        kinds += _cancellation(facts)
    elif facts.type == T.filing:
        kinds += [
            K.identity_document,
            _practice_certificate(
                ("《医师执业证书》原件，备案后加注", "Your practice certificate, to be annotated"),
                _cite(MEASURES, "第十条", "art. 10"),
            ),
            K.filing_agreement,
        ]  # fmt: skip
    else:  # filing_cancellation, legacy_multisite_cancellation
        kinds += [
            K.identity_document,
            _practice_certificate(
                ("《医师执业证书》原件，取消后加注", "Your practice certificate, to be annotated"),
                _cite(MEASURES, "第十条", "art. 10"),
            ),
        ]  # fmt: skip
    documents = [CATALOG[k] if isinstance(k, DocumentKind) else k for k in kinds]
    return [_health(on) if d.kind == K.health_certificate else d for d in documents]


def _cancellation(facts: Facts) -> list[DocumentKind | Document]:
    """Cancellation: the certificate to annul; who files and on which ground decide the rest."""
    found: list[DocumentKind | Document] = [
        _practice_certificate(
            ("《医师执业证书》原件，注销后废止；无法交回的（如死亡、遗失）书面说明",
             "The original certificate, annulled on cancellation; if it cannot be handed in "
             "(death, loss), a written statement"),
            _cite(LAW, "第十七条", "art. 17"),
        )
    ]  # fmt: skip
    if facts.filed_by_institution:
        found.append(K.institution_report)
    else:
        found.append(K.identity_document)
    evidence = GROUND_EVIDENCE.get(facts.cancellation_ground or 10)
    if evidence:
        found.append(replace(CATALOG[K.cancellation_evidence], detail=evidence))
    return found


# --- the facts of a stored application -------------------------------------------------------


async def facts_of(session: AsyncSession, application: Application) -> Facts:
    """Read what ``required`` decides on from the application and the registry."""
    details = application.details or {}
    fields = details.get("fields", {})
    subject = details.get("subject", {})
    type_ = ApplicationType(application.type)
    facts = Facts(
        type=type_,
        submitted_on=application.created_at.astimezone(CHINA_TIME).date(),
        filed_by_institution=application.account_id is None
        or application.filed_by != application.account_id,
        cancellation_ground=fields.get("ground"),
    )
    if type_ == T.registration:
        return await _registration_facts(session, application, facts, subject, fields)
    if type_ == T.change:
        return replace(
            facts,
            changes_institution=application.notify_institution_code is not None,
            changes_category=await _changes_category(session, application, fields),
        )
    return facts


async def _registration_facts(session, application, facts: Facts, subject, fields) -> Facts:
    id_number, name = subject.get("id_number"), subject.get("name")
    issued = await session.scalar(
        select(func.min(Qualification.issued_on)).where(
            Qualification.id_number == id_number,
            Qualification.name == name,
            Qualification.category == fields.get("category"),
            Qualification.level == application.details.get("level"),
        )
    )
    earlier = list(
        await session.execute(
            select(Registration.status, Registration.ended_on).where(
                Registration.id_number == id_number,
                or_(
                    Registration.source_application_no.is_(None),
                    Registration.source_application_no != application.application_no,
                ),
            )
        )
    )
    ended = None
    if earlier and all(row.status != "active" for row in earlier):
        ended = max((row.ended_on for row in earlier if row.ended_on), default=None)
    return replace(
        facts,
        qualification_issued_on=issued,
        earlier_registrations=bool(earlier),
        last_practice_ended_on=ended,
    )


async def _changes_category(session, application: Application, fields: dict) -> bool:
    """A change names a new category. Once completed the registration holds it already, so
    naming one is taken as changing it."""
    category = fields.get("category")
    if not category:
        return False
    if application.state == ApplicationState.completed:
        return True
    registration = await session.get(Registration, application.registration_id)
    return registration is None or registration.category != category


async def for_application(
    session: AsyncSession, application: Application, on: date | None = None
) -> list[Document]:
    """The documents a stored application needs, brought on ``on`` (default: today, China)."""
    facts = await facts_of(session, application)
    return required(facts, on or utcnow().astimezone(CHINA_TIME).date())


# --- the paper check at the counter ------------------------------------------------------------


def name_of(kind: str) -> ZhEn:
    """A document's name by its kind; an unknown kind (a newer one) by its code."""
    found = CATALOG.get(kind) if kind in DocumentKind.__members__ else None
    return found.name if found else (kind, kind)


def check_findings(needed: list[Document], items: list[DocumentCheck]) -> None:
    """The officer's findings cover each required document exactly once, nothing else, and say
    why a document is not acceptable; ``DomainError`` names what is wrong."""
    wanted = [d.kind.value for d in needed]
    seen = [item.kind for item in items]
    unknown = [kind for kind in seen if kind not in wanted]
    if unknown:
        raise DomainError("document_not_required", {"document": _names(unknown), "kinds": unknown})
    twice = [kind for kind in wanted if seen.count(kind) > 1]
    unchecked = [kind for kind in wanted if kind not in seen]
    if twice or unchecked:
        kinds = twice + unchecked
        raise DomainError(
            "document_checklist_incomplete", {"documents": _names(kinds), "kinds": kinds}
        )
    for item in items:
        if item.status == DocumentStatus.not_acceptable and not (item.note or "").strip():
            raise DomainError(
                "document_note_required", {"document": _names([item.kind]), "kinds": [item.kind]}
            )


def _names(kinds: list[str]) -> Localized:
    names = [name_of(kind) for kind in kinds]
    return Localized("、".join(n[0] for n in names), ", ".join(n[1] for n in names))


def findings_text(items: list[DocumentCheck], comment: str | None = None) -> ZhEn:
    """What is missing or not acceptable, in words, for the timeline, the notice and the form:
    "缺少：A、B；不符合要求：C（note）". Pure: the workflow calls it."""
    missing = [name_of(i.kind) for i in items if i.status == DocumentStatus.missing]
    refused = [
        (name_of(i.kind), (i.note or "").strip())
        for i in items
        if i.status == DocumentStatus.not_acceptable
    ]
    zh: list[str] = []
    en: list[str] = []
    if missing:
        zh.append("缺少：" + "、".join(n[0] for n in missing))
        en.append("missing: " + ", ".join(n[1] for n in missing))
    if refused:
        zh.append("不符合要求：" + "、".join(f"{n[0]}（{note}）" for n, note in refused))
        en.append("not acceptable: " + ", ".join(f"{n[1]} ({note})" for n, note in refused))
    if comment and comment.strip():
        zh.append(f"说明：{comment.strip()}")
        en.append(f"note: {comment.strip()}")
    return "；".join(zh) or "—", "; ".join(en) or "—"
