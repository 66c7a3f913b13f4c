"""What to do today: thank-you notes, invitations, follow-ups, research, applications. Pure:
plain program rows (model objects or dicts), the time now and the rules in; lists out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .rules import Rules

OPEN_STATUSES = ("researching", "will_apply")  # not applied yet
CLOSED_STATUSES = ("rejected", "withdrawn")
UPCOMING_DAYS = 7  # follow-ups shown this many days ahead


def _get(row: Any, key: str) -> Any:
    return row.get(key) if isinstance(row, Mapping) else getattr(row, key, None)


@dataclass
class Item:
    kind: str  # thank_you, invitation, follow_up, research, apply
    program_id: int
    name: str
    version: int
    state: str = ""  # overdue, due, soon, today, upcoming
    detail: str = ""
    when: dt.datetime | dt.date | None = None


@dataclass
class Today:
    thank_you: list[Item] = field(default_factory=list)
    invitation: list[Item] = field(default_factory=list)
    follow_up: list[Item] = field(default_factory=list)
    research: list[Item] = field(default_factory=list)
    apply: list[Item] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(len(v) for v in (self.thank_you, self.invitation, self.follow_up, self.research, self.apply))


def season_has_started(today: dt.date, season_year: int | None, rules: Rules) -> bool:
    """From the opening month of the year before the Match until the end of the Match month."""
    if season_year is None:
        return False
    opens = dt.date(season_year - 1, rules.season_opens_month, 1)
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


def _item(row: Any, kind: str, **extra: Any) -> Item:
    return Item(kind, _get(row, "id"), _get(row, "name"), _get(row, "version") or 1, **extra)


def todays_list(programs: list[Any], now: dt.datetime, rules: Rules | None = None) -> Today:
    rules = rules or Rules()
    today = Today()
    for row in programs:
        status = _get(row, "status")
        interview = _get(row, "interview_date")
        if interview and not _get(row, "thank_you_sent") and status not in CLOSED_STATUSES:
            state = thank_you_state(interview, now, rules)
            if state:
                by = interview + dt.timedelta(hours=rules.thank_you_within_hours)
                today.thank_you.append(_item(row, "thank_you", state=state, when=by,
                                             detail=f"Interviewed {interview:%a %b %-d, %H:%M}; send by {by:%a %b %-d, %H:%M}"))
        if status == "interview_invited":
            today.invitation.append(_item(row, "invitation", state="due",
                                          detail="Invited to interview: answer promptly and pick a date."))
        follow_up = _get(row, "follow_up_on")
        if follow_up and follow_up <= now.date() + dt.timedelta(days=UPCOMING_DAYS):
            state = "overdue" if follow_up < now.date() else "today" if follow_up == now.date() else "upcoming"
            today.follow_up.append(_item(row, "follow_up", state=state, when=follow_up,
                                         detail=f"Follow up on {follow_up:%a %b %-d}"))
        tier = _get(row, "tier_override") or _get(row, "tier")
        unknown = [text for text, effect in (_get(row, "tier_reasons") or []) if effect == "unknown"]
        if unknown and tier != "not_eligible" and status in OPEN_STATUSES:
            today.research.append(_item(row, "research", detail="; ".join(unknown)))
        if tier in ("likely", "possible") and status in OPEN_STATUSES:
            today.apply.append(_item(row, "apply", state=tier, detail=f"Tier {'1' if tier == 'likely' else '2'}, "
                                                                      "not applied yet"))
    order = {"overdue": 0, "due": 1, "today": 1, "soon": 2, "upcoming": 3}
    today.thank_you.sort(key=lambda i: (order[i.state], i.when))
    today.follow_up.sort(key=lambda i: (order[i.state], i.when))
    today.apply.sort(key=lambda i: (i.state != "likely", i.name))
    today.research.sort(key=lambda i: i.name)
    return today
