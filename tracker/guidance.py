"""Season guidance from the profile and the rules: how many programs to apply to. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import fields
from .rules import Rules


@dataclass(frozen=True)
class Target:
    specialty: str
    low: int
    high: int | None  # None: "as many as qualify" (Med-Peds)
    why: str

    @property
    def label(self) -> str:
        return fields.get("specialty").label_for(self.specialty)

    @property
    def text(self) -> str:
        if self.high is None:
            return f"{self.label}: every program you are eligible for ({self.low} now), plus a categorical list"
        return f"{self.label}: {self.low}–{self.high}"


def _get(profile: Any, key: str) -> Any:
    if profile is None:
        return None
    return profile.get(key) if isinstance(profile, dict) else getattr(profile, key, None)


def application_targets(profile: Any, rules: Rules | None = None, eligible_by_specialty: dict[str, int] | None = None
                        ) -> list[Target]:
    """The number of applications DOMAIN.md advises for each of the applicant's specialties."""
    rules = rules or Rules()
    eligible_by_specialty = eligible_by_specialty or {}
    score = _get(profile, "step2_ck")
    attempts = max(_get(profile, "step1_attempts") or 1, _get(profile, "step2_attempts") or 1)
    low_score = (score is not None and score < rules.apps_step2_line) or attempts > 1
    targets = []
    for specialty in _get(profile, "target_specialties") or []:
        if specialty == "med_peds":
            targets.append(Target(specialty, eligible_by_specialty.get(specialty, 0), None,
                                  "Med-Peds has few programs: apply to nearly all that take IMGs and sponsor "
                                  "your visa, with a parallel categorical IM or Pediatrics list."))
        elif specialty in rules.core_specialties:
            if low_score:
                why = (f"Step 2 CK below {rules.apps_step2_line}" if score is not None and
                       score < rules.apps_step2_line else "more than one attempt")
                targets.append(Target(specialty, rules.core_low_apps_min, rules.core_low_apps_max,
                                      f"Apply widely: {why}."))
            else:
                targets.append(Target(specialty, rules.core_apps_min, rules.core_apps_max,
                                      f"Step 2 CK {score if score is not None else '(not set)'}: the usual range."))
        elif specialty in rules.narrow_specialties:
            targets.append(Target(specialty, rules.narrow_apps_min, rules.narrow_apps_max,
                                  "A smaller specialty: fewer programs exist."))
    return targets
