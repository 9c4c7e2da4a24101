"""``registry.portable``: inserting rows while ignoring those already present, as the imports
do, on the test's database (SQLite here; ``EREG_TEST_DATABASE=postgresql`` takes ``COPY``)."""

from datetime import date

import pytest
from sqlalchemy import select

from registry import portable
from registry.models import AuditEvent, LegacySite
from tests.unit.test_batches import id_number, session, template  # noqa: F401 (fixtures)

# ruff: noqa: F811 (a test names the imported fixture ``session``)

HUNAN, ANJI = "H4301020001", "H3305230001"


async def test_rows_present_by_their_whole_key_are_skipped_and_defaults_filled_in(session):
    person = id_number()

    def site(institution: str, registered_on: date) -> dict:
        return {"name": "李明", "id_number": person, "institution_code": institution,
                "registered_on": registered_on}  # fmt: skip

    key = ["id_number", "institution_code"]
    first = [site(HUNAN, date(2015, 1, 1))]
    assert await portable.insert_ignoring_duplicates(session, LegacySite, first, key) == 1
    # the same person at another institution is new; at the same one, skipped
    again = [site(HUNAN, date(2016, 1, 1)), site(ANJI, date(2017, 1, 1))]
    assert await portable.insert_ignoring_duplicates(session, LegacySite, again, key) == 1
    stored = await session.execute(
        select(LegacySite.institution_code, LegacySite.registered_on, LegacySite.status)
        .where(LegacySite.id_number == person)
        .order_by(LegacySite.id)
    )
    # the model's default status, which the rows leave out, is stored with them
    assert stored.all() == [(HUNAN, date(2015, 1, 1), "active"), (ANJI, date(2017, 1, 1), "active")]


async def test_a_table_whose_default_is_computed_per_row_is_refused(session):
    row = {"action": "import", "actor_id": None, "actor_role": "operator", "detail": {}}
    with pytest.raises(ValueError, match="audit_events: COPY cannot compute a Python default"):
        await portable.insert_ignoring_duplicates(session, AuditEvent, [row], ["dedupe_key"])
