"""Season guidance from the profile and the rules: how many programs to apply to, and the
dashboard's numbers (targets by tier, ERAS cost, county and visa shares, regions, funnel). Pure."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from . import fields, records, regions
from .rules import TIER_LABELS, TIERS, Rules
from .tiering import effective_tier


@dataclass(frozen=True)
class Target:
    specialty: str
    low: int
    high: int | None  # None: "as many as qualify" (Med-Peds)
    why: str
    backup: bool = False  # a backup specialty: a smaller range than as a main one

    @property
    def label(self) -> str:
        return fields.get("specialty").label_for(self.specialty)

    @property
    def text(self) -> str:
        role = " (backup)" if self.backup else ""
        if self.high is None:
            return (f"{self.label}{role}: every program you are eligible for ({self.low} now), "
                    "plus a categorical list")
        return f"{self.label}{role}: {self.low}–{self.high}"


def _as_backup(target: Target, rules: Rules) -> Target:
    """A backup specialty's range: rules.backup_apps_percent of the main one, rounded up."""
    def part(n: int | None) -> int | None:
        return None if n is None else max(1, math.ceil(n * rules.backup_apps_percent / 100))
    if target.high is None:  # every eligible program stays every eligible program
        return Target(target.specialty, target.low, None, target.why, backup=True)
    return Target(target.specialty, part(target.low), part(target.high),
                  f"A backup specialty: {rules.backup_apps_percent}% of the main range "
                  f"({target.low}–{target.high}). {target.why}", backup=True)


def specialty_label(specialty: str | None) -> str:
    return fields.get("specialty").label_for(specialty) if specialty else "Specialty not set"


def application_targets(profile: Any, rules: Rules | None = None, eligible_by_specialty: dict[str, int] | None = None
                        ) -> list[Target]:
    """The number of applications DOMAIN.md advises for each of the applicant's specialties."""
    rules = rules or Rules()
    eligible_by_specialty = eligible_by_specialty or {}
    score = records.get(profile, "step2_ck")
    attempts = max(records.get(profile, "step1_attempts") or 1, records.get(profile, "step2_attempts") or 1)
    low_score = (score is not None and score < rules.apps_step2_line) or attempts > 1
    experience = set(records.get(profile, "mission_experience") or [])
    targets = []
    for specialty in records.get(profile, "target_specialties") or []:
        if fields.get("specialty").choice(specialty).parallel:  # Med-Peds
            targets.append(Target(specialty, eligible_by_specialty.get(specialty, 0), None,
                                  "Med-Peds has few programs: apply to nearly all that consider IMGs and sponsor "
                                  "your visa (those with sponsorship unknown or low IMG presence are not counted), "
                                  "with a parallel categorical IM or Pediatrics list."))
        elif specialty in rules.core_specialties:
            targets.append(_broad_target(specialty, score, low_score, experience, rules))
        elif specialty in rules.narrow_specialties:
            targets.append(Target(specialty, rules.narrow_apps_min, rules.narrow_apps_max,
                                  "A smaller specialty: fewer programs exist."))
    backups = set(records.get(profile, "backup_specialties") or [])
    return [_as_backup(t, rules) if t.specialty in backups else t for t in targets]


