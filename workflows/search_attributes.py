"""Custom search attributes operators filter by in the Temporal UI.

They must exist on the server before a workflow upserts them: ``ereg dev`` passes ``ALL`` to the
dev server, tests register them, production registers them with the admin tools.
"""

from temporalio.common import SearchAttributeKey

ACTIVATION_STATE = SearchAttributeKey.for_keyword("ActivationState")
INSTITUTION_CODE = SearchAttributeKey.for_keyword("InstitutionCode")
PROVINCE_CODE = SearchAttributeKey.for_keyword("ProvinceCode")
APPLICATION_TYPE = SearchAttributeKey.for_keyword("ApplicationType")
APPLICATION_STATE = SearchAttributeKey.for_keyword("ApplicationState")
COMMISSION_CODE = SearchAttributeKey.for_keyword("CommissionCode")
STEP_DEADLINE = SearchAttributeKey.for_datetime("StepDeadline")
OVERDUE = SearchAttributeKey.for_bool("Overdue")
REVIEW_STATE = SearchAttributeKey.for_keyword("ReviewState")
# Claimed work (registry.claims): the staff account's id, never a name, and when it lapses.
CLAIMED_BY = SearchAttributeKey.for_keyword("EregClaimedBy")
CLAIMED_UNTIL = SearchAttributeKey.for_datetime("EregClaimedUntil")

ALL: tuple[SearchAttributeKey, ...] = (
    ACTIVATION_STATE,
    INSTITUTION_CODE,
    PROVINCE_CODE,
    APPLICATION_TYPE,
    APPLICATION_STATE,
    COMMISSION_CODE,
    STEP_DEADLINE,
    OVERDUE,
    REVIEW_STATE,
    CLAIMED_BY,
    CLAIMED_UNTIL,
)


def dev_server_args() -> list[str]:
    """``--search-attribute NAME=Type`` arguments for ``temporal server start-dev``."""
    args: list[str] = []
    for key in ALL:
        kind = "".join(part.title() for part in key.indexed_value_type.name.split("_"))
        args += ["--search-attribute", f"{key.name}={kind}"]
    return args
