"""What each business is, said to a physician (registry/businesses.py): the online ones with
their summary and warning, the offline ones with where to go instead."""

from registry import businesses
from registry.application_types import OFFLINE_ONLY, OFFLINE_WHERE, TYPE_NAMES, ApplicationType


def test_an_offline_business_says_where_to_go_and_is_not_filed_online():
    offline = businesses.offline()
    assert [b.code for b in offline] == list(OFFLINE_ONLY)
    for business in offline:
        assert business.summary == OFFLINE_WHERE
        assert business.online is False and business.warning is None


def test_one_business_is_described_by_its_type():
    change = businesses.describe(ApplicationType.change)
    assert (change.code, change.name, change.online) == ("change", TYPE_NAMES["change"], True)
    assert change.summary[0].startswith("变更执业地点、执业范围、执业类别或主要执业机构")
    military = businesses.describe(ApplicationType.transfer_to_military)
    assert military.warning[0].startswith("重要提示：变更到军队办结后")
