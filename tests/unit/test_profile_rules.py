"""The rules of the profile: personal-information fields, department lists, one-time codes
(on a migrated SQLite database) and review records and approvals."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from registry import profile, reviews, security
from registry.activation import LOCKOUT, RESEND_INTERVAL, Channel
from registry.codes import code_digest
from registry.db import session_scope
from registry.errors import DomainError
from registry.models import (
    Account,
    AuditEvent,
    ContactCode,
    PhysicianPhoto,
    PhysicianProfile,
    ProfileReview,
)
from registry.photos import Photo
from registry.reviews import ReviewRecord, ReviewState
from registry.security import ContactCodePurpose

SECRET = "unit-code-secret"
T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def refused(call) -> DomainError:
    with pytest.raises(DomainError) as info:
        call()
    return info.value


# --- personal information ----------------------------------------------------------------------


def test_changes_are_normalized_and_only_given_fields_kept():
    info = profile.PersonalInfo(
        ethnicity=" 维吾尔族 ",
        mailing_address="湖南省  长沙市\t芙蓉区 1号",
        postcode="４１０００５",
    )
    assert profile.normalize_changes(info) == {
        "ethnicity": "维吾尔族",
        "mailing_address": "湖南省 长沙市 芙蓉区 1号",
        "postcode": "410005",
    }


@pytest.mark.parametrize(
    "field, value",
    [
        ("ethnicity", "火星族"),
        ("education", "幼儿园"),
        ("degree", "院士"),
        ("professional_title", "神医"),
        ("mailing_address", "短"),
        ("mailing_address", "湖南省长沙市\x00芙蓉区"),
        ("postcode", "41000"),
        ("postcode", "41000a"),
    ],
)
def test_a_bad_field_is_named_in_both_languages(field, value):
    error = refused(lambda: profile.normalize_changes(profile.PersonalInfo(**{field: value})))
    assert error.code == "profile_field_invalid"
    zh, en = profile.FIELD_NAMES[field]
    assert error.message("zh").startswith(zh) and error.message("en").startswith(en)


def test_an_empty_change_is_refused():
    assert refused(lambda: profile.normalize_changes(profile.PersonalInfo())).code == (
        "profile_change_empty"
    )


def test_all_56_ethnic_groups_are_listed():
    assert len(profile.ETHNICITIES) == 58 and len(set(profile.ETHNICITIES)) == 58
    assert {"汉族", "维吾尔族", "基诺族", "外国血统中国籍人士"} <= set(profile.ETHNICITIES)


@pytest.mark.parametrize(
    "length, accepted", [(4, False), (5, True), (200, True), (201, False)], ids=str
)
def test_a_mailing_address_has_5_to_200_characters(length, accepted):
    address = ("湖南省长沙市芙蓉区" * 30)[:length]
    info = profile.PersonalInfo(mailing_address=address)
    if accepted:
        assert profile.normalize_changes(info) == {"mailing_address": address}
    else:
        assert refused(lambda: profile.normalize_changes(info)).code == "profile_field_invalid"


@pytest.mark.parametrize("names", [["内科", "内科"], [""], ["科" * 65], ["x"] * 201])
def test_department_lists_without_duplicates_blank_or_overlong_names(names):
    error = refused(lambda: profile.normalize_department_names(names))
    assert error.code == "department_names_invalid"
    assert error.message() == "科室名称须为1–64个字符且不能重复（最多200个）。"


def test_department_lists_at_their_limits_are_accepted():
    one_character, longest = ["科"], ["科" * 64]
    assert profile.normalize_department_names(one_character) == one_character
    assert profile.normalize_department_names(longest) == longest
    many = [f"科室{i}" for i in range(200)]
    assert profile.normalize_department_names(many) == many


def test_department_names_are_tidied():
    assert profile.normalize_department_names([" 心血管 内科 ", "儿科"]) == ["心血管 内科", "儿科"]


# --- one-time codes ----------------------------------------------------------------------------


async def _physician(settings) -> int:
    async with session_scope(settings.database_url) as session:
        account = Account(username="unit-doc", password_hash="x", role="physician")
        session.add(account)
        await session.flush()
        return account.id


async def _issue(
    settings, account_id, at, target="13800001111", purpose=ContactCodePurpose.phone_change
):
    async with session_scope(settings.database_url) as session:
        return await security.issue(session, SECRET, account_id, purpose, Channel.sms, target, at)


async def _redeem(settings, account_id, code, at, target="13800001111"):
    async with session_scope(settings.database_url) as session:
        return await security.redeem(
            session, SECRET, account_id, ContactCodePurpose.phone_change, code, at, target=target
        )


async def test_a_code_is_stored_only_as_its_digest_and_works_once(settings):
    account_id = await _physician(settings)
    issued = await _issue(settings, account_id, T0)
    code = security.code_for(SECRET, issued.row_id, issued.nonce)
    assert (issued.expires_at, issued.resend_after) == (
        T0 + timedelta(minutes=5),
        T0 + RESEND_INTERVAL,
    )
    async with session_scope(settings.database_url) as session:
        row = await session.get(ContactCode, issued.row_id)
        assert row.digest == code_digest(SECRET, account_id, "phone_change", code)
        assert code not in (row.digest, row.nonce, row.target)
    used = await _redeem(settings, account_id, code, T0 + timedelta(minutes=4))
    assert used.target == "13800001111"
    with pytest.raises(DomainError) as again:
        await _redeem(settings, account_id, code, T0 + timedelta(minutes=4))
    assert again.value.code == "code_not_sent"


async def test_resend_waits_60_seconds_and_replaces_the_code(settings):
    account_id = await _physician(settings)
    first = await _issue(settings, account_id, T0)
    with pytest.raises(DomainError) as soon:
        await _issue(settings, account_id, T0 + timedelta(seconds=30))
    assert (soon.value.code, soon.value.params["retry_after"]) == ("resend_too_soon", 30)
    with pytest.raises(DomainError) as last_moment:  # a part of a second is told as one
        await _issue(settings, account_id, T0 + RESEND_INTERVAL - timedelta(milliseconds=300))
    assert last_moment.value.params["retry_after"] == 1
    second = await _issue(settings, account_id, T0 + RESEND_INTERVAL)
    assert second.row_id == first.row_id and second.nonce != first.nonce
    old_code = security.code_for(SECRET, first.row_id, first.nonce)
    new_code = security.code_for(SECRET, second.row_id, second.nonce)
    if old_code != new_code:
        with pytest.raises(DomainError) as stale:
            await _redeem(settings, account_id, old_code, T0 + RESEND_INTERVAL)
        assert stale.value.code == "code_incorrect"
    await _redeem(settings, account_id, new_code, T0 + RESEND_INTERVAL)


async def test_expired_and_misdirected_codes_are_refused(settings):
    account_id = await _physician(settings)
    issued = await _issue(settings, account_id, T0)
    code = security.code_for(SECRET, issued.row_id, issued.nonce)
    with pytest.raises(DomainError) as other:
        await _redeem(settings, account_id, code, T0, target="13900002222")
    assert other.value.code == "code_not_sent"
    with pytest.raises(DomainError) as late:
        await _redeem(settings, account_id, code, T0 + timedelta(minutes=5))
    assert late.value.code == "code_expired"


async def test_five_wrong_tries_lock_for_30_minutes_even_across_resends(settings):
    account_id = await _physician(settings)
    issued = await _issue(settings, account_id, T0)
    code = security.code_for(SECRET, issued.row_id, issued.nonce)
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3):
        with pytest.raises(DomainError) as error:
            await _redeem(settings, account_id, wrong, T0)
        assert error.value.params == {"attempts_left": left}
    issued = await _issue(settings, account_id, T0 + RESEND_INTERVAL)  # asking again buys no tries
    code = security.code_for(SECRET, issued.row_id, issued.nonce)
    wrong = "000000" if code != "000000" else "111111"
    for expected in (
        ("code_incorrect", {"attempts_left": 2}),
        ("code_incorrect", {"attempts_left": 1}),
        ("code_locked", {"retry_after": 1800}),
    ):
        with pytest.raises(DomainError) as error:
            await _redeem(settings, account_id, wrong, T0 + RESEND_INTERVAL)
        assert (error.value.code, error.value.params) == expected
    at = T0 + RESEND_INTERVAL + timedelta(minutes=1)
    for attempt in (
        lambda: _redeem(settings, account_id, code, at),
        lambda: _issue(settings, account_id, at),
    ):
        with pytest.raises(DomainError) as locked:
            await attempt()
        assert locked.value.code == "code_locked"
    after = T0 + RESEND_INTERVAL + LOCKOUT + timedelta(seconds=1)
    issued = await _issue(settings, account_id, after)
    code = security.code_for(SECRET, issued.row_id, issued.nonce)
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(DomainError) as error:  # the lock over, five tries again
        await _redeem(settings, account_id, wrong, after)
    assert error.value.params == {"attempts_left": 4}
    await _redeem(settings, account_id, code, after)


async def test_a_typed_code_must_be_six_digits(settings):
    account_id = await _physician(settings)
    with pytest.raises(DomainError) as error:
        await _redeem(settings, account_id, "12345a", T0)
    assert error.value.code == "code_format"


# --- review records and approvals ------------------------------------------------------------


def _photo(n: int) -> Photo:
    return Photo(
        data=bytes([n]) * 10, media_type="image/png", width=300, height=400, sha256="0" * 64
    )


async def test_approving_a_photo_keeps_one_in_force_and_newer_uploads(settings):
    account_id = await _physician(settings)
    async with session_scope(settings.database_url) as session:
        ids = [(await profile.store_photo(session, account_id, _photo(n))).id for n in range(4)]
        review = ProfileReview(
            account_id=account_id, kind="photo", institution_code="H4301020001",
            state="awaiting_institution", open_slot="photo", photo_id=ids[1],
        )  # fmt: skip
        session.add(review)
        await session.flush()
        await session.execute(
            PhysicianPhoto.__table__.update()
            .where(PhysicianPhoto.id == ids[0])
            .values(status="approved")
        )
    for _ in range(2):  # a retried approval changes nothing more
        async with session_scope(settings.database_url) as session:
            await reviews.apply_approval(session, review.id, ids[1])
    async with session_scope(settings.database_url) as session:
        rows = await session.execute(
            select(PhysicianPhoto.id, PhysicianPhoto.status).order_by(PhysicianPhoto.id)
        )
        assert list(rows) == [(ids[1], "approved"), (ids[2], "pending"), (ids[3], "pending")]
        await reviews.keep_newest_photo(session, account_id, ids[3])
    async with session_scope(settings.database_url) as session:
        kept = await session.scalars(select(PhysicianPhoto.id).order_by(PhysicianPhoto.id))
        assert list(kept) == [ids[1], ids[3]]


async def test_records_are_applied_in_order_and_closing_frees_the_slot(settings):
    account_id = await _physician(settings)
    async with session_scope(settings.database_url) as session:
        review = ProfileReview(
            account_id=account_id, kind="personal_info", institution_code="H4301020001",
            state="awaiting_institution", open_slot="personal_info", changes={"postcode": "410005"},
        )  # fmt: skip
        session.add(review)
        await session.flush()

    def step(sequence, state, **values):
        return ReviewRecord(
            review_id=review.id, sequence=sequence, state=state, photo_id=None,
            deadline=None, at=T0, **values,
        )  # fmt: skip

    for record in (
        step(2, ReviewState.rejected, decided_by=9, comment="不符"),
        step(1, ReviewState.awaiting_institution),  # late retry of an earlier step: ignored
    ):
        async with session_scope(settings.database_url) as session:
            await reviews.record(session, record)
    async with session_scope(settings.database_url) as session:
        row = await session.get(ProfileReview, review.id)
        assert (row.state, row.open_slot, row.decided_by, row.comment) == (
            "rejected",
            None,
            9,
            "不符",
        )


async def _photo_review(settings) -> tuple[int, int, list[int]]:
    """A physician's photo review, awaiting the institution: (account, review, photo ids)."""
    account_id = await _physician(settings)
    async with session_scope(settings.database_url) as session:
        ids = [(await profile.store_photo(session, account_id, _photo(n))).id for n in range(2)]
        review = ProfileReview(
            account_id=account_id, kind="photo", institution_code="H4301020001",
            state="awaiting_institution", open_slot="photo", photo_id=ids[0],
        )  # fmt: skip
        session.add(review)
        await session.flush()
        return account_id, review.id, ids


