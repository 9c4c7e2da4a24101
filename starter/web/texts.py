"""The portal's own words, (zh, en) per key. Errors' messages are in ``registry/errors.py``."""

from registry.application_types import TYPE_NAMES

TEXTS: dict[str, tuple[str, str]] = {
    # --- frame ---
    "app.name": ("医师电子化注册系统", "Physician e-Registration"),
    "app.tagline": ("医师执业注册网上办理", "Practice registration online"),
    "nav.skip": ("跳到主要内容", "Skip to main content"),
    "nav.label": ("个人版导航", "Physician menu"),
    "nav.home": ("我的首页", "My home"),
    "nav.activation": ("账户激活", "Activation"),
    "nav.info": ("我的信息", "My information"),
    "nav.security": ("安全设置", "Security"),
    "nav.profile": ("个人信息变更", "Personal information"),
    "nav.photo": ("照片", "Photo"),
    "nav.department": ("科室", "Department"),
    "nav.new_application": ("业务申请", "New application"),
    "nav.logout": ("退出", "Sign out"),
    "nav.login": ("登录", "Sign in"),
    "nav.signup": ("注册账户", "Sign up"),
    "nav.public_home": ("返回首页", "Home page"),
    "footer.text": (
        "本系统用于医师执业注册的网上申请。个人信息受法律保护，仅用于注册业务办理。",
        "This service files physicians' practice registrations online. Personal data is "
        "protected by law and used only for registration.",
    ),
    "error.title": ("无法完成", "Something is not right"),
    "csrf.title": ("请求已被拒绝", "Request refused"),
    "csrf.origin": (
        "该表单不是从本系统的页面提交的，为保护您的账户，系统拒绝了这次提交。",
        "This form was not sent from a page of this service, so it was refused to protect "
        "your account.",
    ),
    "csrf.token": (
        "该表单缺少有效的安全令牌（可能页面已过期，或来自其他网站），系统拒绝了这次提交。",
        "This form lacks a valid security token (the page may be old, or it came from another "
        "site), so it was refused.",
    ),
    "csrf.what_now": (
        "请返回本系统的页面，刷新后重新提交。",
        "Go back to a page of this service, reload it and try again.",
    ),
    "common.activate_first": ("请先完成账户激活。", "Activate your account first."),
    # --- home ---
    "home.title": ("医师电子化注册", "Physician electronic registration"),
    "home.intro": (
        "医师在网上注册账户、激活、维护个人信息并提交执业注册等业务申请；医疗机构网上确认，"
        "卫生健康委现场核验纸质材料后作出决定。每一步都会通过短信和邮件通知您。",
        "Physicians sign up, activate their account, keep their information and file practice "
        "registrations and other applications online; the institution confirms online, and the "
        "health commission decides after checking the paper documents in person. You are told "
        "of every step by SMS and email.",
    ),
    "home.entries": ("入口", "Entries"),
    "home.entry.physician": ("个人版", "Physicians"),
    "home.entry.physician.text": (
        "医师注册账户、激活、维护个人信息、提交业务申请。",
        "Sign up, activate, keep your information and file applications.",
    ),
    "home.entry.continue": ("进入个人版", "Continue"),
    "home.entry.institution": ("机构版", "Institutions"),
    "home.entry.institution.text": (
        "医疗机构管理员发送激活码、确认业务申请、审核个人信息变更。",
        "Institution staff issue activation codes, confirm applications and review changes.",
    ),
    "home.entry.commission": ("卫健委", "Health commissions"),
    "home.entry.commission.text": (
        "卫生健康委审批人员受理纸质材料、作出注册决定。",
        "Commission officers receive the paper documents and decide.",
    ),
    "home.businesses": ("业务说明", "The businesses"),
    "home.warning": ("请注意：", "Please note:"),
    "home.offline": ("只能现场办理的业务", "Done only in person"),
    "home.portals": ("各地入口", "Portals"),
    "home.portals.text": (
        "国家及31个省级行政区各有入口；医师执业注册按主要执业机构所在地办理。",
        "The nation and the 31 provincial-level divisions each have a portal; you file where "
        "your primary institution is.",
    ),
    # --- account ---
    "login.title": ("登录", "Sign in"),
    "login.submit": ("登录", "Sign in"),
    "login.forgot": ("忘记密码？", "Forgot your password?"),
    "login.no_account": ("还没有账户？注册", "No account yet? Sign up"),
    "login.done.password": (
        "密码已修改，所有登录已退出，请使用新密码登录。",
        "Your password was changed and every session ended; sign in with the new password.",
    ),
    "login.done.reset": (
        "密码已重置，请使用新密码登录。",
        "Your password was reset; sign in with it.",
    ),
    "login.done.logout": ("您已安全退出。", "You have signed out."),
    "signup.title": ("注册账户", "Sign up"),
    "signup.intro": (
        "姓名和身份证号码用于匹配您的资格或执业信息，请务必与证件一致。用户名和密码用于登录。",
        "Your name and ID number are matched against your qualification or practice records: "
        "type them exactly as on your ID. The username and password are your login.",
    ),
    "signup.identity": ("身份信息", "Identity"),
    "signup.contact": ("联系方式", "Contact"),
    "signup.login": ("登录信息", "Login"),
    "signup.institution": ("主要执业机构", "Primary institution"),
    "signup.institution.hint": (
        "按省份、市县和名称查找。已有执业注册的医师可不选，系统按执业注册信息确定。",
        "Find it by province, city or county and name. If you already hold a practice "
        "registration you may leave it empty.",
    ),
    "signup.submit": ("注册", "Sign up"),
    "reset.title": ("找回密码", "Reset your password"),
    "reset.intro": (
        "输入用户名，选择接收验证码的方式。",
        "Enter your username and where to receive the code.",
    ),
    "reset.channel": ("验证码发送到", "Send the code by"),
    "reset.send": ("获取验证码", "Send the code"),
    "reset.confirm": ("重置密码", "Reset the password"),
    "reset.again": ("重新获取验证码", "Send a new code"),
    "channel.sms": ("短信（手机）", "SMS (phone)"),
    "channel.email": ("电子邮箱", "Email"),
    # --- fields ---
    "f.username": ("用户名", "Username"),
    "f.username.hint": (
        "4–32位字母、数字、下划线、点或连字符。",
        "4–32 letters, digits, '_', '.' or '-'.",
    ),
    "f.password": ("密码", "Password"),
    "f.password.hint": ("8–128位，须同时包含字母和数字。", "8–128 characters, letters and digits."),
    "f.current_password": ("当前密码", "Current password"),
    "f.new_password": ("新密码", "New password"),
    "f.name": ("姓名", "Name"),
    "f.name.hint": (
        "只能是汉字；少数民族姓名可含间隔号“·”。",
        "Chinese characters only; a middle dot '·' is allowed.",
    ),
    "f.id_number": ("居民身份证号码", "Resident ID number"),
    "f.id_number.hint": ("18位，最后一位可为X。", "18 characters; the last may be X."),
    "f.phone": ("手机号码", "Mobile phone"),
    "f.phone.hint": ("用于接收验证码和通知。", "For codes and notices."),
    "f.email": ("电子邮箱", "Email"),
    "f.code": ("验证码", "Code"),
    "f.activation_code": ("激活码", "Activation code"),
    "f.province": ("省份", "Province"),
    "f.division": ("市 / 区县", "City / county"),
    "f.any": ("不限", "Any"),
    "f.institution_name": ("机构名称（可输入关键字）", "Institution name (part of it)"),
    "f.institution": ("医疗机构", "Institution"),
    "f.institution.none": ("不选择", "None chosen"),
    "f.institution.choose": ("请选择", "Choose one"),
    "f.institution.none_found": ("未找到符合条件的机构", "No institution matches"),
    "f.scope.choose": ("请选择执业范围", "Choose a scope"),
    # --- physician home ---
    "me.title": ("我的首页", "My home"),
    "me.hello": ("{name}，您好。", "Hello, {name}."),
    "me.next": ("下一步", "What to do next"),
    "me.go_activation": ("继续激活", "Continue activation"),
    "me.open_application": ("查看申请 {no}", "Open application {no}"),
    "me.next.register": (
        "您还没有执业注册。可以提交注册申请。",
        "You hold no practice registration yet; you may file one.",
    ),
    "me.new_registration": ("申请执业注册", "Apply for registration"),
    "me.next.none": ("目前没有需要您办理的事项。", "Nothing waits on you at the moment."),
    "me.registrations": ("执业注册", "Practice registrations"),
    "me.registrations.none": ("暂无执业注册。", "No practice registration."),
    "me.filings": ("多执业机构备案", "Filings at further institutions"),
    "me.filings.none": ("暂无备案。", "No filing."),
    "me.legacy": ("原“多地点执业”记录", "Legacy multi-site records"),
    "me.applications": ("业务申请", "Applications"),
    "me.applications.none": ("暂无业务申请。", "No application yet."),
    "reg.institution": ("医疗机构", "Institution"),
    "reg.location": ("执业地点", "Location"),
    "reg.category": ("执业类别", "Category"),
    "reg.scope": ("执业范围", "Scope"),
    "reg.certificate": ("证书编码", "Certificate no."),
    "reg.status": ("状态", "Status"),
    "filing.from": ("开始日期", "From"),
    "filing.to": ("结束日期", "Until"),
    "level.physician": ("执业医师", "Practising physician"),
    "level.assistant": ("执业助理医师", "Assistant physician"),
    "status.active": ("有效", "Active"),
    "status.cancelled": ("已注销", "Cancelled"),
    "status.superseded": ("已升级", "Superseded"),
    "status.invalid": ("已失效", "Invalid"),
    "status.ended": ("已终止", "Ended"),
    "app.no": ("申请编号", "Number"),
    "app.type": ("业务类型", "Type"),
    "app.state": ("状态", "State"),
    "app.next": ("下一步", "Next step"),
    "app.deadline": ("当前期限", "Current deadline"),
    "app.overdue": ("已超期", "Overdue"),
    "next.awaiting_institution": (
        "等待{institution}确认。",
        "Waiting for {institution} to confirm.",
    ),
    "next.returned": (
        "已退回补正：请按意见修改后重新提交。",
        "Returned for correction: correct it and resubmit.",
    ),
    "next.awaiting_documents": (
        "请于{deadline}前携带纸质材料到{commission}现场办理。",
        "Bring the paper documents to {commission} by {deadline}.",
    ),
    "next.under_review": (
        "{commission}审核中，将于{deadline}前作出决定。",
        "{commission} is reviewing it and decides by {deadline}.",
    ),
    "next.completed": ("已办结，证书编码 {certificate}。", "Completed; certificate {certificate}."),
    # --- activation ---
    "activation.title": ("账户激活", "Account activation"),
    "step.awaiting_qualification": ("资格信息匹配", "Qualification record"),
    "step.awaiting_verification": ("验证手机或邮箱", "Verify phone or email"),
    "step.awaiting_institution": ("医疗机构激活", "Institution activates"),
    "step.active": ("已激活", "Active"),
    "step.expired": ("已过期", "Expired"),
    "step.done": ("已完成", "done"),
    "activation.qualification.hint": (
        "本页面会自动更新：资格数据到达后，这里会直接进入下一步。",
        "This page updates by itself: when the record arrives it moves on to the next step.",
    ),
    "activation.deadline": ("激活期限：{deadline}", "Complete by {deadline}"),
    "activation.channel": ("验证码发送到", "Send the code by"),
    "activation.send": ("获取验证码", "Send a code"),
    "activation.resend_in": ("{s}秒后可重新获取", "Resend in {s} s"),
    "activation.resend_note": (
        "验证码已发送，5分钟内有效；60秒后可重新获取。",
        "A code was sent, valid for 5 minutes; you may ask again after 60 s.",
    ),
    "activation.sent.sms": ("验证码已通过短信发送。", "A code was sent by SMS."),
    "activation.sent.email": ("验证码已发送到您的邮箱。", "A code was sent to your email."),
    "activation.code.hint": ("6位数字。", "6 digits."),
    "activation.attempts": (
        "还可尝试{n}次；错误5次将锁定30分钟。",
        "{n} tries left; 5 wrong codes lock it for 30 minutes.",
    ),
    "activation.verify": ("验证", "Verify"),
    "activation.locked": ("验证已锁定，{until}后可再试。", "Locked until {until}."),
    "activation.institution": (
        "您的主要执业机构：{institution}",
        "Your primary institution: {institution}",
    ),
    "activation.institution.hint": (
        "机构设置了自动激活时，本页会自动进入下一步；机构发送激活码后，激活码会发到您的手机和邮箱。",
        "If the institution activates automatically this page moves on by itself; otherwise "
        "its activation code reaches your phone and email.",
    ),
    "activation.activate": ("激活", "Activate"),
    "activation.active": ("账户已激活", "Your account is active"),
    "activation.active.text": (
        "现在可以维护个人信息、上传照片并提交业务申请。",
        "You can now keep your information, upload a photo and file applications.",
    ),
    "activation.expired": ("激活已过期", "The activation expired"),
    "activation.restart": ("重新开始激活", "Start again"),
    # --- information and security ---
    "info.title": ("我的信息", "My information"),
    "info.masked": (
        "为保护您的隐私，证件号码、手机和邮箱只显示后4位。",
        "To protect your privacy, ID number, phone and email show only their last 4 characters.",
    ),
    "info.account": ("账户", "Account"),
    "info.department": ("科室", "Department"),
    "info.activation": ("激活状态", "Activation"),
    "info.to_security": ("修改密码、手机或邮箱", "Change password, phone or email"),
    "info.qualifications": ("医师资格", "Qualifications"),
    "info.qualifications.none": ("尚未匹配到资格信息。", "No qualification record matched yet."),
    "info.certificate": ("资格证书", "certificate"),
    "info.personal": ("个人信息（执业注册信息）", "Personal information (registration copy)"),
    "info.to_profile": ("申请变更个人信息", "Ask to change it"),
    "security.title": ("安全设置", "Security settings"),
    "security.password": ("修改密码", "Change the password"),
    "security.password.hint": (
        "修改后，所有已登录的设备都将退出，包括本设备。",
        "Afterwards every session ends, this one included.",
    ),
    "security.password.submit": ("修改密码", "Change the password"),
    "security.phone": ("手机号码", "Phone"),
    "security.email": ("安全邮箱", "Security email"),
    "security.current": ("当前：", "Now:"),
    "security.new_phone": ("新手机号码", "New phone number"),
    "security.new_email": ("新邮箱", "New email"),
    "security.send_code": ("发送验证码到新号码/邮箱", "Send a code to it"),
    "security.code_sent": ("验证码已发送到 {to}，请输入。", "A code was sent to {to}; enter it."),
    "security.confirm": ("确认修改", "Confirm"),
    "security.done.phone": (
        "手机号码已更新，原号码也已收到通知。",
        "Your phone was changed; the old number was told.",
    ),
    "security.done.email": (
        "安全邮箱已更新，原邮箱也已收到通知。",
        "Your email was changed; the old address was told.",
    ),
    # --- personal information ---
    "profile.title": ("个人信息变更", "Personal information"),
    "profile.intro": (
        "变更经主要执业机构审核通过后生效，只修改执业注册信息，不修改资格信息。",
        "A change takes effect once your primary institution approves it; it changes your "
        "registration copy, never the qualification record.",
    ),
    "profile.reviews": ("变更申请", "Your change requests"),
    "profile.reviews.none": ("暂无变更申请。", "No change request yet."),
    "profile.decide_by": ("机构应于{deadline}前审核", "the institution decides by {deadline}"),
    "profile.reason": ("机构意见：", "Institution's reason:"),
    "profile.withdraw": ("撤回", "Withdraw"),
    "profile.change": ("申请变更", "Ask for a change"),
    "profile.one_open": (
        "已有一件待审核的变更；可以撤回后重新提交。",
        "A change is already awaiting review; withdraw it to submit a corrected one.",
    ),
    "profile.only_changed": ("只填写需要变更的项目。", "Fill in only what changes."),
    "profile.now": ("当前：{value}", "Now: {value}"),
    "profile.unchanged": ("不变更", "No change"),
    "profile.submit": ("提交审核", "Submit for review"),
    "profile.done.submitted": (
        "已提交，等待医疗机构审核。",
        "Submitted; waiting for the institution.",
    ),
    "profile.done.withdrawn": ("已撤回。", "Withdrawn."),
    # --- photo ---
    "photo.title": ("照片", "Photo"),
    "photo.rules": ("照片要求", "What the photo must be"),
    "photo.rule.format": (
        "JPEG或PNG格式（按文件内容识别）。",
        "JPEG or PNG (recognised by content).",
    ),
    "photo.rule.size": ("不超过{max_mb}MB。", "At most {max_mb} MB."),
    "photo.rule.portrait": ("竖版，不小于{w}×{h}像素。", "Portrait, at least {w}×{h} pixels."),
    "photo.rule.review": (
        "可多次上传，只保留最后一次；经医疗机构审核通过后生效。",
        "You may upload again; only the last upload is kept; it takes effect once approved.",
    ),
    "photo.in_force": ("当前照片", "Photo in force"),
    "photo.in_force.alt": ("当前生效的照片", "Your photo in force"),
    "photo.none": ("暂无生效照片。", "No photo in force yet."),
    "photo.pending": ("审核中的照片", "Photo under review"),
    "photo.pending.alt": ("审核中的照片", "Your photo under review"),
    "photo.pending.none": ("没有审核中的照片。", "No photo under review."),
    "photo.upload": ("上传照片", "Upload a photo"),
    "photo.file": ("选择照片文件", "Photo file"),
    "photo.file.hint": ("选择后可先预览。", "You see a preview before sending."),
    "photo.preview": ("预览（尚未上传）", "Preview (not sent yet)"),
    "photo.preview.alt": ("所选照片的预览", "Preview of the chosen photo"),
    "photo.submit": ("上传并提交审核", "Upload for review"),
    "photo.done": (
        "照片已上传，等待医疗机构审核。",
        "Uploaded; waiting for the institution's review.",
    ),
    # --- department ---
    "department.title": ("科室", "Department"),
    "department.current": ("当前科室：", "Your department:"),
    "department.none": ("未选择", "none chosen"),
    "department.choose": ("选择科室", "Choose a department"),
    "department.choose.placeholder": ("请选择", "Choose one"),
    "department.hint": (
        "从所在医疗机构设置的科室中选择，立即生效。",
        "From your institution's list; in force at once.",
    ),
    "department.submit": ("保存", "Save"),
    "department.empty": (
        "您所在的医疗机构尚未设置科室。",
        "Your institution has no department list yet.",
    ),
    "department.done": ("科室已保存。", "Saved."),
    # --- applications ---
    "apptypes.title": ("业务申请", "New application"),
    "apptypes.intro": (
        "请选择要办理的业务。网上提交后，经医疗机构确认，再到卫生健康委现场办理。",
        "Choose the business. After you file online and the institution confirms, you go in "
        "person to the health commission.",
    ),
    "application.title": ("业务申请 {no}", "Application {no}"),
    "application.submit": ("提交申请", "File the application"),
    "application.after_submit": (
        "提交后由医疗机构确认，之后您需携带纸质材料到卫生健康委现场办理。",
        "After filing, the institution confirms; then you bring the paper documents to the "
        "health commission.",
    ),
    "application.state": ("办理状态", "State"),
    "application.filed": ("提交时间", "Filed"),
    "application.commission": ("审批部门", "Commission"),
    "application.timeline": ("办理记录", "Timeline"),
    "application.timeline.none": ("办理记录即将显示。", "The timeline will appear shortly."),
    "application.actions": ("操作", "Actions"),
    "application.resubmit": ("重新提交（补正）", "Resubmit (corrected)"),
    "application.resubmit.comment": ("补正说明（可选）", "What you corrected (optional)"),
    "application.withdraw": ("撤回申请", "Withdraw the application"),
    "application.withdraw.hint": (
        "办结前可随时撤回。",
        "You may withdraw it any time before completion.",
    ),
    "application.done.filed": ("申请已提交。", "Your application was filed."),
    "application.done.withdrawn": ("申请已撤回。", "Your application was withdrawn."),
    "application.done.resubmitted": ("已重新提交。", "Resubmitted."),
    "documents.title": ("需携带的纸质材料", "Paper documents to bring"),
    "documents.where": ("办理地点：{commission}。", "Where: {commission}."),
    "documents.address": ("地址：{address}。", "Address: {address}."),
    "documents.by": ("请于{deadline}前办理。", "Bring them by {deadline}."),
    "documents.form": (
        "医师执业注册申请审核表",
        "The application and review form (医师执业注册申请审核表)",
    ),
    "documents.photos": ("近6个月免冠正面半身照片", "Recent photos"),
    "documents.qualification": ("医师资格证书", "Your qualification certificate"),
    "documents.health": ("6个月内的健康体检证明", "A health certificate no older than 6 months"),
    "documents.identity": ("本人身份证明", "Your identity document"),
    "documents.employment": ("医疗机构的聘用证明", "The institution's proof of employment"),
    "documents.training": (
        "取得资格超过2年首次注册的，还需3至6个月的培训及考核合格证明。",
        "A first registration more than 2 years after the qualification also needs proof of "
        "3–6 months' training and assessment.",
    ),
    "field.institution_code": ("医疗机构", "Institution"),
    "field.registration.institution_code": ("主要执业机构", "Primary institution"),
    "field.military_transfer_in.institution_code": ("调入的医疗机构", "Institution you join"),
    "field.change.institution_code": (
        "新的主要执业机构（不变可不选）",
        "New primary institution (leave empty to keep)",
    ),
    "field.filing.institution_code": ("备案机构", "Further institution"),
    "field.assistant_upgrade.institution_code": ("医疗机构", "Institution"),
    "field.transfer_to_military.institution_code": ("医疗机构", "Institution"),
    "field.cancellation.institution_code": ("医疗机构", "Institution"),
    "field.filing_cancellation.institution_code": ("医疗机构", "Institution"),
    "field.legacy_multisite_cancellation.institution_code": ("医疗机构", "Institution"),
    "field.category": ("执业类别", "Practice category"),
    "field.scope": ("执业范围", "Practice scope"),
    "field.scope.hint": ("只列出所选类别的执业范围。", "Only the scopes of the chosen category."),
    "field.level": ("医师级别", "Level"),
    "field.military_certificate_no": ("军队医师执业证书编号", "Military practice certificate no."),
    "field.military_unit": ("调入的军队单位", "Military unit you join"),
    "field.registration_id": ("执业注册", "Registration"),
    "field.registration_id.none": ("您没有有效的执业注册。", "You hold no active registration."),
    "field.filing_id": ("备案", "Filing"),
    "field.filing_id.none": ("您没有有效的备案。", "You have no active filing."),
    "field.legacy_site_id": ("多地点执业记录", "Legacy multi-site record"),
    "field.legacy_site_id.none": (
        "您没有原多地点执业记录。",
        "You have no legacy multi-site record.",
    ),
    "field.ground": ("注销情形", "Ground for cancellation"),
    "field.ground.none": ("—", "—"),
    "field.level.none": ("—", "—"),
    "field.category.none": ("—", "—"),
    "field.comment": ("说明（可选）", "Remarks (optional)"),
    "field.comment.hint": ("最多500字。", "At most 500 characters."),
    "field.start_on": ("开始日期", "Start date"),
    "field.end_on": ("结束日期（可选）", "End date (optional)"),
    "field.choose": ("请选择", "Choose one"),
    "field.unchanged": ("不变更", "No change"),
    "action.submitted": ("提交申请", "Filed"),
    "action.institution_approved": ("医疗机构确认", "Institution confirmed"),
    "action.institution_rejected": ("医疗机构不予确认", "Institution refused"),
    "action.institution_returned": ("医疗机构退回补正", "Institution returned it"),
    "action.documents_accepted": ("纸质材料齐全，已受理", "Documents complete, accepted"),
    "action.documents_incomplete": ("纸质材料不全", "Documents incomplete"),
    "action.commission_rejected": ("卫生健康委不予注册", "Commission refused"),
    "action.commission_returned": ("卫生健康委退回补正", "Commission returned it"),
    "action.completed": ("办结", "Completed"),
    "action.refused_at_completion": ("办结时不符合条件", "Refused at completion"),
    "action.expired": ("逾期", "Expired"),
    "action.withdrawn": ("撤回", "Withdrawn"),
    "action.resubmitted": ("重新提交", "Resubmitted"),
    "action.overdue": ("审批超期", "Overdue"),
    "action.reminder": ("提醒", "Reminder"),
    "role.physician": ("医师", "Physician"),
    "role.institution_staff": ("医疗机构", "Institution"),
    "role.commission_officer": ("卫生健康委", "Commission"),
    "role.system": ("系统", "System"),
    "role.operator": ("运维", "Operator"),
}

