"""业务说明: what each business does, in words a physician understands (zh and en).

The guide's descriptions, read in plain language, for the portal's pages and
``GET /api/v1/reference/businesses``. The rules themselves live in ``registry/applications.py``;
these texts only explain them.
"""

from dataclasses import dataclass

from registry.application_types import OFFLINE_ONLY, OFFLINE_WHERE, TYPE_NAMES, ApplicationType

T = ApplicationType


@dataclass(frozen=True)
class Business:
    code: str
    name: tuple[str, str]
    summary: tuple[str, str]
    warning: tuple[str, str] | None = None
    online: bool = True


# How every online business goes, said once (the guide's 2.4).
PROCESS = (
    "业务须先在网上提交申请，经主要执业机构（备案为备案机构）确认后，本人携带纸质材料到批准该机构执业的"
    "卫生健康委现场办理；卫生健康委自受理之日起20个工作日内作出决定。",
    "Each business is filed online first and confirmed by your primary institution (for a filing, "
    "the institution you file at); then you bring the paper documents in person to the health "
    "commission that licensed that institution, which decides within 20 working days of "
    "accepting them.",
)

_ONLINE = {
    T.registration: (
        "取得医师资格后申请执业注册。执业医师的执业地点是执业机构所在的省，可在不同省份同时注册；"
        "执业助理医师的执业地点是执业机构所在的县（区），只能注册一个。每个执业地点有且只有一个主要执业机构。",
        "Register to practise once you hold a qualification. A practising physician's location is "
        "the province of the institution, and you may register in several provinces; an "
        "assistant physician's location is the county, and only one. Each location has exactly "
        "one primary institution.",
    ),
    T.assistant_upgrade: (
        "已取得执业医师资格的助理医师，在类别和主要执业机构不变的情况下，将助理医师注册升为执业医师注册；"
        "完成后原助理医师注册自动失效。",
        "An assistant physician who now holds the practising physician qualification turns the "
        "assistant registration into a physician registration, same category and same primary "
        "institution; the assistant registration then ends.",
    ),
    T.military_transfer_in: (
        "军队医师到本地医疗机构执业时办理，须持有相应级别和类别的医师资格及军队医师执业证书。",
        "For a military physician moving to a civilian institution: you need a qualification of "
        "the level and category asked for and your military practice certificate.",
    ),
    T.transfer_to_military: (
        "地方注册的医师调入军队时办理。",
        "For a civilian physician moving to the military.",
    ),
    T.change: (
        "变更执业地点、执业范围、执业类别或主要执业机构。变更执业类别须持有该类别的医师资格。",
        "Change your practice location, scope, category or primary institution. A new category "
        "needs a qualification in it.",
    ),
    T.cancellation: (
        "出现法定注销情形时注销注册。本人可因“本人主动申请”办理；其他情形由所在机构报告办理。",
        "Cancel a registration when a legal ground arises. You may file on your own request; the "
        "other grounds are reported by your institution.",
    ),
    T.filing: (
        "已有执业地点和主要执业机构，还要到其他机构执业的，向批准该机构执业的卫生健康委申请备案。",
        "With a location and a primary institution in place, file with the commission that "
        "licensed another institution to practise there as well.",
    ),
    T.filing_cancellation: (
        "取消在主要执业机构之外的机构的备案。",
        "Remove a filing at an institution other than your primary one.",
    ),
    T.legacy_multisite_cancellation: (
        "按原多地点执业政策办理的注册信息，只能查询和取消，不能新增；要在本省多个机构执业，请办理多执业机构备案。",
        "Records of the former multi-site policy can be listed and cancelled, never added; to "
        "practise at several institutions of a province, file a further institution instead.",
    ),
}

_WARNINGS = {
    T.transfer_to_military: (
        "重要提示：变更到军队办结后，您在地方的注册信息（包括备案和多地点执业记录）全部失效。",
        "Important: once the transfer to the military completes, all your civilian registrations "
        "(with their filings and multi-site records) are no longer valid.",
    ),
}


def online() -> list[Business]:
    """The nine online businesses, in the guide's order."""
    return [
        Business(type_.value, TYPE_NAMES[type_], _ONLINE[type_], _WARNINGS.get(type_))
        for type_ in TYPE_NAMES
    ]


def offline() -> list[Business]:
    """The four done only in person at the commission (or the body it names)."""
    return [
        Business(code, names, OFFLINE_WHERE, online=False) for code, names in OFFLINE_ONLY.items()
    ]


def describe(type_: ApplicationType) -> Business:
    return next(b for b in online() if b.code == type_)