async def _audit(settings) -> list[tuple]:
    async with session_scope(settings.database_url) as session:
        rows = await session.execute(
            select(
                AuditEvent.action, AuditEvent.actor_id, AuditEvent.actor_role,
                AuditEvent.physician_id, AuditEvent.institution_code, AuditEvent.detail,
                AuditEvent.dedupe_key,
            ).order_by(AuditEvent.id)
        )  # fmt: skip
        return [tuple(row) for row in rows]


async def test_each_review_step_is_audited_once_and_mirrored_into_its_row(settings):
    """What the audit trail and the physician's review list show: who took each step (the
    system, the institution's staff, the physician withdrawing), once however often it is
    recorded; and the row's state, photo, deadline, time and decision."""
    account_id, review_id, (first, newer) = await _photo_review(settings)
    due = T0 + timedelta(days=30)
    steps = [
        ReviewRecord(review_id=review_id, sequence=1, state=ReviewState.awaiting_institution,
                     photo_id=first, deadline=due, at=T0),
        ReviewRecord(review_id=review_id, sequence=2, state=ReviewState.awaiting_institution,
                     photo_id=newer, deadline=due, at=T0 + timedelta(hours=1)),
        ReviewRecord(review_id=review_id, sequence=3, state=ReviewState.withdrawn,
                     photo_id=newer, deadline=None, at=T0 + timedelta(hours=2)),
    ]  # fmt: skip
    for step in [*steps, steps[-1]]:  # the last one retried
        async with session_scope(settings.database_url) as session:
            await reviews.record(session, step)

    hunan, key = "H4301020001", f"review:{review_id}"
    assert await _audit(settings) == [
        ("review_awaiting_institution", None, "system", account_id, hunan,
         {"review_id": review_id, "kind": "photo", "photo_id": first}, f"{key}:1"),
        ("review_awaiting_institution", None, "system", account_id, hunan,
         {"review_id": review_id, "kind": "photo", "photo_id": newer}, f"{key}:2"),
        ("review_withdrawn", account_id, "physician", account_id, hunan,
         {"review_id": review_id, "kind": "photo", "photo_id": newer}, f"{key}:3"),
    ]  # fmt: skip
    async with session_scope(settings.database_url) as session:
        row = await session.get(ProfileReview, review_id)
        assert (row.sequence, row.state, row.photo_id, row.deadline, row.open_slot) == (
            3, "withdrawn", newer, None, None
        )  # fmt: skip
        assert row.updated_at.replace(tzinfo=UTC) == T0 + timedelta(hours=2)
        statuses = await session.execute(
            select(PhysicianPhoto.id, PhysicianPhoto.status).order_by(PhysicianPhoto.id)
        )
        assert list(statuses) == [(first, "pending"), (newer, "withdrawn")]


