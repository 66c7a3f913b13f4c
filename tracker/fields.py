"""The field catalogue: every program column, declared once, with what it means.

The grid, the inline editors, server-side validation, the program form, the filters, search,
bulk edits, new seasons, Today's research items, the demo data, import and export all read
this module. Besides its kind and limits, a field says where it takes part (``filter_bar``,
``bulk``, ``searched``, ``research``, ``badge``, ``per_season``, ``visa``) and a status choice
says where it stands in the pipeline (``stage``, ``on_list``, ``closed``): adding a column is
one entry here plus a migration. It is pure Python: no Flask, no database.

A field turns what a person typed (or what a spreadsheet held) into a stored value with
``parse``; ``to_text`` turns a stored value back into text that ``parse`` accepts again
(the change log stores that text), and ``display`` is what the grid shows.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Iterable
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email

from . import readings

_today: ContextVar[dt.date | None] = ContextVar("tracker_today", default=None)


def today() -> dt.date:
    """The day that "today", "tomorrow" and dates without a year are read against: the one
    ``set_today`` gave (the web app sets it for each request), else the clock's."""
    return _today.get() or dt.date.today()


def set_today(day: dt.date | None) -> None:
    _today.set(day)


_now: ContextVar[dt.datetime | None] = ContextVar("tracker_now", default=None)


def now() -> dt.datetime:
    """The local time a value such as an invitation's arrival is stamped with: the one ``set_now``
    gave (the web app sets it for each request, from TRACKER_NOW in tests), else the clock's."""
    return _now.get() or dt.datetime.now().replace(microsecond=0)


def set_now(moment: dt.datetime | None) -> None:
    _now.set(moment)


class Kind(str, enum.Enum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    INT = "int"
    PERCENT = "percent"
    CHOICE = "choice"
    TRI = "tri"  # yes / no / unknown
    DATE = "date"
    DATETIME = "datetime"
    URL = "url"
    EMAIL = "email"
    TAGS = "tags"


# A plain ASCII address (dot-atom local part, hostname labels, alphabetic TLD) is valid as it
# is; anything else (quoted, internationalised...) goes through email-validator.
PLAIN_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)


class FieldError(ValueError):
    """A value a field does not accept; the message says what is accepted."""


GROUPS = ("Program", "Tier", "Visa & IMG", "Screening", "Mission", "Application")
# The groups whose fields belong to one season's application: a new season starts them empty.
SEASON_GROUPS = ("Tier", "Application")

# The steps of the application pipeline, in order (the funnel counts all but "scheduled").
PIPELINE = ("applied", "invited", "scheduled", "interviewed", "ranked")


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    spellings: tuple[str, ...] = ()
    # Application statuses only: the furthest PIPELINE step the status shows ("" before applying,
    # and for a withdrawal), whether the program counts as on the list (an application made or
    # meant), whether it is out of the running, and whether an interview may have come first
    # (then the interview date tells whether the program reached "invited" and "interviewed").
    stage: str = ""
    on_list: bool = True
    closed: bool = False
    maybe_interviewed: bool = False
    # Specialties only: the categorical specialties an applicant to this combined one also
    # applies to in parallel (Med-Peds: Internal Medicine, Pediatrics); such a specialty has few
    # programs, so the advice is nearly every eligible one.
    parallel: tuple[str, ...] = ()
    # Specialties: ACGME's three-digit specialty code (the first three digits of an ACGME program
    # id; the fifth to seventh of an NRMP program code). Tracks: NRMP's track letter (1903140P0: P).
    code: str = ""

    @property
    def open(self) -> bool:
        """A status before the application (still researching, or meaning to apply)."""
        return not self.stage and not self.closed