def _broad_target(specialty: str, score: int | None, low_score: bool, experience: set[str], rules: Rules) -> Target:
    """A broad specialty's range: the county article's by score and attempts, the IM article's for a
    low IM score, and the border and global health articles' for an applicant with that experience.
    Of the ranges that apply, the widest (the most applications) is the advice; the reason names
    its article and the others that apply."""
    if low_score:
        why = (f"Step 2 CK below {rules.apps_step2_line}" if score is not None and score < rules.apps_step2_line
               else "more than one attempt")
        ranges = [(rules.core_low_apps_min, rules.core_low_apps_max, f"Apply widely: {why} (county article).")]
    else:
        ranges = [(rules.core_apps_min, rules.core_apps_max,
                   f"Step 2 CK {score if score is not None else '(not set)'}: the usual range (county article).")]
    notes = []
    if specialty == "internal_medicine" and score is not None:
        if score < rules.im_low_step2_line:
            ranges.append((rules.im_low_apps_min, rules.im_low_apps_max,
                           f"Internal Medicine with Step 2 CK below {rules.im_low_step2_line}: "
                           f"\"120–150+\" (IM article)."))
        elif score < rules.im_low_step2_band_top:
            notes.append(f"Step 2 CK {score} is inside the IM article's {rules.im_low_step2_line}–"
                         f"{rules.im_low_step2_band_top} band: some advise {rules.im_low_apps_min}–"
                         f"{rules.im_low_apps_max}.")
    if "border" in experience and specialty in rules.border_specialties:
        ranges.append((rules.border_apps_min, rules.border_apps_max,
                       "Your US-Mexico border experience: border programs, \"80–120\" for IM/FM (border article)."))
    if "global_health" in experience:
        ranges.append((rules.global_health_apps_min, rules.global_health_apps_max,
                       "Your global health work: \"80–150\" (global health article)."))
    # the widest range; on a tie the more specific article (later in the list)
    low, high, why = max(reversed(ranges), key=lambda r: (r[1], r[0]))
    others = [w for lo, hi, w in ranges if w != why and (lo, hi) != (low, high)]
    same = [w for lo, hi, w in ranges if w != why and (lo, hi) == (low, high)]
    text = " ".join([why, *(f"Also: {w}" for w in same), *notes,
                     *(f"Also: {w}" for w in others)])
    return Target(specialty, low, high, text)


@dataclass(frozen=True)
class TargetsTotal:
    """All the advised ranges added up, with their ERAS fees (each specialty billed on its own)."""

    low: int
    high: int | None  # None when one of the ranges has no top (Med-Peds' every eligible program)
    fee_low: int
    fee_high: int | None

    @property
    def text(self) -> str:
        return f"{self.low}" + ("+" if self.high is None else f"–{self.high}") + " applications"


def targets_total(targets: Iterable[Target], rules: Rules | None = None) -> TargetsTotal | None:
    """The total of the advised ranges and what ERAS charges for it; None without targets."""
    rules = rules or Rules()
    targets = list(targets)
    if not targets:
        return None
    open_ended = any(t.high is None for t in targets)
    return TargetsTotal(
        sum(t.low for t in targets),
        None if open_ended else sum(t.high for t in targets),
        sum(eras_fee(t.low, rules) for t in targets),
        None if open_ended else sum(eras_fee(t.high, rules) for t in targets))


# -- The season dashboard: is the list right? -------------------------------------------
# Everything below is pure: it takes plain program dicts or objects (a Program works), the
# profile (a dict or a Profile) and a Rules object, and the definitions are data.

# A program is "on the list" when the user means to apply or has applied (its status is Will
# apply or any later one except Withdrawn) and its tier does not exclude them.
OFF_LIST_STATUSES = fields.statuses(lambda c: not c.on_list)
OFF_LIST_TIERS = ("not_eligible",)
UNTIERED = "untiered"  # a program whose tier has not been computed yet
UNTIERED_LABEL = "Not tiered yet"


def _status_label(value: str) -> str:
    return fields.get("status").label_for(value)


def on_list_definition() -> str:
    shown = [c.label for c in fields.get("status").choices if c.value not in OFF_LIST_STATUSES]
    return (f"A program is on the list when its status is {shown[0]} or further along "
            f"({', '.join(shown[1:])}), not {' or '.join(_status_label(s) for s in OFF_LIST_STATUSES)}, "
            f"and its tier (the one you set, or else the computed one) is not "
            f"{' or '.join('“' + TIER_LABELS[t] + '”' for t in OFF_LIST_TIERS)}.")


def is_on_list(program: Any) -> bool:
    status = records.get(program, "status") or "researching"
    return status not in OFF_LIST_STATUSES and effective_tier(program) not in OFF_LIST_TIERS


def on_list(programs: Iterable[Any]) -> list[Any]:
    return [p for p in programs if is_on_list(p)]


