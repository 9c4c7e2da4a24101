"""Who an account is: one enum for every role check, in routes, pages and validators.

A StrEnum, because the role is stored as text in ``accounts.role`` and ``audit.actor_role``
and carried as text in tokens and workflow messages; comparing with the enum keeps a typo from
passing silently (``Role.OPERATER`` fails at import, ``"operater"`` never matches anything).
"""

from enum import StrEnum


class Role(StrEnum):
    PHYSICIAN = "physician"
    INSTITUTION_STAFF = "institution_staff"
    COMMISSION_OFFICER = "commission_officer"
    OPERATOR = "operator"
    # Supervisors: manage their institution's staff or their commission's officers, and may
    # hand a claimed item to someone else (issue #17).
    INSTITUTION_ADMIN = "institution_admin"
    COMMISSION_ADMIN = "commission_admin"


#: Roles an operator (or the CLI) may give a staff account.
STAFF_ROLES = (
    Role.INSTITUTION_STAFF,
    Role.COMMISSION_OFFICER,
    Role.OPERATOR,
    Role.INSTITUTION_ADMIN,
    Role.COMMISSION_ADMIN,
)