@lru_cache(maxsize=8192)  # spreadsheets repeat the same spellings thousands of times
def _norm(text: str) -> str:
    """Lower-case, with runs of spaces and punctuation made one space."""
    return re.sub(r"[\s\-_./,;:&()]+", " ", text.strip().lower()).strip()


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: Kind
    group: str
    choices: tuple[Choice, ...] = ()
    min: float | None = None
    max: float | None = None
    max_length: int | None = None
    required: bool = False
    default: Any = None
    width: int = 10  # in characters, for the grid and the export
    month_ok: bool = False  # a date field that also takes a month alone ("Aug 2026": its first day)
    grid_width: int | None = None  # narrower in the grid than in the export, where the first screen needs room
    export_header: str = ""
    spellings: tuple[str, ...] = ()  # header spellings recognised on import
    help: str = ""
    normalize: Callable[[str], Any] | None = None  # a field-specific parser for text kinds
    suggestions: tuple[str, ...] = ()  # offered in a text editor's datalist
    empty_label: str = "—"  # what a choice editor calls "no value"
    # Where the field takes part besides the grid, the form, import and export:
    filter_bar: bool = False  # a filter above the grid (any choice or yes/no field filters in the URL)
    bulk: int = 0  # its place in the bulk-edit menu (0: not offered)
    searched: bool = False  # the grid's search looks in it
    research: bool = False  # Today's research items ask for it while it is unknown
    badge: bool = False  # a choice shown as a coloured badge
    first_screen: bool = False  # a newcomer's grid shows it (the rest are one click away)
    visa: str = ""  # the visa ("J-1", "H-1B") whose sponsorship this field states
    per_season: bool | None = None  # starts empty in a new season (default: the SEASON_GROUPS)
    _lookup: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.group not in GROUPS:
            raise ValueError(f"{self.key}: unknown group {self.group!r}")
        if not self.export_header:
            object.__setattr__(self, "export_header", self.label)
        if self.per_season is None:
            object.__setattr__(self, "per_season", self.group in SEASON_GROUPS)
        for choice in self.choices:
            for spelling in (choice.value, choice.label, *choice.spellings):
                self._lookup[_norm(spelling)] = choice.value

    # -- reading input -------------------------------------------------------------

    def parse(self, raw: Any) -> Any:
        """Return the stored value for ``raw`` or raise FieldError saying what is accepted."""
        if isinstance(raw, str):
            raw = raw.strip()
        if raw is None or raw == "":
            return self._empty()
        parser = getattr(self, f"_parse_{self.kind.value}")
        return parser(raw)

    def _empty(self) -> Any:
        if self.kind is Kind.TRI:
            return self.default or "unknown"
        if self.kind is Kind.TAGS:
            return []
        if self.required:
            raise FieldError(f"{self.label} is required.")
        return self.default if self.kind is Kind.CHOICE else None

    def _parse_text(self, raw: Any) -> Any:
        text = str(raw)
        if self.normalize is not None:
            return self.normalize(text)
        limit = self.max_length or 200
        if len(text) > limit:
            raise FieldError(f"{self.label}: at most {limit:,} characters (this has {len(text):,}).")
        return text

    def _parse_long_text(self, raw: Any) -> Any:
        text = str(raw).replace("\r\n", "\n")
        limit = self.max_length or 10_000
        if len(text) > limit:
            raise FieldError(f"{self.label}: at most {limit:,} characters (this has {len(text):,}).")
        return text

    def _number(self, raw: Any, *, whole: bool) -> float:
        what = "a whole number" if whole else "a number"
        bounds = self._bounds_text()
        refused = f"{self.label}: enter {what}{bounds}."
        if isinstance(raw, bool):
            raise FieldError(refused)
        if isinstance(raw, (int, float)):  # a stored value, or a spreadsheet's number: as it is
            number = float(raw)
        else:
            text = str(raw).strip()
            percent = self.kind is Kind.PERCENT
            percent_sign = percent and text.endswith("%")
            if percent_sign:
                text = text[:-1].strip()
            try:
                number = readings.read_number(text, lambda n: (self._fits(n) or (percent and 0 < n < 1)) and (
                    not whole or n.is_integer()))
            except readings.ReadingError as exc:
                if str(exc) == "not a number":
                    raise FieldError(refused) from None
                raise FieldError(f"{self.label}: {exc}.") from None
            if self.kind is Kind.PERCENT and not percent_sign and 0 < number < 1:
                number *= 100  # a fraction (0.45 is 45%), as a spreadsheet's percent cell holds it
        if number != number or number in (float("inf"), float("-inf")):
            raise FieldError(refused)
        if whole and not number.is_integer():
            raise FieldError(refused)
        if not self._fits(number):
            raise FieldError(refused)
        return number

    def _fits(self, number: float) -> bool:
        return (self.min is None or number >= self.min) and (self.max is None or number <= self.max)

    def _bounds_text(self) -> str:
        unit = "%" if self.kind is Kind.PERCENT else ""
        if self.min is not None and self.max is not None:
            return f" from {self.min:g}{unit} to {self.max:g}{unit}"
        if self.min is not None:
            return f" of at least {self.min:g}{unit}"
        return ""

    def _parse_int(self, raw: Any) -> int:
        return int(self._number(raw, whole=True))

    def _parse_percent(self, raw: Any) -> float:
        return round(self._number(raw, whole=False), 1)

    def _parse_choice(self, raw: Any) -> str:
        value = self._lookup.get(_norm(str(raw)))
        if value is None:
            labels = ", ".join(c.label for c in self.choices)
            raise FieldError(f"{self.label}: choose one of {labels}.")
        return value

    def _parse_tri(self, raw: Any) -> str:
        if isinstance(raw, bool):
            return "yes" if raw else "no"
        value = TRI_SPELLINGS.get(_norm(str(raw)))
        if value is None:
            raise FieldError(f"{self.label}: choose Yes, No or Unknown.")
        return value

    def _parse_date(self, raw: Any) -> dt.date:
        if isinstance(raw, dt.datetime):
            raw = raw.date()
        if isinstance(raw, dt.date):
            return self._in_range(raw)
        try:
            return readings.read_date(str(raw), today())
        except readings.ReadingError as exc:
            try:  # an ISO date with a time (a spreadsheet's datetime as text): its date
                return readings.read_datetime(str(raw), today()).date()
            except readings.ReadingError:
                pass
            try:
                if self.month_ok:
                    return readings.read_month(str(raw))
            except readings.ReadingError:
                pass
            raise FieldError(self._date_refusal(exc, "a date" + (" (or a month: Aug 2026)" if self.month_ok else "")
                                                )) from None

    def _parse_datetime(self, raw: Any) -> dt.datetime:
        if isinstance(raw, dt.datetime):
            self._in_range(raw.date())
            return raw.replace(tzinfo=None, second=0, microsecond=0)
        if isinstance(raw, dt.date):
            return dt.datetime.combine(self._in_range(raw), dt.time())
        try:
            return readings.read_datetime(str(raw), today())
        except readings.ReadingError as exc:
            raise FieldError(self._date_refusal(exc, "a date, and a time if you know it,")) from None

    def _in_range(self, day: dt.date) -> dt.date:
        if not readings.FIRST_YEAR <= day.year <= readings.LAST_YEAR:
            raise FieldError(f"{self.label}: the year {day.year} is out of range.")
        return day

    def _date_refusal(self, exc: Exception, what: str) -> str:
        why = "" if str(exc) == "not a date" else f"{exc}; "
        times = ", 10/1/2026 2:30 pm" if self.kind is Kind.DATETIME else ""
        return (f"{self.label}: {why}enter {what} such as {readings.DATE_SPELLINGS}{times} "
                f"({readings.DATE_RULE}).")

    def _parse_url(self, raw: Any) -> str:
        text = str(raw)
        if "://" not in text and re.match(r"^[\w-]+(\.[\w-]+)+(/|$)", text):
            text = "https://" + text
        parts = urlsplit(text)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc or re.search(r"\s", text):
            raise FieldError(f"{self.label}: enter a web address starting with http:// or https://.")
        if len(text) > (self.max_length or 500):
            raise FieldError(f"{self.label}: at most {self.max_length or 500} characters.")
        return text

    def _parse_email(self, raw: Any) -> str:
        text = str(raw)
        if text.lower().startswith("mailto:"):
            text = text[len("mailto:") :]
        if PLAIN_EMAIL.fullmatch(text):  # the common case, without the full (slow) validation
            local, domain = text.rsplit("@", 1)
            return f"{local}@{domain.lower()}"
        try:
            return validate_email(text, check_deliverability=False).normalized
        except EmailNotValidError:
            raise FieldError(f"{self.label}: enter an email address such as gme@hospital.org.") from None

    def _parse_tags(self, raw: Any) -> list[str]:
        items: Iterable[str]
        if isinstance(raw, (list, tuple, set)):
            items = [str(item) for item in raw]
        else:
            items = re.split(r"[,;\n|]+", str(raw))
        found: set[str] = set()
        for item in items:
            if not item.strip():
                continue
            value = self._lookup.get(_norm(item))
            if value is None:
                labels = ", ".join(c.label for c in self.choices)
                raise FieldError(f"{self.label}: {item.strip()!r} is not a tag; use {labels}.")
            found.add(value)
        return [c.value for c in self.choices if c.value in found]

    # -- writing output ------------------------------------------------------------

    def to_text(self, value: Any) -> str:
        """Text that ``parse`` turns back into ``value`` (used by the change log and forms)."""
        if value is None:
            return ""
        if self.kind is Kind.TAGS:
            return ", ".join(value)
        if self.kind is Kind.DATETIME:  # midnight: a date without a time
            return value.strftime("%Y-%m-%d" if value.time() == dt.time() else "%Y-%m-%d %H:%M")
        if self.kind is Kind.DATE:
            return value.isoformat()
        if self.kind is Kind.PERCENT:  # with its sign: "0.5%" is not the fraction 0.5 (50%)
            return f"{value:g}%"
        return str(value)

    def choice(self, value: Any) -> Choice:
        """The choice stored as ``value``; an empty Choice for a value the field does not offer."""
        for choice in self.options:
            if choice.value == value:
                return choice
        return Choice("" if value is None else str(value), "")

    def label_for(self, value: Any) -> str:
        for choice in self.options:
            if choice.value == value:
                return choice.label
        return "" if value is None else str(value)

    def display(self, value: Any) -> str:
        """What a grid cell shows."""
        if value is None or value == [] or value == "":
            return ""
        if self.kind in (Kind.CHOICE, Kind.TRI):
            return self.label_for(value)
        if self.kind is Kind.TAGS:
            return ", ".join(self.label_for(v) for v in value)
        return self.to_text(value)

    def spoken(self, value: Any) -> str:
        """A value as the editor reads it back while it is typed: a date with its weekday and
        month name ("Thu 1 Oct 2026 (2026-10-01)"), so that a day-month order can't be mistaken."""
        if value is None or value == "":
            return "empty"
        if self.kind is Kind.DATE:
            return f"{value:%a} {value.day} {value:%b %Y} ({self.to_text(value)})"
        if self.kind is Kind.DATETIME:
            clock = f"{value:%I:%M %p}".lstrip("0")
            return f"{value:%a} {value.day} {value:%b %Y}, {clock} ({self.to_text(value)})"
        return self.display(value)

    def input_value(self, value: Any) -> str:
        """The value an editor starts with: what the grid shows, which ``parse`` reads back."""
        return self.to_text(value)

    @property
    def html_input_type(self) -> str:
        # Every editor is a text input: a number input reports "" for "abc" (which would clear the
        # stored value instead of showing the error), the browser's date control reads keys in the
        # locale's order and cannot take "Oct 1" or "tomorrow" (the field reads them, through
        # tracker.readings, and the editor shows how), and url and email inputs refuse the caret
        # moves the grid makes when it types queued keys in. ``inputmode`` picks a phone's keyboard.
        return "text"

    @property
    def inputmode(self) -> str | None:
        return {Kind.INT: "numeric", Kind.PERCENT: "decimal", Kind.URL: "url", Kind.EMAIL: "email"}.get(self.kind)

    @property
    def read_back(self) -> bool:
        """Whether the editor shows, while the value is typed, how it will be read (dates, numbers)."""
        return self.kind in (Kind.INT, Kind.PERCENT, Kind.DATE, Kind.DATETIME)

    @property
    def options(self) -> tuple[Choice, ...]:
        """The choices an editor offers (tri-states included)."""
        return TRI_CHOICES if self.kind is Kind.TRI else self.choices

    @property
    def accepts(self) -> str:
        """A short sentence on what the field accepts, for the editor's hint."""
        if self.help:
            return self.help
        return {
            Kind.TEXT: f"Text, up to {self.max_length or 200} characters.",
            Kind.LONG_TEXT: f"Text, up to {self.max_length or 10_000:,} characters.",
            Kind.INT: f"A whole number{self._bounds_text()}.",
            Kind.PERCENT: f"A percentage{self._bounds_text()}; 0.45 (a fraction) is 45%, 0.45% is 0.45%.",
            Kind.CHOICE: "One of the listed choices.",
            Kind.TRI: "Yes, No or Unknown.",
            Kind.DATE: f"A date: {readings.DATE_SPELLINGS} ({readings.DATE_RULE}).",
            Kind.DATETIME: f"A date, and a time if you know it: 2026-11-25 14:30, 11/25/2026 2:30 pm, Nov 25 "
                           f"({readings.DATE_RULE}).",
            Kind.URL: "A web address starting with http:// or https://.",
            Kind.EMAIL: "An email address.",
            Kind.TAGS: "Any of the listed tags.",
        }[self.kind]


