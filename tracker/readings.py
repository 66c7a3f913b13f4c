"""Numbers and dates as people write them, read into values: one reading for the grid, the
program form and imports (tracker.fields calls it). Pure.

Numbers: a comma followed by exactly three digits groups thousands (1,500), any other comma
is a decimal separator (5,5 and 12,25); "1.234,5" is read the European way. A value that could
be either (0,450; or 12,500 in a field where only 12.5 fits) is refused with both readings.

Dates: ISO (2026-10-01), numbers in US order as ERAS writes them (10/1/2026 and 10.1.2026 are
October 1; a first number above 12 can only be a day: 24/9/2026), month names (1 Oct 2026,
Excel's 1-Oct-26, Oct 1, October 1st, 2026), and today, tomorrow, yesterday. Without a year, the date falls in the application
season of ``today`` (June to May: Oct 1 read in December 2026 is 2026-10-01, Jan 15 is
2027-01-15). A time is optional: 14:30, 2:30 pm, 2pm, after the date (and "at")."""

from __future__ import annotations

import datetime as dt
import re

MONTHS = {name: i for i, names in enumerate(
    (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")), start=1) for name in names}
WEEKDAYS = ("mon", "monday", "tue", "tues", "tuesday", "wed", "wednesday", "thu", "thur", "thurs", "thursday",
            "fri", "friday", "sat", "saturday", "sun", "sunday")
RELATIVE = {"today": 0, "tomorrow": 1, "yesterday": -1}
FIRST_YEAR, LAST_YEAR = 1900, 2199  # what a residency application can mean (and iCalendar can express)

DATE_SPELLINGS = "2026-10-01, 10/1/2026, 1 Oct 2026, Oct 1, today or tomorrow"
DATE_RULE = "numbers are month first, as ERAS writes them: 3/4/2027 is March 4"


class ReadingError(ValueError):
    """Text that is not a number or a date; the message says what was expected."""


# -- numbers ---------------------------------------------------------------------------

_PLAIN = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_THOUSANDS = re.compile(r"[+-]?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?")
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
_EUROPEAN = re.compile(r"[+-]?[1-9]\d{0,2}(?:\.\d{3})+,\d+")


def read_number(text: str, fits=lambda n: True) -> float:
    """The number ``text`` means; ``fits`` tells whether a reading is in the field's range (to
    refuse a comma that could be either). Raises ReadingError."""
    t = text.strip().replace("\u2212", "-").replace("\u2013", "-")
    t = re.sub(r"(?<=\d)[\u00a0\u202f ](?=\d{3}\b)", ",", t)  # 1 500 (a thin or non-breaking space)
    if _PLAIN.fullmatch(t):
        return float(t)
    if _THOUSANDS.fullmatch(t):
        grouped = float(t.replace(",", ""))
        if t.count(",") == 1 and "." not in t:
            decimal = float(t.replace(",", "."))
            if not fits(grouped) and fits(decimal):
                raise ReadingError(f"{text.strip()} could be {_g(decimal)} or {_g(grouped)}: write it with a "
                                   f"point ({_g(decimal)}) or without the comma ({_g(grouped)})")
        return grouped
    if _DECIMAL_COMMA.fullmatch(t):
        whole, _, part = t.partition(",")
        decimal = float(f"{whole}.{part}")
        if len(part) == 3:  # 0,450: a decimal comma, or thousands?
            raise ReadingError(f"{text.strip()} could be {_g(decimal)} or {int(whole + part)}: write it with "
                               f"a point ({_g(decimal)})")
        return decimal
    if _EUROPEAN.fullmatch(t):
        whole, _, part = t.partition(",")
        return float(whole.replace(".", "") + "." + part)
    raise ReadingError("not a number")


def _g(n: float) -> str:
    return f"{n:,.10g}".replace(",", "")


# -- dates and times -------------------------------------------------------------------

_TIME = re.compile(r"(?:\s*(?:,|\bat\b))?\s*(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?\s*([ap])?\.?\s*(?:m\.?)?\s*$",
                   re.I)


def season_year_of(month: int, today: dt.date) -> int:
    """The calendar year a month without a year means: the one in the application season
    (June to May) that ``today`` falls in."""
    start = today.year if today.month >= 6 else today.year - 1  # the season's June
    return start if month >= 6 else start + 1


def _date(year: int, month: int, day: int) -> dt.date:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ReadingError(f"the year {year} is out of range")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ReadingError(f"there is no day {day} in month {month} of {year}") from None


def _year(text: str) -> int:
    year = int(text)
    return 2000 + year if len(text) == 2 else year


def read_date(text: str, today: dt.date) -> dt.date:
    """The date ``text`` means (see the module's docstring). Raises ReadingError."""
    t = re.sub(r"\s+", " ", text.strip().lower()).strip(" .,")
    if t in RELATIVE:
        return today + dt.timedelta(days=RELATIVE[t])
    if m := re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", t):
        return _date(int(m[1]), int(m[2]), int(m[3]))
    if m := (re.fullmatch(r"(\d{1,2})[/-](\d{1,2})(?:[/-](\d{4}|\d{2}))?", t)
             or re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", t)):  # dotted only with its year: 1.5 is no date
        first, second = int(m[1]), int(m[2])
        month, day = (second, first) if first > 12 and second <= 12 else (first, second)
        year = _year(m[3]) if m[3] else season_year_of(month, today)
        return _date(year, month, day)
    # Excel's 1-Oct-2026 and 1-Oct-26 as well as 1 Oct 2026
    spaced = t.replace(".", " ").replace("-", " ") if re.search(r"[a-z]", t) else t.replace(".", " ")
    words = [w for w in re.split(r"[\s,]+", spaced) if w and w not in WEEKDAYS]
    month = day = year = None
    for w in words:
        if w in MONTHS and month is None:
            month = MONTHS[w]
        elif (m := re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?", w)) and day is None:
            day = int(m[1])
        elif re.fullmatch(r"\d{4}", w) and year is None:
            year = int(w)
        elif re.fullmatch(r"\d{2}", w) and day is not None and month is not None and year is None:
            year = _year(w)  # 1-Oct-26, as Excel shows a date
        else:
            raise ReadingError("not a date")
    if month is None or day is None:
        raise ReadingError("not a date")
    return _date(year if year is not None else season_year_of(month, today), month, day)


def read_month(text: str) -> dt.date:
    """A month and its year (Aug 2026, August 2026, 08/2026, 2026-08), as a source's "data last
    updated" is often given: its first day. Raises ReadingError."""
    t = re.sub(r"\s+", " ", text.strip().lower()).strip(" .,")
    if m := re.fullmatch(r"([a-z]+)\.? ?,? ?(\d{4})", t):
        if m[1] not in MONTHS:
            raise ReadingError("not a month")
        return _date(int(m[2]), MONTHS[m[1]], 1)
    if m := re.fullmatch(r"(\d{1,2})[/-](\d{4})", t):
        return _date(int(m[2]), int(m[1]), 1)
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", t):
        return _date(int(m[1]), int(m[2]), 1)
    raise ReadingError("not a month")


def read_datetime(text: str, today: dt.date) -> dt.datetime:
    """A date with an optional time after it (midnight when none is given). Raises ReadingError."""
    t = text.strip()
    if m := re.fullmatch(r"(\d{4}-\d{1,2}-\d{1,2})[t ](\d{1,2}):(\d{2})(?::(\d{2}))?", t, re.I):
        day = read_date(m[1], today)
        return _at(day, int(m[2]), int(m[3]), None)
    try:
        return dt.datetime.combine(read_date(t, today), dt.time())
    except ReadingError:
        pass
    m = _TIME.search(t)
    if m and m.start() > 0:
        date_part = t[: m.start()]
        if m[2] is None and m[4] is None:  # a bare number after a date is no time ("Oct 1 2026")
            raise ReadingError("not a date")
        day = read_date(date_part, today)
        return _at(day, int(m[1]), int(m[2] or 0), m[4])
    raise ReadingError("not a date")


def _at(day: dt.date, hour: int, minute: int, half: str | None) -> dt.datetime:
    if half:
        if not 1 <= hour <= 12:
            raise ReadingError(f"{hour} {half.upper()}M is not a time")
        hour = hour % 12 + (12 if half.lower() == "p" else 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise ReadingError(f"{hour}:{minute:02d} is not a time")
    return dt.datetime.combine(day, dt.time(hour, minute))
