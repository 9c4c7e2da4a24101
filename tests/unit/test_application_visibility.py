"""Who sees an application in lists and by number (``registry.access.applications_visible_to``),
on the real database, with the fixtures of ``tests/unit/test_application_rules.py``: the physician
it is about (also when their institution filed it), the staff of its institution and of the
institution it moves the physician away from, the officers of its commission, the operators."""

from sqlalchemy import select, update

from registry import access
from registry.models import Application
from tests.unit import test_application_rules as rules
from tests.unit.test_application_rules import HUNAN, WUGANG, T, registering

template, desk = rules.template, rules.desk

DESKS = ("staff_wugang", "staff_hunan", "staff_hangzhou", "officer_wugang", "officer_hunan")


async def _sees(desk, viewer, no: str) -> bool:
    found = await desk.session.scalar(
        select(Application.application_no).where(
            Application.application_no == no, access.applications_visible_to(viewer)
        )
    )
    return found == no


async def test_a_move_is_seen_by_the_institution_left_behind_as_well_as_the_new_one(desk):
    doc = await desk.physician()
    registration = await desk.registration(doc, WUGANG)
    move = {"registration_id": registration.id, **registering(HUNAN)}
    plan = await desk.plan(doc, T.change, **move)
    assert plan.notify_institution_code == WUGANG
    no = await desk.file(doc, T.change, **move)
    await desk.session.execute(
        update(Application)
        .where(Application.application_no == no)
        .values(notify_institution_code=plan.notify_institution_code)
    )  # as the service stores it (the Desk helper keeps only the plan's own fields)
    seen = {u: await _sees(desk, await desk.desk(u), no) for u in DESKS}
    assert seen == {
        "staff_wugang": True,  # the former primary institution is told of the change
        "staff_hunan": True,
        "staff_hangzhou": False,
        "officer_wugang": False,
        "officer_hunan": True,  # the new institution's commission decides
    }
    stays = await desk.file(
        await desk.physician(), T.registration, **registering(WUGANG)
    )  # no move: nobody is copied
    assert not await _sees(desk, await desk.desk("staff_hunan"), stays)


async def test_an_application_filed_by_the_institution_is_seen_by_the_physician_it_is_for(desk):
    doc, other = await desk.physician(), await desk.physician()
    no = await desk.file(doc, T.registration, **registering(WUGANG))
    clerk = await desk.desk("staff_wugang")
    await desk.session.execute(
        update(Application).where(Application.application_no == no).values(filed_by=clerk.id)
    )  # as a collective registration files it: the clerk files, the physician is its subject
    assert await _sees(desk, doc, no)
    assert not await _sees(desk, other, no)
    assert await _sees(desk, clerk, no)