def left_off_list(programs: Iterable[Any]) -> list[Any]:
    """Programs with an on-list status that the tier excludes (they cost an application but
    are left out of the list's numbers)."""
    return [p for p in programs if (records.get(p, "status") or "researching") not in OFF_LIST_STATUSES
            and effective_tier(p) in OFF_LIST_TIERS]


def _share(part: int, whole: int) -> float | None:
    return None if not whole else part / whole


# -- How many: the advised number against the list, by tier ------------------------------

@dataclass(frozen=True)
class Progress:
    """One specialty of the list: the advised number (None when there is no advice) and the
    programs on the list, by effective tier."""

    specialty: str | None
    target: Target | None
    by_tier: dict[str, int]
    total: int

    @property
    def label(self) -> str:
        backup = " (backup)" if self.target is not None and self.target.backup else ""
        return specialty_label(self.specialty) + backup

    @property
    def advised(self) -> str:
        if self.target is None:
            return "no advice"
        if self.target.high is None:
            return f"every eligible program ({self.target.low})"
        return f"{self.target.low}–{self.target.high}"

    @property
    def status(self) -> str:
        """"short", "within", "above" (the advice), "all" (Med-Peds: every eligible one) or "none"."""
        if self.target is None:
            return "none"
        if self.total < self.target.low:
            return "short"
        if self.target.high is None:
            return "all"
        return "within" if self.total <= self.target.high else "above"

    @property
    def verdict(self) -> str:
        status = self.status
        if status == "none":
            return "Not a target specialty in your profile"
        if status == "short":
            missing = self.target.low - self.total
            if self.target.high is None:
                return f"{missing} eligible program{'s' if missing != 1 else ''} not on the list yet"
            return f"{missing} short of {self.target.low}"
        if status == "all":
            return "Every eligible program is on the list"
        if status == "within":
            return "Within the advised range"
        return f"Above {self.target.high}: fine if you can afford it"


def count_by(programs: Iterable[Any], key: str) -> Counter:
    return Counter(records.get(p, key) for p in programs)


def _counts_for_every_eligible(program: Any, profile: Any, rules: Rules) -> bool:
    """Whether a program counts in Med-Peds' "every program that considers IMGs and sponsors your
    visa": the tiers don't exclude it, it is known to sponsor a visa the applicant would take, and
    its IMG presence is not low (unknown IMG data still counts: it is to research)."""
    if effective_tier(program) in OFF_LIST_TIERS:
        return False
    need = records.get(profile, "visa_needed") if profile is not None else None
    visas = {"J-1": ("visa_j1",), "H-1B": ("visa_h1b",), "either": ("visa_j1", "visa_h1b")}.get(need or "")
    if visas and not any(records.get(program, key) == "yes" for key in visas):
        return False
    share, count, non_us = (records.get(program, k) for k in ("img_percent", "non_us_img_count", "non_us_img_percent"))
    if count is not None or non_us is not None:
        return bool(count) or bool(non_us)
    return share is None or share >= rules.some_img_percent


def eligible_by_specialty(programs: Iterable[Any], profile: Any = None, rules: Rules | None = None) -> dict[str, int]:
    """Programs of each specialty that count towards "every eligible program" (Med-Peds' advice),
    whatever their status: not excluded by the tiers, known to sponsor the visa, IMG presence not low."""
    rules = rules or Rules()
    return dict(Counter(records.get(p, "specialty") for p in programs
                        if _counts_for_every_eligible(p, profile, rules)))


def specialty_progress(programs: Iterable[Any], profile: Any, rules: Rules | None = None) -> list[Progress]:
    """The advised number of applications for each target specialty against the programs on
    the list, by tier; then the other specialties on the list (without advice)."""
    rules = rules or Rules()
    programs = list(programs)
    listed = on_list(programs)
    targets = application_targets(profile, rules, eligible_by_specialty(programs, profile, rules))
    rows: list[Progress] = []

    def progress(specialty: str | None, target: Target | None) -> Progress:
        mine = [p for p in listed if records.get(p, "specialty") == specialty]
        by_tier = {t: 0 for t in TIERS if t not in OFF_LIST_TIERS}
        for p in mine:
            tier = effective_tier(p) or UNTIERED
            by_tier[tier] = by_tier.get(tier, 0) + 1
        return Progress(specialty, target, by_tier, len(mine))

    for target in targets:
        rows.append(progress(target.specialty, target))
    seen = {t.specialty for t in targets}
    others = Counter(records.get(p, "specialty") for p in listed if records.get(p, "specialty") not in seen)
    for specialty, _ in sorted(others.items(), key=lambda item: (-item[1], item[0] or "~")):
        rows.append(progress(specialty, None))
    return rows


