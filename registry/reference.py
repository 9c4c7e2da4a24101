"""Reference data: divisions of the guide's portals, categories, scopes and levels.

Small, fixed and versioned with the code; the database holds what changes (institutions,
commissions, people).
"""

from datetime import timedelta, timezone
from enum import StrEnum

NATIONAL_CODE = "000000"
CHINA_TIME = timezone(timedelta(hours=8), "CST")  # no daylight saving since 1991

# The 32 portals of the guide: the nation and the 31 provincial-level divisions (GB/T 2260).
PORTAL_DIVISIONS: dict[str, tuple[str, str]] = {
    NATIONAL_CODE: ("国家", "National"),
    "110000": ("北京市", "Beijing"),
    "120000": ("天津市", "Tianjin"),
    "130000": ("河北省", "Hebei"),
    "140000": ("山西省", "Shanxi"),
    "150000": ("内蒙古自治区", "Inner Mongolia"),
    "210000": ("辽宁省", "Liaoning"),
    "220000": ("吉林省", "Jilin"),
    "230000": ("黑龙江省", "Heilongjiang"),
    "310000": ("上海市", "Shanghai"),
    "320000": ("江苏省", "Jiangsu"),
    "330000": ("浙江省", "Zhejiang"),
    "340000": ("安徽省", "Anhui"),
    "350000": ("福建省", "Fujian"),
    "360000": ("江西省", "Jiangxi"),
    "370000": ("山东省", "Shandong"),
    "410000": ("河南省", "Henan"),
    "420000": ("湖北省", "Hubei"),
    "430000": ("湖南省", "Hunan"),
    "440000": ("广东省", "Guangdong"),
    "450000": ("广西壮族自治区", "Guangxi"),
    "460000": ("海南省", "Hainan"),
    "500000": ("重庆市", "Chongqing"),
    "510000": ("四川省", "Sichuan"),
    "520000": ("贵州省", "Guizhou"),
    "530000": ("云南省", "Yunnan"),
    "540000": ("西藏自治区", "Tibet"),
    "610000": ("陕西省", "Shaanxi"),
    "620000": ("甘肃省", "Gansu"),
    "630000": ("青海省", "Qinghai"),
    "640000": ("宁夏回族自治区", "Ningxia"),
    "650000": ("新疆维吾尔自治区", "Xinjiang"),
}


# The guide's short names of the portals, as its list of links shows them.
PORTAL_SHORT_NAMES: dict[str, str] = {
    code: zh.removesuffix("省").removesuffix("市").removesuffix("自治区")
    for code, (zh, _) in PORTAL_DIVISIONS.items()
}
PORTAL_SHORT_NAMES |= {"150000": "内蒙古", "450000": "广西", "540000": "西藏", "640000": "宁夏",
                       "650000": "新疆"}  # fmt: skip


def province_of(division_code: str) -> str:
    """The province-level division a 6-digit division code belongs to."""
    return division_code[:2] + "0000"


class Level(StrEnum):
    physician = "physician"  # 执业医师
    assistant = "assistant"  # 执业助理医师


LEVEL_NAMES: dict[Level, tuple[str, str]] = {
    Level.physician: ("执业医师", "Practising physician"),
    Level.assistant: ("执业助理医师", "Assistant physician"),
}


class Category(StrEnum):
    clinical = "clinical"  # 临床
    tcm = "tcm"  # 中医（含民族医、中西医结合）
    dental = "dental"  # 口腔
    public_health = "public_health"  # 公共卫生


CATEGORY_NAMES: dict[Category, tuple[str, str]] = {
    Category.clinical: ("临床", "Clinical"),
    Category.tcm: ("中医", "Traditional Chinese medicine"),
    Category.dental: ("口腔", "Dental"),
    Category.public_health: ("公共卫生", "Public health"),
}

# 执业范围: each scope belongs to exactly one category.
SCOPES: dict[Category, tuple[str, ...]] = {
    Category.clinical: (
        "内科",
        "外科",
        "妇产科",
        "儿科",
        "眼耳鼻咽喉科",
        "皮肤病与性病",
        "精神卫生",
        "职业病",
        "医学影像和放射治疗",
        "医学检验、病理",
        "全科医学",
        "急救医学",
        "康复医学",
        "预防保健",
        "特种医学与军事医学",
        "计划生育技术服务",
    ),
    Category.dental: ("口腔",),
    Category.public_health: ("公共卫生类别",),
    Category.tcm: ("中医", "中西医结合", "蒙医", "藏医", "维医", "傣医"),
}

# The scopes' English names, for the portal's English pages (the Chinese name is the code).
SCOPE_NAMES_EN: dict[str, str] = {
    "内科": "Internal medicine",
    "外科": "Surgery",
    "妇产科": "Obstetrics and gynaecology",
    "儿科": "Paediatrics",
    "眼耳鼻咽喉科": "Ophthalmology and otorhinolaryngology",
    "皮肤病与性病": "Dermatology and venereology",
    "精神卫生": "Mental health",
    "职业病": "Occupational diseases",
    "医学影像和放射治疗": "Medical imaging and radiotherapy",
    "医学检验、病理": "Laboratory medicine and pathology",
    "全科医学": "General practice",
    "急救医学": "Emergency medicine",
    "康复医学": "Rehabilitation medicine",
    "预防保健": "Preventive care",
    "特种医学与军事医学": "Special and military medicine",
    "计划生育技术服务": "Family planning services",
    "口腔": "Dentistry",
    "公共卫生类别": "Public health",
    "中医": "Traditional Chinese medicine",
    "中西医结合": "Integrated Chinese and Western medicine",
    "蒙医": "Mongolian medicine",
    "藏医": "Tibetan medicine",
    "维医": "Uyghur medicine",
    "傣医": "Dai medicine",
}
