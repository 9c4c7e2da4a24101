"""Who may see and decide (registry/access.py), each rule with an allowed and a refused party.

The rules read only ``role``, ``institution_code`` and ``commission_code`` (and ids), so the
parties here are plain records; the workflow validators pass ``Actor`` messages of the same
shape, the routes ``Account`` rows.
"""

from types import SimpleNamespace

import pytest

from registry import access
from registry.roles import Role

HUNAN, WUGANG = "H4301020001", "H4305810001"


def party(role: Role, institution: str | None = None, commission: str | None = None, id=1):
    return SimpleNamespace(
        role=role, institution_code=institution, commission_code=commission, id=id,
        account_id=id,
    )  # fmt: skip


STAFF = party(Role.INSTITUTION_STAFF, HUNAN)
ADMIN = party(Role.INSTITUTION_ADMIN, HUNAN)
OFFICER = party(Role.COMMISSION_OFFICER, commission="430000")
COMMISSION_ADMIN = party(Role.COMMISSION_ADMIN, commission="430000")
PHYSICIAN = party(Role.PHYSICIAN, HUNAN, id=7)
OPERATOR = party(Role.OPERATOR)


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        (STAFF, True),
        (party(Role.INSTITUTION_STAFF, WUGANG), False),  # another institution's clerk
        (PHYSICIAN, False),  # the physician's own institution code is not a staff post
        (OFFICER, False),
    ],
)
def test_only_the_institutions_own_staff_act_for_it(who, allowed):
    assert access.is_staff_of(who, HUNAN) is allowed
    assert access.may_see_batch(who, HUNAN) is allowed


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        (OFFICER, True),
        (party(Role.COMMISSION_OFFICER, commission="430581"), False),
        (party(Role.INSTITUTION_STAFF, HUNAN, "430000"), False),  # a code is not a role
    ],
)
def test_only_the_commissions_own_officers_work_its_counter(who, allowed):
    application = SimpleNamespace(commission_code="430000")
    assert access.is_officer_of(who, "430000") is allowed
    assert access.works_the_counter_of(who, application) is allowed


def test_batches_are_filed_by_institution_staff_with_an_institution():
    assert access.may_file_batches(STAFF)
    assert not access.may_file_batches(party(Role.INSTITUTION_STAFF, None))
    assert not access.may_file_batches(OFFICER)
    assert not access.may_file_batches(PHYSICIAN)


def test_claims_are_worked_by_the_step_owners_and_handed_on_by_their_supervisors():
    assert access.works_on(STAFF, HUNAN, "430000") and access.works_on(OFFICER, HUNAN, "430000")
    assert not access.works_on(party(Role.INSTITUTION_STAFF, WUGANG), HUNAN, "430000")
    assert access.supervises(ADMIN, HUNAN, "430000")
    assert access.supervises(COMMISSION_ADMIN, HUNAN, "430000")
    assert not access.supervises(STAFF, HUNAN, "430000")  # a clerk hands on nothing
    assert not access.supervises(party(Role.INSTITUTION_ADMIN, WUGANG), HUNAN, "430000")
    assert not access.supervises(party(Role.COMMISSION_ADMIN, commission="330000"), HUNAN, "430000")


def test_only_the_physician_concerned_sees_their_name_in_full():
    filed = SimpleNamespace(account_id=7, filed_by=7)
    for_them = SimpleNamespace(account_id=7, filed_by=99)  # the institution filed it
    assert access.sees_applicant_unmasked(PHYSICIAN, filed)
    assert access.sees_applicant_unmasked(PHYSICIAN, for_them)
    assert not access.sees_applicant_unmasked(party(Role.PHYSICIAN, id=8), filed)
    # the clerk who filed it for them still sees it masked
    assert not access.sees_applicant_unmasked(party(Role.INSTITUTION_STAFF, HUNAN, id=99), for_them)


def test_who_may_withdraw_follows_who_filed():
    physician_filed = party(Role.PHYSICIAN, id=7)
    assert access.acts_for_applicant(physician_filed, PHYSICIAN)
    assert not access.acts_for_applicant(physician_filed, party(Role.PHYSICIAN, id=8))
    assert access.acts_for_applicant(STAFF, party(Role.INSTITUTION_STAFF, HUNAN, id=2))
    assert not access.acts_for_applicant(STAFF, PHYSICIAN)
    assert access.acts_for_applicant(OFFICER, party(Role.COMMISSION_OFFICER, None, "430000", 3))
    assert not access.acts_for_applicant(OFFICER, party(Role.COMMISSION_OFFICER, None, "330000"))


@pytest.mark.parametrize(
    ("who", "role", "institution", "commission", "allowed"),
    [
        (ADMIN, Role.INSTITUTION_STAFF, HUNAN, None, True),
        (ADMIN, Role.INSTITUTION_STAFF, WUGANG, None, False),  # another hospital's clerks
        (ADMIN, Role.INSTITUTION_ADMIN, HUNAN, None, False),  # not a fellow administrator
        (ADMIN, Role.COMMISSION_OFFICER, HUNAN, "430000", False),
        (COMMISSION_ADMIN, Role.COMMISSION_OFFICER, None, "430000", True),
        (COMMISSION_ADMIN, Role.COMMISSION_OFFICER, None, "330000", False),
        (COMMISSION_ADMIN, Role.INSTITUTION_STAFF, HUNAN, "430000", False),
        (OPERATOR, Role.INSTITUTION_ADMIN, HUNAN, None, True),
        (OPERATOR, Role.COMMISSION_ADMIN, None, "430000", True),
        (OPERATOR, Role.INSTITUTION_STAFF, HUNAN, None, False),  # the hospital's own business
        (OPERATOR, Role.PHYSICIAN, HUNAN, None, False),
        (STAFF, Role.INSTITUTION_STAFF, HUNAN, None, False),  # a clerk administers nobody
        (OFFICER, Role.COMMISSION_OFFICER, None, "430000", False),
    ],
)
def test_staff_accounts_are_managed_one_level_up_and_in_their_own_house(
    who, role, institution, commission, allowed
):
    assert access.manages(who, role, institution, commission) is allowed


def test_only_administrators_and_operators_open_staff_administration():
    for who in (ADMIN, COMMISSION_ADMIN, OPERATOR):
        assert access.administers_staff(who)
    for who in (STAFF, OFFICER, PHYSICIAN):
        assert not access.administers_staff(who)
