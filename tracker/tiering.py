"""Auto-tiering: which programs are worth an application fee, and why. Pure: no Flask, no
database. ``program`` and ``profile`` are model objects or plain dicts keyed by the
catalogue and profile keys; a missing key means unknown, and unknown never counts as a yes.

Every program gets one tier: Not eligible (a hard filter excludes the applicant), else the
lowest of the caps each factor sets, starting from Likely: the specialty's competitiveness,
visa (either visa, and what H-1B sponsors expect), Step 1, Step 2 CK, Step 3, attempts,
graduation year and gaps, the ECFMG certificate, USCE and its depth, IMG presence (non-US IMGs
first), setting, and mission fit. Each factor also says why, in a short sentence. A stated
requirement is a strict cutoff (missing it excludes), a preference (missing it lowers the
tier), none stated (which supports the tier) or not researched yet (which the reasons list,
to research). A score inside a band of the articles' ranges (tracker.rules.RANGE_READING) is
said, not lowered for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from . import fields, records
from .fields import VISA_FIELDS
from .rules import TIER_LABELS, TIERS, Rules

# The program fields the tier depends on: saving one of them re-tiers the program.
TIER_FIELDS = frozenset({
    "specialty", "visa_j1", "visa_h1b", "img_percent", "non_us_img_count", "non_us_img_percent",
    "step1_requirement", "step2_min", "step2_min_kind", "max_attempts", "max_attempts_kind", "yog_limit_years",
    "yog_limit_kind", "ecfmg_by", "usce_required", "setting", "mission_tags",
})  # fmt: skip

ORDER = {tier: i for i, tier in enumerate(TIERS)}  # likely < possible < reach < not_eligible

# What the applicant's profile offers against each mission tag of a program: (mission experience
# that fits, whether Spanish fits, whether any language besides English fits).
FITS: dict[str, tuple[tuple[str, ...], bool, bool]] = {
    "spanish": ((), True, False),
    "border": (("border",), True, False),
    "global_health": (("global_health", "research_qi"), False, False),
    "underserved": (("underserved", "research_qi"), False, False),
    "immigrant_refugee": (("immigrant_refugee",), False, True),
    "rural": (("rural",), False, False),
}
# What a program with one of those tags looks for, said when the profile shows none of it.
FIT_WANTED = {
    "spanish": "Spanish",
    "border": "Spanish, or border experience",
    "global_health": "global-health experience",
    "underserved": "underserved or county experience",
    "immigrant_refugee": "immigrant or refugee health experience, or a patient language",
    "rural": "rural experience",
}
FIT_PHRASES = {
    "global_health": "your global-health experience",
    "underserved": "your underserved or county experience",
    "border": "your border experience",
    "immigrant_refugee": "your immigrant or refugee health experience",
    "rural": "your rural experience",
    "research_qi": "your research or QI on these themes",
}
SPANISH = {"spanish", "español", "espanol", "castellano"}


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


def _tag_label(value: str) -> str:
    """A mission tag's label as a sentence reads it: "global health", "US-Mexico border"."""
    label = fields.get("mission_tags").label_for(value)
    return label if label.startswith(("US", "Spanish")) else label.lower()


def _plural(n: int | float, word: str) -> str:
    return f"{n:g} {word}{'' if n == 1 else 's'}"


class _Assessment:
    def __init__(self) -> None:
        self.tier = "likely"
        self.excludes: list[Reason] = []
        self.lowers: list[Reason] = []
        self.supports: list[Reason] = []
        self.unresearched: list[str] = []  # requirements nobody has looked up yet
        self.h1b_route = False  # the H-1B expectations were applied (Step 3 said there)

    def _said(self, text: str) -> bool:
        return any(r.text == text for r in (*self.excludes, *self.lowers, *self.supports))

    def exclude(self, text: str) -> None:
        _excluded(self, Reason(text, "excludes"))

    def cap(self, tier: str, text: str, *, unknown: bool = False) -> None:
        _capped(self, tier, Reason(text, "unknown" if unknown else "lowers"))

    def note(self, text: str) -> None:
        """Worth knowing (a band, a fit missing where it matters less), without lowering the tier."""
        _noted(self, Reason(text, "unknown"))

    def support(self, text: str) -> None:
        _supported(self, Reason(text, "supports"))

    def result(self) -> TierResult:
        if self.unresearched:
            self.note(f"Not researched yet: {', '.join(self.unresearched)}. Check the program's website")
        if self.excludes:
            return TierResult("not_eligible", self.excludes + self.lowers)
        return TierResult(self.tier, self.lowers + self.supports)


