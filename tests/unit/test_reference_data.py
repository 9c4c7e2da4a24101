"""Reference data for forms: divisions, categories and scopes, portals, businesses."""

import pytest

from registry import businesses, divisions
from registry.application_types import OFFLINE_ONLY, TYPE_NAMES, ApplicationType
from registry.errors import DomainError
from registry.reference import SCOPES
from starter.services import reference


@pytest.fixture
def read_afresh():
    """The division table is read once a process and cached. Read again here, what builds it
    (each division's parent, from its code and level) runs under these tests, not only under
    whichever test happened to read it first — so a broken parent fails these."""
    divisions._all.cache_clear()
    divisions._children.cache_clear()


def test_the_provinces_are_the_31_portal_provinces():
    provinces = divisions.children()
    assert len(provinces) == 31
    assert [p.name_zh for p in provinces][:3] == ["北京市", "天津市", "河北省"]
    assert all(p.level == "province" for p in provinces)


def test_a_province_lists_its_cities_and_a_city_its_counties(read_afresh):
    cities = {c.code: c.name_zh for c in divisions.children("430000")}
    assert cities["430500"] == "邵阳市" and len(cities) == 14
    counties = {c.code: c.name_zh for c in divisions.children("430500")}
    # 武冈市 (430581) is a county-level city some ID tables lack; it is here.
    assert counties["430581"] == "武冈市"
    assert all(code.startswith("4305") for code in counties)


def test_place_names_read_province_first_in_chinese_and_county_first_in_english(read_afresh):
    assert divisions.place_name("430581") == "湖南省 邵阳市 武冈市"
    assert divisions.place_name("430581", "en") == "Wugang, Shaoyang, Hunan"
    # A municipality's 市辖区 is not part of how an address is written.
    assert divisions.place_name("110105") == "北京市 朝阳区"
    assert divisions.place_name("430000") == "湖南省"


def test_a_county_has_no_divisions_below_it():
    assert divisions.children("430581") == ()


def test_the_grouping_of_a_municipalitys_counties_is_left_out_of_a_place_name():
    # 重庆市 › 县 (500200) › 城口县: nobody writes the "县" grouping.
    assert divisions.place_name("500229") == "重庆市 城口县"
    assert divisions.place_name("500229", "en") == "Chengkou County, Chongqing"


def test_a_code_no_table_lists_still_names_its_province():
    assert divisions.place_name("439999") == "湖南省"
    assert divisions.get("439999") is None


def test_an_unknown_parent_is_refused():
    with pytest.raises(DomainError) as refused:
        reference.division_children("990000")
    assert refused.value.code == "division_not_found"


def test_each_category_offers_only_its_own_scopes_in_both_languages():
    by_code = {c.code: c for c in reference.categories()}
    assert set(by_code) == {"clinical", "tcm", "dental", "public_health"}
    assert [s.code for s in by_code["dental"].scopes] == ["口腔"]
    assert "内科" not in [s.code for s in by_code["tcm"].scopes]
    clinical = {s.code: s.name_en for s in by_code["clinical"].scopes}
    assert clinical["内科"] == "Internal medicine"
    assert sum(len(c.scopes) for c in by_code.values()) == sum(len(s) for s in SCOPES.values())


def test_the_32_portals_are_the_nation_and_the_31_provinces():
    portals = reference.portals()
    assert len(portals) == 32
    assert (portals[0].code, portals[0].short_zh) == ("000000", "国家")
    shorts = {p.short_zh for p in portals}
    assert {"北京", "内蒙古", "黑龙江", "新疆", "广西"} <= shorts


def test_every_online_business_is_described_and_the_military_transfer_warns():
    online, offline = reference.business_list()
    assert [b.code for b in online] == [t.value for t in ApplicationType]
    assert [b.name for b in online] == [TYPE_NAMES[t] for t in ApplicationType]
    assert all(b.summary[0] and b.summary[1] for b in online)
    warned = {b.code: b.warning for b in online if b.warning}
    assert list(warned) == ["transfer_to_military"]
    assert "全部失效" in warned["transfer_to_military"][0]
    assert [(b.code, b.name) for b in offline] == list(OFFLINE_ONLY.items())
    assert not any(b.online for b in offline)
    assert "20" in businesses.PROCESS[0] and "20 working days" in businesses.PROCESS[1]


async def test_a_commission_names_where_it_receives_physicians(settings):
    from registry.db import session_scope

    async with session_scope(settings.database_url) as session:
        wugang = await reference.commission(session, "430581")
        hunan = await reference.commissions(session, "430000")
        with pytest.raises(DomainError) as missing:
            await reference.commission(session, "999999")
    assert wugang.name == "武冈市卫生健康局"
    assert "武冈市" in wugang.address_zh and "Wugang" in wugang.address_en
    assert wugang.place_zh == "湖南省 邵阳市 武冈市"
    assert [c.code for c in hunan] == ["430000", "430581"]
    assert missing.value.code == "commission_not_found"
    assert missing.value.message() == "未找到该卫生健康委，请核对代码。"  # not what was typed
