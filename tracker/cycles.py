"""Between cycles: what changed in the applicant's profile from one season to the next, and which
changes are significant ("change something significant between cycles—scores, USCE, research, or
letters", DOMAIN.md). Profiles are read as objects or mappings (tracker.records). Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import fields, records
from .rules import Rules

ECFMG_LABELS = {"yes": "certified", "by_ranking": "expected by the rank-list deadline",
                "later": "not by the rank-list deadline"}
VISA_LABELS = {"J-1": "J-1", "H-1B": "H-1B", "either": "either J-1 or H-1B", "none": "none needed"}
RESEARCH = "research_qi"  # the mission experience that is research


@dataclass(frozen=True)
class ProfileChange:
    key: str
    text: str  # "Step 2 CK 221 → 236"
    significant: bool


def _n(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _shown(value: Any, unit: str = "") -> str:
    if value is None or value == "":
        return "none"
    return f"{value}{unit}"


def _labels(values: Any, choices: tuple) -> list[str]:
    names = {c.value: c.label for c in choices}
    return [names.get(v, v) for v in (values or [])]


def _listed(values: list[str]) -> str:
    return ", ".join(values) if values else "none"


def compare_profiles(before: Any, after: Any, rules: Rules | None = None) -> list[ProfileChange]:
    """Each field of the profile that differs between last season's profile (``before``) and this
    season's (``after``), named with both values, and whether it is significant by the rules."""
    rules = rules or Rules()
    if before is None or after is None:
        return []
    old, new = records.reader(before), records.reader(after)
    changes: list[ProfileChange] = []

    def add(key: str, text: str, significant: bool = False) -> None:
        changes.append(ProfileChange(key, text, significant))

    def plain(key: str, label: str, unit: str = "", significant: bool = False) -> None:
        if old(key) != new(key):
            add(key, f"{label} {_shown(old(key), unit)} → {_shown(new(key), unit)}", significant)

    s2_old, s2_new = old("step2_ck"), new("step2_ck")
    plain("step1", "Step 1")
    plain("step2_ck", "Step 2 CK", significant=s2_new is not None and (
        s2_old is None or s2_new - s2_old >= rules.cycle_step2_points))
    s3_old, s3_new = old("step3"), new("step3")
    passed_now = s3_new is not None and s3_new >= rules.step3_pass_score
    passed_before = s3_old is not None and s3_old >= rules.step3_pass_score
    if s3_old != s3_new:
        add("step3", f"Step 3 {_shown(s3_old)} → {_shown(s3_new)}" + (" (passed)" if passed_now and not passed_before
                                                                      else ""), passed_now and not passed_before)
    plain("step1_attempts", "Step 1 attempts")
    plain("step2_attempts", "Step 2 CK attempts")
    plain("step3_attempts", "Step 3 attempts")
    if _n(old("usce_months")) != _n(new("usce_months")):
        add("usce_months", f"USCE {_n(old('usce_months'))} → {_n(new('usce_months'))} months",
            _n(new("usce_months")) - _n(old("usce_months")) >= rules.cycle_usce_months)
    if _n(old("usce_inpatient_months")) != _n(new("usce_inpatient_months")):
        add("usce_inpatient_months",
            f"Inpatient USCE {_n(old('usce_inpatient_months'))} → {_n(new('usce_inpatient_months'))} months")
    if _n(old("observership_months")) != _n(new("observership_months")):
        add("observership_months",
            f"Observerships {_n(old('observership_months'))} → {_n(new('observership_months'))} months")
    if _n(old("us_letters")) != _n(new("us_letters")):
        add("us_letters", f"US letters {_n(old('us_letters'))} → {_n(new('us_letters'))}",
            _n(new("us_letters")) - _n(old("us_letters")) >= rules.cycle_us_letters)
    if old("ecfmg_certified") != new("ecfmg_certified"):
        add("ecfmg_certified", f"ECFMG certificate {ECFMG_LABELS.get(old('ecfmg_certified'), 'not set')} → "
                               f"{ECFMG_LABELS.get(new('ecfmg_certified'), 'not set')}")
    if old("visa_needed") != new("visa_needed"):
        add("visa_needed", f"Visa {VISA_LABELS.get(old('visa_needed'), 'not set')} → "
                           f"{VISA_LABELS.get(new('visa_needed'), 'not set')}")
    if sorted(old("target_specialties") or []) != sorted(new("target_specialties") or []):
        add("target_specialties", f"Target specialties {_listed(_labels(old('target_specialties'), fields.SPECIALTIES))}"
                                  f" → {_listed(_labels(new('target_specialties'), fields.SPECIALTIES))}")
    plain("graduation_year", "Graduation year")
    plain("clinical_gap_months", "Longest gap in clinical work", " months")
    old_mission, new_mission = set(old("mission_experience") or []), set(new("mission_experience") or [])
    if old_mission != new_mission:
        added = _labels(sorted(new_mission - old_mission), fields.MISSION_EXPERIENCE)
        gone = _labels(sorted(old_mission - new_mission), fields.MISSION_EXPERIENCE)
        parts = ([f"added {_listed(added)}"] if added else []) + ([f"removed {_listed(gone)}"] if gone else [])
        add("mission_experience", "Mission experience: " + "; ".join(parts), RESEARCH in new_mission - old_mission)
    plain("languages", "Languages")
    return changes


def significant(changes: list[ProfileChange]) -> list[ProfileChange]:
    return [c for c in changes if c.significant]


NOTHING_SIGNIFICANT = ("Nothing significant changed in your profile since last season: no new or higher score, "
                       "no Step 3 passed, no more months of hands-on USCE, no more US letters, no research. The "
                       "advice for reapplicants is to change something significant between cycles—scores, USCE, "
                       "research, or letters.")
