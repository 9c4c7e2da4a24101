"""Working days: official data where it exists, estimates beyond it, and never an exception."""

import json
from datetime import date, datetime, timedelta

import chinese_calendar
import holidays
import pytest

from registry.workdays import (
    OVERRIDES_FILE,
    WorkdayCalendar,
    add_working_days,
    is_working_day,
    working_days_between,
)

ONE_DAY = timedelta(days=1)


def days_of(year: int) -> list[date]:
    return [
        date(year, 1, 1) + ONE_DAY * i
        for i in range((date(year + 1, 1, 1) - date(year, 1, 1)).days)
    ]


# 2026, as chinese_calendar 1.11 has it (found by scanning the year for days where
# "is a weekday" and "is a working day" disagree).
SPRING_FESTIVAL_2026_WEEKDAYS_OFF = [date(2026, 2, d) for d in (16, 17, 18, 19, 20, 23)]
MAKE_UP_DAYS_2026 = [
    date(2026, 1, 4),  # Sunday, New Year
    date(2026, 2, 14),  # Saturday, Spring Festival
    date(2026, 2, 28),  # Saturday, Spring Festival
    date(2026, 5, 9),  # Saturday, Labour Day
    date(2026, 9, 20),  # Sunday, National Day
    date(2026, 10, 10),  # Saturday, National Day
]


def test_2026_spring_festival_weekdays_are_not_working_days():
    for day in SPRING_FESTIVAL_2026_WEEKDAYS_OFF:
        assert day.weekday() < 5 and chinese_calendar.is_holiday(day)
        assert not is_working_day(day)


def test_2026_make_up_weekend_days_are_working_days():
    for day in MAKE_UP_DAYS_2026:
        assert day.weekday() >= 5 and chinese_calendar.is_workday(day)
        assert is_working_day(day)


def test_without_overrides_agrees_with_chinese_calendar_on_every_day_it_covers():
    calendar = WorkdayCalendar()
    for year in range(2004, 2027):
        for day in days_of(year):
            assert calendar.is_working_day(day) == chinese_calendar.is_workday(day), day


def test_2027_spring_festival_days_are_not_working_days():
    # chinese_calendar 1.11 stops at 2026; these come from holidays.China and the override file.
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 2, 5))
    festival = [date(2027, 2, d) for d in range(5, 11)]  # 除夕 Fri 02-05 .. in lieu Wed 02-10
    assert set(festival) <= set(holidays.China(years=2027))
    assert not any(is_working_day(day) for day in festival)
    assert working_days_between(date(2027, 2, 4), date(2027, 2, 10)) == 0


def test_deadline_across_the_2027_spring_festival_skips_it():
    # Accepted Mon 2027-01-25. Working days: Jan 26-29 (4), Feb 1-4 (8); Feb 5 除夕, the weekend,
    # Feb 8 and the in-lieu Feb 9-10 are off; Feb 11-12 (10), Feb 15-19 (15), Feb 22-26 (20).
    # An estimate until the official 2027 arrangement is entered: it may move this date.
    assert add_working_days(date(2027, 1, 25), 20) == date(2027, 2, 26)


def test_a_make_up_working_day_from_the_overrides_counts():
    calendar = WorkdayCalendar({"2027": {"workdays": ["2027-02-20"]}})  # a Saturday
    assert date(2027, 2, 20).weekday() == 5
    assert not is_working_day(date(2027, 2, 20))
    assert calendar.is_working_day(date(2027, 2, 20))
    assert calendar.add_working_days(date(2027, 2, 19), 1) == date(2027, 2, 20)
    # The same deadline as above, one day sooner: Sat 02-20 is the 15th working day.
    assert calendar.add_working_days(date(2027, 1, 25), 20) == date(2027, 2, 25)


def test_overrides_win_over_chinese_calendar():
    calendar = WorkdayCalendar({"2026": {"holidays": ["2026-02-14"], "workdays": ["2026-02-16"]}})
    assert not calendar.is_working_day(date(2026, 2, 14))
    assert calendar.is_working_day(date(2026, 2, 16))