TRI_CHOICES = (
    Choice("yes", "Yes", ("y", "true", "1", "x", "sponsors", "sponsored")),
    Choice("no", "No", ("n", "false", "0", "none", "not sponsored")),
    Choice("unknown", "Unknown", ("?", "n a", "na", "unk", "not sure", "tbd")),
)
TRI_SPELLINGS = {_norm(s): c.value for c in TRI_CHOICES for s in (c.value, c.label, *c.spellings)}


def _step1_requirement(text: str) -> str:
    """'pass', 'none stated', or a numeric minimum from 150 to 300."""
    norm = _norm(text)
    if norm in ("pass", "passed", "pass required", "p"):
        return "pass"
    if norm in ("none", "none stated", "no minimum", "not stated", "no"):
        return "none stated"
    match = re.fullmatch(r"(\d{3})(\.0+)?\s*\+?", text.strip())
    if match and 150 <= int(match.group(1)) <= 300:
        return match.group(1)
    raise FieldError("Step 1 requirement: enter pass, none stated, or a minimum score from 150 to 300.")


def _program_code(text: str) -> str:
    """NRMP/ACGME program codes; Excel often turns 1403621114 into 1403621114.0."""
    code = re.sub(r"\.0+$", "", text.strip()).upper()
    if not re.fullmatch(r"[0-9A-Z][0-9A-Z-]{2,19}", code):
        raise FieldError("Program code: letters, digits and dashes only (for example 1403621114).")
    return code


US_STATES = (
    ("AL", "Alabama"), ("AK", "Alaska"), ("AZ", "Arizona"), ("AR", "Arkansas"),
    ("CA", "California"), ("CO", "Colorado"), ("CT", "Connecticut"), ("DE", "Delaware"),
    ("DC", "District of Columbia"), ("FL", "Florida"), ("GA", "Georgia"), ("HI", "Hawaii"),
    ("ID", "Idaho"), ("IL", "Illinois"), ("IN", "Indiana"), ("IA", "Iowa"), ("KS", "Kansas"),
    ("KY", "Kentucky"), ("LA", "Louisiana"), ("ME", "Maine"), ("MD", "Maryland"),
    ("MA", "Massachusetts"), ("MI", "Michigan"), ("MN", "Minnesota"), ("MS", "Mississippi"),
    ("MO", "Missouri"), ("MT", "Montana"), ("NE", "Nebraska"), ("NV", "Nevada"),
    ("NH", "New Hampshire"), ("NJ", "New Jersey"), ("NM", "New Mexico"), ("NY", "New York"),
    ("NC", "North Carolina"), ("ND", "North Dakota"), ("OH", "Ohio"), ("OK", "Oklahoma"),
    ("OR", "Oregon"), ("PA", "Pennsylvania"), ("PR", "Puerto Rico"), ("RI", "Rhode Island"),
    ("SC", "South Carolina"), ("SD", "South Dakota"), ("TN", "Tennessee"), ("TX", "Texas"),
    ("UT", "Utah"), ("VT", "Vermont"), ("VA", "Virginia"), ("WA", "Washington"),
    ("WV", "West Virginia"), ("WI", "Wisconsin"), ("WY", "Wyoming"),
)  # fmt: skip