# What a check does to an assessment, given the reason it gives: what _Recording notes, for a memo
# to do again with the same (immutable) Reason instead of making it anew for every program.
def _excluded(a: _Assessment, reason: Reason) -> None:
    a.excludes.append(reason)


def _capped(a: _Assessment, tier: str, reason: Reason) -> None:
    if ORDER[tier] > ORDER[a.tier]:
        a.tier = tier
    a.lowers.append(reason)


def _noted(a: _Assessment, reason: Reason) -> None:
    if not a._said(reason.text):
        a.lowers.append(reason)


def _supported(a: _Assessment, reason: Reason) -> None:
    a.supports.append(reason)


def _set_h1b_route(a: _Assessment, value: bool) -> None:
    a.h1b_route = value


def _unresearched(a: _Assessment, item: str) -> None:
    a.unresearched.append(item)


class _Recording:
    """An assessment that also notes what a check did to it, for ``assign_tier`` to do again:
    a list of (function, arguments), each called with the assessment first."""

    def __init__(self, a: _Assessment):
        self._a, self.done = a, []
        self.unresearched = self  # a.unresearched.append(...)

    @property
    def h1b_route(self) -> bool:
        return self._a.h1b_route

    @h1b_route.setter
    def h1b_route(self, value: bool) -> None:
        self._record(_set_h1b_route, value)

    def append(self, item: str) -> None:
        self._record(_unresearched, item)

    def _record(self, function: Callable, *args) -> None:
        self.done.append((function, args))
        function(self._a, *args)

    def exclude(self, text: str) -> None:
        self._record(_excluded, Reason(text, "excludes"))

    def cap(self, tier: str, text: str, *, unknown: bool = False) -> None:
        self._record(_capped, tier, Reason(text, "unknown" if unknown else "lowers"))

    def note(self, text: str) -> None:
        self._record(_noted, Reason(text, "unknown"))

    def support(self, text: str) -> None:
        self._record(_supported, Reason(text, "supports"))


# Each check, and the program fields it reads: what it does to the assessment depends on those, the
# profile, the rules and whether the H-1B route applies, and on nothing else (tests/test_tiering.py
# holds each check to its fields). Given a memo, a check is run once for each combination of them.
_CHECKS: tuple[tuple[Callable, tuple[str, ...]], ...] = (
    (lambda a, prog, me, rules: _specialty(a, prog, me, rules), ("specialty",)),
    (lambda a, prog, me, rules: _visa(a, prog, me, rules), ("visa_j1", "visa_h1b")),
    (lambda a, prog, me, rules: _step1(a, prog, me, rules), ("step1_requirement",)),
    (lambda a, prog, me, rules: _step2(a, prog, me, rules), ("step2_min", "step2_min_kind")),
    (lambda a, prog, me, rules: _step3(a, me, rules), ()),
    (lambda a, prog, me, rules: _attempts(a, prog, me, rules), ("max_attempts", "max_attempts_kind")),
    (lambda a, prog, me, rules: _graduation(a, prog, me, rules), ("yog_limit_years", "yog_limit_kind")),
    (lambda a, prog, me, rules: _ecfmg(a, prog, me), ("ecfmg_by",)),
    (lambda a, prog, me, rules: _usce(a, prog, me, rules), ("usce_required", "setting")),
    (lambda a, prog, me, rules: _img_presence(a, prog, rules), ("img_percent", "non_us_img_count",
                                                                  "non_us_img_percent")),
    (lambda a, prog, me, rules: _setting(a, prog, me, rules), ("setting", "mission_tags")),
    (lambda a, prog, me, rules: _mission_fit(a, prog, me, rules), ("mission_tags",)),
)
_LISTS = frozenset({"mission_tags"})  # fields whose value is a list, kept in a memo's keys as a tuple