# The nine types' names, as the application types name them (one place for them).
TEXTS.update({f"type.{type_.value}": names for type_, names in TYPE_NAMES.items()})

# The workbenches' words (institution staff, commission officers, operators).
from starter.web.workbench_texts import WORKBENCH  # noqa: E402

TEXTS.update(WORKBENCH)

# --- paper: the paper check item by item, the counter, verification, the public register -----
TEXTS.update(
    {
        "action.documents_returned": (
            "纸质材料核验未通过，退回补正",
            "Returned at the paper check",
        ),
        "documents.returned.title": ("需补正的纸质材料", "Documents to complete"),
        "documents.returned.intro": (
            "卫生健康委于{at}核验纸质材料，以下材料缺少或不符合要求。请补齐后重新提交，"
            "并携带到现场办理。",
            "The commission checked the paper documents on {at}; these were missing or not "
            "acceptable. Resubmit, then bring them in person.",
        ),
        "documents.print_form": ("打印申请审核表（PDF）", "Print the application form (PDF)"),
        "paper.present": ("齐全", "Present"),
        "paper.missing": ("缺少", "Missing"),
        "paper.not_acceptable": ("不符合要求", "Not acceptable"),
        "counter.title": ("窗口受理", "Counter"),
        "counter.find": ("查找申请", "Find an application"),
        "counter.no": ("申请编号", "Application number"),
        "counter.no.hint": (
            "输入申请编号，或用扫码枪扫描申请审核表上的条形码或二维码。",
            "Type the application number, or scan the barcode or QR code on the form.",
        ),
        "counter.no_invalid": ("申请编号为数字。", "An application number is digits."),
        "counter.open": ("打开", "Open"),
        "counter.who": ("申请人", "Applicant"),
        "counter.photo": ("{name}的在用照片", "Photo in force of {name}"),
        "counter.no_photo": ("暂无在用照片", "No photo in force"),
        "counter.compare": (
            "请核对本人与照片、身份证件是否一致（查看已记录审计）。",
            "Compare the person with the photo and the identity card (this view is audited).",
        ),
        "counter.not_now": (
            "该申请当前状态为“{state}”，不在窗口核验或审批环节。",
            "This application is '{state}': not at the paper check or the decision.",
        ),
        "counter.checklist": ("纸质材料逐项核验", "Paper documents, item by item"),
        "counter.note": ("说明（不符合要求时必填）", "Note (required if not acceptable)"),
        "counter.comment": ("其他说明（可选）", "Other remarks (optional)"),
        "counter.check.hint": (
            "全部齐全即受理，20个工作日审批期限起算；有缺少或不符合要求的，申请退回补正，"
            "并将所缺材料告知申请人。",
            "All present: accepted, the 20 working days start. Anything missing or not "
            "acceptable returns the application, and the applicant is told what is missing.",
        ),
        "counter.record": ("记录核验结果", "Record the check"),
        "counter.last_return": (
            "前次核验（{at}）退回：{text}",
            "Returned at the last check ({at}): {text}",
        ),
        "counter.findings": ("最近一次核验（{at}）", "Last check ({at})"),
        "counter.done.accepted": (
            "材料齐全，已受理，20个工作日审批期限起算。",
            "Documents complete: accepted; the 20 working days run.",
        ),
        "counter.done.returned": (
            "已退回补正，所缺材料已告知申请人。",
            "Returned; the applicant was told what is missing.",
        ),
        "counter.done.approve": ("已批准，注册已办结。", "Approved: the registry is updated."),
        "counter.done.reject": ("已不予通过，理由已告知。", "Refused; the reasons were sent."),
        "counter.done.return": ("已退回补正。", "Returned for correction."),
        "verify.title": ("电子证照核验", "Verify a practice certificate"),
        "verify.online": ("在线核验（注册信息现状）", "Online check (the registry now)"),
        "verify.status.valid": (
            "该电子证照有效：所载注册信息与注册系统现状一致。",
            "Valid: the registry holds these facts now.",
        ),
        "verify.status.superseded": (
            "该电子证照已被取代：注册信息此后有变更，以现状为准（见下）。",
            "Superseded: the registration changed since; its facts now are below.",
        ),
        "verify.status.cancelled": (
            "该注册已于{since}注销，电子证照不再有效。",
            "Cancelled on {since}: the certificate no longer holds.",
        ),
        "verify.status.invalid": (
            "该注册已于{since}失效（如调入军队），电子证照不再有效。",
            "No longer valid since {since} (for example, a transfer to the military).",
        ),
        "verify.invalid": ("无效", "Invalid"),
        "verify.unknown": (
            "未找到与该证书编码和核验码相符的电子证照：它不是本系统签发的，或链接被改动。",
            "No certificate matches this number and check code: not issued here, or the link "
            "was altered.",
        ),
        "verify.name": ("姓名", "Name"),
        "verify.level": ("医师级别", "Level"),
        "verify.location": ("执业地点", "Location"),
        "verify.filing": ("备案机构", "Filed at"),
        "verify.registered_on": ("注册日期", "Registered on"),
        "verify.issued_on": ("签发日期", "Issued on"),
        "verify.current": ("注册信息现状", "The registration now"),
        "verify.key": ("签名密钥", "Signing key"),
        "verify.offline": ("签名核验（在本机浏览器中完成）", "Signature (checked in this browser)"),
        "verify.offline.hint": (
            "二维码中“#”之后是本系统签名的证照信息，不会发送到服务器；本页用公开的公钥"
            "（/.well-known/ereg-certificate-keys.json）在本机核验其签名。签名有效只说明它由本系统"
            "签发且未被改动；是否仍然有效，以上方在线核验为准。",
            "The QR code's text after '#' is the certificate signed by the service; it is never "
            "sent to the server. This page checks its signature here, with the published public "
            "keys (/.well-known/ereg-certificate-keys.json). A valid signature says the service "
            "issued it unaltered; whether it still holds is the online check's answer above.",
        ),
        "verify.sig.checking": ("正在核验…", "Checking…"),
        "verify.sig.good": (
            "签名有效：本系统签发，内容未被改动",
            "Signature valid: issued here, unaltered",
        ),
        "verify.sig.bad": (
            "签名无效：内容被改动，或并非本系统签发",
            "Signature invalid: altered, or not issued here",
        ),
        "verify.sig.mismatch": (
            "二维码内容与本证书编码、核验码不符",
            "The QR code's content does not match this certificate number and check code",
        ),
        "verify.sig.unsupported": (
            "本浏览器不能核验 Ed25519 签名，请以上方在线核验结果为准",
            "This browser cannot check Ed25519 signatures; rely on the online check above",
        ),
        "verify.ask": ("输入证书编码和核验码", "Enter the certificate number and check code"),
        "verify.ask.hint": (
            "核验码印在电子证照的二维码下方。",
            "The check code is printed under the certificate's QR code.",
        ),
        "verify.check": ("核验码", "Check code"),
        "verify.submit": ("核验", "Verify"),
        "register.title": ("医师执业注册信息查询", "Public register of physicians"),
        "nav.register": ("医师注册信息查询", "Public register"),
        "me.certificate_pdf": ("电子证照", "Electronic certificate"),
        "me.certificate_download": ("下载（PDF）", "Download (PDF)"),
        "nav.verify": ("电子证照核验", "Verify a certificate"),
        "register.intro": (
            "医师执业注册和注销信息依法公开。请输入姓名，以及执业证书编码或执业机构（二者之一）。",
            "Registrations and cancellations are public by law. Enter a name, and either a "
            "certificate number or an institution.",
        ),
        "register.ask": ("查询条件", "Look up"),
        "register.name": ("姓名（须完整准确）", "Name (exact)"),
        "register.either": (
            "执业证书编码与执业机构填写其一。",
            "Either the certificate number or the institution.",
        ),
        "register.certificate_no": ("执业证书编码", "Practice certificate number"),
        "register.institution": ("执业机构（名称或代码）", "Institution (name or code)"),
        "register.submit": ("查询", "Look up"),
        "register.found": ("查询结果", "Found"),
        "register.none": ("未查到相符的医师执业注册信息。", "No registration matches."),
        "register.status": ("状态", "Status"),
        "register.ended_on": ("{day}起", "since {day}"),
        "counter.taken_meanwhile": (
            "该申请已在此期间由他人处理或已超期，未作更改；下面是它现在的状态。",
            "Someone else acted on this application meanwhile (or it lapsed); nothing was "
            "changed. Its state now is below.",
        ),
    }
)