SPECIALTIES = (
    Choice("internal_medicine", "Internal Medicine", ("im", "medicine", "internal medicine categorical"),
           code="140"),
    Choice("family_medicine", "Family Medicine", ("fm", "family practice", "family medicine community"),
           code="120"),
    Choice("pediatrics", "Pediatrics", ("peds", "paediatrics", "pediatrics categorical"), code="320"),
    Choice("psychiatry", "Psychiatry", ("psych", "psychiatry categorical"), code="400"),
    Choice("med_peds", "Med-Peds", ("internal medicine pediatrics", "medicine pediatrics", "im peds",
                                    "pediatrics internal medicine", "med peds"),
           parallel=("internal_medicine", "pediatrics"), code="700"),
    Choice("neurology", "Neurology", ("neuro", "adult neurology"), code="180"),
    Choice("pathology", "Pathology", ("pathology anatomic and clinical", "ap cp", "path",
                                      "anatomic and clinical pathology", "pathology anatomic clinical"), code="300"),
    Choice("transitional_year", "Transitional Year", ("transitional", "ty"), code="999"),
    # The rest of the Match's specialties, so that each can have its competitiveness (tracker.rules)
    Choice("emergency_medicine", "Emergency Medicine", ("em", "emergency"), code="110"),
    Choice("obgyn", "Obstetrics and Gynecology", ("ob gyn", "obgyn", "obstetrics gynecology", "ob",
                                                  "obstetrics and gynaecology", "obstetrics & gynecology"),
           code="220"),
    Choice("general_surgery", "General Surgery", ("surgery", "surgery general", "surgery categorical"), code="440"),
    Choice("anesthesiology", "Anesthesiology", ("anesthesia", "anaesthesia", "anaesthesiology"), code="040"),
    Choice("pmr", "Physical Medicine and Rehabilitation", ("pm r", "pmr", "physiatry", "pm and r",
                                                           "physical medicine rehabilitation"), code="340"),
    Choice("diagnostic_radiology", "Diagnostic Radiology", ("radiology", "radiology diagnostic", "dr",
                                                            "diagnostic radiology integrated"), code="420"),
    Choice("interventional_radiology", "Interventional Radiology",
           ("ir", "interventional radiology integrated", "radiology interventional"), code="416"),
    Choice("radiation_oncology", "Radiation Oncology", ("rad onc", "radiation oncology"), code="430"),
    Choice("dermatology", "Dermatology", ("derm",), code="080"),
    Choice("orthopaedic_surgery", "Orthopaedic Surgery", ("orthopedic surgery", "orthopedics", "orthopaedics",
                                                          "ortho"), code="260"),
    Choice("plastic_surgery", "Plastic Surgery", ("plastics", "plastic surgery integrated",
                                                  "integrated plastic surgery", "surgery plastic"), code="362"),
    Choice("neurological_surgery", "Neurological Surgery", ("neurosurgery", "surgery neurological"), code="160"),
    Choice("otolaryngology", "Otolaryngology", ("ent", "otolaryngology head and neck surgery",
                                                "otolaryngology head & neck surgery"), code="280"),
    Choice("ophthalmology", "Ophthalmology", ("ophtho",), code="240"),
    Choice("urology", "Urology", (), code="480"),
    Choice("vascular_surgery", "Vascular Surgery", ("vascular surgery integrated", "surgery vascular"),
           code="451"),
    Choice("thoracic_surgery", "Thoracic Surgery", ("cardiothoracic surgery", "thoracic surgery integrated",
                                                    "surgery thoracic"), code="461"),
    Choice("nuclear_medicine", "Nuclear Medicine", (), code="200"),
    Choice("medical_genetics", "Medical Genetics", ("medical genetics and genomics",), code="130"),
    Choice("preventive_medicine", "Preventive Medicine", ("public health and general preventive medicine",
                                                          "general preventive medicine"), code="380"),
    Choice("child_neurology", "Child Neurology", ("pediatric neurology", "neurology child"), code="185"),
    # combined programs the Match offers (ACGME accredits Med-Peds under one code; the others it
    # accredits as their two programs, so no code of their own)
    Choice("em_im", "Emergency Medicine-Internal Medicine", ("em im", "internal medicine emergency medicine",
                                                             "emergency medicine internal medicine")),
    Choice("em_fm", "Emergency Medicine-Family Medicine", ("em fm", "family medicine emergency medicine")),
    Choice("im_psychiatry", "Internal Medicine-Psychiatry", ("im psych", "psychiatry internal medicine",
                                                             "medicine psychiatry")),
    Choice("fm_psychiatry", "Family Medicine-Psychiatry", ("fm psych", "psychiatry family medicine")),
    Choice("peds_em", "Pediatrics-Emergency Medicine", ("emergency medicine pediatrics", "peds em")),
    Choice("triple_board", "Pediatrics-Psychiatry-Child Psychiatry",
           ("triple board", "pediatrics psychiatry child and adolescent psychiatry",
            "pediatrics psychiatry child adolescent psychiatry")),
    Choice("neurology_psychiatry", "Neurology-Psychiatry", ("psychiatry neurology",)),
    Choice("other", "Other"),
)

SETTINGS = (
    Choice("university", "University", ("university based", "academic", "university hospital")),
    Choice(
        "university_affiliated",
        "University-affiliated community",
        ("community based university affiliated", "university affiliated", "community university affiliated",
         "community based university affiliated hospital", "university affiliated community hospital"),
    ),
    Choice("community", "Community", ("community based", "community hospital")),
    Choice("county", "County", ("county hospital",)),
    Choice("safety_net", "Safety-net/public", ("safety net", "public", "public hospital")),
    Choice("va", "VA", ("veterans affairs", "va medical center")),
    Choice("fqhc", "FQHC-affiliated", ("fqhc", "federally qualified health center")),
    Choice("other", "Other", ("military based", "military", "other")),
)

