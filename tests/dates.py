"""Dates that tests type in, placed relative to the day the service works on (China time).

A fixed date ages: qualifications "issued on 2024-12-01" were within the two years of Measures
art. 12 para. 2 until 2026-12-01 and needed the training proof the day after. Tests that mean
"recently qualified" say so here, whatever today is; what they compare with is what the
service recorded, never this clock.
"""

from datetime import date, datetime, timedelta

from registry.reference import CHINA_TIME


def china_today() -> date:
    """The day it is where the registry works (a test run at 00:30 in Beijing is already
    tomorrow in China and still today in UTC)."""
    return datetime.now(CHINA_TIME).date()


def recently_qualified() -> date:
    """A qualification's issue date a year back: a first registration needs no training proof
    (it would after two years), and a run that crosses midnight changes nothing."""
    return china_today() - timedelta(days=365)


def assert_dated_at_completion(day: str, app: dict) -> None:
    """``day`` (a registry date the completion wrote) is the China-time date of the
    commission's approval: between the service's records of the step before it and of the
    completion. Read from what the service recorded, not from today's clock, so that a run
    crossing midnight or New Year compares like any other."""
    *_, before, completed = (
        datetime.fromisoformat(step["at"]).astimezone(CHINA_TIME).date().isoformat()
        for step in app["timeline"]
    )
    assert before <= day <= completed, (day, before, completed)