def needs_categorical_backup(profile: Any) -> bool:
    """A combined specialty (Med-Peds) is a target but none of its categorical ones (IM, Pediatrics) is."""
    chosen = set(records.get(profile, "target_specialties") or [])
    specialty = fields.get("specialty")
    return any((parallel := specialty.choice(s).parallel) and not chosen & set(parallel) for s in chosen)


# -- What the list costs: ERAS fees --------------------------------------------------------

# The AAMC bills each specialty separately, by bands of programs: the bands and their prices
# are a rule (``eras_fee_bands``), [[first program, price each], ...].

@dataclass(frozen=True)
class FeeBand:
    first: int
    last: int | None
    price: int  # each program in the band
    programs: int  # how many of the specialty's programs fall in this band

    @property
    def label(self) -> str:
        if self.last is None:
            return f"{self.first} and up"
        if self.last == self.first:
            return f"{self.first}"
        return f"{self.first}–{self.last}"

    @property
    def cost(self) -> int:
        return self.price * self.programs

    @property
    def price_text(self) -> str:
        return f"${self.price:,} each"


@dataclass(frozen=True)
class SpecialtyCost:
    specialty: str | None
    programs: int
    bands: tuple[FeeBand, ...]

    @property
    def label(self) -> str:
        return specialty_label(self.specialty)

    @property
    def total(self) -> int:
        return sum(b.cost for b in self.bands)


@dataclass(frozen=True)
class ErasCost:
    season: str
    lines: tuple[SpecialtyCost, ...]

    @property
    def total(self) -> int:
        return sum(line.total for line in self.lines)

    @property
    def programs(self) -> int:
        return sum(line.programs for line in self.lines)


def fee_bands(programs: int, rules: Rules | None = None) -> tuple[FeeBand, ...]:
    """The fee bands one specialty's ``programs`` applications fall in."""
    rules = rules or Rules()
    starts = rules.eras_fee_bands
    bands = []
    for i, (first, price) in enumerate(starts):
        last = starts[i + 1][0] - 1 if i + 1 < len(starts) else None
        top = programs if last is None else min(programs, last)
        bands.append(FeeBand(first, last, int(price), max(0, top - first + 1)))
    return tuple(bands)


def eras_fee(programs: int, rules: Rules | None = None) -> int:
    """What ERAS charges for ``programs`` applications in one specialty."""
    return sum(b.cost for b in fee_bands(programs, rules))


def eras_cost(counts_by_specialty: dict[str | None, int], rules: Rules | None = None) -> ErasCost:
    """The ERAS fees of a list, each specialty billed on its own."""
    rules = rules or Rules()
    lines = [SpecialtyCost(specialty, n, fee_bands(n, rules))
             for specialty, n in sorted(counts_by_specialty.items(), key=lambda item: (-item[1], item[0] or "~"))
             if n > 0]
    return ErasCost(rules.eras_fee_season, tuple(lines))


# -- Where: county share, visa, regions -----------------------------------------------------

@dataclass(frozen=True)
class Share:
    count: int
    total: int
    low: float | None = None  # the goal, as fractions (0.5 for 50%)
    high: float | None = None

    @property
    def fraction(self) -> float | None:
        return _share(self.count, self.total)

    @property
    def percent(self) -> int | None:
        return None if self.fraction is None else round(self.fraction * 100)

    @property
    def status(self) -> str:
        """"empty", "below", "within" or "above" the goal ("none" without a goal)."""
        if not self.total:
            return "empty"
        if self.low is None:
            return "none"
        if self.fraction < self.low:
            return "below"
        if self.high is not None and self.fraction > self.high:
            return "above"
        return "within"

    @property
    def needed(self) -> int:
        """How many more such programs would bring the share up to the goal's low end."""
        if self.low is None or self.status != "below" or self.low >= 1:
            return 0  # (a goal of 100% is never reached by adding programs)
        return max(0, math.ceil((self.low * self.total - self.count) / (1 - self.low) - 1e-9))


