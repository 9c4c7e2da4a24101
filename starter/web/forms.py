"""Errors beside the field they concern: which field each stable error code is about.

One map for every form of the portal. A code not in it (a state, a limit, a lock) is said at
the top of the form; ``invalid_request`` names its fields in ``detail``.
"""

from dataclasses import dataclass, field

from registry.application_types import Decision
from registry.errors import DomainError

FIELD_OF: dict[str, str] = {
    # account
    "username_invalid": "username",
    "username_taken": "username",
    "staff_contact_required": "phone",  # scale: staff administration
    "staff_role_not_yours": "role",
    "password_weak": "password",
    "name_invalid": "name",
    "id_number_invalid": "id_number",
    "id_number_taken": "id_number",
    "phone_invalid": "phone",
    "email_invalid": "email",
    "institution_not_found": "institution_code",
    "institution_required": "institution_code",
    "invalid_credentials": "password",
    # codes
    "code_format": "code",
    "code_incorrect": "code",
    "code_expired": "code",
    "code_not_sent": "code",
    "reset_code_invalid": "code",
    # security settings
    "current_password_wrong": "current_password",
    "password_unchanged": "new_password",
    "contact_unchanged": "value",
    # profile
    "department_not_in_list": "department_id",
    "photo_too_large": "photo",
    "photo_format": "photo",
    "photo_dimensions": "photo",
    "photo_too_many_pixels": "photo",
    "photo_damaged": "photo",
    # applications
    "category_invalid": "category",
    "category_not_qualified": "category",
    "qualification_missing": "category",
    "scope_required": "scope",
    "scope_not_in_category": "scope",
    "level_invalid": "level",
    "military_certificate_required": "military_certificate_no",
    "military_unit_required": "military_unit",
    "registration_not_found": "registration_id",
    "not_assistant_registration": "registration_id",
    "upgrade_needs_physician_qualification": "registration_id",
    "already_registered_in_location": "institution_code",
    "assistant_single_location": "institution_code",
    "cancellation_ground_invalid": "ground",
    "cancellation_ground_for_physician": "ground",
    "qualification_level_missing": "category",
    "assistant_upgrade_instead": "institution_code",
    "assistant_change_other_county": "institution_code",
    "filing_other_county": "institution_code",
    "filing_other_province": "institution_code",
    "filing_at_primary": "institution_code",
    "filing_exists": "institution_code",
    "filing_dates": "end_on",
    "filing_not_found": "filing_id",
    "legacy_site_not_found": "legacy_site_id",
}

# Profile fields report themselves by name in the ``field`` parameter.
_PROFILE_FIELDS = {
    "民族": "ethnicity",
    "学历": "education",
    "学位": "degree",
    "职称": "professional_title",
    "通讯地址": "mailing_address",
    "邮政编码": "postcode",
}


@dataclass
class Failure:
    """What a refused form shows: a message per field, and one at the top."""

    code: str
    message: str
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def alert(self) -> str:
        return self.message


def failure(error: DomainError, lang: str) -> Failure:
    message = error.message(lang)
    found = Failure(error.code, message)
    name = FIELD_OF.get(error.code)
    if error.code == "profile_field_invalid":
        name = _PROFILE_FIELDS.get(error.params["field"][0])
    if name:
        found.fields[name] = message
    elif error.code in ("invalid_request", "text_invalid"):
        for part in str(error.params.get("detail", "")).split(","):
            if part.strip():
                found.fields[part.strip()] = message
    return found


def decision_of(form) -> tuple[str, str | None]:
    """What a decision form posts: the choice as sent and the reason (trimmed, at most 1,000
    characters); ``decision`` checks the choice inside the route's error handling."""
    comment = str(form.get("comment") or "").strip()[:1000] or None
    return str(form.get("decision") or ""), comment


def decision(choice: str) -> Decision:
    if choice not in Decision._value2member_map_:
        raise DomainError("invalid_request", {"detail": "decision"})
    return Decision(choice)
