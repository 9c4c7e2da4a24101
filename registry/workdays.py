"""Working days on the mainland calendar, for statutory deadlines such as the 20 working days a
health commission has to decide a registration (Registration Measures).

Why this is not just "Monday to Friday": statutory holidays fall on weekdays, and each year the
State Council moves days around (调休), so some Saturdays and Sundays are working days. That
arrangement is only published in November of the year before, so no package release can know
next year's calendar ahead of time, yet deadlines must be computed then too, and never crash.

Each day is answered by the first source that knows it:

1. ``workdays_overrides.json`` (next to this module): per-day corrections.
2. ``chinese_calendar``: the official arrangement, make-up days included (2004-2026 in 1.11).
3. ``holidays.China``: statutory holidays computed from the law, with estimated in-lieu days for
   holidays on a weekend, but no make-up working days (1950-2100).
4. Weekends only.

Past the published years the answer is therefore an estimate until an operator adds the year.

Adding a year (when 国务院办公厅关于YYYY年部分节假日安排的通知 is published, usually November):
add ``"YYYY": {"holidays": [...], "workdays": [...], "source": "<notice number or URL>"}`` to
``workdays_overrides.json``. Under ``holidays`` list every day of each "…至…放假调休" span (weekend
days may be listed too); under ``workdays`` every day marked "（星期六/星期日）上班", and any
weekday that holidays.China marks off but the notice leaves working. Run the unit tests, then
deploy and restart the workers. The entries can stay once a chinesecalendar release covers the
year: both agree.

Temporal: the file and holidays.China are read once, at import; calls do no I/O, read no clock and
are deterministic, so workflow code may make them. Import this module inside
``workflow.unsafe.imports_passed_through()``: imported in the sandbox, it fails when the worker
starts (holidays.China calls gettext). Pass a ``date`` in China Standard Time: ``workflow.now()``
is UTC, so convert before taking ``.date()``. New data changes the answer for that year, also on
replay, so record a deadline when it is set instead of recomputing it.
"""

import json
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import chinese_calendar
import holidays

OVERRIDES_FILE = Path(__file__).with_name("workdays_overrides.json")
_ONE_DAY = timedelta(days=1)
# Every year holidays.China knows, computed now: at run time it calls gettext and time.localtime,
# which the Temporal sandbox forbids.
_STATUTORY = frozenset(holidays.China(years=range(1950, 2101)))


def parse_overrides(raw: Mapping[str, Any]) -> tuple[frozenset[date], frozenset[date]]:
    """(days off, working days) from the override mapping; keys starting with "_" are notes."""
    days: dict[str, set[date]] = {"holidays": set(), "workdays": set()}
    for year, entry in raw.items():
        if year.startswith("_"):
            continue
        for kind, found in days.items():
            for text in entry.get(kind, []):
                day = date.fromisoformat(text)
                if day.year != int(year):
                    raise ValueError(f"{text} is listed under {year}")
                found.add(day)
    if clash := days["holidays"] & days["workdays"]:
        raise ValueError(f"both holiday and workday: {sorted(clash)}")
    return frozenset(days["holidays"]), frozenset(days["workdays"])


class WorkdayCalendar:
    """Working days from overrides, chinese_calendar, holidays.China, then weekends."""

    def __init__(self, overrides: Mapping[str, Any] | None = None) -> None:
        self._off, self._on = parse_overrides(overrides or {})
        # Answers so far: a deadline walks some 30 days, chinese_calendar checks each one's
        # range on every call, and the data does not change while the process runs.
        self._known: dict[date, bool] = {}

    def is_working_day(self, day: date) -> bool:
        if isinstance(day, datetime):
            raise TypeError("pass a date in China Standard Time, not a datetime")
        known = self._known.get(day)
        if known is None:
            known = self._known[day] = self._look_up(day)
        return known

    def _look_up(self, day: date) -> bool:
        if day in self._on or day in self._off:
            return day in self._on
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:  # a year chinese_calendar has no data for
            return day.weekday() < 5 and day not in _STATUTORY

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (not counted); ``start`` itself when n is 0."""
        if n < 0:
            raise ValueError("n must not be negative")
        day = start
        while n:
            day += _ONE_DAY
            if self.is_working_day(day):
                n -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; 0 when ``end`` is not after ``start``."""
        days = (start + _ONE_DAY * i for i in range(1, (end - start).days + 1))
        return sum(self.is_working_day(day) for day in days)


DEFAULT_CALENDAR = WorkdayCalendar(json.loads(OVERRIDES_FILE.read_text(encoding="utf-8")))


def is_working_day(day: date) -> bool:
    return DEFAULT_CALENDAR.is_working_day(day)


def add_working_days(start: date, n: int) -> date:
    """The n-th working day after ``start``, e.g. the 20-working-day decision deadline."""
    return DEFAULT_CALENDAR.add_working_days(start, n)


def working_days_between(start: date, end: date) -> int:
    """Working days in (start, end]."""
    return DEFAULT_CALENDAR.working_days_between(start, end)
