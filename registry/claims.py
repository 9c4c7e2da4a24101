"""Claimed work: one staff member holds an inbox item while working on it.

The claim lives in the item's workflow (a ``claim`` update), because the decisions are
validated there: while a claim is live, a decision by anyone but its holder is refused before
it enters history. A claim lapses by itself at ``until`` (no timer: every check compares with
the workflow's clock), ends when the step it was taken for is taken, and a supervisor — the
institution's or the commission's administrator — may hand it to someone else. Operators see it
in the Temporal UI as ``EregClaimedBy`` (the staff account's id, never a name) and
``EregClaimedUntil``; the application row mirrors it for the inboxes.
"""

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel

from registry.application_types import Actor

#: How long a claim lasts unless renewed (settings: ``EREG_CLAIM_LAPSE_MINUTES``).
DEFAULT_LAPSE = timedelta(hours=2)


class ClaimAction(StrEnum):
    claim = "claim"  # take it (or renew one's own)
    release = "release"  # let it go
    reassign = "reassign"  # a supervisor hands it to ``to``


class ClaimRequest(BaseModel):
    actor: Actor
    action: ClaimAction
    to: Actor | None = None
    lapse_minutes: int = int(DEFAULT_LAPSE.total_seconds() // 60)


class Claim(BaseModel):
    holder: Actor
    since: datetime
    until: datetime

    def live(self, now: datetime) -> bool:
        return now < self.until


class ClaimOut(BaseModel):
    """Who holds an item and since when (nothing: nobody)."""

    holder_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


class ClaimRecord(BaseModel):
    """The application row's mirror of a claim (all ``None``: released or ended)."""

    application_no: str
    holder_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None
