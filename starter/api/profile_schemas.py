"""Request and response bodies of the profile: security, personal information, photo,
department and reviews."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from registry.activation import Channel
from registry.profile import PersonalInfo
from registry.text import MultilineText, TextInput


class SecurityPatch(BaseModel):
    """One change per request: a password (with the current one), or a new phone or email.

    A new phone or email without its code sends a code to it; the same with the code received
    puts it in force.
    """

    current_password: TextInput | None = Field(None, max_length=256)
    new_password: TextInput | None = Field(None, max_length=256)
    phone: TextInput | None = Field(None, max_length=32, description="新手机号")
    phone_code: TextInput | None = Field(None, max_length=16, description="发送到新手机号的验证码")
    email: TextInput | None = Field(None, max_length=254, description="新安全邮箱")
    email_code: TextInput | None = Field(None, max_length=16, description="发送到新邮箱的验证码")


class CodeSentTo(BaseModel):
    channel: Channel
    to: str = Field(description="收件号码或地址（已遮蔽）")
    expires_at: datetime
    resend_after: datetime


class SecurityOut(BaseModel):
    changed: Literal["password", "phone", "email"] | None = None
    code_sent: CodeSentTo | None = None
    phone: str | None = None
    email: str | None = None


class PasswordResetRequest(BaseModel):
    username: TextInput = Field(max_length=64)
    channel: Channel


class PasswordResetConfirm(BaseModel):
    username: TextInput = Field(max_length=64)
    channel: Channel
    code: TextInput = Field(max_length=16)
    new_password: TextInput = Field(max_length=256)


class PasswordResetAccepted(BaseModel):
    accepted: bool = True
    message: str


class DepartmentOut(BaseModel):
    id: int
    name: str


class DepartmentsIn(BaseModel):
    departments: list[TextInput] = Field(max_length=500, examples=[["内科", "外科", "儿科"]])


class DepartmentChoice(BaseModel):
    department_id: int


class MyDepartmentOut(BaseModel):
    current: DepartmentOut | None
    choices: list[DepartmentOut]


class ProfileOut(PersonalInfo):
    """The personal information in force (the practice-registration copy)."""

    updated_at: datetime | None = None


class PhotoMeta(BaseModel):
    photo_id: int
    media_type: str
    width: int
    height: int
    uploaded_at: datetime
    approved_at: datetime | None = None


class PhotoStatusOut(BaseModel):
    approved: PhotoMeta | None = None
    pending: PhotoMeta | None = None


class PhotoUploaded(BaseModel):
    photo_id: int
    review_id: int
    media_type: str
    width: int
    height: int


class ReviewOut(BaseModel):
    id: int
    kind: str
    kind_name: str
    state: str
    state_name: str
    account_id: int
    physician: str = Field(description="姓名（非本人可见时已遮蔽）")
    institution_code: str
    changes: dict[str, str] = {}
    current: dict[str, str | None] = Field({}, description="当前有效的个人信息")
    photo_id: int | None = None
    deadline: datetime | None = None
    comment: str | None = None
    created_at: datetime
    updated_at: datetime


class ReviewDecisionIn(BaseModel):
    decision: Literal["approve", "reject"]
    comment: MultilineText | None = Field(None, max_length=1000)
    photo_id: int | None = Field(None, description="审核时所看照片的版本（photo_id）")
