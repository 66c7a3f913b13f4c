"""Post-season analysis: applications, interviews and yield by tier, setting, visa and region,
with DOMAIN.md's advice on what to change next season set against the numbers; for a season
that did not match, the between-cycles advice with the numbers that point where, and what
changed in the profile since the season before (tracker.cycles). Pure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from . import cycles, fields, records, regions
from .guidance import BIG_CITY_ADVICE, application_targets, concentrated_in_big_cities, funnel
from .rules import TIER_LABELS, Rules
from .tiering import effective_tier

SLICES: dict[str, tuple[str, Callable[[Any, Any], str | None], Callable[[str | None], str]]] = {
    "tier": ("Tier", lambda p, profile: effective_tier(p),
             lambda k: TIER_LABELS.get(k, "Not tiered")),
    "setting": ("Setting", lambda p, profile: records.get(p, "setting"),
                lambda k: fields.get("setting").label_for(k) or "Setting not set"),
    "visa": ("Visa sponsorship", lambda p, profile: _visa_answer(p, profile),
             lambda k: {"yes": "Sponsors your visa", "no": "Does not sponsor it", "unknown": "Sponsorship unknown",
                        None: "No visa needed"}[k]),
    "region": ("Region", lambda p, profile: regions.spread_group(records.get(p, "state"), records.get(p, "city")),
               lambda k: regions.SPREAD_LABELS.get(k, k or "Unknown")),
}


def _visa_answer(program: Any, profile: Any) -> str | None:
    needed = records.get(profile, "visa_needed") if profile is not None else None
    return fields.sponsorship_answer(records.reader(program), needed)


@dataclass
class SliceRow:
    label: str
    applied: int
    invited: int
    interviewed: int
    ranked: int

    @property
    def invite_rate(self) -> float | None:
        return self.invited / self.applied if self.applied else None


@dataclass
class Analysis:
    total: SliceRow
    slices: dict[str, list[SliceRow]] = field(default_factory=dict)
    matched: int = 0
    advice: list[str] = field(default_factory=list)
    unmatched: bool = False  # applied, matched nowhere, and the Match is past (or an outcome says so)
    changes: list[cycles.ProfileChange] | None = None  # since the season before; None without one

    @property
    def significant_changes(self) -> list[cycles.ProfileChange]:
        return cycles.significant(self.changes or [])


def match_day(year: int) -> dt.date:
    """The NRMP's Match Day of a Match year: the third Friday of March."""
    first = dt.date(year, 3, 1)
    return first + dt.timedelta(days=(4 - first.weekday()) % 7 + 14)


def is_unmatched(programs: list[Any], matched: int, applied: int, season_year: int | None,
                 today: dt.date) -> bool:
    """A season whose applications matched nowhere: an outcome says Not matched, or Match Day is past."""
    if matched or not applied:
        return False
    if any(records.get(p, "outcome") == "not_matched" for p in programs):
        return True
    return season_year is not None and today >= match_day(season_year)


def _row(label: str, programs: list[Any], today: dt.date) -> SliceRow:
    counts = funnel(programs, today=today).total.counts
    return SliceRow(label, counts.get("applied", 0), counts.get("invited", 0), counts.get("interviewed", 0),
                    counts.get("ranked", 0))


def analyse(programs: Iterable[Any], profile: Any, rules: Rules | None = None,
            today: dt.date | None = None, *, season_year: int | None = None,
            previous_profile: Any = None) -> Analysis:
    """The season's numbers and advice. ``previous_profile``: the profile of the season before,
    to say what changed; ``season_year``: the season's Match year, to know when it is over."""
    rules = rules or Rules()
    today = today or dt.date.today()
    programs = [p for p in programs if records.get(p, "deleted_at") is None]
    result = Analysis(total=_row("All programs", programs, today))
    for key, (_title, group_of, label_of) in SLICES.items():
        groups: dict[Any, list[Any]] = {}
        for p in programs:
            groups.setdefault(group_of(p, profile), []).append(p)
        rows = [_row(label_of(k), members, today) for k, members in groups.items()]
        result.slices[key] = sorted((r for r in rows if r.applied), key=lambda r: -r.applied)
    result.matched = sum(1 for p in programs if records.get(p, "outcome") in ("matched", "matched_soap")
                         or records.get(p, "status") == "matched")
    if previous_profile is not None and profile is not None:
        result.changes = cycles.compare_profiles(previous_profile, profile, rules)
    result.unmatched = is_unmatched(programs, result.matched, result.total.applied, season_year, today)
    result.advice = advise(programs, profile, rules, result, today=today)
    return result


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "0%"


def _low_img(program: Any, rules: Rules) -> bool:
    """Known low IMG presence: no non-US IMGs among the residents, or an IMG share below the rule's."""
    share, count, non_us = (records.get(program, k) for k in ("img_percent", "non_us_img_count", "non_us_img_percent"))
    if count is not None or non_us is not None:
        return not ((count or 0) > 0 or (non_us or 0) > 0)
    return share is not None and share < rules.some_img_percent


