"""Errors a user can cause, each with a stable code, an HTTP status and a message in zh and en.

The code is the contract for clients; the messages are for people. Every rule in ``registry``
raises :class:`DomainError`, and the API renders it in the caller's language.
"""

from dataclasses import dataclass, field
from typing import Any, NamedTuple

# code: (status, zh, en). Messages may use str.format fields from DomainError.params.
CATALOG: dict[str, tuple[int, str, str]] = {
    "invalid_request": (422, "请求内容不正确：{detail}", "The request is not valid: {detail}"),
    "not_authenticated": (401, "请先登录。", "Please log in first."),
    "invalid_credentials": (401, "用户名或密码不正确。", "Wrong username or password."),
    "token_invalid": (401, "登录已失效，请重新登录。", "Your session has expired; log in again."),
    "forbidden": (403, "您无权进行此操作。", "You are not allowed to do this."),
    "not_found": (404, "未找到。", "Not found."),
    "internal_error": (500, "系统繁忙，请稍后再试。", "Something went wrong; please try again."),
    "service_unavailable": (
        503,
        "服务暂时不可用，请稍后再试，已提交的数据不会丢失。",
        "The service is briefly unavailable; try again. Nothing you submitted is lost.",
    ),
    "name_invalid": (
        422,
        "姓名只能包含汉字（少数民族姓名可含间隔号“·”），不能包含字母或数字。",
        "The name must be Chinese characters only (a middle dot '·' is allowed), "
        "no letters or digits.",
    ),
    "id_number_invalid": (
        422,
        "居民身份证号码不正确：{reason}",
        "The resident ID number is not valid: {reason}",
    ),
    "phone_invalid": (
        422,
        "手机号码格式不正确，请输入11位中国大陆手机号。",
        "The phone number is not a valid mainland China mobile number.",
    ),
    "email_invalid": (422, "电子邮箱格式不正确。", "The email address is not valid."),
    "username_invalid": (
        422,
        "用户名须为4–32位字母、数字、下划线、点或连字符。",
        "The username must be 4–32 letters, digits, '_', '.' or '-'.",
    ),
    "password_weak": (
        422,
        "密码须为8–128位，且同时包含字母和数字。",
        "The password must be 8–128 characters with both letters and digits.",
    ),
    "username_taken": (409, "该用户名已被使用。", "This username is already taken."),
    "id_number_taken": (
        409,
        "该身份证号码已注册账户，请直接登录或找回密码。",
        "An account with this ID number exists; log in or reset the password.",
    ),
    "institution_not_found": (
        404,
        "未找到该医疗机构，请核对机构代码。",
        "No institution has this code; check it.",
    ),
    "institution_required": (
        422,
        "未找到您的执业注册信息，请选择主要执业机构。",
        "No practice registration was found for you; choose your primary institution.",
    ),
    "division_not_found": (
        404,
        "未找到该行政区划代码。",
        "No administrative division with this code.",
    ),
    "commission_not_found": (
        404,
        "未找到该卫生健康委，请核对代码。",
        "No commission has this code; check it.",
    ),
    "wrong_state": (
        409,
        "当前状态（{state}）不能进行此操作。",
        "This cannot be done in the current state ({state}).",
    ),
    "not_physician": (403, "仅医师本人可进行此操作。", "Only the physician can do this."),
    "wrong_institution": (
        403,
        "该医师的主要执业机构不是您所在的机构。",
        "This physician's primary institution is not yours.",
    ),
    "resend_too_soon": (
        429,
        "验证码已发送，请{retry_after}秒后再试。",
        "A code was just sent; try again in {retry_after} s.",
    ),
    "code_locked": (
        429,
        "错误次数过多，验证已锁定，请{retry_after}秒后再试。",
        "Too many wrong codes; verification is locked for {retry_after} s.",
    ),
    "code_not_sent": (
        409,
        "请先获取验证码。",
        "No code has been sent yet; request one first.",
    ),
    "code_expired": (
        410,
        "验证码已过期，请重新获取。",
        "The code has expired; request a new one.",
    ),
    "code_incorrect": (
        400,
        "验证码不正确，还可尝试{attempts_left}次。",
        "Wrong code; {attempts_left} tries left.",
    ),
    "code_format": (422, "验证码为6位数字。", "The code is 6 digits."),
    "activation_not_found": (
        404,
        "未找到进行中的激活流程。",
        "No activation is in progress for this account.",
    ),
    "activation_in_progress": (
        409,
        "激活流程仍在进行中，无需重新开始。",
        "The activation is still in progress; there is nothing to restart.",
    ),
    "rate_limited": (
        429,
        "操作过于频繁，请{retry_after}秒后再试。",
        "Too many attempts; try again in {retry_after} s.",
    ),
    # --- applications ---
    "account_not_active": (403, "账户尚未激活，请先完成激活。", "Activate your account first."),
    "application_type_unknown": (
        422,
        "不支持该业务类型。",
        "This application type is not supported.",
    ),
    "offline_only": (
        422,
        "“{business}”不能在线办理：{where}",
        "'{business}' cannot be filed online: {where}",
    ),
    "application_open": (
        409,
        "该注册已有一件办理中的业务申请（{application_no}），请办结或撤回后再提交。",
        "An application on this registration is still open ({application_no}); "
        "finish or withdraw it first.",
    ),
    "application_not_found": (404, "未找到该业务申请。", "No such application."),
    "wrong_commission": (
        403,
        "该申请不由您所在的卫生健康委审批。",
        "This application is not decided by your commission.",
    ),
    "not_applicant": (403, "仅申请人本人可进行此操作。", "Only the applicant can do this."),
    "comment_required": (
        422,
        "请填写理由（不予注册须书面说明理由）。",
        "Give the reason (a refusal must be explained in writing).",
    ),
    "completion_in_progress": (
        409,
        "正在办结，不能撤回。",
        "The application is being completed and can no longer be withdrawn.",
    ),
    "category_invalid": (
        422,
        "执业类别不正确，请从列表中选择。",
        "Unknown practice category; choose one from the list.",
    ),
    "level_invalid": (
        422,
        "医师级别须为执业医师或执业助理医师。",
        "Level must be physician or assistant.",
    ),
    "scope_required": (422, "请选择执业范围。", "Choose a practice scope."),
    "scope_not_in_category": (
        422,
        "执业范围“{scope}”不属于该执业类别（{category}）。",
        "The scope '{scope}' does not belong to category {category}.",
    ),
    "qualification_missing": (
        422,
        "未查到您在该类别（{category}）的医师资格。",
        "You hold no qualification in this category ({category}).",
    ),
    "category_not_qualified": (
        422,
        "您的医师资格不包含该执业类别（{category}）。",
        "Your qualification does not cover category {category}.",
    ),
    "already_registered_in_location": (
        409,
        "您在该执业地点（{location_code}）已有有效注册；一个执业地点只能有一个主要执业机构。",
        "You already hold a registration at this location ({location_code}); a location has "
        "exactly one primary institution.",
    ),
    "assistant_single_location": (
        409,
        "执业助理医师只能注册一个执业地点。",
        "An assistant physician registers exactly one practice location.",
    ),
    "registration_not_found": (
        404,
        "未找到您的有效执业注册。",
        "No active registration of yours was found.",
    ),
    "not_assistant_registration": (
        422,
        "该注册不是执业助理医师注册。",
        "This is not an assistant physician registration.",
    ),
    "upgrade_needs_physician_qualification": (
        422,
        "升级须具有同类别的执业医师资格。",
        "Upgrading needs a physician-level qualification of the same category.",
    ),
    "military_certificate_required": (
        422,
        "请填写军队医师执业证书编号。",
        "The military practising certificate number is required.",
    ),
    "military_unit_required": (422, "请填写调入的军队单位。", "Name the military unit."),
    "no_change_requested": (
        422,
        "请至少变更执业地点、执业范围、执业类别或主要执业机构中的一项。",
        "Change at least one of location, scope, category or primary institution.",
    ),
    "cancellation_ground_invalid": (
        422,
        "注销情形须为1–10之一。",
        "The cancellation ground must be one of 1–10.",
    ),
    "filing_other_province": (
        422,
        "备案机构须与执业地点在同一省份。",
        "The further institution must be in the province of the registration.",
    ),
    "filing_at_primary": (
        422,
        "不能在主要执业机构备案。",
        "A filing cannot be at the primary institution.",
    ),
    "filing_exists": (409, "已在该机构备案。", "There is already a filing at this institution."),
    "filing_dates": (
        422,
        "备案结束日期不能早于开始日期。",
        "The end date is before the start date.",
    ),
    "filing_not_found": (404, "未找到该有效备案。", "No such active filing."),
    "legacy_site_not_found": (
        404,
        "未找到该多地点执业记录。",
        "No such legacy multi-site record.",
    ),
    "qualification_level_missing": (
        422,
        "未查到您在该级别和类别（{level}，{category}）的医师资格。",
        "You hold no qualification at this level and category ({level}, {category}).",
    ),
    "assistant_upgrade_instead": (
        409,
        "您在该省（{province_code}）已有执业助理医师注册，一个执业地点只能有一个主要执业机构；"
        "取得执业医师资格后请办理“助理医师升执业医师”。",
        "You hold an assistant physician registration in this province ({province_code}), and "
        "a location has one primary institution: with a physician qualification, file an "
        "'assistant to practising physician' upgrade instead.",
    ),
    "filing_other_county": (
        422,
        "执业助理医师的执业地点为县级行政区划（{location_code}），备案机构须在该县内。",
        "An assistant physician practises in one county ({location_code}); the further "
        "institution must be in it.",
    ),
    "assistant_change_other_county": (
        422,
        "执业助理医师的执业地点为县级行政区划（{location_code}），变更后的主要执业机构须在该县内。",
        "An assistant physician practises in one county ({location_code}); the new primary "
        "institution must be in it.",
    ),
    "cancellation_ground_for_physician": (
        422,
        "医师本人只能以第10项“本人主动申请”申请注销；第1–9项情形由所在医疗机构报告。",
        "A physician files a cancellation only on ground 10, own request; grounds 1–9 are "
        "reported by the institution.",
    ),
    "cancellation_ground_for_reporter": (
        422,
        "医疗机构报告或卫生健康委依职权注销须为第1–9项情形；第10项“本人主动申请”由医师本人申请。",
        "An institution reports, and a commission cancels on its own authority, only on "
        "grounds 1–9; ground 10, own request, is filed by the physician.",
    ),
    "ground_date_required": (
        422,
        "请填写注销情形发生（知道或者应当知道）之日。",
        "Give the date the ground arose (became known or should have).",
    ),
    "ground_date_future": (
        422,
        "注销情形发生之日不能晚于今天。",
        "The date the ground arose cannot be in the future.",
    ),
    "sentence_end_required": (
        422,
        "情形2（受刑事处罚）须填写刑罚执行完毕之日（可为将来日期）。",
        "Ground 2 (criminal punishment) needs the date the sentence is served (may be ahead).",
    ),
    "registered_elsewhere": (
        403,
        "该注册不是由您所在的卫生健康委准予的，不能依职权注销；请通报准予注册的卫生健康委。",
        "This registration was not granted by your commission, which cannot cancel it; "
        "notify the commission that granted it.",
    ),
    "registration_barred": (
        409,
        "不予注册：{ground}（《医师法》第十六条）。该情形由卫生健康主管部门记录，消失后方可申请。",
        "Registration is refused: {ground} (Physicians Law art. 16). A commission recorded it; "
        "apply once it no longer holds.",
    ),
    "registration_barred_until": (
        409,
        "不予注册：{ground}（《医师法》第十六条），期限至{ends_on}届满，届满后方可申请。",
        "Registration is refused: {ground} (Physicians Law art. 16); the period ends on "
        "{ends_on}, apply from then.",
    ),
    "refusal_ground_not_recordable": (
        422,
        "此处只能记录无民事行为能力或限制民事行为能力；其他不予注册情形随注销注册记录。",
        "Only a lack or limit of civil capacity is recorded here; the other grounds are "
        "recorded with the cancellation.",
    ),
    "refusal_ground_dates": (
        422,
        "结束日期须晚于开始日期。",
        "The end date must be after the start date.",
    ),
    "refusal_ground_not_found": (404, "未找到该不予注册情形记录。", "No such refusal ground."),
    # --- profile: security settings, personal information, photo, department ---
    "current_password_wrong": (403, "当前密码不正确。", "The current password is wrong."),
    "reset_code_invalid": (
        400,
        "验证码不正确或已失效，请重新获取。",
        "The code is wrong or no longer valid; request a new one.",
    ),
    "password_unchanged": (
        422,
        "新密码不能与当前密码相同。",
        "The new password must differ from the current one.",
    ),
    "contact_unchanged": (
        422,
        "新的联系方式与当前相同。",
        "This is already your current contact.",
    ),
    "security_one_change": (
        422,
        "每次只能修改一项：密码、手机号或安全邮箱。",
        "Change one thing at a time: password, phone or security email.",
    ),
    "profile_change_empty": (
        422,
        "请至少填写一项要变更的信息。",
        "Give at least one item to change.",
    ),
    "profile_field_invalid": (422, "{field}填写不正确。", "{field} is not valid."),
    "review_open": (
        409,
        "已有一件待审核的{kind}（{review_id}），请等待医疗机构审核。",
        "A {kind} is already awaiting review ({review_id}); wait for the institution.",
    ),
    "review_not_found": (404, "未找到该审核。", "No such review."),
    "review_outdated": (
        409,
        "医师已上传更新的照片，请查看最新照片后再审核。",
        "The physician uploaded a newer photo; review the newest one.",
    ),
    "photo_too_large": (
        413,
        "照片不能超过{max_mb}MB。",
        "The photo must not exceed {max_mb} MB.",
    ),
    "photo_format": (
        415,
        "照片须为JPEG或PNG图片（按文件内容识别，而非文件名）。",
        "The photo must be a JPEG or PNG image (recognised by its content, not its name).",
    ),
    "photo_dimensions": (
        422,
        "照片须为竖版，且不小于{min_width}×{min_height}像素；当前为{width}×{height}。",
        "The photo must be portrait and at least {min_width}×{min_height} pixels; "
        "this one is {width}×{height}.",
    ),
    "photo_too_many_pixels": (
        413,
        "图片像素过多（上限{max_pixels}像素），请缩小后再上传。",
        "The image has too many pixels (at most {max_pixels}); scale it down first.",
    ),
    "photo_not_found": (404, "没有照片。", "No photo."),
    "no_practice_institution": (
        409,
        "您目前没有有效的执业注册，也就没有审核个人信息和照片的主要执业机构；请先办理注册。",
        "You hold no active registration, so no primary institution reviews your information "
        "or photo; register first.",
    ),
    "department_not_in_list": (
        422,
        "该科室不在您所在医疗机构的科室列表中。",
        "This department is not in your institution's list.",
    ),
    "department_names_invalid": (
        422,
        "科室名称须为1–{max_length}个字符且不能重复（最多{max_count}个）。",
        "Department names must be 1–{max_length} characters, without duplicates "
        "(at most {max_count}).",
    ),
    # --- paper documents, certificates, the public register ---
    "form_not_ready": (
        409,
        "医疗机构确认后才能打印申请审核表（当前状态：{state}）。",
        "The form can be printed once the institution has confirmed (now: {state}).",
    ),
    "registration_not_active": (
        409,
        "该注册已不在有效期内，不能出具电子证照。",
        "This registration is no longer in force; no certificate can be issued for it.",
    ),
    "certificate_invalid": (
        400,
        "电子证照的签名无法验证：内容被改动，或并非本系统签发。",
        "The certificate's signature does not verify: it was altered or not issued here.",
    ),
    "certificate_unknown": (
        404,
        "未找到与该证书编码和核验码相符的电子证照。",
        "No certificate matches this certificate number and check code.",
    ),
    "document_checklist_incomplete": (
        422,
        "请逐项核验全部所需材料（齐全、缺少或不符合要求），尚未核验或重复：{documents}",
        "Check every required document (present, missing or not acceptable); not checked or "
        "checked twice: {documents}",
    ),
    "document_not_required": (
        422,
        "该申请不需要此材料：{document}",
        "This application does not need: {document}",
    ),
    "document_note_required": (
        422,
        "“{document}”不符合要求，请注明原因。",
        "Say why '{document}' is not acceptable.",
    ),
    "register_query": (
        422,
        "请输入姓名，以及执业证书编码或执业机构（二者之一）。",
        "Enter a name, and either a certificate number or an institution.",
    ),
    # --- holding up under abuse (issue #19): registry/text.py, starter/api/limits.py ---------
    "body_too_large": (
        413,
        "提交的内容过大（上限{max_kb}KB），请精简后再试。",
        "The request is too large (at most {max_kb} KB).",
    ),
    "codec_body_invalid": (
        400,
        "请求内容应为含 payloads 列表的 JSON 对象。",
        "The body must be a JSON object with a payloads list.",
    ),
    "photo_damaged": (
        422,
        "照片文件已损坏或不完整，请重新导出后再上传。",
        "The photo file is damaged or incomplete; export it again and upload it.",
    ),
    "text_invalid": (
        422,
        "含有不允许的字符（控制字符、不可见字符或文字方向控制符），请删除后再提交：{detail}",
        "Contains characters that are not allowed (control, invisible or text-direction "
        "characters); remove them and submit again: {detail}",
    ),
    # --- institutions at scale (batches, bulk decisions, claims, staff administration) ---
    "batch_encoding": (
        422,
        "文件须为 UTF-8 编码的 CSV 文件。",
        "The file must be a CSV file in UTF-8.",
    ),
    "batch_columns_missing": (
        422,
        "文件缺少以下列：{columns}（须有 name, id_number, category, scope）。",
        "The file lacks the columns {columns} (name, id_number, category, scope are needed).",
    ),
    "batch_empty": (422, "文件中没有任何医师。", "The file lists no physician."),
    "batch_too_large": (
        422,
        "一个文件最多 {max} 行，请分成几个文件上传。",
        "A file may have at most {max} rows; split it into several files.",
    ),
    "batch_not_found": (404, "未找到该批次。", "No such batch."),
    "account_deactivated": (
        403,
        "该账户已停用，请联系本单位的管理员。",
        "This account is deactivated; ask your administrator.",
    ),
    "staff_role_not_yours": (
        403,
        "您不能管理该角色或其他单位的账户。",
        "You cannot manage accounts of this role or of another institution or commission.",
    ),
    "staff_contact_required": (
        422,
        "请填写手机号码或电子邮箱，邀请码将发送到这里。",
        "Give a phone number or an email address: the invitation code goes there.",
    ),
    "claimed_by_other": (
        409,
        "此事项已由工作人员（账号 {holder}）认领，至 {until}（北京时间）前只有其可以办理。",
        "Staff account {holder} has claimed this item; until {until} China time only they "
        "may decide it.",
    ),
    "not_supervisor": (
        403,
        "只有本机构或本卫生健康委的管理员可以改派。",
        "Only an administrator of the institution or commission may reassign.",
    ),
    "claim_holder_required": (
        422,
        "请选择改派给哪位工作人员。",
        "Choose the staff member to reassign it to.",
    ),
}

