"""Auto-tiering: which programs are worth an application fee, and why. Pure: no Flask, no
database. ``program`` and ``profile`` are model objects or plain dicts keyed by the
catalogue and profile keys; a missing key means unknown, and unknown never counts as a yes.

Every program gets one tier: Not eligible (a hard filter excludes the applicant), else the
lowest of the caps each factor sets (visa, Step 1, Step 2 CK, attempts, graduation year, USCE,
IMG presence, setting and mission), starting from Likely. Each factor also says why, in a short sentence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import fields, records
from .fields import VISA_FIELDS
from .rules import TIER_LABELS, TIERS, Rules

# The program fields the tier depends on: saving one of them re-tiers the program.
TIER_FIELDS = frozenset({
    "visa_j1", "visa_h1b", "img_percent", "non_us_img_count", "step1_requirement", "step2_min",
    "max_attempts", "yog_limit_years", "usce_required", "setting", "mission_tags",
})  # fmt: skip

ORDER = {tier: i for i, tier in enumerate(TIERS)}  # likely < possible < reach < not_eligible


@dataclass(frozen=True)
class Reason:
    text: str
    effect: str  # "excludes", "lowers", "unknown" or "supports"


@dataclass
class TierResult:
    tier: str
    details: list[Reason] = field(default_factory=list)

    @property
    def reasons(self) -> list[str]:
        return [r.text for r in self.details]

    @property
    def label(self) -> str:
        return TIER_LABELS[self.tier]


def _setting_label(value: str) -> str:
    return fields.get("setting").label_for(value)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


class _Assessment:
    def __init__(self) -> None:
        self.tier = "likely"
        self.excludes: list[Reason] = []
        self.lowers: list[Reason] = []
        self.supports: list[Reason] = []

    def exclude(self, text: str) -> None:
        self.excludes.append(Reason(text, "excludes"))

    def cap(self, tier: str, text: str, *, unknown: bool = False) -> None:
        if ORDER[tier] > ORDER[self.tier]:
            self.tier = tier
        self.lowers.append(Reason(text, "unknown" if unknown else "lowers"))

    def support(self, text: str) -> None:
        self.supports.append(Reason(text, "supports"))

    def result(self) -> TierResult:
        if self.excludes:
            return TierResult("not_eligible", self.excludes + self.lowers)
        return TierResult(self.tier, self.lowers + self.supports)


def assign_tier(program: Any, profile: Any, rules: Rules | None = None) -> TierResult:
    rules = rules or Rules()
    prog, me = records.reader(program), records.reader(profile)
    a = _Assessment()
    _visa(a, prog, me, rules)
    _step1(a, prog, me, rules)
    _step2(a, prog, me, rules)
    _attempts(a, prog, me, rules)
    _graduation(a, prog, me)
    _usce(a, prog, me, rules)
    _img_presence(a, prog, rules)
    _setting(a, prog, me, rules)
    return a.result()


def _visa(a: _Assessment, prog, me, rules: Rules) -> None:
    need = me("visa_needed")
    if need == "none":
        return
    if need not in VISA_FIELDS:
        a.cap("possible", "Your visa need is not in your profile: set it to check sponsorship", unknown=True)
        return
    sponsors = prog(VISA_FIELDS[need]) or "unknown"
    if sponsors == "no":
        a.exclude(f"Does not sponsor {need}, which you need")
    elif sponsors == "yes":
        a.support(f"Sponsors {need}")
        if need == "H-1B":
            step3 = me("step3")
            if step3 is None:
                a.cap("possible", "H-1B sponsors usually want Step 3 passed; you have not taken it")
            elif step3 >= rules.step3_solid:
                a.support(f"Step 3 {step3} passed, which H-1B sponsors look for")
            else:
                a.cap("possible", f"Your Step 3 {step3} is below the solid {rules.step3_solid} H-1B sponsors "
                                  "look for")
    else:
        a.cap(rules.unknown_visa_tier, f"{need} sponsorship unknown: check the program's website", unknown=True)


def _step1_requirement(value: Any) -> str | int | None:
    """The program's stated Step 1 screen: "pass", a minimum score, or None (none stated)."""
    if value is None:
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip().lower()
    if text.isdigit():
        return int(text)
    return "pass" if "pass" in text else None