async def test_a_rejection_is_the_staff_members_and_closes_the_photo(settings):
    account_id, review_id, (photo, _) = await _photo_review(settings)
    async with session_scope(settings.database_url) as session:
        await reviews.record(
            session,
            ReviewRecord(review_id=review_id, sequence=1, state=ReviewState.rejected,
                         photo_id=photo, deadline=None, decided_by=501, comment="背景不符",
                         at=T0),
        )  # fmt: skip
    [(action, actor_id, actor_role, *_)] = await _audit(settings)
    assert (action, actor_id, actor_role) == ("review_rejected", 501, "institution_staff")
    async with session_scope(settings.database_url) as session:
        row = await session.get(ProfileReview, review_id)
        assert (row.state, row.open_slot, row.decided_by, row.comment) == (
            "rejected", None, 501, "背景不符"
        )  # fmt: skip
        assert (await session.get(PhysicianPhoto, photo)).status == "rejected"


async def test_an_approved_change_is_put_in_force_field_by_field(settings):
    """Approving personal information writes the changed fields into the practice copy and
    leaves the others as they were; applying it again changes nothing more."""
    account_id = await _physician(settings)
    async with session_scope(settings.database_url) as session:
        session.add(PhysicianProfile(account_id=account_id, ethnicity="汉族", postcode="100000"))
        review = ProfileReview(
            account_id=account_id, kind="personal_info", institution_code="H4301020001",
            state="approved", changes={"postcode": "410005", "degree": "硕士"},
        )  # fmt: skip
        session.add(review)
    before = datetime.now(UTC)
    for _ in range(2):
        async with session_scope(settings.database_url) as session:
            await reviews.apply_approval(session, review.id, None)
    async with session_scope(settings.database_url) as session:
        row = await session.get(PhysicianProfile, account_id)
        assert (row.ethnicity, row.postcode, row.degree, row.education) == (
            "汉族", "410005", "硕士", None
        )  # fmt: skip
        assert row.updated_at.replace(tzinfo=UTC) >= before - timedelta(seconds=1)


