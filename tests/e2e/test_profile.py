"""Profile maintenance end to end: security settings, personal information, photo, department.

Over HTTP against the shared stack (Temporal dev server, real worker, SQLite, SMTP sink). Every
test makes its own physicians; codes are read from the SMS and email actually delivered.
"""

import asyncio
import io
import random
import re
from datetime import timedelta

from PIL import Image
from sqlalchemy import func, select, update

from registry.db import session_scope
from registry.models import Account, ContactCode, PhysicianPhoto, ProfileReview, Qualification
from starter.services.profile import now
from tests.e2e.people import ANJI, EN, HANGZHOU, HUNAN, OFFICER, STAFF, desk, new_physician

PHOTO_URL = "/api/v1/me/photo"


# --- helpers ---------------------------------------------------------------------------------


def new_phone() -> str:
    return f"138{random.randrange(10**8):08d}"


def new_email() -> str:
    return f"new{random.randrange(10**9)}@example.org"


async def patch_security(stack, headers, **body):
    return await stack.api.patch("/api/v1/me/security", headers=headers, json=body)


def picture(width=360, height=480, fmt="JPEG", **save) -> bytes:
    image = Image.new("RGB", (width, height), (random.randrange(256), 90, 160))
    out = io.BytesIO()
    image.save(out, fmt, **save)
    return out.getvalue()


def gps_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8825).update({1: "N", 2: (28.0, 11.0, 30.0), 3: "E", 4: (112.0, 58.0, 0.0)})
    return exif.tobytes()


async def upload(stack, headers, data: bytes, filename="photo.jpg", content_type="image/jpeg"):
    files = {"photo": (filename, data, content_type)}
    return await stack.api.put(PHOTO_URL, headers=headers, files=files)


async def photo_rows(stack, account_id: int) -> list[PhysicianPhoto]:
    async with session_scope(stack.settings.database_url) as session:
        return list(
            await session.scalars(
                select(PhysicianPhoto)
                .where(PhysicianPhoto.account_id == account_id)
                .order_by(PhysicianPhoto.id)
            )
        )


async def until(check, what: str):
    for _ in range(200):
        if result := await check():
            return result
        await asyncio.sleep(0.05)
    raise AssertionError(f"never: {what}")


