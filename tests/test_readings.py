"""Numbers and dates as people type them (tracker.readings): every accepted spelling and every
refusal, read against a fixed today (pure: no Flask)."""

import datetime as dt

import pytest

from tracker.readings import ReadingError, read_date, read_datetime, read_month, read_number, season_year_of

TODAY = dt.date(2026, 12, 5)  # in the season of the 2027 Match


@pytest.mark.parametrize("text, day", [
    ("2026-10-01", dt.date(2026, 10, 1)),
    ("2026/10/1", dt.date(2026, 10, 1)),
    ("10/1/2026", dt.date(2026, 10, 1)),  # US order, as ERAS writes dates
    ("10-01-2026", dt.date(2026, 10, 1)),
    ("10/1/26", dt.date(2026, 10, 1)),
    ("3/4/2027", dt.date(2027, 3, 4)),  # ambiguous: month first
    ("24/9/2026", dt.date(2026, 9, 24)),  # a first number above 12 can only be a day
    ("1 Oct 2026", dt.date(2026, 10, 1)),
    ("1-Oct-26", dt.date(2026, 10, 1)),  # as Excel shows a date, pasted from it
    ("1-Oct-2026", dt.date(2026, 10, 1)),
    ("Oct-1-2026", dt.date(2026, 10, 1)),
    ("1 Oct 26", dt.date(2026, 10, 1)),
    ("10.1.2026", dt.date(2026, 10, 1)),  # dotted numbers follow the same month-first rule
    ("24.9.2026", dt.date(2026, 9, 24)),
    ("Oct 1 2026", dt.date(2026, 10, 1)),
    ("October 1st, 2026", dt.date(2026, 10, 1)),
    ("Thu, Oct 1, 2026", dt.date(2026, 10, 1)),
    ("oct. 1", dt.date(2026, 10, 1)),  # no year: this season's October
    ("Oct 1", dt.date(2026, 10, 1)),
    ("Jan 15", dt.date(2027, 1, 15)),  # ... and this season's January
    ("15 january", dt.date(2027, 1, 15)),
    ("10/1", dt.date(2026, 10, 1)),
    ("today", TODAY),
    ("Tomorrow", TODAY + dt.timedelta(days=1)),
    ("yesterday", TODAY - dt.timedelta(days=1)),
])
def test_a_date_is_read_as_people_write_it(text, day):
    assert read_date(text, TODAY) == day


@pytest.mark.parametrize("text, why", [
    ("next week", "not a date"), ("41", "not a date"), ("13/13/2026", "no day 13 in month 13"),
    ("Feb 30 2027", "no day 30 in month 2 of 2027"), ("9999-12-31", "the year 9999 is out of range"),
    ("Oct", "not a date"), ("1 2 3", "not a date"), ("", "not a date"),
    ("1.5", "not a date"),  # a dotted date needs its year: 1.5 is a number
])
def test_what_is_no_date_is_refused_with_a_reason(text, why):
    with pytest.raises(ReadingError, match=why):
        read_date(text, TODAY)


@pytest.mark.parametrize("text, moment", [
    ("2026-11-25 14:30", dt.datetime(2026, 11, 25, 14, 30)),
    ("2026-11-25T09:05", dt.datetime(2026, 11, 25, 9, 5)),
    ("2026-11-25 14:30:00", dt.datetime(2026, 11, 25, 14, 30)),
    ("11/25/2026 2:30 PM", dt.datetime(2026, 11, 25, 14, 30)),
    ("11/25/2026 12:15 am", dt.datetime(2026, 11, 25, 0, 15)),
    ("Nov 25 at 2pm", dt.datetime(2026, 11, 25, 14, 0)),
    ("Nov 25, 9:00", dt.datetime(2026, 11, 25, 9, 0)),
    ("tomorrow 9am", dt.datetime(2026, 12, 6, 9, 0)),
    ("Nov 25", dt.datetime(2026, 11, 25)),  # a time is optional
    ("2026-11-25", dt.datetime(2026, 11, 25)),
])
def test_a_time_after_the_date_is_read_and_optional(text, moment):
    assert read_datetime(text, TODAY) == moment


@pytest.mark.parametrize("text", ["at ten", "Nov 25 at 25:00", "Nov 25 13pm", "14:30", "soon"])
def test_what_is_no_date_and_time_is_refused(text):
    with pytest.raises(ReadingError):
        read_datetime(text, TODAY)


def test_a_month_without_a_year_falls_in_the_season_of_today():
    assert season_year_of(10, dt.date(2026, 12, 5)) == 2026 and season_year_of(2, dt.date(2026, 12, 5)) == 2027
    assert season_year_of(10, dt.date(2027, 2, 1)) == 2026 and season_year_of(3, dt.date(2027, 2, 1)) == 2027
    assert season_year_of(9, dt.date(2027, 7, 1)) == 2027  # a new season from June


@pytest.mark.parametrize("text, number", [
    ("5", 5), ("-3", -3), ("\u22123", -3), ("5.5", 5.5), (".5", 0.5), ("5,5", 5.5), ("12,25", 12.25),
    ("1,500", 1500), ("12,345,678", 12345678), ("1,234.5", 1234.5), ("1.234,5", 1234.5), ("1\u00a0500", 1500),
])
def test_a_comma_groups_thousands_only_before_exactly_three_digits(text, number):
    assert read_number(text) == number


def test_a_comma_that_could_be_either_is_refused_with_both_readings():
    with pytest.raises(ReadingError, match=r"0,450 could be 0.45 or 450"):
        read_number("0,450")
    with pytest.raises(ReadingError, match=r"12,500 could be 12.5 or 12500"):
        read_number("12,500", fits=lambda n: n <= 100)
    assert read_number("12,500", fits=lambda n: n <= 100_000) == 12500  # only one reading fits


@pytest.mark.parametrize("text", ["five", "1,2,3", "1,23,456", "5 5", "--5", "1e3", ""])
def test_what_is_no_number_is_refused(text):
    with pytest.raises(ReadingError):
        read_number(text)


@pytest.mark.parametrize("text, day", [
    ("Aug 2026", dt.date(2026, 8, 1)), ("August 2026", dt.date(2026, 8, 1)), ("Sept. 2025", dt.date(2025, 9, 1)),
    ("08/2026", dt.date(2026, 8, 1)), ("2026-08", dt.date(2026, 8, 1)),
])
def test_a_month_alone_is_read_as_its_first_day(text, day):
    assert read_month(text) == day


@pytest.mark.parametrize("text", ["Foo 2026", "13/2026", "2026", "Aug", "Aug 1 2026"])
def test_what_is_no_month_is_refused(text):
    with pytest.raises(ReadingError):
        read_month(text)


def test_only_a_data_updated_date_takes_a_month_alone():
    from tracker import fields
    assert fields.get("data_updated_on").parse("Aug 2026") == dt.date(2026, 8, 1)
    with pytest.raises(fields.FieldError, match="Applied on: enter a date such as"):
        fields.get("date_applied").parse("Aug 2026")