MISSION_TAGS = (
    Choice("global_health", "Global health", ("global health track",)),
    Choice("underserved", "Underserved", ("underserved care",)),
    Choice("immigrant_refugee", "Immigrant/refugee", ("refugee", "immigrant", "immigrant refugee population")),
    Choice("border", "US-Mexico border", ("border", "us mexico border")),
    Choice("rural", "Rural"),
    Choice("spanish", "Spanish-speaking", ("spanish", "spanish speaking patients", "hispanic")),
)

# An ERAS program signal (tracker.signals). A former yes/no "signal sent" reads as Gold / None: the
# one level of a single-level specialty is counted as Gold, and a yes in a two-level specialty
# (Internal Medicine's 3 gold + 12 silver) is kept as the stronger signal until the applicant says
# otherwise; "no" and "unknown" are None (you know whether you sent one).
SIGNALS = (
    Choice("none", "None", ("no", "n", "false", "0", "unknown", "not sent", "no signal")),
    Choice("gold", "Gold", ("yes", "y", "true", "1", "x", "sent", "signalled", "signaled", "gold signal")),
    Choice("silver", "Silver", ("silver signal",)),
)

# The applicant's ties to a program (DOMAIN.md: signals and emails go to programs "where the
# applicant rotated or has ties"); the profile's region ties are read from the program's state.
TIES = (
    Choice("rotated", "Rotated here", ("rotation", "rotated", "usce here", "away rotation", "elective here")),
    Choice("alumni", "Alumni of my school", ("alumni", "alumnus", "school alumni", "graduates of my school")),
    Choice("contact", "Family or a contact", ("family", "contact", "friend", "personal contact")),
)

# The applicant's mission experience (the profile): what makes a fit with a program's mission tags.
MISSION_EXPERIENCE = (
    Choice("global_health", "Global health work or electives"),
    Choice("underserved", "Underserved, county or safety-net care"),
    Choice("border", "US-Mexico border or Hispanic communities"),
    Choice("immigrant_refugee", "Immigrant or refugee health"),
    Choice("rural", "Rural practice"),
    Choice("research_qi", "Research or QI on these themes"),
)

# How a program states a requirement (a minimum, an attempt or graduation-year limit); left
# empty, nobody has looked yet ("Not researched").
REQUIREMENT_KINDS = (
    Choice("strict", "Strict cutoff", ("strict", "cutoff", "hard cutoff", "auto filter", "filter", "required",
                                       "minimum")),
    Choice("preferred", "Preferred", ("preference", "prefers", "soft", "recommended", "preferred only")),
    Choice("none", "None stated", ("none", "no minimum", "not stated", "no limit", "no")),
)

ECFMG_DEADLINES = (
    Choice("interview", "Before the interview", ("before interview", "at application", "application",
                                                  "before applying", "interview")),
    Choice("ranking", "By the rank-list deadline", ("rank list", "ranking", "before ranking", "by ranking",
                                                    "rank order list deadline", "rol deadline")),
    Choice("none", "Not stated", ("none", "not stated", "no")),
)

STATUSES = (
    Choice("researching", "Researching", on_list=False),
    Choice("will_apply", "Will apply", ("to apply", "planned")),
    Choice("applied", "Applied", ("submitted",), stage="applied"),
    Choice("interview_invited", "Interview invited", ("invited", "ii", "invite"), stage="invited"),
    Choice("interview_scheduled", "Interview scheduled", ("scheduled",), stage="scheduled"),
    Choice("interviewed", "Interviewed", stage="interviewed"),
    # "Waitlisted" most often means an interview waitlist; a rejection can come before or after one
    Choice("waitlisted", "Waitlisted", ("waitlist",), stage="applied", maybe_interviewed=True),
    Choice("rejected", "Rejected", ("declined by program",), stage="applied", maybe_interviewed=True, closed=True),
    Choice("withdrawn", "Withdrawn", on_list=False, closed=True),
    Choice("ranked", "Ranked", stage="ranked"),
    Choice("matched", "Matched", stage="ranked"),
)

EMAIL_STATUSES = (
    Choice("not_contacted", "Not contacted", ("none", "no contact")),
    Choice("intro_sent", "Intro sent", ("emailed", "intro email sent")),
    Choice("replied", "Replied", ("reply received",)),
    Choice("no_reply", "No reply"),
    Choice("thank_you_sent", "Thank-you sent", ("thank you sent", "ty sent")),
    Choice("loi_sent", "Letter of interest sent", ("loi sent", "loi", "letter of intent sent")),
)

TRACKS = (  # with NRMP's track letters
    Choice("categorical", "Categorical", ("c", "cat"), code="C"),
    Choice("preliminary", "Preliminary", ("prelim", "p", "preliminary pgy 1", "pgy 1 only"), code="P"),
    Choice("primary_care", "Primary care", ("primary", "m", "primary care categorical"), code="M"),
    Choice("advanced", "Advanced", ("a", "pgy 2", "advanced pgy 2"), code="A"),
    Choice("reserved", "Reserved (physician)", ("r", "reserved", "physician", "physician reserved",
                                                "reserved physician"), code="R"),
    Choice("other", "Other"),
)

TIER_CHOICES = (
    Choice("likely", "Likely", ("tier 1", "1", "t1", "safety", "likely")),
    Choice("possible", "Possible", ("tier 2", "2", "t2", "target")),
    Choice("reach", "Reach", ("tier 3", "3", "t3", "reach")),
    Choice("not_eligible", "Not eligible", ("ineligible", "not eligible", "excluded", "0")),
)

USCE = (
    Choice("yes", "Required", ("yes", "required", "y", "mandatory")),
    Choice("preferred", "Preferred", ("recommended", "strongly preferred")),
    Choice("no", "Not required", ("no", "n", "none", "not required")),
    Choice("unknown", "Unknown", ("?", "n a", "na", "unk")),
)

# NRMP program codes (1903140C0: institution 1903, specialty 140, track C, a digit) use three-digit
# specialty codes; these are the ones checked against NRMP's own lists. Any other is not read from the
# code (the file's specialty column, where there is one, still says it).
NRMP_SPECIALTY_CODES = {"040": "anesthesiology", "120": "family_medicine", "140": "internal_medicine",
                        "320": "pediatrics", "440": "general_surgery", "700": "med_peds"}
ACGME_SPECIALTY_CODES = {c.code: c.value for c in SPECIALTIES if c.code}
# ACGME's codes for the "independent" (after another residency) programs of a specialty above
ACGME_SPECIALTY_CODES.update({"360": "plastic_surgery", "450": "vascular_surgery", "460": "thoracic_surgery"})
NRMP_CODE = re.compile(r"\d{4}(\d{3})([A-Z])\d")
ACGME_ID = re.compile(r"(\d{3})\d{7}")


