"""How a bulk decision names each item's outcome from the workflow's refusal."""

from registry.errors import DomainError
from starter.services.bulk import Outcome, _refused

WAITING_FOR_PAPERS = ("awaiting_institution", "awaiting_documents")


def test_a_step_already_taken_is_already_decided_and_a_lapsed_one_expired():
    taken = _refused("1", DomainError("wrong_state", {"state": "completed"}), "zh")
    lapsed = _refused("2", DomainError("wrong_state", {"state": "expired"}), "en")
    assert (taken.outcome, taken.state) == (Outcome.already_decided, "completed")
    assert (lapsed.outcome, lapsed.code) == (Outcome.expired, "wrong_state")


def test_a_step_not_reached_yet_or_a_rule_is_refused_with_its_code():
    early = _refused(
        "3",
        DomainError("wrong_state", {"state": "awaiting_documents"}),
        "zh",
        not_yet=WAITING_FOR_PAPERS,
    )
    rule = _refused("4", DomainError("comment_required"), "en")
    assert (early.outcome, early.code) == (Outcome.refused, "wrong_state")
    assert (rule.outcome, rule.code, rule.state) == (Outcome.refused, "comment_required", None)
    assert rule.message == DomainError("comment_required").message("en")