def test_packaged_overrides_are_applied_and_sourced():
    raw = json.loads(OVERRIDES_FILE.read_text(encoding="utf-8"))
    years = [key for key in raw if not key.startswith("_")]
    assert "2027" in years
    for year in years:
        assert raw[year]["source"]
        assert not any(is_working_day(date.fromisoformat(d)) for d in raw[year]["holidays"])
        assert all(is_working_day(date.fromisoformat(d)) for d in raw[year]["workdays"])


@pytest.mark.parametrize(
    "raw",
    [
        {"2027": {"holidays": ["2028-01-01"]}},
        {"2027": {"holidays": ["2027-02-20"], "workdays": ["2027-02-20"]}},
        {"2027": {"workdays": ["2027-02-30"]}},
    ],
)
def test_inconsistent_overrides_are_refused(raw):
    with pytest.raises(ValueError):
        WorkdayCalendar(raw)


def test_an_inconsistent_override_file_says_which_date_is_wrong():
    """What an operator editing the file reads when the service refuses to start."""
    with pytest.raises(ValueError, match=r"^2028-01-01 is listed under 2027$"):
        WorkdayCalendar({"2027": {"holidays": ["2028-01-01"]}})
    with pytest.raises(ValueError, match=r"both holiday and workday: .*2027, 2, 20"):
        WorkdayCalendar({"2027": {"holidays": ["2027-02-20"], "workdays": ["2027-02-20"]}})


def test_notes_in_the_override_file_are_skipped_wherever_they_stand():
    saturday = date(2027, 2, 20)
    raw = {"_about": "notes first, as in the packaged file", "2027": {"workdays": ["2027-02-20"]}}
    assert WorkdayCalendar(raw).is_working_day(saturday)
    assert not WorkdayCalendar({}).is_working_day(saturday)


def test_beyond_chinese_calendar_statutory_holidays_still_count():
    assert not is_working_day(date(2031, 1, 1))  # Wednesday, New Year, from holidays.China
    assert is_working_day(date(2031, 1, 2))


@pytest.mark.parametrize("year", [2035, 2099, 2101, 2200, 9998])
def test_a_year_past_all_data_does_not_crash_and_has_weekends_off(year):
    for day in days_of(year):
        if day.weekday() >= 5:
            assert not is_working_day(day)
    assert working_days_between(date(year, 1, 1), add_working_days(date(year, 1, 1), 20)) == 20


def test_a_year_with_no_data_at_all_is_weekdays_only():
    # holidays.China has nothing past 2100 (lunar tables end there).
    assert len(holidays.China(years=2200)) == 0
    assert all(is_working_day(day) == (day.weekday() < 5) for day in days_of(2200))


def test_zero_working_days_is_the_start_itself():
    for start in (date(2026, 2, 17), date(2026, 2, 14), date(2027, 2, 6), date(2026, 3, 2)):
        assert add_working_days(start, 0) == start


def test_between_is_zero_when_end_is_not_after_start():
    assert working_days_between(date(2026, 3, 2), date(2026, 3, 2)) == 0
    assert working_days_between(date(2026, 3, 9), date(2026, 3, 2)) == 0


def test_misuse_is_refused():
    with pytest.raises(ValueError):
        add_working_days(date(2026, 3, 2), -1)
    with pytest.raises(TypeError):
        is_working_day(datetime(2026, 3, 2, 20, 0))  # a UTC timestamp may be the wrong CST day


def test_between_and_add_agree_across_the_published_and_estimated_years():
    start = date(2025, 12, 1)
    for i in range(0, 800, 3):  # Dec 2025 .. Feb 2028, every third day
        day = start + ONE_DAY * i
        for n in (1, 5, 20):
            end = add_working_days(day, n)
            assert is_working_day(end)
            assert working_days_between(day, end) == n
            assert working_days_between(day, end - ONE_DAY) == n - 1