def _step1_result(value: Any) -> str | int | None:
    """The applicant's Step 1: "pass", "fail", an old numeric score, or None (unknown)."""
    if value is None or isinstance(value, int):
        return value
    text = str(value).strip().lower()
    if text.isdigit():
        return int(text)
    return text if text in ("pass", "fail") else None


def _step1(a: _Assessment, prog, me, rules: Rules) -> None:
    required, result = _step1_requirement(prog("step1_requirement")), _step1_result(me("step1"))
    stated = "a passed Step 1" if required == "pass" else f"a Step 1 of at least {required}"
    if required is not None:
        if result is None:
            a.cap("possible", f"Requires {stated}: add your Step 1 result to your profile", unknown=True)
        elif result == "fail":
            a.exclude(f"Requires {stated}; your profile records Step 1 as failed (if you passed on a later "
                      "attempt, enter pass and your number of attempts)")
        elif required == "pass":
            a.support("Requires a passed Step 1, which you have")
        elif result == "pass":
            a.cap("possible", f"States a Step 1 minimum of {required}, and your Step 1 is pass/fail: check "
                              "whether the program accepts a pass", unknown=True)
        elif result < required:
            a.exclude(f"Step 1 minimum {required} is above your {result}")
        elif result < required + rules.comfortable_margin:
            a.cap("possible", f"Your Step 1 {result} is near the stated minimum of {required}")
        else:
            a.support(f"Your Step 1 {result} clears the stated minimum of {required}")
    if result == "fail":
        a.cap("possible", "Your profile records a failed Step 1: a red flag for many programs")
    elif isinstance(result, int) and result < rules.step1_below_average and not isinstance(required, int):
        a.cap("possible", f"Your Step 1 {result} is below average (under {rules.step1_below_average})")


def _step2(a: _Assessment, prog, me, rules: Rules) -> None:
    score, minimum = me("step2_ck"), prog("step2_min")
    if minimum is not None:
        if score is None:
            a.cap("possible", f"Step 2 CK minimum {minimum}: add your score to your profile", unknown=True)
        elif score < minimum:
            a.exclude(f"Step 2 CK minimum {minimum} is above your {score}")
        elif score < minimum + rules.comfortable_margin:
            a.cap("possible", f"Your Step 2 CK {score} is near the stated minimum of {minimum}")
        else:
            a.support(f"Your Step 2 CK {score} clears the stated minimum of {minimum}")
        return
    if score is None:
        return
    if score < rules.step2_very_low:
        a.cap("reach", f"No minimum stated, but many programs filter out Step 2 CK below {rules.step2_very_low}")
    elif score < rules.step2_filter_low:
        a.cap("possible", f"No minimum stated, but Step 2 CK below {rules.step2_filter_low} may hit automatic filters")
    else:
        a.support("No Step 2 CK minimum on record")


def _failed_attempts(me) -> tuple[int, list[str]]:
    """How many Step 1 and Step 2 CK attempts failed (as far as the profile says), and which exams."""
    failed, exams = 0, []
    step1_attempts = me("step1_attempts")
    if _step1_result(me("step1")) == "fail":
        failed += step1_attempts or 1
    elif step1_attempts:
        failed += step1_attempts - 1
    if failed:
        exams.append("Step 1")
    step2_attempts = me("step2_attempts")
    if step2_attempts and step2_attempts > 1:
        failed += step2_attempts - 1
        exams.append("Step 2 CK")
    return failed, exams


def _attempts(a: _Assessment, prog, me, rules: Rules) -> None:
    failed, exams = _failed_attempts(me)
    limit = prog("max_attempts")
    if limit is None:
        if failed >= rules.many_attempts:
            a.cap("reach", f"{_plural(failed, 'failed attempt')} ({' and '.join(exams)}) and no attempt limit "
                           "stated: many programs never see the application")
    else:
        taken = [(step, me(key)) for step, key in (("Step 1", "step1_attempts"), ("Step 2 CK", "step2_attempts"))]
        known = [(step, n) for step, n in taken if n is not None]
        over = [(step, n) for step, n in known if n > limit]
        if over:
            step, n = over[0]
            a.exclude(f"Allows at most {_plural(limit, 'attempt')} per exam; you took {step} {_plural(n, 'time')}")
            return
        if len(known) < len(taken):
            a.cap("possible", f"Allows at most {_plural(limit, 'attempt')}: add your attempts to your profile",
                  unknown=True)
    for step, key in (("Step 1", "step1_attempts"), ("Step 2 CK", "step2_attempts")):
        n = me(key)
        if step == "Step 1" and _step1_result(me("step1")) == "fail":
            continue  # already said, by _step1
        if n is not None and n > 1:
            a.cap("possible", f"You took {step} {_plural(n, 'time')}: a failed attempt is a red flag for many "
                              "programs")