def county_share(programs: Iterable[Any], rules: Rules | None = None) -> Share:
    """County and safety-net programs (rules.county_settings) among the programs on the list,
    against the county-focused goal (rules.county_share_min to county_share_max)."""
    rules = rules or Rules()
    listed = on_list(programs)
    county = sum(1 for p in listed if records.get(p, "setting") in rules.county_settings)
    return Share(county, len(listed), rules.county_share_min / 100, rules.county_share_max / 100)




@dataclass(frozen=True)
class VisaShare:
    visa: str | None  # "J-1", "H-1B", "J-1 or H-1B", "none" (needs no visa) or None (not in the profile)
    yes: int = 0
    unknown: int = 0
    no: int = 0

    @property
    def total(self) -> int:
        return self.yes + self.unknown + self.no

    @property
    def applies(self) -> bool:
        return self.visa not in (None, "none")

    @property
    def confirmed(self) -> Share:
        return Share(self.yes, self.total)


def visa_confirmed_share(programs: Iterable[Any], profile: Any) -> VisaShare:
    """How many programs on the list confirm sponsoring the visa the profile needs."""
    visa = records.get(profile, "visa_needed")
    if not fields.accepted_visas(visa):
        return VisaShare(visa or None)
    counts = Counter(fields.sponsorship_answer(records.reader(p), visa) for p in on_list(programs))
    return VisaShare(fields.visa_label(visa), counts["yes"], counts["unknown"], counts["no"])


@dataclass(frozen=True)
class Spread:
    counts: dict[str, int]  # by regions.SPREAD_GROUPS key, every group present

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def favoured(self) -> Share:
        """Midwest, South and the Northeast outside the big coastal cities."""
        return Share(sum(self.counts[k] for k in regions.FAVOURED), self.total)

    @property
    def coastal(self) -> Share:
        return Share(self.counts["big_coastal"], self.total)

    def rows(self) -> list[tuple[str, str, str, int]]:
        """(key, label, stance, count) for each group, in order; empty Puerto Rico / not-set left out."""
        return [(key, label, stance, self.counts[key]) for key, label, stance in regions.SPREAD_GROUPS
                if self.counts[key] or key not in ("other", "unknown")]


def in_preferred_divisions(programs: Iterable[Any], profile: Any) -> Share:
    """The programs on the list in the census divisions of the profile's ERAS geographic preference."""
    states = set(regions.division_states(records.get(profile, "geo_divisions") or []))
    listed = on_list(programs)
    return Share(sum(1 for p in listed if records.get(p, "state") in states), len(listed))


def concentrated_in_big_cities(count: int, total: int, rules: Rules) -> bool:
    """Whether ``count`` of ``total`` programs (or applications) in the big coastal cities is past
    rules.big_city_share_max: the one threshold the dashboard and the season's analysis use."""
    return bool(total) and count * 100 > rules.big_city_share_max * total


BIG_CITY_ADVICE = ("Favour the Midwest, the South and the non-coastal Northeast, smaller cities and rural border "
                   "towns, over a few big coastal cities.")


def regional_spread(programs: Iterable[Any]) -> Spread:
    """The programs on the list by region, the big coastal cities apart."""
    counts = {key: 0 for key, _, _ in regions.SPREAD_GROUPS}
    for p in on_list(programs):
        counts[regions.spread_group(records.get(p, "state"), records.get(p, "city"))] += 1
    return Spread(counts)


# -- The funnel: applied -> invited -> interviewed -> ranked -------------------------------