def assign_tier(program: Any, profile: Any, rules: Rules | None = None, memo: dict | None = None) -> TierResult:
    """The program's tier for the applicant of ``profile``, with its reasons. ``memo`` (a dict kept
    for one profile and one set of rules, as tracker.tiers does for a whole list) remembers what
    each check did for each combination of its fields: 13,000 programs share a few hundred."""
    rules = rules or Rules()
    prog, me = records.reader(program), records.reader(profile)
    a = _Assessment()
    if memo is None:
        for check, _ in _CHECKS:
            check(a, prog, me, rules)
        return a.result()
    tags = prog("mission_tags")
    if isinstance(tags, list):  # hashable in a key
        if type(program) is dict:  # a plain row (tracker.tiers): a copy reads faster than a wrapper
            prog = {**program, "mission_tags": tuple(tags)}.get
        else:
            given, frozen = prog, tuple(tags)
            prog = lambda key: frozen if key in _LISTS else given(key)  # noqa: E731
    for i, (check, keys) in enumerate(_CHECKS):
        key = (i, a.h1b_route, *map(prog, keys))
        done = memo.get(key)
        if done is None:
            recording = _Recording(a)
            check(recording, prog, me, rules)
            memo[key] = recording.done
        else:
            for function, args in done:
                function(a, *args)
    return a.result()


def _below_average_band(a: _Assessment, score: int | None, rules: Rules) -> None:
    line, top = rules.step2_university_low, rules.step2_university_band_top
    if score is not None and line <= score < top:
        a.note(f"Your Step 2 CK {score} is inside the {line}–{top} band: below average for university programs "
               "and competitive specialties")


# -- the specialty -----------------------------------------------------------------

def _specialty(a: _Assessment, prog, me, rules: Rules) -> None:
    specialty = prog("specialty")
    level = rules.competitiveness(specialty)
    if level is None:
        return
    name = fields.get("specialty").label_for(specialty)
    if level == "realistic":
        a.support(f"{name}: one of the most realistic entry points for IMGs")
        return
    score, line = me("step2_ck"), rules.step2_university_low
    if level == "extremely_competitive":
        if score is None:
            a.cap("reach", f"{name} is extremely competitive with low scores: add your Step 2 CK score to your "
                           "profile", unknown=True)
        elif score < line:
            a.cap("reach", f"{name} is extremely competitive with low scores: your Step 2 CK {score} is below "
                           f"{line}")
        else:
            a.cap("possible", f"{name} is extremely competitive for IMGs, even with your Step 2 CK {score}")
    elif score is None:
        a.cap("possible", f"{name} is often more competitive: add your Step 2 CK score to your profile",
              unknown=True)
    elif score < line:
        a.cap("possible", f"{name} is often more competitive; low scores may be more limiting (your Step 2 CK "
                          f"{score} is below {line})")
    _below_average_band(a, score, rules)


# -- visa --------------------------------------------------------------------------

def _routes(me) -> tuple[list[str], str | None] | None:
    """The visas the applicant would take, the preferred one first, and the preference; None
    while the profile does not say."""
    need = me("visa_needed")
    if need == "either":
        preferred = me("visa_preference") if me("visa_preference") in VISA_FIELDS else None
        return (["H-1B", "J-1"] if preferred == "H-1B" else ["J-1", "H-1B"]), preferred
    if need in VISA_FIELDS:
        return [need], need
    return None


def _step3_passed_solidly(me, rules: Rules) -> bool:
    step3 = me("step3")
    return step3 is not None and step3 >= rules.step3_solid and (me("step3_attempts") or 1) == 1


