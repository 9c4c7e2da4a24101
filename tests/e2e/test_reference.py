"""The reference endpoints forms are built from, over HTTP, without logging in."""


async def test_divisions_walk_from_province_to_county(stack):
    provinces = (await stack.api.get("/api/v1/reference/divisions")).json()
    assert len(provinces) == 31
    cities = await stack.api.get("/api/v1/reference/divisions", params={"parent": "430000"})
    shaoyang = next(c for c in cities.json() if c["name_zh"] == "邵阳市")
    counties = await stack.api.get(
        "/api/v1/reference/divisions", params={"parent": shaoyang["code"]}
    )
    wugang = next(c for c in counties.json() if c["code"] == "430581")
    assert wugang["place_zh"] == "湖南省 邵阳市 武冈市"
    assert wugang["place_en"] == "Wugang, Shaoyang, Hunan"


async def test_an_unknown_or_malformed_division_is_a_clear_error(stack):
    unknown = await stack.api.get(
        "/api/v1/reference/divisions",
        params={"parent": "990000"},
        headers={"Accept-Language": "en"},
    )
    assert unknown.status_code == 404
    assert unknown.json() == {
        "code": "division_not_found",
        "message": "No administrative division with this code.",
    }
    malformed = await stack.api.get("/api/v1/reference/divisions", params={"parent": "43"})
    assert malformed.status_code == 422


async def test_categories_portals_and_businesses(stack):
    categories = (await stack.api.get("/api/v1/reference/categories")).json()
    dental = next(c for c in categories if c["code"] == "dental")
    assert dental["name_zh"] == "口腔" and [s["code"] for s in dental["scopes"]] == ["口腔"]
    portals = (await stack.api.get("/api/v1/reference/portals")).json()
    assert len(portals) == 32 and portals[0]["name_zh"] == "国家"
    described = (await stack.api.get("/api/v1/reference/businesses")).json()
    assert len(described["online"]) == 9 and len(described["offline_only"]) == 4
    military = next(b for b in described["online"] if b["code"] == "transfer_to_military")
    assert "全部失效" in military["warning_zh"]


async def test_commissions_say_where_to_bring_the_documents(stack):
    hunan = await stack.api.get("/api/v1/reference/commissions", params={"division": "430000"})
    assert [c["code"] for c in hunan.json()] == ["430000", "430581"]
    one = (await stack.api.get("/api/v1/reference/commissions/330523")).json()
    assert one["name"] == "安吉县卫生健康局" and "安吉县" in one["address_zh"]
    missing = await stack.api.get("/api/v1/reference/commissions/999999")
    assert missing.status_code == 404 and missing.json()["code"] == "commission_not_found"
