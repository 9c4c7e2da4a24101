"""Personal information, departments and stored photos: the rules and their queries.

Personal information is the practice-registration copy (``physician_profiles``): a change is
checked here when submitted, kept in its review row, and written only when the institution
approves it. The qualification record is never touched. A department is chosen from the list
the institution keeps and is in force at once.
"""

import re
import unicodedata
from collections.abc import Callable

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from registry.errors import DomainError, Localized
from registry.institutions import institution_of, registration_for
from registry.models import Account, Department, PhysicianPhoto, PhysicianProfile, utcnow
from registry.photos import Photo
from registry.roles import Role

# GB/T 3304: the 56 ethnic groups, plus 其他未识别民族 and 外国血统中国籍人士.
ETHNICITIES = tuple(
    "汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 "
    "土家族 哈尼族 哈萨克族 傣族 黎族 傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 "
    "景颇族 柯尔克孜族 土族 达斡尔族 仫佬族 羌族 布朗族 撒拉族 毛南族 仡佬族 锡伯族 "
    "阿昌族 普米族 塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 "
    "塔塔尔族 独龙族 鄂伦春族 赫哲族 门巴族 珞巴族 基诺族 其他未识别民族 外国血统中国籍人士".split()
)
EDUCATIONS = ("博士研究生", "硕士研究生", "大学本科", "大学专科", "中等专科", "其他")
DEGREES = ("博士", "硕士", "学士", "无")
PROFESSIONAL_TITLES = ("主任医师", "副主任医师", "主治医师", "医师", "医士", "未评定")
ADDRESS_LENGTH = (5, 200)
DEPARTMENT_NAME_LENGTH = 64
MAX_DEPARTMENTS = 200

FIELD_NAMES: dict[str, tuple[str, str]] = {
    "ethnicity": ("民族", "Ethnicity"),
    "education": ("学历", "Education"),
    "degree": ("学位", "Degree"),
    "professional_title": ("职称", "Professional title"),
    "mailing_address": ("通讯地址", "Mailing address"),
    "postcode": ("邮政编码", "Postcode"),
}


class PersonalInfo(BaseModel):
    """The personal information a physician may change; every field optional."""

    model_config = ConfigDict(extra="forbid")

    ethnicity: str | None = Field(None, max_length=16, description="民族", examples=["汉族"])
    education: str | None = Field(None, max_length=16, description="学历", examples=["大学本科"])
    degree: str | None = Field(None, max_length=16, description="学位", examples=["学士"])
    professional_title: str | None = Field(
        None, max_length=16, description="职称", examples=["主治医师"]
    )
    mailing_address: str | None = Field(None, max_length=400, description="通讯地址")
    postcode: str | None = Field(None, max_length=12, description="邮政编码", examples=["410005"])


def _one_of(choices: tuple[str, ...]) -> Callable[[str], str | None]:
    return lambda value: value if value in choices else None


def _address(value: str) -> str | None:
    text = " ".join(value.split())
    low, high = ADDRESS_LENGTH
    printable = all(unicodedata.category(c)[0] != "C" for c in text)
    return text if low <= len(text) <= high and printable else None


def _postcode(value: str) -> str | None:
    return value if re.fullmatch(r"[0-9]{6}", value) else None


_RULES: dict[str, Callable[[str], str | None]] = {
    "ethnicity": _one_of(ETHNICITIES),
    "education": _one_of(EDUCATIONS),
    "degree": _one_of(DEGREES),
    "professional_title": _one_of(PROFESSIONAL_TITLES),
    "mailing_address": _address,
    "postcode": _postcode,
}


def normalize_changes(info: PersonalInfo) -> dict[str, str]:
    """The fields given, normalized; raises ``profile_field_invalid`` for the first bad one."""
    changes = {}
    for field, value in info.model_dump(exclude_none=True).items():
        normalized = _RULES[field](unicodedata.normalize("NFKC", value).strip())
        if normalized is None:
            raise DomainError("profile_field_invalid", {"field": Localized(*FIELD_NAMES[field])})
        changes[field] = normalized
    if not changes:
        raise DomainError("profile_change_empty")
    return changes