async def test_a_first_approved_change_makes_the_practice_copy(settings):
    account_id = await _physician(settings)
    async with session_scope(settings.database_url) as session:
        review = ProfileReview(
            account_id=account_id, kind="personal_info", institution_code="H4301020001",
            state="approved", changes={"ethnicity": "回族"},
        )  # fmt: skip
        session.add(review)
    async with session_scope(settings.database_url) as session:
        await reviews.apply_approval(session, review.id, None)
    async with session_scope(settings.database_url) as session:
        assert (await session.get(PhysicianProfile, account_id)).ethnicity == "回族"


async def test_approving_a_photo_touches_no_other_physicians_photos(settings):
    mine = await _physician(settings)
    async with session_scope(settings.database_url) as session:
        other = Account(username="unit-doc-2", password_hash="x", role="physician")
        session.add(other)
        await session.flush()

        their_photo = (await profile.store_photo(session, other.id, _photo(9))).id
        my_photo = (await profile.store_photo(session, mine, _photo(1))).id
    async with session_scope(settings.database_url) as session:
        await reviews.apply_approval(session, await _review_of(session, mine, my_photo), my_photo)
    async with session_scope(settings.database_url) as session:
        approved = await session.get(PhysicianPhoto, my_photo)
        assert approved.status == "approved" and approved.approved_at is not None
        assert (await session.get(PhysicianPhoto, their_photo)).status == "pending"
        await reviews.keep_newest_photo(session, mine, my_photo)  # nor does keeping the newest
    async with session_scope(settings.database_url) as session:
        assert (await session.get(PhysicianPhoto, their_photo)).status == "pending"