def specialty_from_code(code: str) -> tuple[str | None, str | None]:
    """(specialty, track) an NRMP program code or an ACGME program id names, None where it names none."""
    code = code.strip().upper()
    if match := NRMP_CODE.fullmatch(code):
        track = next((t.value for t in TRACKS if t.code == match.group(2)), None)
        return NRMP_SPECIALTY_CODES.get(match.group(1)), track
    if match := ACGME_ID.fullmatch(code):
        return ACGME_SPECIALTY_CODES.get(match.group(1)), None
    return None, None


FIELDS: tuple[Field, ...] = (
    # Program
    Field("name", "Program", Kind.TEXT, "Program", first_screen=True, searched=True, required=True, width=40, grid_width=34, max_length=200,
          export_header="Program name",
          spellings=("program name", "program", "name", "residency program", "program title")),
    # Tier: the computed tier is not a field (it follows from the rest); these are the user's say.
    Field("tier_override", "Tier", Kind.CHOICE, "Tier", first_screen=True, bulk=3, choices=TIER_CHOICES, width=13, grid_width=10,
          export_header="Tier (set by hand)", help="Leave empty to use the computed tier.",
          empty_label="Computed tier",
          # a file's own tier column ("Tier", "Tier 1/2/3") is mapped here only by hand, on the mapping page:
          # read silently it would override the computed tiers (and their Not eligible) of every row
          spellings=("tier override", "tier set by hand", "tier overridden")),
    # the reasons for a computed tier are the tier cell's own; this is why the user set one by hand
    Field("tier_override_reason", "Reason for tier set by hand", Kind.TEXT, "Tier", width=18, max_length=200,
          export_header="Reason for tier set by hand",
          spellings=("tier reason", "why this tier", "override reason", "reason for tier set by hand")),
    Field("specialty", "Specialty", Kind.CHOICE, "Program", first_screen=True, filter_bar=True, choices=SPECIALTIES, width=16,
          spellings=("specialty", "speciality", "field", "specialty name", "program specialty")),
    Field("specialty_text", "Specialty as written", Kind.TEXT, "Program", width=16, max_length=200,
          help="A specialty the catalogue can't place (Specialty is then Other), as the file wrote it.",
          spellings=("specialty as written", "other specialty", "specialty other")),
    Field("track", "Track", Kind.CHOICE, "Program", choices=TRACKS, width=12,
          spellings=("track", "program track", "position type")),
    Field("program_code", "Program code", Kind.TEXT, "Program", width=13, max_length=20, normalize=_program_code,
          help="The NRMP/ACGME program code, for example 1403621114.",
          spellings=("program code", "program id", "nrmp code", "acgme id", "program number", "code",
                     "nrmp program code", "acgme program id", "acgme program number", "acgme code",
                     "program id acgme id", "freida program id")),
    Field("city", "City", Kind.TEXT, "Program", searched=True, width=14, max_length=100,
          spellings=("city", "town", "program city")),
    Field("state", "State", Kind.CHOICE, "Program", first_screen=True, filter_bar=True, width=7,
          choices=tuple(Choice(code, code, (name,)) for code, name in US_STATES),
          spellings=("state", "st", "state province", "program state")),
    Field("setting", "Setting", Kind.CHOICE, "Program", first_screen=True, filter_bar=True, choices=SETTINGS, width=18,
          grid_width=14, spellings=("setting", "program type", "type", "hospital type", "program setting",
                     "program best described as", "best described as")),
    Field("positions", "Positions", Kind.INT, "Program", min=0, max=500, width=8,
          spellings=("positions", "total positions", "number of positions", "spots", "pgy 1 positions",
                     "first year positions", "number of first year positions", "pgy1 positions",
                     "first year positions offered", "positions first year")),
    Field("website", "Website", Kind.URL, "Program", width=18, max_length=500,
          spellings=("website", "url", "program website", "web site", "link")),
    Field("contact_email", "Contact email", Kind.EMAIL, "Program", width=22,
          spellings=("contact email", "program contact email", "email", "coordinator email")),
    Field("accepting_applications", "Accepting applications", Kind.TRI, "Program", per_season=True, width=10,
          export_header="Accepting applications this season",
          help="Whether the program takes applications this season (FREIDA says so for each season).",
          spellings=("accepting applications", "accepting applications this season",
                     "currently accepting applications", "accepting applications for this season",
                     "accepts applications")),
    Field("eras_participation", "In ERAS", Kind.TRI, "Program", width=8, export_header="Participates in ERAS",
          spellings=("participates in eras", "program participates in eras", "eras participation", "eras",
                     "in eras", "uses eras")),
    Field("interviews_last_year", "Interviews last year", Kind.INT, "Program", min=0, max=10_000, width=9,
          spellings=("interviews conducted last year", "number of interviews conducted last year",
                     "interviews conducted last year for first year positions", "interviews last year",
                     "interviews conducted", "interviews")),
    Field("data_updated_on", "Data updated", Kind.DATE, "Program", width=11, export_header="Data last updated", month_ok=True,
          help="When the file's source (FREIDA, a program's page) last updated this program's data.",
          spellings=("data last updated", "last updated", "date last updated", "information last updated",
                     "freida last updated", "updated on", "date updated", "last update")),
    # Visa & IMG
    Field("visa_j1", "J-1", Kind.TRI, "Visa & IMG", first_screen=True, visa="J-1", filter_bar=True, research=True, width=8,
          export_header="Sponsors J-1",
          spellings=("j 1", "j1", "j 1 visa", "sponsors j 1")),
    Field("visa_h1b", "H-1B", Kind.TRI, "Visa & IMG", first_screen=True, visa="H-1B", filter_bar=True, research=True, width=8,
          export_header="Sponsors H-1B",
          spellings=("h 1b", "h1b", "h 1b visa", "sponsors h 1b")),
    Field("img_percent", "IMG %", Kind.PERCENT, "Visa & IMG", first_screen=True, research=True, min=0, max=100, width=7,
          export_header="IMG residents %",
          spellings=("% img", "img %", "img percent", "percent img", "img share", "imgs",
                     "percentage of img residents", "percent of img residents", "img residents percent",
                     "img percentage", "pct img", "percent imgs", "percentage of international medical graduates",
                     "percent international medical graduates")),
    Field("non_us_img_count", "Non-US IMGs", Kind.INT, "Visa & IMG", research=True, min=0, max=500, width=9,
          spellings=("non us imgs", "non us img count", "number of non us imgs", "non us img residents")),
    Field("non_us_img_percent", "Non-US IMG %", Kind.PERCENT, "Visa & IMG", min=0, max=100, width=7,
          export_header="Non-US IMG residents %",
          help="The share of residents who are non-US-citizen IMGs (not US citizens who studied abroad).",
          spellings=("non us img %", "% non us img", "non us img percent", "percent non us img",
                     "non us img share")),
    Field("img_origins", "IMG origins", Kind.TEXT, "Visa & IMG", searched=True, width=18, max_length=300,
          spellings=("img origins", "where imgs trained", "img countries", "img schools")),
    Field("us_md_percent", "US MD %", Kind.PERCENT, "Visa & IMG", min=0, max=100, width=7,
          export_header="US MD residents %",
          spellings=("% us md", "us md %", "us md percent", "percent us md", "percentage of us md residents",
                     "percent of us md residents", "us md percentage", "usmd", "% usmd", "pct us md", "% md",
                     "percentage of md residents")),
    Field("do_percent", "DO %", Kind.PERCENT, "Visa & IMG", min=0, max=100, width=7,
          export_header="DO residents %",
          spellings=("% do", "do %", "do percent", "percent do", "percentage of do residents",
                     "percent of do residents", "do percentage", "pct do", "% us do", "percentage of us do residents")),
    # Screening
    Field("step1_requirement", "Step 1", Kind.TEXT, "Screening", width=10, normalize=_step1_requirement,
          export_header="Step 1 requirement", help="pass, none stated, or a minimum score such as 220.", suggestions=("pass", "none stated"),
          spellings=("step 1", "step 1 requirement", "usmle step 1", "usmle step 1 minimum", "step 1 min",
                     "step 1 cutoff", "step 1 cut off", "usmle step 1 minimum score", "minimum step 1 score")),
    Field("step2_min", "Step 2 CK min", Kind.INT, "Screening", first_screen=True, min=150, max=300, width=9,
          export_header="Step 2 CK minimum",
          spellings=("step 2 ck minimum", "usmle step 2 ck minimum", "step 2 min", "step 2", "step 2 ck", "ck min",
                     "step 2 ck cutoff", "step 2 ck cut off", "step 2 cutoff", "step 2 cut off", "ck cutoff",
                     "usmle step 2 ck minimum score", "minimum step 2 ck score", "step 2 ck minimum score",
                     "step 2 ck score minimum", "step 2 ck min score")),
    Field("step2_min_kind", "Step 2 CK rule", Kind.CHOICE, "Screening", choices=REQUIREMENT_KINDS, width=11,
          empty_label="Not researched", export_header="Step 2 CK minimum: strict or preferred",
          help="Strict cutoff (applications below it are filtered), Preferred, or None stated; empty: not "
               "researched yet.",
          spellings=('step 2 ck minimum type', 'step 2 ck cutoff type', 'step 2 min type', 'step 2 ck rule')),
    Field("max_attempts", "Max attempts", Kind.INT, "Screening", min=1, max=10, width=9,
          export_header="Maximum attempts",
          spellings=("maximum attempts", "max attempts", "attempts allowed", "attempts")),
    Field("max_attempts_kind", "Attempts rule", Kind.CHOICE, "Screening", choices=REQUIREMENT_KINDS, width=11,
          empty_label="Not researched", export_header="Maximum attempts: strict or preferred",
          help="Strict cutoff (applications below it are filtered), Preferred, or None stated; empty: not "
               "researched yet.",
          spellings=('attempts limit type', 'max attempts type', 'attempts rule', 'first attempt only type')),
    Field("yog_limit_years", "YOG limit (years)", Kind.INT, "Screening", min=0, max=50, width=9,
          export_header="Years since graduation limit",
          spellings=("years since graduation", "yog", "yog limit", "graduation year limit", "yog cutoff")),
    Field("yog_limit_kind", "YOG rule", Kind.CHOICE, "Screening", choices=REQUIREMENT_KINDS, width=11,
          empty_label="Not researched", export_header="Years since graduation limit: strict or preferred",
          help="Strict cutoff (applications below it are filtered), Preferred, or None stated; empty: not "
               "researched yet.",
          spellings=('yog limit type', 'yog type', 'yog rule', 'graduation year limit type')),
    Field("ecfmg_by", "ECFMG certificate by", Kind.CHOICE, "Screening", choices=ECFMG_DEADLINES, width=14,
          empty_label="Not researched", export_header="ECFMG certificate needed by",
          spellings=("ecfmg certificate by", "ecfmg certification", "ecfmg certificate", "ecfmg by",
                     "ecfmg certified by")),
    Field("usce_required", "USCE", Kind.CHOICE, "Screening", choices=USCE, default="unknown", width=11,
          export_header="USCE required",
          spellings=("usce required", "usce", "us clinical experience", "us clinical experience required")),
    # Mission
    Field("mission_tags", "Mission tags", Kind.TAGS, "Mission", bulk=4, choices=MISSION_TAGS, width=20,
          spellings=("mission tags", "tags", "focus", "mission focus tags")),
    Field("mission_notes", "Mission notes", Kind.LONG_TEXT, "Mission", searched=True, width=28,
          spellings=("mission notes", "mission", "underserved focus", "mission focus", "mission statement")),
    Field("ties", "Ties", Kind.TAGS, "Mission", choices=TIES, width=16,
          help="Your ties to the program: a rotation there, alumni of your school, family or a contact nearby.",
          spellings=("ties", "connections", "my ties", "ties to program")),
    Field("notes", "Notes", Kind.LONG_TEXT, "Mission", first_screen=True, searched=True, width=28,
          spellings=("notes", "comments", "remarks")),
    # Application
    Field("status", "Status", Kind.CHOICE, "Application", first_screen=True, filter_bar=True, bulk=1, badge=True, choices=STATUSES,
          default="researching", width=16,
          export_header="Application status",
          spellings=("status", "application status", "app status")),
    Field("email_status", "Email", Kind.CHOICE, "Application", first_screen=True, filter_bar=True, bulk=2, badge=True,
          choices=EMAIL_STATUSES, default="not_contacted", width=16, export_header="Email status",
          spellings=("email status", "contact status", "emails", "communication")),
    Field("date_applied", "Applied on", Kind.DATE, "Application", width=11, export_header="Date applied",
          spellings=("date applied", "applied on", "applied", "submitted on")),
    Field("invited_at", "Invited at", Kind.DATETIME, "Application", width=16, export_header="Interview invitation received",
          help="When the interview invitation arrived (filled in when the status becomes Interview invited): "
               "programs must leave at least 48 hours to accept.",
          spellings=("invited at", "invited on", "invitation received", "invite date", "date invited")),
    Field("signal_sent", "Signal", Kind.CHOICE, "Application", choices=SIGNALS, default="none", width=8,
          export_header="Signal sent", empty_label="None",
          help="None, Gold or Silver: the ERAS program signal you sent (Yes reads as Gold).",
          spellings=("signal sent", "signal", "program signal")),
    Field("interview_date", "Interview", Kind.DATETIME, "Application", width=16,
          export_header="Interview date",
          spellings=("interview", "interview date", "interview on", "interview date time")),
    Field("interview_format", "Format", Kind.CHOICE, "Application", width=10, export_header="Interview format",
          choices=(Choice("virtual", "Virtual", ("online", "zoom", "video", "remote")),
                   Choice("in_person", "In person", ("on site", "onsite", "in-person", "campus"))),
          spellings=("interview format", "format", "interview type", "virtual or in person")),
    Field("interview_notes", "Interview notes", Kind.LONG_TEXT, "Application", width=24,
          spellings=("interview notes", "interviewers", "interview impressions")),
    Field("thank_you_sent", "Thank-you sent", Kind.DATE, "Application", width=11,
          spellings=("thank you sent", "thank you", "thank you email", "ty sent")),
    Field("loi_sent", "LOI sent", Kind.DATE, "Application", width=11, export_header="Letter of interest sent",
          spellings=("loi sent", "loi", "letter of interest", "letter of intent")),
    Field("follow_up_on", "Follow up on", Kind.DATE, "Application", width=11,
          spellings=("follow up on", "follow up", "follow up date", "next step on", "reminder")),
    Field("top_choice", "Top choice", Kind.TRI, "Application", default="no", width=8,
          help="The one program that gets your letter of intent.",
          spellings=("top choice", "first choice", "letter of intent to")),
    Field("rank", "Rank", Kind.INT, "Application", min=1, max=999, width=6,
          spellings=("rank", "rank order", "rol position")),
    Field("soap_list", "SOAP list", Kind.TRI, "Application", default="no", width=8,
          help="On your list for the Supplemental Offer and Acceptance Program, if you don't match.",
          spellings=("soap list", "soap", "soap candidate")),
    Field("outcome", "Outcome", Kind.CHOICE, "Application", width=12,
          choices=(Choice("matched", "Matched"), Choice("matched_soap", "Matched in SOAP", ("soap match",)),
                   Choice("not_matched", "Not matched", ("unmatched", "no match"))),
          spellings=("outcome", "match result", "result")),
    Field("mentor_comments", "Mentor comments", Kind.LONG_TEXT, "Application", searched=True, width=28,
          spellings=("mentor comments", "mentor comment", "advisor comments", "adviser comments",
                     "comments from mentor", "mentor notes", "mentor feedback")),
)  # fmt: skip