def require_active_physician(account: Account) -> None:
    if account.role != Role.PHYSICIAN:
        raise DomainError("not_physician")
    if account.activation_state != "active":
        raise DomainError("account_not_active")


# --- profile and department ------------------------------------------------------------------


async def profile_of(session: AsyncSession, account_id: int) -> PhysicianProfile | None:
    return await session.get(PhysicianProfile, account_id)


async def departments_of(
    session: AsyncSession, institution_code: str, active_only: bool = True
) -> list[Department]:
    query = select(Department).where(Department.institution_code == institution_code)
    if active_only:
        query = query.where(Department.active.is_(True))
    return list(await session.scalars(query.order_by(Department.position, Department.id)))


def normalize_department_names(names: list[str]) -> list[str]:
    cleaned = [" ".join(unicodedata.normalize("NFKC", n).split()) for n in names]
    valid = all(1 <= len(n) <= DEPARTMENT_NAME_LENGTH for n in cleaned)
    if not valid or len(set(cleaned)) != len(cleaned) or len(cleaned) > MAX_DEPARTMENTS:
        raise DomainError(
            "department_names_invalid",
            {"max_length": DEPARTMENT_NAME_LENGTH, "max_count": MAX_DEPARTMENTS},
        )
    return cleaned


async def set_departments(
    session: AsyncSession, institution_code: str, names: list[str]
) -> list[Department]:
    """Make the list exactly ``names``, in order. A name that disappears is deactivated, not
    deleted: physicians who chose it keep it, but nobody can choose it any more."""
    names = normalize_department_names(names)
    existing = {d.name: d for d in await departments_of(session, institution_code, False)}
    for position, name in enumerate(names):
        department = existing.get(name)
        if department is None:
            department = Department(institution_code=institution_code, name=name)
            session.add(department)
        department.position, department.active = position, True
    for name, department in existing.items():
        if name not in names:
            department.active = False
    await session.flush()
    return await departments_of(session, institution_code)


async def department_of(
    session: AsyncSession, account: Account, registration_id: int | None = None
) -> tuple[str | None, Department | None]:
    """(institution, department chosen there) for a registration of the physician (default:
    the most recent; before any registration, the sign-up institution and the profile's)."""
    registration = await registration_for(session, account, registration_id)
    if registration is not None:
        department_id = registration.department_id
        institution_code = registration.institution_code
    else:
        row = await profile_of(session, account.id)
        institution_code = await institution_of(session, account)
        department_id = row.department_id if row and institution_code else None
    department = await session.get(Department, department_id) if department_id else None
    return institution_code, department


async def choose_department(
    session: AsyncSession, account: Account, department_id: int, registration_id: int | None = None
) -> None:
    """In force at once; only an active department of the registration's primary institution
    (one department per registration: the physician practises in one at each)."""
    registration = await registration_for(session, account, registration_id)
    institution_code = await institution_of(session, account, registration_id)
    department = await session.get(Department, department_id)
    if (
        department is None
        or not department.active
        or department.institution_code != institution_code
        or institution_code is None
    ):
        raise DomainError("department_not_in_list")
    if registration is not None:
        registration.department_id = department.id
        return
    profile = await profile_of(session, account.id)
    if profile is None:
        profile = PhysicianProfile(account_id=account.id)
        session.add(profile)
    profile.department_id = department.id
    profile.updated_at = utcnow()


# --- photos ----------------------------------------------------------------------------------


async def store_photo(session: AsyncSession, account_id: int, photo: Photo) -> PhysicianPhoto:
    row = PhysicianPhoto(
        account_id=account_id,
        status="pending",
        media_type=photo.media_type,
        width=photo.width,
        height=photo.height,
        sha256=photo.sha256,
        data=photo.data,
    )
    session.add(row)
    await session.flush()
    return row


async def photo_of(session: AsyncSession, account_id: int, pending: bool) -> PhysicianPhoto | None:
    """The photo in force, or with ``pending`` the newest upload awaiting review."""
    status = "pending" if pending else "approved"
    return await session.scalar(
        select(PhysicianPhoto)
        .where(PhysicianPhoto.account_id == account_id, PhysicianPhoto.status == status)
        .order_by(PhysicianPhoto.id.desc())
        .limit(1)
    )