async def _review_of(session, account_id: int, photo_id: int) -> int:
    review = ProfileReview(
        account_id=account_id, kind="photo", institution_code="H4301020001",
        state="approved", photo_id=photo_id,
    )  # fmt: skip
    session.add(review)
    await session.flush()
    return review.id


async def test_the_approved_photo_replaces_every_older_upload_and_the_one_in_force(settings):
    """Only the last upload is kept: approving one deletes the uploads before it, pending or
    not, and the photo in force even when that one is newer; a retried approval changes
    nothing, not even when it was approved."""
    account_id = await _physician(settings)
    async with session_scope(settings.database_url) as session:
        _older, chosen, in_force = [
            (await profile.store_photo(session, account_id, _photo(n))).id for n in range(3)
        ]
        await session.execute(
            PhysicianPhoto.__table__.update()
            .where(PhysicianPhoto.id == in_force)
            .values(status="approved")
        )
        review_id = await _review_of(session, account_id, chosen)
    async with session_scope(settings.database_url) as session:
        await reviews.apply_approval(session, review_id, chosen)
    async with session_scope(settings.database_url) as session:
        approved_at = (await session.get(PhysicianPhoto, chosen)).approved_at
        await reviews.apply_approval(session, review_id, chosen)  # retried
    async with session_scope(settings.database_url) as session:
        kept = await session.execute(select(PhysicianPhoto.id, PhysicianPhoto.status))
        assert list(kept) == [(chosen, "approved")]
        assert (await session.get(PhysicianPhoto, chosen)).approved_at == approved_at