# Stable codes for the ``reason`` parameter, rendered in the caller's language.
REASONS: dict[str, tuple[str, str]] = {
    "id_format": ("应为18位，最后一位为数字或X", "it must be 18 characters, the last a digit or X"),
    "id_province": ("省级行政区划代码不存在", "the province code does not exist"),
    "id_birth_date": ("出生日期不存在", "the birth date does not exist"),
    "id_birth_range": ("出生日期不在有效范围内", "the birth date is out of range"),
    "id_check_character": ("校验码不正确", "the check character is wrong"),
}


class Localized(NamedTuple):
    """A parameter value that reads differently in Chinese and English."""

    zh: str
    en: str


@dataclass
class DomainError(Exception):
    """A rule the caller broke; rendered as ``{"code", "message", **params}``."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.code not in CATALOG:
            raise KeyError(f"unknown error code {self.code}")
        super().__init__(self.code)

    @property
    def status(self) -> int:
        return CATALOG[self.code][0]

    def params_in(self, lang: str) -> dict[str, Any]:
        """The parameters as the caller reads them: ``Localized`` values in their language."""
        return {
            key: value[lang == "en"] if isinstance(value, Localized) else value
            for key, value in self.params.items()
        }

    def message(self, lang: str = "zh") -> str:
        _, zh, en = CATALOG[self.code]
        english = lang == "en"
        params = self.params_in(lang)
        if params.get("reason") in REASONS:
            params["reason"] = REASONS[params["reason"]][english]
        try:
            return (en if english else zh).format(**params)
        except (KeyError, IndexError):
            return en if english else zh