async def me(stack, headers) -> dict:
    response = await stack.api.get("/api/v1/me", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def submit_changes(stack, headers, **changes):
    return await stack.api.post("/api/v1/me/profile-changes", headers=headers, json=changes)


async def decide(stack, headers, review_id: int, **body):
    return await stack.api.post(
        f"/api/v1/institution/reviews/{review_id}/decision", headers=headers, json=body
    )


def error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.json()["code"] == code, response.json()
    return response.json()


# --- view --------------------------------------------------------------------------------------


async def test_me_shows_profile_department_photo_and_pending_reviews(stack, faker):
    doc = await new_physician(stack, faker, institution_code=HUNAN)
    body = await me(stack, doc.headers)
    assert body["profile"]["ethnicity"] is None and body["profile"]["postcode"] is None
    assert body["department"] is None
    assert body["photo"] == {"approved": None, "pending": None}
    assert body["pending_reviews"] == []
    staff = await me(stack, await desk(stack, STAFF[HUNAN]))
    assert staff["profile"] is None and staff["pending_reviews"] == []


# --- security settings ----------------------------------------------------------------------------


async def test_change_password_needs_the_current_one_and_tells_the_contacts(stack, faker):
    doc = await new_physician(stack, faker, institution_code=HUNAN)
    old = doc.who["password"]
    error(
        await patch_security(
            stack, doc.headers, current_password="wrong-1", new_password="Fresh-2027"
        ),
        403,
        "current_password_wrong",
    )
    error(
        await patch_security(stack, doc.headers, current_password=old, new_password="short"),
        422,
        "password_weak",
    )
    error(
        await patch_security(stack, doc.headers, current_password=old, new_password=old),
        422,
        "password_unchanged",
    )
    error(
        await patch_security(stack, doc.headers, new_password="Fresh-2027", phone=new_phone()),
        422,
        "security_one_change",
    )
    error(await patch_security(stack, doc.headers), 422, "security_one_change")
    earlier = await stack.api.post(
        "/api/v1/token", data={"username": doc.who["username"], "password": old}
    )
    earlier_session = earlier.json()["refresh_token"]
    changed = await patch_security(
        stack, doc.headers, current_password=old, new_password="Fresh-2027"
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["changed"] == "password"
    assert changed.json()["phone"].endswith(doc.phone[-4:]) and doc.phone not in changed.text
    ended = await stack.api.get("/api/v1/me", headers=doc.headers)
    error(ended, 401, "token_invalid")  # this session too: log in with the new password
    login = await stack.api.post(
        "/api/v1/token", data={"username": doc.who["username"], "password": old}
    )
    assert login.status_code == 401
    await stack.login(doc.who["username"], "Fresh-2027")
    refreshed = await stack.api.post(
        "/api/v1/token/refresh", json={"refresh_token": earlier_session}
    )
    assert refreshed.status_code == 401  # sessions from before the change are over
    await stack.message_about(doc.phone, "密码已修改")
    await stack.message_about(doc.who["email"], "Your account password was changed")


async def test_new_phone_takes_effect_only_with_the_code_sent_to_it(stack, faker):
    doc = await new_physician(stack, faker, institution_code=HUNAN)
    phone, other = new_phone(), new_phone()
    error(await patch_security(stack, doc.headers, phone="12345"), 422, "phone_invalid")
    error(await patch_security(stack, doc.headers, phone=doc.phone), 422, "contact_unchanged")
    sent = await patch_security(stack, doc.headers, phone=phone)
    assert sent.status_code == 202, sent.text
    assert sent.json()["changed"] is None
    assert sent.json()["code_sent"]["to"] == "*" * 7 + phone[-4:]
    assert sent.json()["code_sent"]["channel"] == "sms"
    code = await stack.next_code(phone, 0)
    assert not await stack.messages(doc.phone) or code not in str(await stack.messages(doc.phone))
    error(await patch_security(stack, doc.headers, phone=phone), 429, "resend_too_soon")

    wrong = "000000" if code != "000000" else "111111"
    refused = error(
        await patch_security(stack, doc.headers | EN, phone=phone, phone_code=wrong),
        400,
        "code_incorrect",
    )
    assert refused["attempts_left"] == 4 and refused["message"] == "Wrong code; 4 tries left."
    # The code proves the number it went to, not another one.
    error(
        await patch_security(stack, doc.headers, phone=other, phone_code=code), 409, "code_not_sent"
    )
    error(
        await patch_security(stack, doc.headers, phone=phone, phone_code="12ab"), 422, "code_format"
    )
    assert (await me(stack, doc.headers))["phone"].endswith(doc.phone[-4:])  # not yet

    changed = await patch_security(stack, doc.headers, phone=phone, phone_code=code)
    assert changed.status_code == 200, changed.text
    assert changed.json()["changed"] == "phone"
    assert (await me(stack, doc.headers))["phone"] == "*" * 7 + phone[-4:]
    old_notice = await stack.message_about(doc.phone, "手机号已更换")  # the OLD number is told
    assert phone[-4:] in old_notice["body"] and phone not in old_notice["body"]
    await stack.message_about(phone, "手机号已更换")
    await stack.message_about(doc.who["email"], "phone was changed")
    # A used code is gone.
    again = await patch_security(stack, doc.headers, phone=other, phone_code=code)
    error(again, 409, "code_not_sent")


async def test_new_security_email_takes_effect_only_with_the_code_sent_to_it(stack, faker):
    doc = await new_physician(stack, faker, institution_code=HUNAN)
    email = new_email()
    error(await patch_security(stack, doc.headers, email="not-an-email"), 422, "email_invalid")
    sent = await patch_security(stack, doc.headers, email=email)
    assert sent.status_code == 202 and sent.json()["code_sent"]["channel"] == "email"
    code = await stack.next_code(email, 0)
    changed = await patch_security(stack, doc.headers, email=email, email_code=code)
    assert changed.status_code == 200 and changed.json()["changed"] == "email"
    notice = await stack.message_about(doc.who["email"], "安全邮箱已更换")  # to the OLD address
    assert "n***@example.org" in notice["body"] and email not in notice["body"]
    await stack.message_about(email, "安全邮箱已更换")
    await stack.message_about(doc.phone, "security email was changed")
    assert (await me(stack, doc.headers))["email"].endswith(email[-4:])


async def test_five_wrong_codes_lock_for_30_minutes_and_codes_expire(stack, faker):
    doc = await new_physician(stack, faker, institution_code=HUNAN)
    phone = new_phone()
    assert (await patch_security(stack, doc.headers, phone=phone)).status_code == 202
    code = await stack.next_code(phone, 0)
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        refused = await patch_security(stack, doc.headers, phone=phone, phone_code=wrong)
        assert error(refused, 400, "code_incorrect")["attempts_left"] == left
    locked = await patch_security(stack, doc.headers, phone=phone, phone_code=wrong)
    assert error(locked, 429, "code_locked")["retry_after"] == 1800
    assert locked.headers["Retry-After"] == "1800"
    # Locked: even the right code, and a new one, wait for the 30 minutes to pass.
    error(
        await patch_security(stack, doc.headers, phone=phone, phone_code=code), 429, "code_locked"
    )
    error(await patch_security(stack, doc.headers, phone=phone), 429, "code_locked")

    # Thirty minutes later (moved in the database), a new code may be asked for; it expires.
    async with session_scope(stack.settings.database_url) as session:
        await session.execute(
            update(ContactCode)
            .where(ContactCode.account_id == doc.account_id)
            .values(locked_until=now() - timedelta(seconds=1), sent_at=now() - timedelta(minutes=2))
        )
    assert (await patch_security(stack, doc.headers, phone=phone)).status_code == 202
    fresh = await stack.next_code(phone, 1)
    async with session_scope(stack.settings.database_url) as session:
        row = await session.scalar(
            select(ContactCode).where(ContactCode.account_id == doc.account_id)
        )
        assert fresh not in (row.digest, row.nonce, row.target) and len(row.digest) == 64
        row.expires_at = now() - timedelta(seconds=1)
    error(
        await patch_security(stack, doc.headers, phone=phone, phone_code=fresh), 410, "code_expired"
    )
    assert (await me(stack, doc.headers))["phone"].endswith(doc.phone[-4:])


async def test_forgotten_password_reset_by_sms_without_revealing_usernames(stack, faker):
    doc = await new_physician(stack, faker, institution_code=HUNAN)
    username = doc.who["username"]
    known = await stack.api.post(
        "/api/v1/password-reset/request", json={"username": username, "channel": "sms"}
    )
    unknown = await stack.api.post(
        "/api/v1/password-reset/request", json={"username": "nobody-here", "channel": "sms"}
    )
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    code = await stack.next_code(doc.phone, 0)
    # Too soon: the same answer again, and no second code.
    again = await stack.api.post(
        "/api/v1/password-reset/request", json={"username": username, "channel": "sms"}
    )
    assert again.status_code == 202 and again.json() == known.json()

    wrong = "000000" if code != "000000" else "111111"
    body = {"username": username, "channel": "sms", "new_password": "Reset-2027"}
    by_stranger = await stack.api.post(
        "/api/v1/password-reset/confirm", json=body | {"username": "nobody-here", "code": code}
    )
    by_owner = await stack.api.post("/api/v1/password-reset/confirm", json=body | {"code": wrong})
    assert error(by_stranger, 400, "reset_code_invalid") == error(
        by_owner, 400, "reset_code_invalid"
    )
    error(
        await stack.api.post(
            "/api/v1/password-reset/confirm", json=body | {"code": code, "channel": "email"}
        ),
        400,
        "reset_code_invalid",
    )
    weak = await stack.api.post(
        "/api/v1/password-reset/confirm", json=body | {"code": code, "new_password": "weak"}
    )
    error(weak, 422, "password_weak")
    done = await stack.api.post("/api/v1/password-reset/confirm", json=body | {"code": code})
    assert done.status_code == 200, done.text
    error(await stack.api.get("/api/v1/me", headers=doc.headers), 401, "token_invalid")
    await stack.login(username, "Reset-2027")
    await stack.message_about(doc.phone, "密码已通过验证码重置")
    await stack.message_about(doc.who["email"], "Your account password was reset")
    used = await stack.api.post("/api/v1/password-reset/confirm", json=body | {"code": code})
    error(used, 400, "reset_code_invalid")
    assert len([m for m in await stack.messages(doc.phone) if "您正在找回密码" in m["body"]]) == 1


async def test_forgotten_password_reset_by_email(stack, faker):
    doc = await new_physician(stack, faker, institution_code=HUNAN)
    request = {"username": doc.who["username"].upper(), "channel": "email"}
    assert (await stack.api.post("/api/v1/password-reset/request", json=request)).status_code == 202
    code = await stack.next_code(doc.who["email"], 0)
    done = await stack.api.post(
        "/api/v1/password-reset/confirm",
        json=request | {"code": code, "new_password": "Mail-reset-9"},
        headers=EN,
    )
    assert done.json()["message"] == "Your password was reset; log in with it."
    await stack.login(doc.who["username"], "Mail-reset-9")


# --- personal information ---------------------------------------------------------------------

CHANGES = {
    "ethnicity": "回族",
    "education": "硕士研究生",
    "professional_title": "主治医师",
    "mailing_address": "湖南省长沙市芙蓉区解放西路61号",
    "postcode": "410005",
}


async def test_personal_information_changes_only_when_the_institution_approves(stack, faker):
    doc = await new_physician(stack, faker, institution_code=HUNAN)
    error(await submit_changes(stack, doc.headers), 422, "profile_change_empty")
    bad = await submit_changes(stack, doc.headers | EN, ethnicity="火星族")
    assert error(bad, 422, "profile_field_invalid")["message"] == "Ethnicity is not valid."
    error(await submit_changes(stack, doc.headers, postcode="4100"), 422, "profile_field_invalid")
    error(await submit_changes(stack, doc.headers, unknown_field="x"), 422, "invalid_request")

    submitted = await submit_changes(stack, doc.headers, **CHANGES)
    assert submitted.status_code == 201, submitted.text
    review = submitted.json()
    assert (review["kind"], review["state"]) == ("personal_info", "awaiting_institution")
    assert review["changes"] == CHANGES and review["physician"] == doc.name
    again = await submit_changes(stack, doc.headers, postcode="100000")
    assert error(again, 409, "review_open")["review_id"] == review["id"]
    pending = (await me(stack, doc.headers))["pending_reviews"]
    assert [r["id"] for r in pending] == [review["id"]]
    assert (await me(stack, doc.headers))["profile"]["ethnicity"] is None  # not yet

    staff = await desk(stack, STAFF[HUNAN])

    async def listed_with_deadline():
        inbox = (await stack.api.get("/api/v1/institution/inbox", headers=staff)).json()
        listed = next(r for r in inbox["reviews"] if r["id"] == review["id"])
        return listed if listed["deadline"] else None

    # The deadline is the workflow's, shown once its first record is in.
    listed = await until(listed_with_deadline, "the review's deadline in the inbox")
    assert listed["physician"] == doc.masked_name and listed["changes"] == CHANGES
    error(await decide(stack, await desk(stack, STAFF[ANJI]), review["id"], decision="approve"),
          403, "wrong_institution")  # fmt: skip
    error(await decide(stack, doc.headers, review["id"], decision="approve"), 403, "forbidden")
    error(await decide(stack, staff, 10**9, decision="approve"), 404, "review_not_found")

    approved = await decide(stack, staff, review["id"], decision="approve", comment="核实无误")
    assert approved.status_code == 200, approved.text
    assert approved.json()["state"] == "approved"
    body = await me(stack, doc.headers)
    assert {k: body["profile"][k] for k in CHANGES} == CHANGES
    assert body["pending_reviews"] == []
    async with session_scope(stack.settings.database_url) as session:
        qualification = await session.scalar(
            select(Qualification).where(Qualification.id_number == doc.id_number)
        )
        assert qualification.name == doc.name  # the qualification record is untouched
    await stack.message_about(doc.phone, "已通过医疗机构审核")
    error(await decide(stack, staff, review["id"], decision="reject", comment="晚了"),
          409, "wrong_state")  # fmt: skip
    # Closed: a new change may be asked for.
    assert (await submit_changes(stack, doc.headers, postcode="410011")).status_code == 201


async def test_rejected_change_leaves_the_profile_and_says_why(stack, faker):
    doc = await new_physician(stack, faker, institution_code=HUNAN)
    review = (await submit_changes(stack, doc.headers, degree="博士")).json()
    staff = await desk(stack, STAFF[HUNAN])
    error(await decide(stack, staff, review["id"], decision="reject"), 422, "comment_required")
    error(await decide(stack, staff, review["id"], decision="maybe"), 422, "invalid_request")
    rejected = await decide(stack, staff, review["id"], decision="reject", comment="无学位证书")
    assert rejected.json()["state"] == "rejected"
    assert (await me(stack, doc.headers))["profile"]["degree"] is None
    mine = (await stack.api.get("/api/v1/me/profile-changes", headers=doc.headers)).json()
    assert (mine[0]["state"], mine[0]["comment"]) == ("rejected", "无学位证书")
    notice = await stack.message_about(doc.phone, "未通过医疗机构审核")
    assert "无学位证书" in notice["body"]


async def withdraw(stack, headers, review_id: int):
    return await stack.api.post(f"/api/v1/me/profile-changes/{review_id}/withdraw", headers=headers)


async def test_a_change_withdrawn_before_the_decision_frees_the_way_for_a_corrected_one(
    stack, faker
):
    doc = await new_physician(stack, faker, institution_code=HUNAN)
    other = await new_physician(stack, faker, institution_code=HUNAN)
    review = (await submit_changes(stack, doc.headers, postcode="410001")).json()
    error(await withdraw(stack, other.headers, review["id"]), 404, "review_not_found")
    staff = await desk(stack, STAFF[HUNAN])
    error(await withdraw(stack, staff, review["id"]), 403, "forbidden")

    withdrawn = await withdraw(stack, doc.headers, review["id"])
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["state"] == "withdrawn"
    body = await me(stack, doc.headers)
    assert body["pending_reviews"] == [] and body["profile"]["postcode"] is None
    inbox = (await stack.api.get("/api/v1/institution/inbox", headers=staff)).json()
    assert review["id"] not in [r["id"] for r in inbox["reviews"]]
    told = f"撤回个人信息变更（审核编号 {review['id']}）"
    await stack.message_about("staff_hunan@ereg.example", told)
    error(await decide(stack, staff, review["id"], decision="approve"), 409, "wrong_state")
    error(await withdraw(stack, doc.headers, review["id"]), 409, "wrong_state")

    corrected = await submit_changes(stack, doc.headers, postcode="410011")
    assert corrected.status_code == 201, corrected.text
    operator = await desk(stack, "operator")
    trail = (
        await stack.api.get("/api/v1/audit", params={"physician": doc.account_id}, headers=operator)
    ).json()
    withdrawal = next(e for e in trail if e["action"] == "review_withdrawn")
    assert (withdrawal["actor_id"], withdrawal["actor_role"]) == (doc.account_id, "physician")


async def test_an_inactive_physician_cannot_change_the_profile(stack, faker):
    doc = await new_physician(stack, faker, institution_code=HUNAN, activate=None)
    error(await submit_changes(stack, doc.headers, **CHANGES), 403, "account_not_active")
    error(await upload(stack, doc.headers, picture()), 403, "account_not_active")


# --- photo -----------------------------------------------------------------------------------


async def test_bad_uploads_are_refused_and_nothing_is_stored(stack, faker):
    doc = await new_physician(stack, faker, institution_code=HUNAN)
    text = await upload(stack, doc.headers, b"just some text\n" * 10, "photo.jpg", "image/jpeg")
    error(text, 415, "photo_format")
    error(await upload(stack, doc.headers, picture(fmt="GIF"), "photo.png", "image/png"),
          415, "photo_format")  # fmt: skip
    landscape = error(await upload(stack, doc.headers, picture(640, 480)), 422, "photo_dimensions")
    assert (landscape["width"], landscape["height"]) == (640, 480)
    error(await upload(stack, doc.headers, picture(200, 300)), 422, "photo_dimensions")
    error(await upload(stack, doc.headers, picture() + b"\0" * (2 * 1024 * 1024)),
          413, "photo_too_large")  # fmt: skip
    # far over even the upload envelope: refused unread, still with the photo's rule
    error(await upload(stack, doc.headers, picture() + b"\0" * (3 * 1024 * 1024)),
          413, "photo_too_large")  # fmt: skip
    missing = await stack.api.put(PHOTO_URL, headers=doc.headers, files={"other": ("a", b"x")})
    error(missing, 422, "invalid_request")
    assert await photo_rows(stack, doc.account_id) == []
    error(await stack.api.get(PHOTO_URL, headers=doc.headers), 404, "photo_not_found")


async def test_photo_review_shows_staff_only_the_newest_upload(stack, faker):
    doc = await new_physician(stack, faker, institution_code=HUNAN)
    first = await upload(stack, doc.headers, picture(exif=gps_exif()), "me.txt", "text/plain")
    assert first.status_code == 202, first.text
    first = first.json()
    assert (first["media_type"], first["width"], first["height"]) == ("image/jpeg", 360, 480)
    error(await stack.api.get(PHOTO_URL, headers=doc.headers), 404, "photo_not_found")
    pending = await stack.api.get(PHOTO_URL, headers=doc.headers, params={"pending": "true"})
    assert pending.status_code == 200 and pending.headers["content-type"] == "image/jpeg"
    assert (
        b"PhoneMaker" not in pending.content
        and not Image.open(io.BytesIO(pending.content)).getexif()
    )

    # A second upload goes to the same review; the first is no longer kept.
    second = await upload(stack, doc.headers, picture(400, 560, fmt="PNG"), "x.jpg", "image/jpeg")
    assert second.status_code == 202, second.text
    second = second.json()
    assert second["review_id"] == first["review_id"] and second["photo_id"] > first["photo_id"]
    ids = await until(
        lambda: _ids_if(stack, doc.account_id, [second["photo_id"]]), "only the newest is kept"
    )
    assert ids == [second["photo_id"]]
    body = await me(stack, doc.headers)
    assert body["photo"]["approved"] is None and body["photo"]["pending"]["photo_id"] == ids[0]
    assert [r["kind"] for r in body["pending_reviews"]] == ["photo"]

    staff = await desk(stack, STAFF[HUNAN])
    url = f"/api/v1/institution/physicians/{doc.account_id}/photo"
    seen = await stack.api.get(url, headers=staff, params={"pending": "true"})
    assert seen.headers["content-type"] == "image/png" and seen.headers["X-Photo-Id"] == str(ids[0])
    officer = await stack.api.get(
        url, headers=await desk(stack, OFFICER[HUNAN]), params={"pending": 1}
    )
    assert officer.status_code == 200
    error(await stack.api.get(url, headers=await desk(stack, STAFF[ANJI])), 403, "forbidden")
    error(await stack.api.get(url, headers=await desk(stack, OFFICER[HANGZHOU])), 403, "forbidden")
    error(await stack.api.get(url, headers=doc.headers), 403, "forbidden")

    review_id = first["review_id"]
    inbox = (await stack.api.get("/api/v1/institution/inbox", headers=staff)).json()
    assert next(r for r in inbox["reviews"] if r["id"] == review_id)["photo_id"] == ids[0]
    outdated = await decide(stack, staff, review_id, decision="approve", photo_id=first["photo_id"])
    error(outdated, 409, "review_outdated")
    approved = await decide(stack, staff, review_id, decision="approve", photo_id=ids[0])
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    in_force = await stack.api.get(PHOTO_URL, headers=doc.headers)
    assert in_force.status_code == 200 and in_force.content == seen.content
    error(await stack.api.get(PHOTO_URL, headers=doc.headers, params={"pending": "true"}),
          404, "photo_not_found")  # fmt: skip
    assert (await me(stack, doc.headers))["photo"]["approved"]["photo_id"] == ids[0]

    # The next upload opens a new review; the photo in force stays until that one is approved.
    third = (await upload(stack, doc.headers, picture(600, 800))).json()
    assert third["review_id"] != review_id
    assert (await stack.api.get(PHOTO_URL, headers=doc.headers)).content == seen.content
    rejected = await decide(stack, staff, third["review_id"], decision="reject", comment="背景不符")
    assert rejected.json()["state"] == "rejected"
    assert (await stack.api.get(PHOTO_URL, headers=doc.headers)).content == seen.content


async def _ids_if(stack, account_id: int, expected: list[int]):
    ids = [row.id for row in await photo_rows(stack, account_id)]
    return ids if ids == expected else None


# --- department --------------------------------------------------------------------------------


async def test_department_is_chosen_from_the_institutions_list(stack, faker):
    staff = await desk(stack, STAFF[HANGZHOU])
    tag = random.randrange(10**6)
    names = [f"心血管内科{tag}", f"普通外科{tag}", f"儿科{tag}"]
    error(await stack.api.put("/api/v1/institution/departments", headers=staff,
                              json={"departments": ["内科", "内科"]}),
          422, "department_names_invalid")  # fmt: skip
    kept = await stack.api.put(
        "/api/v1/institution/departments", headers=staff, json={"departments": names}
    )
    assert kept.status_code == 200, kept.text
    assert [d["name"] for d in kept.json()] == names
    listed = (await stack.api.get("/api/v1/institution/departments", headers=staff)).json()
    assert listed == kept.json()
    hunan = await stack.api.put(
        "/api/v1/institution/departments",
        headers=await desk(stack, STAFF[HUNAN]),
        json={"departments": [f"急诊科{tag}"]},
    )
    foreign_id = hunan.json()[0]["id"]

    doc = await new_physician(stack, faker, institution_code=HANGZHOU)
    mine = (await stack.api.get("/api/v1/me/department", headers=doc.headers)).json()
    assert mine["current"] is None and [d["name"] for d in mine["choices"]] == names
    put = "/api/v1/me/department"
    error(await stack.api.put(put, headers=doc.headers, json={"department_id": foreign_id}),
          422, "department_not_in_list")  # fmt: skip
    error(await stack.api.put(put, headers=doc.headers, json={"department_id": 10**9}),
          422, "department_not_in_list")  # fmt: skip
    chosen_id = kept.json()[1]["id"]
    chosen = await stack.api.put(put, headers=doc.headers, json={"department_id": chosen_id})
    assert chosen.status_code == 200 and chosen.json()["current"]["name"] == names[1]
    assert (await me(stack, doc.headers))["department"] == {"id": chosen_id, "name": names[1]}

    # Dropped from the list: kept by who chose it, no longer offered, no longer choosable.
    renamed = [names[0], names[2], f"骨科{tag}"]
    await stack.api.put(
        "/api/v1/institution/departments", headers=staff, json={"departments": renamed}
    )
    mine = (await stack.api.get("/api/v1/me/department", headers=doc.headers)).json()
    assert mine["current"]["id"] == chosen_id and names[1] not in [
        d["name"] for d in mine["choices"]
    ]
    other = await new_physician(stack, faker, institution_code=HANGZHOU)
    error(await stack.api.put(put, headers=other.headers, json={"department_id": chosen_id}),
          422, "department_not_in_list")  # fmt: skip
    error(
        await stack.api.get("/api/v1/institution/departments", headers=doc.headers),
        403,
        "forbidden",
    )


async def test_nothing_personal_leaves_in_workflow_ids_or_search_attributes(stack, faker):
    doc = await new_physician(stack, faker, institution_code=HUNAN)
    review = (await submit_changes(stack, doc.headers, **CHANGES)).json()
    handle = stack.client.get_workflow_handle(f"profile-review-{review['id']}")
    described = await handle.describe()
    attributes = {pair.key.name: pair.value for pair in described.typed_search_attributes}
    assert attributes["ReviewState"] == "awaiting_institution"
    assert attributes["InstitutionCode"] == HUNAN
    text = str(attributes) + described.id + str(described.raw_description)
    for value in (doc.name, doc.id_number, doc.phone, CHANGES["mailing_address"]):
        assert value not in text
    async with session_scope(stack.settings.database_url) as session:
        count = await session.scalar(
            select(func.count())
            .select_from(ProfileReview)
            .where(ProfileReview.account_id == doc.account_id)
        )
        assert count == 1
        assert await session.get(Account, doc.account_id)
    assert re.fullmatch(r"profile-review-\d+", described.id)