def _visa(a: _Assessment, prog, me, rules: Rules) -> None:
    if me("visa_needed") == "none":
        return
    routes = _routes(me)
    if routes is None:
        a.cap("possible", "Your visa need is not in your profile: set it to check sponsorship", unknown=True)
        return
    visas, preferred = routes
    answers = {visa: prog(VISA_FIELDS[visa]) or "unknown" for visa in visas}
    sponsored = [visa for visa in visas if answers[visa] == "yes"]
    refused = [visa for visa in visas if answers[visa] == "no"]
    if not sponsored:
        if len(refused) == len(visas):
            a.exclude(f"Does not sponsor {visas[0]}, which you need" if len(visas) == 1
                      else "Sponsors neither J-1 nor H-1B, the visas you would take")
        else:
            unknown = " and ".join(v for v in visas if answers[v] == "unknown")
            text = f"{unknown} sponsorship unknown: check the program's website"
            if refused:
                text = f"Does not sponsor {refused[0]}; {text}"
            a.cap(rules.unknown_visa_tier, text, unknown=True)
        return
    either = len(visas) > 1
    if len(sponsored) == 2:
        a.support("Sponsors J-1 and H-1B")
    elif either:
        a.support(f"Sponsors {sponsored[0]}, one of the visas you would take")
    else:
        a.support(f"Sponsors {sponsored[0]}")
    score = me("step2_ck")
    low = score is None or score < rules.h1b_step2_expected
    realistic = ("If your scores are low and Step 3 is incomplete, focusing on J-1–sponsoring, IMG-friendly "
                 "programs is usually more realistic")
    if "J-1" in sponsored:
        if either and preferred == "H-1B" and low and not _step3_passed_solidly(me, rules):
            a.support(f"Sponsors J-1, which suits your profile better than the H-1B you prefer: \"{realistic}\"")
        return
    # H-1B is the only way in: its higher Step 2 CK and Step 3 expectations apply
    a.h1b_route = True
    step3 = me("step3")
    if step3 is None:
        a.cap("possible", "H-1B sponsors usually want Step 3 passed; you have not taken it")
    elif _step3_passed_solidly(me, rules):
        a.support(f"Step 3 {step3} passed, which H-1B sponsors look for")
    else:
        a.cap("possible", f"Your Step 3 {step3} is below the solid {rules.step3_solid} H-1B sponsors look for"
              + (", and you took it more than once" if (me("step3_attempts") or 1) > 1 else ""))
    if score is None:
        a.cap("possible", "H-1B sponsors expect a higher Step 2 CK: add your score to your profile", unknown=True)
    elif score < rules.h1b_step2_expected:
        a.cap("possible", f"H-1B sponsors have higher score expectations: your Step 2 CK {score} is below "
                          f"{rules.h1b_step2_expected}")
    if either and preferred == "H-1B" and low and not _step3_passed_solidly(me, rules):
        a.cap("possible", f"Sponsors H-1B only: \"{realistic}\"")


# -- Step 1 ------------------------------------------------------------------------

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
    elif isinstance(result, int) and not isinstance(required, int):
        line, top = rules.step1_below_average, rules.step1_band_top
        if result < line:
            a.cap("possible", f"Your Step 1 {result} is below average (under {line})")
        elif result < top:
            a.note(f"Your Step 1 {result} is inside the {line}–{top} band where some programs read it as below "
                   "average")


# -- Step 2 CK ---------------------------------------------------------------------