def _graduation(a: _Assessment, prog, me) -> None:
    limit = prog("yog_limit_years")
    if limit is None:
        return
    graduated, season = me("graduation_year"), me("season_year")
    if graduated is None or season is None:
        a.cap("possible", f"Graduation within {_plural(limit, 'year')} required: add your graduation year and "
                          "Match year to your profile", unknown=True)
        return
    years = season - graduated
    if years > limit:
        a.exclude(f"Graduated {_plural(years, 'year')} before the {season} Match; program limit is "
                  f"{_plural(limit, 'year')}")
    else:
        a.support(f"Graduated {_plural(years, 'year')} before the {season} Match, within the {limit}-year limit")


def _usce(a: _Assessment, prog, me, rules: Rules) -> None:
    required, months = prog("usce_required"), me("usce_months")
    if required == "yes":
        if months is None:
            a.cap("possible", "Requires US clinical experience: add your months of USCE to your profile", unknown=True)
        elif months < rules.usce_months_required:
            a.exclude("Requires US clinical experience, which you do not have yet")
        else:
            a.support(f"Requires US clinical experience; you have {_plural(months, 'month')}")
    elif required == "preferred" and (months or 0) < rules.usce_months_required:
        a.cap("possible", "Prefers US clinical experience, which you do not have yet")
    elif required in (None, "unknown") and (months or 0) < rules.usce_months_required:
        a.cap("possible", "USCE requirement unknown: check the program's website", unknown=True)


def _img_presence(a: _Assessment, prog, rules: Rules) -> None:
    share, count = prog("img_percent"), prog("non_us_img_count")
    if share is None and count is None:
        a.cap(rules.unknown_img_tier, "IMG share unknown: check FREIDA or the program's residents page", unknown=True)
        return
    described = f"{share:g}% IMG residents" if share is not None else f"{_plural(count, 'non-US IMG')} in current classes"
    if (share is not None and share >= rules.clear_img_percent) or (
        count is not None and count >= rules.clear_non_us_img_count
    ):
        a.support(f"Clear IMG presence: {described}")
    elif (share is not None and share >= rules.some_img_percent) or (count or 0) > 0:
        a.cap("possible", f"Some IMG presence: {described}")
    else:
        a.cap("reach", f"Low IMG presence: {described}")


def _setting(a: _Assessment, prog, me, rules: Rules) -> None:
    setting = prog("setting")
    tags = prog("mission_tags") or []
    aligned = [t for t in tags if t in rules.mission_tags]
    tag_labels = ", ".join(fields.get("mission_tags").label_for(t).lower() for t in aligned)
    if setting in rules.friendly_settings:
        a.support(f"{_setting_label(setting)} setting")
    if aligned:
        a.support(f"Mission-aligned: {tag_labels}")
    if setting in rules.friendly_settings or aligned:
        return
    if setting in rules.academic_settings:
        score = me("step2_ck")
        low = score is not None and score < rules.step2_university_low
        a.cap("reach", f"{_setting_label(setting)} program: competitive"
                       + (f", and your Step 2 CK {score} is below {rules.step2_university_low}" if low else ""))
    elif setting is None:
        a.cap("possible", "Setting unknown: check whether it is a community, county or university program",
              unknown=True)
    else:
        a.cap("possible", f"{_setting_label(setting)} setting, not mission-aligned")


def effective_tier(program: Any) -> str | None:
    """The tier that counts: the one the user set, else the computed one (object or dict)."""
    return records.get(program, "tier_override") or records.get(program, "tier")