BY_KEY: dict[str, Field] = {f.key: f for f in FIELDS}

# What the flags above select, in catalogue order (bulk edits: in the menu's order).
FILTER_BAR: tuple[Field, ...] = tuple(f for f in FIELDS if f.filter_bar)
BULK: tuple[Field, ...] = tuple(sorted((f for f in FIELDS if f.bulk), key=lambda f: f.bulk))
SEARCHED: tuple[str, ...] = tuple(f.key for f in FIELDS if f.searched)
FIRST_SCREEN: tuple[str, ...] = tuple(f.key for f in FIELDS if f.first_screen)
RESEARCH: tuple[str, ...] = tuple(f.key for f in FIELDS if f.research)
VISA_FIELDS: dict[str, str] = {f.visa: f.key for f in FIELDS if f.visa}  # "J-1" -> "visa_j1"


def sponsorship_fields(visa_needed: str | None) -> tuple[str, ...]:
    """The fields stating sponsorship of the visa an applicant needs ("J-1", "H-1B"): none for
    "none" (no visa needed), both while the need is not known."""
    if visa_needed == "none":
        return ()
    return (VISA_FIELDS[visa_needed],) if visa_needed in VISA_FIELDS else tuple(VISA_FIELDS.values())


def accepted_visas(visa_needed: str | None) -> tuple[str, ...]:
    """The visas an applicant would take: both with "either", else the one needed; none for "none"
    (no visa needed) or while the profile does not say."""
    if visa_needed == "either":
        return tuple(VISA_FIELDS)
    return (visa_needed,) if visa_needed in VISA_FIELDS else ()