def _step2(a: _Assessment, prog, me, rules: Rules) -> None:
    score, minimum, kind = me("step2_ck"), prog("step2_min"), prog("step2_min_kind")
    if minimum is not None:
        if score is None:
            a.cap("possible", f"Step 2 CK minimum {minimum}: add your score to your profile", unknown=True)
        elif score < minimum:
            if kind == "preferred":
                a.cap(rules.below_preference_tier, f"Prefers a Step 2 CK of at least {minimum} (a preference, not "
                                                   f"a cutoff); your {score} is below it")
            else:
                a.exclude(f"Step 2 CK minimum {minimum} is above your {score}"
                          + (" (a strict cutoff)" if kind == "strict" else ""))
        elif score < minimum + rules.comfortable_margin:
            a.cap("possible", f"Your Step 2 CK {score} is near the stated minimum of {minimum}")
        else:
            a.support(f"Your Step 2 CK {score} clears the stated minimum of {minimum}")
        return
    if kind == "none":
        a.support("No Step 2 CK minimum stated")
    else:
        a.unresearched.append("Step 2 CK minimum")
    if score is None:
        return
    if score < rules.step2_very_low:
        a.cap("reach", f"No minimum stated, but many programs filter out Step 2 CK below {rules.step2_very_low}")
    elif score < rules.step2_filter_low:
        a.cap("possible", f"No minimum stated, but Step 2 CK below {rules.step2_filter_low} may hit automatic filters")
    if rules.step2_very_low <= score < rules.step2_very_low_band_top:
        a.note(f"Step 2 CK {score} is inside the {rules.step2_very_low}–{rules.step2_very_low_band_top} band where "
               "many programs never see the application")
    if rules.step2_filter_low <= score < rules.step2_filter_band_top:
        a.note(f"Step 2 CK {score} is inside the {rules.step2_filter_low}–{rules.step2_filter_band_top} band where "
               "some community and county programs filter")


# -- Step 3 and attempts -----------------------------------------------------------

def _step3_failures(me, rules: Rules) -> int:
    step3, attempts = me("step3"), me("step3_attempts")
    if step3 is not None and step3 < rules.step3_pass_score:
        return attempts or 1
    return attempts - 1 if attempts else 0


def _step3(a: _Assessment, me, rules: Rules) -> None:
    """Step 3 for any visa: a weak or failed one "can worsen" a profile, a solid one helps."""
    step3, attempts = me("step3"), me("step3_attempts")
    if step3 is None and not attempts:
        return
    if step3 is not None and step3 < rules.step3_pass_score:
        a.cap("possible", f"Your Step 3 {step3} is below the passing score of {rules.step3_pass_score}: a failed "
                          "Step 3 can worsen any profile")
    elif attempts and attempts > 1:
        a.cap("possible", f"You took Step 3 {_plural(attempts, 'time')}: a failed Step 3 can worsen any profile")
    elif a.h1b_route:
        return  # said with what H-1B sponsors look for
    elif step3 is None:
        return
    elif step3 < rules.step3_solid:
        a.cap("possible", f"Your Step 3 {step3} is weak (below {rules.step3_solid}): a weak Step 3 can worsen any "
                          "profile")
    else:
        a.support(f"Step 3 {step3} passed solidly (at least {rules.step3_solid})")


def _failed_attempts(me, rules: Rules) -> tuple[int, list[str]]:
    """How many Step 1, Step 2 CK and Step 3 attempts failed (as far as the profile says), and which exams."""
    failed, exams = 0, []
    step1_attempts = me("step1_attempts")
    step1_failed = (step1_attempts or 1) if _step1_result(me("step1")) == "fail" else max((step1_attempts or 1) - 1, 0)
    step2_attempts = me("step2_attempts")
    step2_failed = step2_attempts - 1 if step2_attempts and step2_attempts > 1 else 0
    for exam, n in (("Step 1", step1_failed), ("Step 2 CK", step2_failed), ("Step 3", _step3_failures(me, rules))):
        if n:
            failed += n
            exams.append(exam)
    return failed, exams