def between_cycles(programs: list[Any], rules: Rules, result: Analysis, today: dt.date) -> str:
    """The advice of an unmatched season, with the numbers that point where to change."""
    t = result.total
    rate = _share(t.invited, t.applied)
    points = [f"{t.applied} applications gave {t.invited} interview invitations ({rate}) and {t.interviewed} "
              "interviews"]
    settings = result.slices.get("setting") or []
    if settings and t.applied:
        top = settings[0]
        points.append(f"{_share(top.applied, t.applied)} of applications went to one setting, {top.label} "
                      f"({top.invited} invited of {top.applied})")
    visa = {r.label: r for r in result.slices.get("visa") or []}
    unsponsored = sum(r.applied for label, r in visa.items() if label in ("Does not sponsor it", "Sponsorship unknown"))
    if unsponsored:
        points.append(f"{_share(unsponsored, t.applied)} to programs that do not sponsor your visa or whose "
                      "sponsorship was unknown")
    low = _row("Low IMG presence", [p for p in programs if _low_img(p, rules)], today)
    if low.applied:
        points.append(f"{_share(low.applied, t.applied)} to programs with low IMG presence ({low.invited} invited)")
    tiers = {r.label: r for r in result.slices.get("tier") or []}
    reach = tiers.get(TIER_LABELS["reach"])
    if reach and reach.applied:
        points.append(f"{_share(reach.applied, t.applied)} to Reach programs ({reach.invited} invited)")
    text = ("You did not match this season. Change something significant between cycles—scores, USCE, research, "
            "or letters—before applying again: " + "; ".join(points) + ".")
    if result.changes is not None and not result.significant_changes:
        text += " Your profile shows no significant change since last season."
    return text


def advise(programs: list[Any], profile: Any, rules: Rules, result: Analysis,
           today: dt.date | None = None) -> list[str]:
    """What to change next season, each point with the numbers behind it; an unmatched season's
    first point is always the between-cycles advice."""
    today = today or dt.date.today()
    advice = [between_cycles(programs, rules, result, today)] if result.unmatched else []
    applied = result.total.applied
    by = {key: {r.label: r for r in rows} for key, rows in result.slices.items()}
    targets = application_targets(profile, rules)
    low = min((t.low for t in targets if t.high is not None), default=None)
    if low is not None and applied < low:
        advice.append(f"You applied to {applied} programs; for your scores and specialties the advice is at least "
                      f"{low}. Apply more broadly, and on the first day ERAS opens.")
    excluded = by["tier"].get(TIER_LABELS["not_eligible"])
    if excluded and excluded.applied:
        advice.append(f"{excluded.applied} applications went to programs whose stated requirements excluded you "
                      f"({excluded.invited} invited). Skip them next season: they waste time and money.")
    reach = by["tier"].get(TIER_LABELS["reach"])
    if reach and reach.applied >= 5 and reach.invited == 0:
        advice.append(f"Reach programs gave no interviews ({reach.applied} applications). Move those fees to "
                      "Likely and Possible programs, where emails, signals and rotations count most.")
    if applied:
        county = sum(r.applied for label, r in by["setting"].items()
                     if label in {fields.get("setting").label_for(s) for s in rules.county_settings})
        share = county / applied
        if share < rules.county_share_min / 100:
            advice.append(f"Only {share:.0%} of applications went to county or safety-net programs; a "
                          f"county-focused strategy puts {rules.county_share_min}-{rules.county_share_max}% there.")
        coastal = by["region"].get(regions.SPREAD_LABELS["big_coastal"])
        if coastal and concentrated_in_big_cities(coastal.applied, applied, rules):
            rest = [r for label, r in by["region"].items() if r is not coastal]
            rest_rate = sum(r.invited for r in rest) / max(sum(r.applied for r in rest), 1)
            advice.append(f"{coastal.applied / applied:.0%} of applications went to big coastal cities "
                          f"(invited {coastal.invited} of {coastal.applied}, against {rest_rate:.0%} elsewhere). "
                          + BIG_CITY_ADVICE)
    unknown = by["visa"].get("Sponsorship unknown")
    if unknown and unknown.applied >= 3 and unknown.invited == 0:
        advice.append(f"{unknown.applied} applications went to programs whose sponsorship you had not confirmed, "
                      "with no interview: confirm sponsorship before paying for an application.")
    if result.matched == 0 and applied and not any(records.get(p, "soap_list") == "yes" for p in programs):
        advice.append("No SOAP list was ready: before Match week, list the programs and specialties you would "
                      "accept in SOAP.")
    if not advice and applied:
        advice.append("Nothing in these numbers stands out against the usual advice.")
    return advice