def sponsorship_answer(read: Callable[[str], Any], visa_needed: str | None) -> str | None:
    """Whether a program (``read`` gives its fields) sponsors a visa the applicant would take: "yes"
    if it sponsors one, "no" if it sponsors none, else "unknown"; None when no visa is needed or
    the profile does not say."""
    visas = accepted_visas(visa_needed)
    if not visas:
        return None
    answers = [read(VISA_FIELDS[visa]) or "unknown" for visa in visas]
    return "yes" if "yes" in answers else "no" if all(a == "no" for a in answers) else "unknown"


def visa_label(visa_needed: str | None, preference: str | None = None) -> str:
    """The visa need in words: "J-1", "J-1 or H-1B (prefers H-1B)"."""
    if visa_needed == "either":
        return "J-1 or H-1B" + (f" (prefers {preference})" if preference in VISA_FIELDS else "")
    return visa_needed or ""


def statuses(test: Callable[[Choice], bool]) -> tuple[str, ...]:
    """The application statuses (values, in pipeline order) whose choice passes ``test``."""
    return tuple(c.value for c in STATUSES if test(c))


def reaches(choice: Choice, step: str) -> bool:
    """Whether a status shows that the application got as far as ``step`` (of PIPELINE)."""
    return bool(choice.stage) and PIPELINE.index(choice.stage) >= PIPELINE.index(step)


def get(key: str) -> Field:
    """The field for ``key``; KeyError for a key the catalogue does not declare."""
    return BY_KEY[key]


def grouped() -> list[tuple[str, list[Field]]]:
    """Fields in catalogue order, grouped for the grid's two header rows."""
    groups: list[tuple[str, list[Field]]] = []
    for f in FIELDS:
        if not groups or groups[-1][0] != f.group:
            groups.append((f.group, []))
        groups[-1][1].append(f)
    return groups


def by_group() -> list[tuple[str, list[Field]]]:
    """Every group once, with all its fields (the name among the Program fields): for forms."""
    return [(g, [f for f in FIELDS if f.group == g]) for g in GROUPS]


def parse_values(raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Parse many fields at once: (values, errors by key). Unknown keys are an error."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key, value in raw.items():
        f = BY_KEY.get(key)
        if f is None:
            errors[key] = f"{key!r} is not a program field."
            continue
        try:
            values[key] = f.parse(value)
        except FieldError as exc:
            errors[key] = str(exc)
    return values, errors


def defaults() -> dict[str, Any]:
    """Stored values of an empty program."""
    return {f.key: f.parse(None) for f in FIELDS if not f.required}