def _attempts(a: _Assessment, prog, me, rules: Rules) -> None:
    failed, exams = _failed_attempts(me, rules)
    limit, kind = prog("max_attempts"), prog("max_attempts_kind")
    if limit is None:
        if failed and kind == "none":
            a.support("No attempt limit stated")
        elif failed:
            a.unresearched.append("attempt limit")
        if failed >= rules.many_attempts:
            a.cap("reach", f"{_plural(failed, 'failed attempt')} ({' and '.join(exams)}) and no attempt limit "
                           f"{'stated' if kind == 'none' else 'on record'}: many programs never see the application")
    else:
        taken = [(step, me(key)) for step, key in (("Step 1", "step1_attempts"), ("Step 2 CK", "step2_attempts"),
                                                   ("Step 3", "step3_attempts"))]
        over = [(step, n) for step, n in taken if n is not None and n > limit]
        if over:
            step, n = over[0]
            if kind == "preferred":
                a.cap(rules.below_preference_tier, f"Prefers at most {_plural(limit, 'attempt')} per exam (a "
                                                   f"preference, not a cutoff); you took {step} {_plural(n, 'time')}")
            else:
                a.exclude(f"Allows at most {_plural(limit, 'attempt')} per exam; you took {step} {_plural(n, 'time')}")
                return
        if any(n is None for step, n in taken[:2]):
            a.cap("possible", f"Allows at most {_plural(limit, 'attempt')}: add your attempts to your profile",
                  unknown=True)
    for step, key in (("Step 1", "step1_attempts"), ("Step 2 CK", "step2_attempts")):
        n = me(key)
        if step == "Step 1" and _step1_result(me("step1")) == "fail":
            continue  # already said, by _step1
        if n is not None and n > 1:
            a.cap("possible", f"You took {step} {_plural(n, 'time')}: a failed attempt is a red flag for many "
                              "programs")


# -- graduation, gaps, the ECFMG certificate ---------------------------------------

def _graduation(a: _Assessment, prog, me, rules: Rules) -> None:
    limit, kind = prog("yog_limit_years"), prog("yog_limit_kind")
    graduated, season = me("graduation_year"), me("season_year")
    years = season - graduated if graduated is not None and season is not None else None
    if limit is not None:
        if years is None:
            a.cap("possible", f"Graduation within {_plural(limit, 'year')} required: add your graduation year and "
                              "Match year to your profile", unknown=True)
        elif years > limit:
            if kind == "preferred":
                a.cap(rules.below_preference_tier, f"Prefers graduates within {_plural(limit, 'year')} (a preference, "
                                                   f"not a cutoff); you graduated {_plural(years, 'year')} before "
                                                   f"the {season} Match")
            else:
                a.exclude(f"Graduated {_plural(years, 'year')} before the {season} Match; program limit is "
                          f"{_plural(limit, 'year')}")
        else:
            a.support(f"Graduated {_plural(years, 'year')} before the {season} Match, within the {limit}-year limit")
    elif years is not None:
        if kind != "none":
            a.unresearched.append("graduation-year limit")
        if years > rules.old_graduation_years:
            a.cap("possible", f"Graduated {_plural(years, 'year')} before the {season} Match: an older graduation "
                              f"is a risk factor even where no limit is stated (more than {rules.old_graduation_years})")
    gap = me("clinical_gap_months")
    if gap is not None and gap > rules.long_gap_months:
        a.cap("possible", f"{_plural(gap, 'month')} without clinical work: a long gap is a risk factor (more than "
                          f"{rules.long_gap_months})")


def _ecfmg(a: _Assessment, prog, me) -> None:
    by, mine = prog("ecfmg_by"), me("ecfmg_certified")
    if by not in ("interview", "ranking"):
        return
    when = "before the interview" if by == "interview" else "by the rank-list deadline"
    if mine is None:
        a.cap("possible", f"Wants the ECFMG certificate {when}: add yours to your profile", unknown=True)
    elif mine == "yes":
        a.support(f"Wants the ECFMG certificate {when}; you have it")
    elif by == "ranking" and mine == "by_ranking":
        a.support("Wants the ECFMG certificate by the rank-list deadline; you expect yours by then")
    else:
        a.exclude(f"Wants the ECFMG certificate {when}; "
                  + ("you expect yours only by the rank-list deadline" if mine == "by_ranking"
                     else "you will not have it by then"))


# -- US clinical experience --------------------------------------------------------