# --- scale: collective registration (集体办理) and staff administration ----------------------
TEXTS.update(
    {
        "nav.inst.batches": ("集体办理", "Collective registration"),
        "batch.title": ("集体办理注册", "Collective registration"),
        "batch.upload": ("上传医师名单", "Upload the list of physicians"),
        "batch.explain": (
            "医疗卫生机构可以为本机构中的申请医师集体办理注册手续（《医师法》第十三条）。每位医师"
            "按其医师资格记录（姓名与身份证号码）核对，由本机构提交并确认；不符合条件的行会注明原因，"
            "不影响其他行。同一文件重复上传不会重复提交。",
            "An institution may file the registrations of its physicians collectively "
            "(Physicians Law art. 13). Each physician is matched to their qualification record "
            "(name and ID number) and filed and confirmed by your institution; a row that breaks "
            "a rule is refused with the reason and the others go on. The same file uploaded again "
            "files nobody twice.",
        ),
        "batch.file": ("名单文件（CSV，UTF-8）", "List (CSV, UTF-8)"),
        "batch.file.hint": (
            "第一行为列名：{columns}；类别如 clinical，范围如 内科。",
            "First line names the columns: {columns}; category e.g. clinical, scope e.g. 内科.",
        ),
        "batch.submit": ("上传并提交", "Upload and file"),
        "batch.past": ("本机构的批次", "Your institution's batches"),
        "batch.none": ("尚无批次。", "No batch yet."),
        "batch.uploaded": ("上传时间", "Uploaded"),
        "batch.rows": ("行数", "Rows"),
        "batch.started": ("已提交", "Filed"),
        "batch.refused": ("未通过", "Refused"),
        "batch.state": ("状态", "State"),
        "batch.finished": ("已全部处理", "All rows processed"),
        "batch.running": ("正在处理", "Processing"),
        "batch.one": ("集体办理批次", "Collective registration batch"),
        "batch.back": ("返回批次列表", "Back to the batches"),
        "batch.again": (
            "该文件此前已上传，以下为该批次的情况；没有重复提交。",
            "This file was uploaded before; this is that batch. Nobody was filed twice.",
        ),
        "batch.counts": (
            "共 {rows} 行：已提交 {started}，未通过 {refused}，待处理 {pending}。",
            "{rows} rows: {started} filed, {refused} refused, {pending} waiting.",
        ),
        "batch.progress": ("处理进度", "Progress"),
        "batch.rows_title": ("逐行结果", "Row by row"),
        "batch.row": ("行", "Row"),
        "batch.applicant": ("医师", "Physician"),
        "batch.status": ("结果", "Outcome"),
        "batch.application": ("申请或原因", "Application or reason"),
        "batch.status.pending": ("待处理", "Waiting"),
        "batch.status.started": ("已提交", "Filed"),
        "batch.status.refused": ("未通过", "Refused"),
        "nav.staff": ("人员管理", "Staff"),
        "staff.title": ("人员管理", "Staff administration"),
        "staff.list": ("您管理的账户", "Accounts you administer"),
        "staff.none": ("暂无账户。", "No account yet."),
        "staff.username": ("用户名", "Username"),
        "staff.role": ("角色", "Role"),
        "staff.unit": ("所属单位", "Institution or commission"),
        "staff.contact": ("联系方式", "Contact"),
        "staff.state": ("状态", "State"),
        "staff.actions": ("操作", "Actions"),
        "staff.active": ("正常", "Active"),
        "staff.inactive": ("已停用", "Deactivated"),
        "staff.deactivate": ("停用", "Deactivate"),
        "staff.reset": ("重置密码", "Reset password"),
        "staff.invite": ("邀请新账户", "Invite an account"),
        "staff.invite.explain": (
            "系统会把一次性验证码发送到被邀请人的手机或邮箱，其用验证码自行设置密码"
            "（登录页“忘记密码”）。停用的账户立即退出所有登录。",
            "A one-time code goes to the invitee's phone or email; they set their own password "
            "with it (sign-in page, 'Forgot password'). A deactivated account is signed out "
            "everywhere at once.",
        ),
        "staff.invite.submit": ("发送邀请", "Send the invitation"),
        "staff.name": ("姓名（选填）", "Name (optional)"),
        "staff.phone": ("手机号码", "Mobile phone"),
        "staff.phone.hint": ("手机号码与电子邮箱至少填写一项。", "A phone or an email, or both."),
        "staff.email": ("电子邮箱", "Email"),
        "staff.institution_code": (
            "医疗机构代码（机构管理员）",
            "Institution code (its administrator)",
        ),
        "staff.commission_code": (
            "卫生健康委代码（委管理员）",
            "Commission code (its administrator)",
        ),
        "staff.done.invited": ("邀请已发送。", "The invitation was sent."),
        "staff.done.deactivated": (
            "账户已停用，其所有登录已结束。",
            "Deactivated; every sign-in ended.",
        ),
        "staff.done.reset": ("已重置并发送新的验证码。", "Reset; a new code was sent."),
        "staffrole.institution_staff": ("医疗机构工作人员", "Institution staff"),
        "staffrole.commission_officer": ("卫生健康委工作人员", "Commission officer"),
        "staffrole.institution_admin": ("医疗机构管理员", "Institution administrator"),
        "staffrole.commission_admin": ("卫生健康委管理员", "Commission administrator"),
        "staffrole.operator": ("运维人员", "Operator"),
        "staffrole.physician": ("医师", "Physician"),
    }
)
