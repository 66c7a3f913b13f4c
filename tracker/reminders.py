"""What to do today: thank-you notes, invitations, follow-ups, research, applications. Pure:
plain program rows (model objects or dicts), the time now, the rules and the profile in; lists out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import fields, records, season_dates, signals
from .fields import VISA_FIELDS
from .rules import Rules
from .tiering import effective_tier

OPEN_STATUSES = fields.statuses(lambda c: c.open)  # not applied yet
CLOSED_STATUSES = fields.statuses(lambda c: c.closed)  # out of the running: no thank-you reminders
UPCOMING_DAYS = 7  # follow-ups shown this many days ahead


def _stated(key: str) -> Callable[[Any], bool]:
    return lambda row: records.get(row, key) is not None


def _screens_step1(row: Any) -> bool:
    """Whether the program states a Step 1 screen (a pass, or a minimum score)."""
    text = str(records.get(row, "step1_requirement") or "").strip().lower()
    return text.isdigit() or "pass" in text


def _usce_stated(row: Any) -> bool:
    return records.get(row, "usce_required") in ("yes", "preferred")


# What tiering reads from the profile, and which programs make it matter (None: every one): a
# profile without it leaves their tiers uncertain, which one "complete your profile" item says.
PROFILE_NEEDS: tuple[tuple[str, str, Callable[[Any], bool] | None], ...] = (
    ("visa_needed", "the visa you need", None),
    ("step1", "your Step 1 result", _screens_step1),
    ("step2_ck", "your Step 2 CK score", _stated("step2_min")),
    ("step1_attempts", "your Step 1 attempts", _stated("max_attempts")),
    ("step2_attempts", "your Step 2 CK attempts", _stated("max_attempts")),
    ("graduation_year", "your graduation year", _stated("yog_limit_years")),
    ("season_year", "your Match year", _stated("yog_limit_years")),
    # tiering counts missing months as none wherever USCE is required, preferred or unknown
    ("usce_months", "your months of US clinical experience", lambda row: records.get(row, "usce_required") != "no"),
    # the depth programs that require or prefer USCE look for
    ("usce_inpatient_months", "your inpatient months of USCE", _usce_stated),
    ("us_letters", "your number of US letters", _usce_stated),
    ("ecfmg_certified", "your ECFMG certificate", lambda row: records.get(row, "ecfmg_by") in ("interview", "ranking")),
    # what a mission fit is read from
    ("languages", "the languages you speak",
     lambda row: bool({"border", "spanish", "immigrant_refugee"} & set(records.get(row, "mission_tags") or []))),
)


@dataclass
class Item:
    kind: str  # thank_you, invitation, follow_up, research, apply
    program_id: int
    name: str
    version: int
    state: str = ""  # overdue, due, soon, today, upcoming
    detail: str = ""
    when: dt.datetime | dt.date | None = None
    unknown: list[str] = field(default_factory=list)  # research: the fields (Field.research) to fill in
    level: str = ""  # signal: the level suggested (gold, silver)


@dataclass
class Today:
    thank_you: list[Item] = field(default_factory=list)
    invitation: list[Item] = field(default_factory=list)
    follow_up: list[Item] = field(default_factory=list)
    research: list[Item] = field(default_factory=list)
    apply: list[Item] = field(default_factory=list)
    signal: list[Item] = field(default_factory=list)  # where the signals left might go (tracker.signals)
    profile_gaps: list[str] = field(default_factory=list)  # one "complete your profile" item
    signal_warnings: list[str] = field(default_factory=list)  # specialties past their signals
    letter: list[Item] = field(default_factory=list)  # the letter of interest or intent to the top choice
    ties_email: list[Item] = field(default_factory=list)  # a brief email where you rotated or have ties
    season: list[season_dates.Near] = field(default_factory=list)  # the season's dates near
    soap_list_missing: bool = False  # Match Week near and no program on the SOAP list

    @property
    def total(self) -> int:
        lists = (self.thank_you, self.invitation, self.follow_up, self.research, self.apply, self.signal,
                 self.letter, self.ties_email)
        return sum(len(v) for v in lists) + bool(self.profile_gaps) + len(self.season) + self.soap_list_missing


def unknown_research_fields(row: Any, visa_needed: str | None) -> list[str]:
    """The visa and IMG fields of ``row`` still unknown: the sponsorship of the visa the applicant
    needs (of both while the profile does not say), and the IMG share and count when neither is known."""
    unknown = [key for key in fields.sponsorship_fields(visa_needed) if (records.get(row, key) or "unknown") == "unknown"]
    if records.get(row, "img_percent") is None and records.get(row, "non_us_img_count") is None:
        unknown += ["img_percent", "non_us_img_count"]
    return unknown


def research_item(row: Any, visa_needed: str | None) -> Item | None:
    """The research item of ``row``, or None when its visa and IMG data are known."""
    unknown = unknown_research_fields(row, visa_needed)
    if not unknown:
        return None
    what = [f"{fields.get(key).label} sponsorship" for key in unknown if key in VISA_FIELDS.values()]
    if "img_percent" in unknown:
        what.append("IMG share")
    return _item(row, "research", detail=f"Unknown: {', '.join(what)}.", unknown=unknown)


def profile_gaps(profile: Any, programs: list[Any]) -> list[str]:
    """What the profile lacks that the tiers of ``programs`` need (PROFILE_NEEDS)."""
    return [label for key, label, needed_by in PROFILE_NEEDS
            if records.get(profile, key) in (None, "") and (needed_by is None or any(map(needed_by, programs)))]


def season_has_started(today: dt.date, season_year: int | None, rules: Rules,
                       eras_opens: dt.date | None = None) -> bool:
    """From the day ERAS opens (the season's date; without one, the opening month of the year
    before the Match) until the end of the Match month."""
    if season_year is None:
        return False
    opens = eras_opens or dt.date(season_year - 1, rules.season_opens_month, 1)
    closes_month = rules.season_closes_month
    closes = dt.date(season_year + (closes_month == 12), closes_month % 12 + 1, 1)
    return opens <= today < closes


def thank_you_state(interview: dt.datetime, now: dt.datetime, rules: Rules) -> str | None:
    """None before the interview; then soon, due (the 24-72 hour window) and overdue."""
    if interview > now:
        return None
    hours = (now - interview).total_seconds() / 3600
    if hours < rules.thank_you_after_hours:
        return "soon"
    if hours <= rules.thank_you_within_hours:
        return "due"
    return "overdue"


def invitation_detail(invited_at: dt.datetime | None, now: dt.datetime, rules: Rules) -> tuple[str, str]:
    """The state and words of an invitation: how old it is against the hours programs must leave."""
    limit = rules.invitation_answer_hours
    if invited_at is None or invited_at > now:
        return "due", (f"Invited to interview: answer promptly and pick a date (programs must leave at least "
                       f"{limit} hours to accept).")
    hours = int((now - invited_at).total_seconds() // 3600)
    age = "less than an hour" if hours < 1 else "1 hour" if hours == 1 else f"{hours} hours"
    if hours < limit:
        return "due", (f"Invitation {age} old: answer now. Programs must leave at least {limit} hours to "
                       "accept, and slots go fast.")
    return "overdue", (f"Invitation {age} old, past the {limit} hours programs must leave to accept: answer "
                       "now, the slot may be gone.")


def _last_interview(programs: list[Any]) -> dt.datetime | None:
    moments = [records.get(row, "interview_date") for row in programs
               if records.get(row, "interview_date") and records.get(row, "status") not in CLOSED_STATUSES]
    return max(moments) if moments else None


def letter_items(programs: list[Any], now: dt.datetime, dates: season_dates.SeasonDates | None) -> list[Item]:
    """The letter of interest (or intent) to the one top choice: from its interview and the last
    interview of the season until the rank-list deadline, while no letter is recorded."""
    last = _last_interview(programs)
    if last is None or last > now:
        return []
    if dates is not None and now.date() > dates.rank_deadline.date():
        return []
    items = []
    for row in programs:
        interview = records.get(row, "interview_date")
        if (records.get(row, "top_choice") == "yes" and interview and interview <= now
                and not records.get(row, "loi_sent") and records.get(row, "email_status") != "loi_sent"
                and records.get(row, "status") not in CLOSED_STATUSES):
            by = f" before the rank-list deadline ({dates.rank_deadline:%-d %B}, 9 pm ET)" if dates else ""
            items.append(_item(row, "letter", state="due", when=dates.rank_deadline if dates else None,
                               detail="Consider sending a sincere, specific letter of interest (or later a letter "
                                      f"of intent) to your top choice{by}."))
    return items


TIES_FOR_EMAIL = ("rotated", "alumni", "contact")


def ties_email_items(programs: list[Any]) -> list[Item]:
    """After applying, a brief email to the programs where the applicant rotated or has ties, once:
    while the email status still says not contacted."""
    tie_field = fields.get("ties")
    items = []
    for row in programs:
        ties = [t for t in records.get(row, "ties") or [] if t in TIES_FOR_EMAIL]
        status = records.get(row, "status")
        if (ties and status not in OPEN_STATUSES and status not in CLOSED_STATUSES
                and (records.get(row, "email_status") or "not_contacted") == "not_contacted"):
            why = ", ".join(tie_field.label_for(t).lower() for t in ties)
            items.append(_item(row, "ties_email", state="due",
                               detail=f"Applied; your ties: {why}. Send one brief email saying you applied and why "
                                      "this program."))
    return sorted(items, key=lambda i: i.name)


def _item(row: Any, kind: str, **extra: Any) -> Item:
    return Item(kind, records.get(row, "id"), records.get(row, "name"), records.get(row, "version") or 1, **extra)


def todays_list(programs: list[Any], now: dt.datetime, rules: Rules | None = None, profile: Any = None,
                dates: season_dates.SeasonDates | None = None) -> Today:
    """Today's items; ``dates`` is the season's calendar (tracker.season_dates), when it has one."""
    rules = rules or Rules()
    today = Today()
    visa_needed = records.get(profile, "visa_needed")
    open_rows = []
    for row in programs:
        status = records.get(row, "status")
        interview = records.get(row, "interview_date")
        if interview and not records.get(row, "thank_you_sent") and status not in CLOSED_STATUSES:
            state = thank_you_state(interview, now, rules)
            if state:
                by = interview + dt.timedelta(hours=rules.thank_you_within_hours)
                today.thank_you.append(_item(row, "thank_you", state=state, when=by,
                                             detail=f"Interviewed {interview:%a %b %-d, %H:%M}; send by {by:%a %b %-d, %H:%M}"))
        if status == "interview_invited":
            state, detail = invitation_detail(records.get(row, "invited_at"), now, rules)
            today.invitation.append(_item(row, "invitation", state=state, detail=detail,
                                          when=records.get(row, "invited_at")))
        follow_up = records.get(row, "follow_up_on")
        if follow_up and follow_up <= now.date() + dt.timedelta(days=UPCOMING_DAYS):
            state = "overdue" if follow_up < now.date() else "today" if follow_up == now.date() else "upcoming"
            today.follow_up.append(_item(row, "follow_up", state=state, when=follow_up,
                                         detail=f"Follow up on {follow_up:%a %b %-d}"))
        tier = effective_tier(row)
        if tier != "not_eligible" and status in OPEN_STATUSES:
            open_rows.append(row)
            if item := research_item(row, visa_needed):
                today.research.append(item)
        if tier in ("likely", "possible") and status in OPEN_STATUSES:
            today.apply.append(_item(row, "apply", state=tier, detail=f"Tier {'1' if tier == 'likely' else '2'}, "
                                                                      "not applied yet"))
    order = {"overdue": 0, "due": 1, "today": 1, "soon": 2, "upcoming": 3}
    today.thank_you.sort(key=lambda i: (order[i.state], i.when))
    today.follow_up.sort(key=lambda i: (order[i.state], i.when))
    today.apply.sort(key=lambda i: (i.state != "likely", i.name))
    today.research.sort(key=lambda i: i.name)
    today.profile_gaps = profile_gaps(profile, open_rows)
    today.signal = [Item("signal", s.program_id, s.name, s.version, state=s.tier, detail=s.detail, level=s.level)
                    for s in signals.suggestions(programs, rules, profile)]
    today.signal_warnings = signals.warnings(programs, rules, profile)
    today.letter = letter_items(programs, now, dates)
    today.ties_email = ties_email_items(programs)
    window = rules.season_date_window_days
    today.season = season_dates.near(dates, now.date(), window)
    to_match_week = season_dates.days_until(dates, "match_week", now.date())
    today.soap_list_missing = (to_match_week is not None and 0 <= to_match_week <= window
                               and not any(records.get(row, "soap_list") == "yes" for row in programs))
    return today


# Today's sections, most pressing first: a program's next step is its first item in this order.
SECTION_ORDER = ("thank_you", "invitation", "letter", "follow_up", "ties_email", "apply", "research")


def next_steps(today: Today) -> dict[int, Item]:
    """Each program's next step: the first of its items in ``today`` (todays_list) in the order of
    SECTION_ORDER, by program id. A program with nothing due has none."""
    steps: dict[int, Item] = {}
    for kind in SECTION_ORDER:
        for item in getattr(today, kind):
            steps.setdefault(item.program_id, item)
    return steps