def _usce(a: _Assessment, prog, me, rules: Rules) -> None:
    required, months = prog("usce_required"), me("usce_months")
    observed = me("observership_months") or 0
    if required == "yes":
        if months is None:
            a.cap("possible", "Requires US clinical experience: add your months of USCE to your profile", unknown=True)
            return
        if months < rules.usce_months_required:
            if observed:
                a.cap("reach", f"Requires US clinical experience: your {_plural(observed, 'month')} of observerships "
                               "are not hands-on; check whether the program counts them")
            else:
                a.exclude("Requires US clinical experience, which you do not have yet")
            return
        a.support(f"Requires US clinical experience; you have {_plural(months, 'month')}")
    elif required == "preferred":
        if (months or 0) < rules.usce_months_required:
            a.cap("possible", "Prefers US clinical experience, which you do not have yet"
                  + (f" (observerships, {_plural(observed, 'month')}, count for less)" if observed else ""))
            return
    elif required == "no":
        return
    else:
        if (months or 0) < rules.usce_months_required:
            a.cap("possible", "USCE requirement unknown: check the program's website", unknown=True)
            return
        if prog("setting") not in rules.usce_depth_settings:
            return
    _usce_depth(a, me, rules)


def _usce_depth(a: _Assessment, me, rules: Rules) -> None:
    """"2–3 months of USCE ..., with at least one month inpatient", and US letters tied to it."""
    months, inpatient, letters = me("usce_months") or 0, me("usce_inpatient_months"), me("us_letters")
    short, unknown = [], []
    if months < rules.usce_expected_months:
        short.append(f"{_plural(months, 'month')} hands-on")
    if rules.usce_inpatient_expected:
        if inpatient is None:
            unknown.append("inpatient months")
        elif inpatient < rules.usce_inpatient_expected:
            short.append(f"{_plural(inpatient, 'inpatient month')}")
    if rules.us_letters_expected:
        if letters is None:
            unknown.append("US letters")
        elif letters < rules.us_letters_expected:
            short.append(f"{_plural(letters, 'US letter')}")
    expected = (f"programs look for {_plural(rules.usce_expected_months, 'month')} of hands-on USCE, "
                f"{rules.usce_inpatient_expected} of them inpatient, and {_plural(rules.us_letters_expected, 'US letter')}")
    if short:
        a.cap("possible", f"USCE depth: {expected}; you have {', '.join(short)}")
    elif unknown:
        a.cap("possible", f"USCE depth: {expected}: add your {' and '.join(unknown)} to your profile", unknown=True)
    else:
        a.support(f"USCE depth: {_plural(months, 'month')} hands-on, {inpatient} inpatient, "
                  f"{_plural(letters, 'US letter')}")


# -- IMG presence ------------------------------------------------------------------

def _img_presence(a: _Assessment, prog, rules: Rules) -> None:
    share, count, non_us_share = prog("img_percent"), prog("non_us_img_count"), prog("non_us_img_percent")
    if share is None and count is None and non_us_share is None:
        a.cap(rules.unknown_img_tier, "IMG data unknown: check FREIDA (% IMG) and the residents page (who is non-US)",
              unknown=True)
        return
    all_imgs = f"{share:g}% IMG residents" if share is not None else ""
    if count is None and non_us_share is None:
        if share >= rules.clear_img_percent:
            a.cap("possible", f"{all_imgs}, but how many are non-US IMGs is unknown: an all-IMG share alone supports "
                              "Possible. Check the residents page", unknown=True)
        elif share >= rules.some_img_percent:
            a.cap("possible", f"Some IMG presence: {all_imgs}")
        else:
            a.cap("reach", f"Low IMG presence: {all_imgs}")
        return
    non_us = [text for text in (count is not None and _plural(count, "non-US IMG") + " in current classes",
                                non_us_share is not None and f"{non_us_share:g}% non-US IMG residents") if text]
    described = ", ".join(non_us + ([all_imgs] if all_imgs else []))
    some = (count or 0) > 0 or (non_us_share or 0) > 0
    clear = some and ((count or 0) >= rules.clear_non_us_img_count
                      or (non_us_share or 0) >= rules.clear_non_us_img_percent
                      or (share is not None and share >= rules.clear_img_percent))
    if clear:
        a.support(f"Clear IMG presence: {described}")
    elif some:
        a.cap("possible", f"Some IMG presence: {described}")
    else:
        a.cap("reach", f"No non-US IMGs among current residents: {described}"
              + (" (US citizens who studied abroad)" if share else ""))


