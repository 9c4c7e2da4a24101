"""A claim on an inbox item (``registry/claims.py``) lapses by itself at its ``until``: live
the moment before, over at that moment — the workflow compares with its own clock."""

from datetime import UTC, datetime, timedelta

from registry.application_types import Actor
from registry.claims import DEFAULT_LAPSE, Claim, ClaimAction, ClaimRequest

CLERK = Actor(account_id=3, role="institution_staff", institution_code="H4301020001")
SINCE = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def test_a_claim_is_live_until_its_last_moment_and_over_at_it():
    claim = Claim(holder=CLERK, since=SINCE, until=SINCE + DEFAULT_LAPSE)
    assert claim.live(SINCE)
    assert claim.live(SINCE + DEFAULT_LAPSE - timedelta(microseconds=1))
    assert not claim.live(SINCE + DEFAULT_LAPSE)
    assert not claim.live(SINCE + DEFAULT_LAPSE + timedelta(seconds=1))


def test_a_claim_lasts_two_hours_unless_asked_otherwise():
    assert ClaimRequest(actor=CLERK, action=ClaimAction.claim).lapse_minutes == 120
