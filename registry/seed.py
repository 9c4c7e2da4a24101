"""The demo data set: divisions, commissions, institutions, logins and qualifications.

Idempotent: running it again changes nothing that is already there (an institution's
auto-activation setting, once changed by its staff, is kept).
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from registry.identifiers import id_check_character
from registry.models import Account, Commission, Division, Institution, Qualification, Registration
from registry.passwords import hash_password
from registry.reference import NATIONAL_CODE, PORTAL_DIVISIONS, province_of

DEMO_PASSWORD = "demo2026"

# (code, zh, en, level, parent)
LOCAL_DIVISIONS = [
    ("430100", "长沙市", "Changsha", "city", "430000"),
    ("430102", "芙蓉区", "Furong District", "county", "430100"),
    ("430500", "邵阳市", "Shaoyang", "city", "430000"),
    ("430581", "武冈市", "Wugang", "county", "430500"),
    ("330100", "杭州市", "Hangzhou", "city", "330000"),
    ("330102", "上城区", "Shangcheng District", "county", "330100"),
    ("330500", "湖州市", "Huzhou", "city", "330000"),
    ("330523", "安吉县", "Anji County", "county", "330500"),
]

# (code, name, division, address zh, address en): where physicians bring their documents.
COMMISSIONS = [
    ("430000", "湖南省卫生健康委员会", "430000", "湖南省长沙市开福区湘雅路30号 政务服务窗口",
     "Service counter, 30 Xiangya Road, Kaifu District, Changsha, Hunan"),
    ("430581", "武冈市卫生健康局", "430581", "湖南省武冈市政务服务中心 卫生健康窗口",
     "Health counter, Wugang Government Service Centre, Wugang, Hunan"),
    ("330000", "浙江省卫生健康委员会", "330000", "浙江省杭州市上城区庆春路216号 政务服务窗口",
     "Service counter, 216 Qingchun Road, Shangcheng District, Hangzhou, Zhejiang"),
    ("330523", "安吉县卫生健康局", "330523", "浙江省安吉县政务服务中心 卫生健康窗口",
     "Health counter, Anji Government Service Centre, Anji, Zhejiang"),
]  # fmt: skip

# (code, name, division, commission, auto_activate)
INSTITUTIONS = [
    ("H4301020001", "湖南省人民医院", "430102", "430000", False),
    ("H4305810001", "武冈市人民医院", "430581", "430581", True),
    ("H3301020001", "杭州市第一人民医院", "330102", "330000", False),
    ("H3305230001", "安吉县人民医院", "330523", "330523", False),
]

# (username, role, institution, commission)
STAFF = [
    ("staff_hunan", "institution_staff", "H4301020001", None),
    ("staff_wugang", "institution_staff", "H4305810001", None),
    ("staff_hangzhou", "institution_staff", "H3301020001", None),
    ("staff_anji", "institution_staff", "H3305230001", None),
    ("officer_hunan", "commission_officer", None, "430000"),
    ("officer_wugang", "commission_officer", None, "430581"),
    ("officer_zhejiang", "commission_officer", None, "330000"),
    ("officer_anji", "commission_officer", None, "330523"),
    ("operator", "operator", None, None),
]


def demo_id(first17: str) -> str:
    return first17 + id_check_character(first17)


@dataclass(frozen=True)
class DemoPhysician:
    name: str
    id_number: str
    certificate_no: str
    level: str
    category: str
    institution_code: str | None = None  # set: already holds a practice registration there


DEMO_PHYSICIANS = [
    DemoPhysician("张伟", demo_id("43058119900101123"), "200043000000001", "physician", "clinical"),
    DemoPhysician("王芳", demo_id("33010219920315246"), "200033000000002", "physician", "tcm"),
    DemoPhysician("陈静", demo_id("33052319950708352"), "200033000000003", "assistant", "clinical"),
    DemoPhysician(
        "买买提·艾力", demo_id("65010219880612471"), "200065000000004", "physician", "dental"
    ),
    DemoPhysician(
        "刘洋",
        demo_id("43010219850920581"),
        "200043000000005",
        "physician",
        "clinical",
        institution_code="H4301020001",
    ),
]


async def seed(session: AsyncSession) -> None:
    for code, (zh, en) in PORTAL_DIVISIONS.items():
        level, parent = ("national", None) if code == NATIONAL_CODE else ("province", NATIONAL_CODE)
        await _ensure(
            session, Division(code=code, name_zh=zh, name_en=en, level=level, parent_code=parent)
        )
    for code, zh, en, level, parent in LOCAL_DIVISIONS:
        await _ensure(
            session, Division(code=code, name_zh=zh, name_en=en, level=level, parent_code=parent)
        )
    for code, name, division, address_zh, address_en in COMMISSIONS:
        await _ensure(session, Commission(code=code, name=name, division_code=division))
        commission = await session.get(Commission, code)
        if commission.address_zh is None:  # a database seeded before addresses were kept
            commission.address_zh, commission.address_en = address_zh, address_en
    for code, name, division, commission, auto in INSTITUTIONS:
        await _ensure(
            session,
            Institution(
                code=code,
                name=name,
                division_code=division,
                province_code=province_of(division),
                commission_code=commission,
                auto_activate=auto,
            ),
        )
    await session.flush()
    password_hash = None
    for username, role, institution, commission in STAFF:
        if await session.scalar(select(Account.id).where(Account.username == username)):
            continue
        password_hash = password_hash or hash_password(DEMO_PASSWORD)
        session.add(
            Account(
                username=username,
                password_hash=password_hash,
                role=role,
                institution_code=institution,
                commission_code=commission,
                email=f"{username}@ereg.example",
            )
        )
    for p in DEMO_PHYSICIANS:
        if not await session.scalar(
            select(Qualification.id).where(Qualification.certificate_no == p.certificate_no)
        ):
            session.add(
                Qualification(
                    certificate_no=p.certificate_no,
                    name=p.name,
                    id_number=p.id_number,
                    level=p.level,
                    category=p.category,
                    issued_on=date(2020, 12, 1),
                )
            )
        if p.institution_code and not await session.scalar(
            select(Registration.id).where(Registration.id_number == p.id_number)
        ):
            session.add(
                Registration(
                    id_number=p.id_number,
                    name=p.name,
                    level=p.level,
                    category=p.category,
                    location_code=province_of("430102"),
                    institution_code=p.institution_code,
                    certificate_no="110430000000005",
                    registered_on=date(2021, 3, 1),
                )
            )


async def _ensure(session: AsyncSession, row: Division | Commission | Institution) -> None:
    if await session.get(type(row), row.code) is None:
        session.add(row)