# -- setting and mission -----------------------------------------------------------

def _setting(a: _Assessment, prog, me, rules: Rules) -> None:
    setting = prog("setting")
    tags = prog("mission_tags") or []
    aligned = [t for t in tags if t in rules.mission_tags]
    tag_labels = ", ".join(_tag_label(t) for t in aligned)
    if setting in rules.academic_settings:
        score = me("step2_ck")
        low = score is not None and score < rules.step2_university_low
        a.cap("reach", f"{_setting_label(setting)} program: competitive"
                       + (f", even with its mission ({tag_labels})" if aligned else "")
                       + (f", and your Step 2 CK {score} is below {rules.step2_university_low}" if low else ""))
        _below_average_band(a, score, rules)
        return
    if setting in rules.friendly_settings:
        a.support(f"{_setting_label(setting)} setting")
    if aligned:
        a.support(f"Mission-aligned: {tag_labels}")
    if setting in rules.friendly_settings or aligned:
        return
    if setting is None:
        a.cap("possible", "Setting unknown: check whether it is a community, county or university program",
              unknown=True)
    else:
        a.cap("possible", f"{_setting_label(setting)} setting, not mission-aligned")


def languages(text: str | None) -> list[str]:
    """The languages a profile lists ("Spanish, Arabic and French"), lower-case, in order."""
    found = []
    for part in re.split(r"[,;/&+\n]|\band\b", (text or "").lower()):
        name = part.strip(" .()")
        if name and name not in found:
            found.append("spanish" if name in SPANISH else name)
    return found


def _fit(tag: str, spoken: list[str], experience: set[str]) -> str | None:
    """What on the profile fits a program's mission tag, in words; None if nothing does."""
    fitting, spanish, any_language = FITS.get(tag, ((), False, False))
    if spanish and "spanish" in spoken:
        return "you speak Spanish"
    for key in fitting:
        if key in experience:
            return FIT_PHRASES[key]
    others = [name.title() for name in spoken if name != "english"]
    if any_language and others:
        return f"you speak {', '.join(others)}"
    return None


def _mission_fit(a: _Assessment, prog, me, rules: Rules) -> None:
    """The applicant's languages and mission experience against the program's mission tags."""
    tags = [t for t in prog("mission_tags") or [] if t in rules.mission_tags]
    if not tags:
        return
    spoken, experience = languages(me("languages")), set(me("mission_experience") or [])
    fits = {tag: why for tag in tags if (why := _fit(tag, spoken, experience))}
    if fits:
        a.support("Mission fit: " + "; ".join(f"{why} ({_tag_label(tag)})" for tag, why in fits.items()))
    missing = [tag for tag in tags if tag not in fits and tag in rules.fit_required_tags]
    if not missing:
        return
    what = " or ".join(_tag_label(tag) for tag in missing)
    wanted = "; ".join(FIT_WANTED[tag] for tag in missing if tag in FIT_WANTED)
    score = me("step2_ck")
    quote = "\"your numerical disadvantage must be offset by an obvious mission fit\""
    if not spoken and not experience:
        text = f"A {what} program looks for a mission fit ({wanted}): add your languages and mission experience to " \
               "your profile"
        if score is None or score < rules.step2_university_low:
            a.cap("possible", f"{text}; with a low score, {quote}", unknown=True)
        else:
            a.note(text)
    elif score is None or score < rules.step2_university_low:
        a.cap("possible", f"No mission fit for a {what} program on your profile ({wanted}): with "
                          + (f"a Step 2 CK of {score}, below {rules.step2_university_low}" if score is not None
                             else "a Step 2 CK not on your profile")
                          + f", {quote}")
    else:
        a.note(f"No mission fit for a {what} program on your profile ({wanted}); it matters less with your Step 2 "
               f"CK {score}")


def effective_tier(program: Any) -> str | None:
    """The tier that counts: the one the user set, else the computed one (object or dict)."""
    return records.get(program, "tier_override") or records.get(program, "tier")