@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    statuses: tuple[str, ...]  # a program with one of these statuses has reached the stage
    # These statuses reach the stage only with an interview date recorded (on or before today
    # when interview_past): "Waitlisted" most often means an interview waitlist, and a
    # rejection can come before or after an interview.
    with_interview: tuple[str, ...] = ()
    interview_past: bool = False

    def reached(self, program: Any, today: dt.date) -> bool:
        status = records.get(program, "status")
        if status in self.statuses:
            return True
        if status in self.with_interview:
            when = records.get(program, "interview_date")
            if when is None:
                return False
            day = when.date() if isinstance(when, dt.datetime) else when
            return not self.interview_past or day <= today
        return False

    @property
    def definition(self) -> str:
        text = f"Status {', '.join(_status_label(s) for s in self.statuses)}"
        if self.with_interview:
            date = "an interview date on or before today" if self.interview_past else "an interview date"
            text += f"; or {' or '.join(_status_label(s) for s in self.with_interview)} with {date}"
        return text


def _stage(step: str, label: str, *, with_interview: bool = False, interview_past: bool = False) -> Stage:
    """A funnel stage from the statuses' pipeline steps in the catalogue (``Choice.stage``)."""
    reached = fields.statuses(lambda c: fields.reaches(c, step))
    maybe = fields.statuses(lambda c: c.maybe_interviewed and not fields.reaches(c, step)) if with_interview else ()
    return Stage(step, label, reached, maybe, interview_past)


FUNNEL_STAGES: tuple[Stage, ...] = (
    _stage("applied", "Applied"),
    _stage("invited", "Invited", with_interview=True),
    _stage("interviewed", "Interviewed", with_interview=True, interview_past=True),
    _stage("ranked", "Ranked"),
)
FUNNEL_NOTE = ("Withdrawn programs are left out. A Waitlisted program without an interview date is taken "
               "as an interview waitlist (applied, not invited).")


@dataclass(frozen=True)
class FunnelRow:
    key: str | None
    label: str
    counts: dict[str, int]  # by stage key

    def rate(self, stage: str, of: str = "applied") -> float | None:
        return _share(self.counts[stage], self.counts[of])


@dataclass(frozen=True)
class Funnel:
    stages: tuple[Stage, ...]
    rows: tuple[FunnelRow, ...]  # one per group (tier or setting), with at least one application
    total: FunnelRow


GROUPINGS = {
    "tier": ("Tier", lambda p: effective_tier(p) or UNTIERED),
    "setting": ("Setting", lambda p: records.get(p, "setting")),
    "specialty": ("Specialty", lambda p: records.get(p, "specialty")),
}


def _group_label(by: str, key: str | None) -> str:
    if by == "tier":
        return TIER_LABELS.get(key, UNTIERED_LABEL)
    if key is None:
        return f"{GROUPINGS[by][0]} not set"
    return fields.get(by).label_for(key)


def _group_order(by: str, key: str | None) -> int:
    order = list(TIERS) + [UNTIERED] if by == "tier" else [c.value for c in fields.get(by).choices]
    return order.index(key) if key in order else len(order)


def funnel(programs: Iterable[Any], by: str | None = None, today: dt.date | None = None,
           stages: tuple[Stage, ...] = FUNNEL_STAGES) -> Funnel:
    """How many programs reached each stage, overall and (with ``by``: "tier", "setting" or
    "specialty") for each group."""
    today = today or dt.date.today()
    programs = list(programs)
    reached = [(p, {s.key for s in stages if s.reached(p, today)}) for p in programs]

    def row(key: str | None, label: str, members) -> FunnelRow:
        return FunnelRow(key, label, {s.key: sum(1 for _, got in members if s.key in got) for s in stages})

    total = row(None, "All programs", reached)
    rows: list[FunnelRow] = []
    if by is not None:
        group_of = GROUPINGS[by][1]
        keys = {group_of(p) for p, got in reached if got}
        for key in sorted(keys, key=lambda k: (_group_order(by, k), k or "")):
            rows.append(row(key, _group_label(by, key), [(p, got) for p, got in reached if group_of(p) == key]))
    return Funnel(stages, tuple(rows), total)
